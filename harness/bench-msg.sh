#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-msg.sh [RUNS]
# Benchmark (asserts nothing): round trips over the host-instance link next
# to the same between two processes of the host kernel, in one boot (see
# bench_msg in harness/init.sh). The host spawns an instance on CPU 2 that
# runs msgdev_echo, then RUNS times (default 5) and for 64, 4096 and 65528
# bytes times:
#   kernel  kernel to kernel: the link's debugfs echo file
#   user    process to process across the kernels: msgdev_client on the
#           host, msgdev_echo in the instance, through /dev/mkmsg
#   pipe    two host processes on CPUs 0 and 1 over a pair of pipes
#   unix    the same over an AF_UNIX SOCK_SEQPACKET socket pair
# Every figure is a ping-pong: the next message leaves when the answer to
# the last one is back. rtt is the mean round trip; throughput is payload
# bytes per second each way (size * count / time). Medians over the runs,
# and each path against the pipe and AF_UNIX baselines of the same size.
# All figures are guest time under the runner's accelerator (TCG here):
# they compare with each other within one run, not with real hardware.
# Raw lines go to build/bench-msg.txt. Fails when a figure is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=${1:-5}
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null

run=$BUILD/runs/bench-msg
"$TOP/harness/qemu.sh" bench-msg 1200 \
	"multikernel=256M MK_RUN=bench-msg MK_BENCH_RUNS=$runs kunit.enable=0" >/dev/null || true
grep '^BENCH msg' "$run/ttyS1.log" > "$BUILD/bench-msg.txt" ||
	die "no messaging figures: see $run/"
if grep -q '^BENCH msg error' "$BUILD/bench-msg.txt"; then
	grep -A20 '^BENCH msg error' "$run/ttyS1.log" >&2
	die "a measurement failed: see $run/"
fi

cat "$BUILD/bench-msg.txt"
python3 - "$BUILD/bench-msg.txt" "$runs" <<'PY'
import statistics, sys

paths = ("kernel", "user", "pipe", "unix")
sizes = (64, 4096, 65528)
runs = int(sys.argv[2])
rtt, bps = {}, {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split()[2:])
    key = (f["path"], int(f["size"]))
    rtt.setdefault(key, []).append(float(f["rtt_ns"]))
    bps.setdefault(key, []).append(float(f["bytes_per_s"]))
missing = [f"{p} {s}" for p in paths for s in sizes
           if len(rtt.get((p, s), [])) != runs]
if missing:
    sys.exit(f"bench-msg.sh: not {runs} runs of: {', '.join(missing)}")

med_rtt = {k: statistics.median(v) for k, v in rtt.items()}
med_bps = {k: statistics.median(v) for k, v in bps.items()}
print(f"\nmedians of {runs} runs (guest time under TCG; ratios > 1: slower than the baseline)")
print(f"{'path':<7}{'size':>7}{'rtt us':>11}{'MB/s':>10}{'rtt/pipe':>10}{'rtt/unix':>10}")
for s in sizes:
    for p in paths:
        k = (p, s)
        print(f"{p:<7}{s:>7}{med_rtt[k] / 1e3:>11.1f}{med_bps[k] / 1e6:>10.2f}"
              f"{med_rtt[k] / med_rtt[('pipe', s)]:>10.2f}"
              f"{med_rtt[k] / med_rtt[('unix', s)]:>10.2f}")
print()
for p in ("kernel", "user"):
    for b in ("pipe", "unix"):
        print(f"{p} 64B RTT / {b} 64B RTT = "
              f"{med_rtt[(p, 64)] / med_rtt[(b, 64)]:.2f}")
for s in sizes[1:]:
    for p in ("kernel", "user"):
        for b in ("pipe", "unix"):
            print(f"{p} {s}B throughput / {b} {s}B throughput = "
                  f"{med_bps[(p, s)] / med_bps[(b, s)]:.2f}")
PY
