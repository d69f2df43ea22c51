#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-check.sh
# The comparison suite's data check (fault isolation, compare-guest.sh):
# 8 MiB of random data in /tmp, hashed again and again, a line a pass:
#   CMP-CHECK: pass N ok|bad
# "bad" when the hash differs from the first one: the data changed under
# a workload that never writes it.
dd if=/dev/urandom of=/tmp/check.dat bs=1M count=8 2>/dev/null
sum0=$(md5sum < /tmp/check.dat)
n=0
while :; do
	n=$((n + 1))
	if [ "$(md5sum < /tmp/check.dat)" = "$sum0" ]; then
		echo "CMP-CHECK: pass $n ok"
	else
		echo "CMP-CHECK: pass $n bad"
	fi
	sleep 0.2
done
