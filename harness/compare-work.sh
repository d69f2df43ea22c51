#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-work.sh LEG RUNS SECONDS CPU
# The workloads of the comparison suite, run the same way in every leg
# (harness/compare-guest.sh runs this on the host and in the container,
# harness/compare-instance-init.sh in an instance), on the one CPU and the
# memory the leg gives. RUNS times each: sysbench cpu, memory and threads,
# stress-ng's cpu, switch, fault and pipe stressors, each for SECONDS;
# hackbench (2 groups, 50 loops: processes, then threads); cyclictest; and cmp_micro's
# microbenchmarks. One line per figure:
#   CMP leg=LEG bench=B metric=M unit=U run=R value=V
# and beside each workload the interrupts (IPIs included) that CPU (as
# this kernel numbers it) took while it ran, from /proc/interrupts:
#   CMP leg=LEG bench=irq-B metric=irqs unit=count run=R value=N
# and "CMP leg=LEG error ..." for a workload that gave no figure.
# Workload output is not kept; a benchmark, it judges no figure.

leg=$1 runs=$2 secs=$3 cpu=$4

# put BENCH METRIC UNIT VALUE: the figure of run $r, or an error line
# with the tail of the workload's output when VALUE is empty.
put() {
	if [ -n "$4" ]; then
		echo "CMP leg=$leg bench=$1 metric=$2 unit=$3 run=$r value=$4"
	else
		echo "CMP leg=$leg error $1 $2: $(tail -n 2 "$w" | tr '\n' ' ')"
	fi
}

# The interrupts CPU $cpu has taken, every source summed.
irqs() {
	awk -v c="CPU$cpu" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) col = i + 1; next }
		col && $col ~ /^[0-9]+$/ { n += $col } END { print n + 0 }' /proc/interrupts
}

# irq_put BENCH: the interrupts since irq_mark.
irq_mark() {
	i0=$(irqs)
}
irq_put() {
	echo "CMP leg=$leg bench=irq-$1 metric=irqs unit=count run=$r value=$(($(irqs) - i0))"
}

# field AWK-ARGS...: the first line awk prints from the workload's output.
field() {
	awk "$@" "$w" | head -n 1
}

# One run of every workload, run number $r.
pass() {
	irq_mark
	sysbench cpu --threads=1 --time="$secs" run > "$w" 2>&1
	irq_put sysbench-cpu
	put sysbench-cpu events_per_s 1/s "$(field '/events per second:/ { print $4 }')"
	irq_mark
	sysbench memory --threads=1 --time="$secs" --memory-total-size=100G \
		run > "$w" 2>&1
	irq_put sysbench-memory
	put sysbench-memory mib_per_s MiB/s \
		"$(field '/MiB transferred/ { gsub(/\(/, "", $4); print $4 }')"
	irq_mark
	sysbench threads --threads=4 --time="$secs" run > "$w" 2>&1
	irq_put sysbench-threads
	put sysbench-threads events_per_s 1/s \
		"$(field -v s="$secs" '/total number of events:/ { print $5 / s }')"
	for s in cpu switch fault pipe; do
		irq_mark
		stress-ng --"$s" 1 --timeout "${secs}s" --metrics-brief \
			--temp-path /tmp > "$w" 2>&1
		irq_put "stress-ng-$s"
		put "stress-ng-$s" bogo_ops_per_s 1/s \
			"$(field -v s="$s" '$2 == "metrc:" && $4 == s && $5 ~ /^[0-9]/ { print $9 }')"
	done
	irq_mark
	hackbench -g 2 -l 50 > "$w" 2>&1
	irq_put hackbench-process
	put hackbench-process seconds s "$(field '/^Time:/ { print $2 }')"
	irq_mark
	hackbench -T -g 2 -l 50 > "$w" 2>&1
	irq_put hackbench-thread
	put hackbench-thread seconds s "$(field '/^Time:/ { print $2 }')"
	irq_mark
	cyclictest -q -t 1 -i 1000 -l $((secs * 1000)) > "$w" 2>&1
	irq_put cyclictest
	for m in min avg max; do
		put cyclictest "lat_$m" us "$(field -v m="$m" '{
			for (i = 1; i < NF; i++) if (tolower($i) == m ":") print $(i + 1) }')"
	done
	for op in syscall ctxsw pipe unix fork fault; do
		irq_mark
		cmp_micro $op > "$w" 2>&1
		irq_put "micro-$op"
		put "micro-$op" ns_per_op ns \
			"$(field '/^cmp_micro op=/ { sub(/.*ns_per_op=/, ""); print }')"
	done
}

w=/tmp/compare-work.$$
# A first pass, not reported: under TCG the first run of code at a
# physical address pays for translating it, and the legs that run the
# same binaries from the same page cache would share that cost unevenly.
r=0
secs_run=$secs
secs=1
pass > /dev/null
secs=$secs_run
while [ "$r" -lt "$runs" ]; do
	r=$((r + 1))
	pass
done
rm -f "$w"
echo "CMP leg=$leg done"
