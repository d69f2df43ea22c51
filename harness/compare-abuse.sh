#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-abuse.sh memhog|forkbomb
# Resource abuse from userspace, for the comparison suite's fault
# isolation trials (compare-guest.sh), the same in a container and in an
# instance. Runs until killed.
#   memhog    stress-ng vm workers asking for twice the memory they see,
#             kept: the OOM killer's work, again and again
#   forkbomb  a shell function that forks two of itself, without end
case "$1" in
memhog)
	exec stress-ng --vm 2 --vm-bytes 200% --vm-keep --timeout 0 --temp-path /tmp
	;;
forkbomb)
	# shellcheck disable=SC2264 # it is meant to call itself without end
	bomb() { bomb | bomb & }
	bomb
	while :; do sleep 1; done
	;;
esac
echo "compare-abuse.sh: unknown abuse '$1'" >&2
exit 1
