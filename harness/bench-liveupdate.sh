#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-liveupdate.sh [RUNS]
# Benchmark, asserting nothing beyond the test itself: RUNS (3) boots of
# the live update test (liveupdate_test.sh: a host kexec that leaves an
# instance running), each giving what the switch cost. From the instance:
# the longest its 1 ms sleeper went without running, against the median
# second of the same run; from the TSC, which runs on across the kexec:
# the old host's kexec -e to the new host's init, the least a workload on
# the host itself or in one of its containers is down, and the new
# kernel's own boot within it. Fails when a boot fails or a figure is
# missing. Guest time under TCG: one emulator thread runs all vCPUs in
# turn, so the instance's stall is the emulator's, not the design's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${1:-3}
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null

out=$BUILD/bench-liveupdate.txt
: > "$out"
for i in $(seq 1 "$runs"); do
	name=bench-lu$i
	log "live update run $i of $runs"
	"$TOP/harness/qemu.sh" "$name" 600 \
		"multikernel=256M multikernel_test_kexec_leave MK_RUN=liveupdate kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz" \
		>/dev/null || die "the live update boot failed: see $BUILD/runs/$name/"
	tap=$BUILD/runs/$name/ttyS1.log
	if grep -q '^not ok' "$tap" || [ "$(grep -c '^ok' "$tap")" -ne 8 ]; then
		grep '^not ok' "$tap" >&2 || true
		die "the live update test did not pass: see $BUILD/runs/$name/"
	fi
	echo "run $i $(grep -E '^# liveupdate: (kexec at TSC|the new host ran init|the longest stall)' "$tap" | tr '\n' ' ')" >> "$out"
done

python3 - "$out" "$runs" <<'PY'
import re, statistics, sys

runs = int(sys.argv[2])
rows = []
for line in open(sys.argv[1]):
    tsc0 = re.search(r"kexec at TSC (\d+)", line)
    init = re.search(r"ran init at its uptime ([\d.]+) s, TSC (\d+), ([\d.]+) MHz", line)
    stalls = re.search(r"before each tick, ms: (.*)", line)
    if not (tsc0 and init and stalls):
        sys.exit(f"bench-liveupdate.sh: a figure is missing in: {line.strip()}")
    per_s = [float(x.split(":")[1]) for x in stalls.group(1).split()]
    switch = (int(init.group(2)) - int(tsc0.group(1))) / (float(init.group(3)) * 1e6)
    rows.append((max(per_s), statistics.median(per_s), switch, float(init.group(1))))
if len(rows) != runs:
    sys.exit(f"bench-liveupdate.sh: {len(rows)} of {runs} runs")

print(f"\nlive update, {runs} runs; guest time under TCG")
print(f"{'run':<5}{'stall max ms':>14}{'median s ms':>13}{'kexec->init s':>15}{'boot s':>8}")
for i, r in enumerate(rows, 1):
    print(f"{i:<5}{r[0]:>14.1f}{r[1]:>13.1f}{r[2]:>15.2f}{r[3]:>8.2f}")
med = [statistics.median(c) for c in zip(*rows)]
print(f"{'med':<5}{med[0]:>14.1f}{med[1]:>13.1f}{med[2]:>15.2f}{med[3]:>8.2f}")
print(f"\ninstance workload's longest stall / host workload's downtime = "
      f"{med[0] / 1e3 / med[2]:.3f}")
print("(the host's downtime is the least: a container restarts after it, a KVM")
print(" guest boots after it)")
PY
