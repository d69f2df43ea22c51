#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-liveupdate.sh [RUNS]
# Benchmark, asserting nothing beyond the test itself: RUNS (3) boots of
# the live update test (liveupdate_test.sh: a host kexec that leaves an
# instance running), each giving what the switch cost. From the instance:
# the longest its 1 ms sleeper went without running, against the median
# second of the same run, and the longest round trip of its datagram
# pings to the host (and how many were lost); from the TSC, which runs on
# across the kexec: the old host's kexec -e to the new host's init (the
# least a workload on the host itself is down), the new kernel's own boot
# within it, and kexec -e to the first line of a workload in a container
# the new host starts at once (lu_container in instance-init.sh, which
# the new host runs as its init). Fails when a boot fails or a figure is
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
		"multikernel=256M MK_RUN=liveupdate kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz" \
		>/dev/null || die "the live update boot failed: see $BUILD/runs/$name/"
	tap=$BUILD/runs/$name/ttyS1.log
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$tap" | head -n 1)
	if grep -q '^not ok' "$tap" || [ "$(grep -c '^ok' "$tap")" != "${plan:-none}" ]; then
		grep '^not ok' "$tap" >&2 || true
		die "the live update test did not pass: see $BUILD/runs/$name/"
	fi
	# The new kernel's adoption, by its uptime: the link is back from then.
	adopted=$(sed -n 's/^\[ *\([0-9.]*\)\] multikernel: adopted instance .*/\1/p' \
		"$BUILD/runs/$name/ttyS0.log" | tail -n 1)
	echo "run $i $(grep -E '^# liveupdate: (kexec at TSC|the new host ran init|the longest stall|datagram pings|a container workload)' "$tap" | tr '\n' ' ') # adopted at uptime ${adopted:-none}" >> "$out"
done

python3 - "$out" "$runs" <<'PY'
import re, statistics, sys

runs = int(sys.argv[2])
rows = []
for line in open(sys.argv[1]):
    tsc0 = re.search(r"kexec at TSC (\d+)", line)
    init = re.search(r"ran init at its uptime ([\d.]+) s, TSC (\d+), ([\d.]+) MHz", line)
    stalls = re.search(r"before each tick, ms: (.*?)(?= # |$)", line)
    pings = re.search(r"MKPING-END sent (\d+) back \d+ lost (\d+) longest ([\d.]+) ms", line)
    cont = re.search(r"a container workload ran again at TSC (\d+)", line)
    adopted = re.search(r"adopted at uptime ([\d.]+)", line)
    if not (tsc0 and init and stalls and pings and cont and adopted):
        sys.exit(f"bench-liveupdate.sh: a figure is missing in: {line.strip()}")
    per_s = [float(x.split(":")[1]) for x in stalls.group(1).split()]
    hz = float(init.group(3)) * 1e6
    switch = (int(init.group(2)) - int(tsc0.group(1))) / hz
    container = (int(cont.group(1)) - int(tsc0.group(1))) / hz
    # kexec -e to the adoption: to init, less init's uptime after it.
    adopt = switch - (float(init.group(1)) - float(adopted.group(1)))
    rows.append((max(per_s), statistics.median(per_s), float(pings.group(3)),
                 int(pings.group(2)), switch, float(init.group(1)), container, adopt))
if len(rows) != runs:
    sys.exit(f"bench-liveupdate.sh: {len(rows)} of {runs} runs")

print(f"\nlive update, {runs} runs; guest time under TCG")
print(f"{'run':<5}{'stall max ms':>14}{'median s ms':>13}{'rtt max ms':>12}{'lost':>6}"
      f"{'kexec->adopt s':>16}{'kexec->init s':>15}{'boot s':>8}{'container s':>13}")
for i, r in enumerate(rows, 1):
    print(f"{i:<5}{r[0]:>14.1f}{r[1]:>13.1f}{r[2]:>12.1f}{r[3]:>6}{r[7]:>16.2f}{r[4]:>15.2f}"
          f"{r[5]:>8.2f}{r[6]:>13.2f}")
med = [statistics.median(c) for c in zip(*rows)]
print(f"{'med':<5}{med[0]:>14.1f}{med[1]:>13.1f}{med[2]:>12.1f}{med[3]:>6.0f}{med[7]:>16.2f}"
      f"{med[4]:>15.2f}{med[5]:>8.2f}{med[6]:>13.2f}")
print(f"\ninstance workload's longest stall / container workload's downtime = "
      f"{med[0] / 1e3 / med[6]:.3f}")
print(f"longest datagram round trip / container workload's downtime = "
      f"{med[2] / 1e3 / med[6]:.3f}")
print("(kexec->adopt: the instance's link is back, in the new kernel's boot; the")
print(" longest round trip also waits for the new host's echo, a program its init")
print(" starts. container: from kexec -e to the first line of a workload in a container")
print(" the new host starts at once; a KVM guest adds its boot to kexec->init:")
print(" the comparison suite's kvm start, not measured in this run)")
PY
