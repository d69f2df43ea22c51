#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/faults.sh   (MK_FAULT_ROUNDS=R, default 25; MK_FAULT_BOOTS=B)
# The fault campaign (tools/testing/selftests/multikernel/faults_test.sh):
# R rounds over every kernel fault it knows, each in a fresh instance,
# beside a checksummed host workload and an echoing neighbour instance.
# The rounds are shared out over B boots that run side by side (default:
# one per host CPU, as TCG runs a guest on one thread). make test runs one
# round. Prints every trial, a table of them in build/faults/trials.txt,
# and ends with "N passed, N failed"; kernel error reports in the hosts'
# consoles count as failures.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=${MK_FAULT_ROUNDS:-25}
boots=${MK_FAULT_BOOTS:-$(nproc)}
[ "$boots" -ge 1 ] || boots=1
[ "$boots" -le "$rounds" ] || boots=$rounds
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null

# Generous for TCG: a trial takes 10-30 s alone, more beside other boots.
per=$(((rounds + boots - 1) / boots))
timeout=$((600 + per * 8 * 60))
log "faults: $rounds rounds of 8 faults in $boots boots; at most ${timeout}s"
status=0
pids=()
left=$rounds
for b in $(seq 1 "$boots"); do
	r=$(((left + boots - b) / (boots - b + 1)))
	left=$((left - r))
	"$TOP/harness/qemu.sh" "faults$b" "$timeout" \
		"multikernel=256M MK_RUN=faults MK_FAULT_ROUNDS=$r kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz" &
	pids+=($!)
done
for p in "${pids[@]}"; do
	wait "$p" || status=1
done
mkdir -p "$BUILD/faults"
# The trials of every boot, numbered through.
for b in $(seq 1 "$boots"); do
	grep -E '^# trial [0-9]+ ' "$BUILD/runs/faults$b/ttyS1.log" | sed 's/^# //' || true
done | awk '{ $2 = NR; print }' >"$BUILD/faults/trials.txt"
log "trials (guest time, TCG), also in build/faults/trials.txt:"
cat "$BUILD/faults/trials.txt"
# Per fault: trials, end states, detection time median and range.
awk '{
	f = $3; sub(/:$/, "", f); st = $4; ms = $6
	n[f]++; s[f, st]++; states[st] = 1
	t[f, n[f]] = ms
	if (index($0, "host ok") == 0 || index($0, "neighbour ok") == 0) lost[f]++
} END {
	printf "%-18s %6s %8s %8s %12s %10s %10s\n", "fault", "trials", "crashed",
	       "running", "median ms", "min ms", "max ms"
	for (f in n) {
		m = n[f]
		for (i = 1; i <= m; i++)
			for (j = i + 1; j <= m; j++)
				if (t[f, j] < t[f, i]) { x = t[f, i]; t[f, i] = t[f, j]; t[f, j] = x }
		printf "%-18s %6d %8d %8d %12d %10d %10d%s\n", f, m, s[f, "crashed"],
		       s[f, "running"], t[f, int((m + 1) / 2)], t[f, 1], t[f, m],
		       lost[f] ? "  LOST " lost[f] : ""
	}
}' "$BUILD/faults/trials.txt" | tee "$BUILD/faults/summary.txt"
specs=()
for b in $(seq 1 "$boots"); do
	run=$BUILD/runs/faults$b
	specs+=("tap:faults$b:$run/ttyS1.log" "reports:faults$b:$run/ttyS0.log")
done
python3 "$TOP/harness/results.py" "$TREE" "${specs[@]}" || status=$?
exit "$status"
