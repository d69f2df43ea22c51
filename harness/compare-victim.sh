#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-victim.sh LEG BENCH SECONDS
# The noisy-neighbour victim of the comparison suite, run the same way in
# a container and in an instance: cyclictest (one SCHED_OTHER thread
# waking every 1 ms) for SECONDS on the one CPU the leg gives, with a
# histogram up to 100 ms, and from it the wakeup latency at the median,
# at the 99th percentile and the largest:
#   CMP leg=LEG bench=BENCH metric=p50|p99|max unit=us run=1 value=V
# A percentile past the histogram reads 100000. "CMP leg=LEG error ..."
# when cyclictest gave no histogram. A benchmark: it judges no figure.

leg=$1 bench=$2 secs=$3
w=/tmp/compare-victim.$$
cyclictest -q -t 1 -i 1000 -l $((secs * 1000)) -h 100000 > "$w" 2>&1
awk -v leg="$leg" -v b="$bench" '
	/^[0-9]+[ \t]+[0-9]+/ { n++; lat[n] = $1 + 0; cnt[n] = $2 + 0; total += $2 }
	/^# Histogram Overflows:/ { over = $4 + 0 }
	/^# Max Latencies:/ { max = $4 + 0 }
	function pct(q,   i, c) {
		for (i = 1; i <= n; i++) {
			c += cnt[i]
			if (c >= q * (total + over))
				return lat[i]
		}
		return 100000
	}
	function put(m, v) {
		printf "CMP leg=%s bench=%s metric=%s unit=us run=1 value=%d\n", leg, b, m, v
	}
	END {
		if (total + over == 0) {
			printf "CMP leg=%s error %s: cyclictest gave no histogram\n", leg, b
			exit
		}
		put("p50", pct(0.5))
		put("p99", pct(0.99))
		put("max", max)
	}' "$w"
rm -f "$w"
