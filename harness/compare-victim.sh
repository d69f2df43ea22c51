#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-victim.sh LEG BENCH SECONDS
#        compare-victim.sh --parse LEG BENCH FILE
# The noisy-neighbour victim of the comparison suite, run the same way in
# a container and in an instance: cyclictest (one SCHED_OTHER thread
# waking every 1 ms) for SECONDS on the one CPU the leg gives, with a
# histogram up to 100 ms, and from it the wakeup latency at the median,
# at the 99th percentile and the largest:
#   CMP leg=LEG bench=BENCH metric=p50|p99|max unit=us run=1 value=V
# A percentile past the histogram reads 100000. "CMP leg=LEG error ..."
# when cyclictest gave no histogram. A benchmark: it judges no figure.
# --parse reads cyclictest's output from FILE instead of running it
# (harness/check-parsers.sh).

# parse LEG BENCH FILE
parse() {
	# cyclictest pads its histogram with zeros ("000127 000010"), and
	# BusyBox awk reads a number with a leading zero as octal when its
	# digits allow (127 as 87, 10 as 8): strip the zeros first.
	awk -v leg="$1" -v b="$2" '
	function num(s) { sub(/^0+/, "", s); return s + 0 }
	/^[0-9]+[ \t]+[0-9]+/ { n++; lat[n] = num($1); cnt[n] = num($2); total += cnt[n] }
	/^# Histogram Overflows:/ { over = num($4) }
	/^# Max Latencies:/ { max = num($4) }
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
	}' "$3"
}

if [ "$1" = --parse ]; then
	parse "$2" "$3" "$4"
	exit
fi
leg=$1 bench=$2 secs=$3
w=/tmp/compare-victim.$$
cyclictest -q -t 1 -i 1000 -l $((secs * 1000)) -h 100000 > "$w" 2>&1
parse "$leg" "$bench" "$w"
rm -f "$w"
