#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-spawn.sh [RUNS]
# Benchmark, asserting nothing: how long spawning an instance takes (mkctl
# load, start -> running, start -> the instance's init line), next to cold
# QEMU boots of the same kernel and instance initramfs, command to init
# line, in one run. README.md, "Benchmarks", says what each figure covers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${1:-3}
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null

"$TOP/harness/qemu.sh" bench-spawn 900 \
	"multikernel=256M MK_RUN=bench-spawn MK_BENCH_RUNS=$runs kunit.enable=0" >/dev/null
grep '^BENCH spawn' "$BUILD/runs/bench-spawn/ttyS1.log" > "$BUILD/bench-spawn.txt" ||
	die "no spawn figures: see $BUILD/runs/bench-spawn/"
grep '^BENCH restart' "$BUILD/runs/bench-spawn/ttyS1.log" > "$BUILD/bench-restart.txt" ||
	die "no restart figures: see $BUILD/runs/bench-spawn/"
grep '^BENCH mem' "$BUILD/runs/bench-spawn/ttyS1.log" > "$BUILD/bench-mem.txt" ||
	die "no memory figures: see $BUILD/runs/bench-spawn/"

cold=$BUILD/runs/bench-cold
rm -rf "$cold"
mkdir -p "$cold"
: > "$cold/times"
accel=$("$TOP/harness/accel.sh")
# A cold boot as a user starts it: from the QEMU command until the init
# line is in the serial log (firmware, decompression and QEMU's own start
# included), looked for every 10 ms from outside, which takes nothing from
# the guest. Also the guest's own uptime at that line (kernel and init).
for r in $(seq "$runs"); do
	mkdir -p "$cold/$r"
	log=$cold/$r/ttyS0.log
	qemu_cmd "$cold/$r" "$accel" 1 64M "$BUILD/instance.cpio.gz" "kunit.enable=0"
	t0=$(date +%s.%N)
	timeout 300 "${QEMU_CMD[@]}" > "$cold/$r/qemu.out" 2>&1 &
	q=$!
	t1=""
	while [ -z "$t1" ]; do
		grep -qF "$MK_INSTANCE_UP" "$log" 2>/dev/null && t1=$(date +%s.%N)
		kill -0 "$q" 2>/dev/null || break
		sleep 0.01
	done
	wait "$q" || true
	[ -n "$t1" ] || die "cold boot $r did not reach init: see $cold/$r/"
	# The number alone: a kernel message can land on the same line.
	up=$(grep -m1 -F "$MK_INSTANCE_UP" "$log" | sed -n 's/.*uptime \([0-9][0-9.]*\).*/\1/p')
	# How far its uptime fell behind its TSC at boot (clock_lag in
	# init.sh, which has this copy's original); 0 when it cannot be read.
	lag=$(sed -n 's/.*sched_clock: Marking stable (\([0-9]*\), [-0-9]*)->(\([0-9]*\), .*/\1 \2/p' "$log" |
		head -n 1 | awk -v up="${up:-0}" '{ l = ($2 - $1) / 1e9 }
			END { printf "%.3f", (l >= 0 && l <= up) ? l : 0 }')
	echo "$t0 $t1 $up ${lag:-0}" >> "$cold/times"
done

cat "$BUILD/bench-spawn.txt"
cat "$BUILD/bench-restart.txt"
cat "$BUILD/bench-mem.txt"
awk '{ printf "BENCH cold run=%d init=%.2f uptime=%.2f lag=%.3f\n", NR, $2 - $1, $3, $4 }' "$cold/times"
# Medians, and the ratio of a spawn (start -> init) to a cold boot.
python3 - "$BUILD/bench-spawn.txt" "$cold/times" "$BUILD/bench-restart.txt" <<'PY'
import re, statistics, sys
spawn = [dict(kv.split('=') for kv in l.split()[2:]) for l in open(sys.argv[1])]
restart = dict(kv.split('=') for kv in open(sys.argv[3]).readline().split()[2:])
cold = [[float(x) for x in l.split()] for l in open(sys.argv[2])]
med = lambda k: statistics.median(float(s[k]) for s in spawn)
c = statistics.median(t1 - t0 for t0, t1, up, lag in cold)
cu = statistics.median(up for t0, t1, up, lag in cold)
# Kernel and init by each kernel's TSC (sched_clock from tsc_early_init):
# its uptime at the line and what its clock lost at boot.
ct = statistics.median(up + lag for t0, t1, up, lag in cold)
it = statistics.median(float(s['inst_up']) + float(s['lag']) for s in spawn)
print(f"median spawn: load {med('load'):.2f} s, start->running {med('running'):.2f} s, "
      f"start->init {med('init'):.2f} s (instance uptime at init {med('inst_up'):.2f} s)")
print(f"median breakdown: load {med('load'):.2f} s, start->kernel entry "
      f"{med('entry') * 1e3:.3f} ms, kernel boot to hello {med('kernel'):.2f} s, "
      f"hello->init line {med('init') - med('running'):.2f} s")
# Where a start's time goes, each part its own median: the mkctl start
# command until it returned (of it, preparing the memory: image,
# boot_params, start code, fence), the start code, early
# setup_arch() up to the instance's clock (TSC stamps), the instance's
# kernel and init by its TSC (its uptime, and what its clock lost at boot
# behind the TSC), and the line's way from the instance to the reader.
dlv = statistics.median(float(s['init']) - float(s['written']) for s in spawn)
print(f"median profile of a start: mkctl start {med('cmd') * 1e3:.0f} ms "
      f"(prepare {med('prepare') * 1e3:.0f} ms), start code {med('entry') * 1e3:.1f} ms, "
      f"early setup {med('early'):.2f} s, kernel+init {it:.2f} s "
      f"(its uptime {med('inst_up'):.2f} s + its clock's lag {med('lag'):.2f} s), "
      f"line to the reader {dlv:.3f} s")
print(f"restart (one) of a stopped instance: start->init {float(restart['init']):.2f} s, "
      f"command to the IPIs {float(restart['cmd']) * 1e3:.0f} ms (CPUs taken offline again); "
      f"a new instance's: {med('init'):.2f} s and {med('cmd') * 1e3:.0f} ms")
print(f"median cold QEMU boot, command to init line: {c:.2f} s "
      f"(kernel+init {ct:.2f} s: its uptime at init {cu:.2f} s + its clock's lag "
      f"{statistics.median(lag for t0, t1, up, lag in cold):.2f} s)")
print(f"spawn start->init / cold boot command->init: {med('init') / c:.2f}")
# The spread: the fastest and the slowest run of each side, and the ratio
# at the two ends (fastest spawn to slowest cold boot, and back).
si = [float(s['init']) for s in spawn]
ci = [t1 - t0 for t0, t1, up, lag in cold]
print(f"spread: spawn start->init {min(si):.2f}-{max(si):.2f} s, cold boot "
      f"command->init {min(ci):.2f}-{max(ci):.2f} s, their ratio "
      f"{min(si) / max(ci):.2f}-{max(si) / min(ci):.2f}")
print(f"spawn start->init line written / cold boot command->init: {med('written') / c:.2f}")
print(f"instance kernel+init / cold kernel+init (by their TSCs): {it / ct:.2f}")
print(f"instance kernel+init / cold kernel+init (uptimes, which lose time at boot): "
      f"{med('inst_up') / cu:.2f}")
PY
