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
# the last one is back. Each message is made fresh (pseudo-random bytes)
# and checked when it is back. The debugfs echo file times its requests
# without that work, msgdev_client its whole loop with it; ipc_bench keeps
# both times. So the kernel path is set against the pipe and socket
# transport times ("xfer"), the user path against their whole loops
# ("loop"). rtt is the mean round trip; throughput is payload bytes per
# second each way (size * count / time). Medians over the runs.
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
	"multikernel=256M MK_RUN=bench-msg MK_BENCH_RUNS=$runs kunit.enable=0" >/dev/null ||
	die "the benchmark boot failed: see $run/"
grep '^BENCH msg' "$run/ttyS1.log" > "$BUILD/bench-msg.txt" ||
	die "no messaging figures: see $run/"
if grep -q '^BENCH msg error' "$BUILD/bench-msg.txt"; then
	grep -A20 '^BENCH msg error' "$run/ttyS1.log" >&2
	die "a measurement failed: see $run/"
fi

cat "$BUILD/bench-msg.txt"
python3 - "$BUILD/bench-msg.txt" "$runs" <<'PY'
import statistics, sys

# path -> the timing it is measured with; pipe and unix have both.
rows = (("kernel", "xfer"), ("pipe", "xfer"), ("unix", "xfer"),
        ("user", "loop"), ("pipe", "loop"), ("unix", "loop"))
sizes = (64, 4096, 65528)
runs = int(sys.argv[2])
rtt, bps = {}, {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split()[2:])
    key = (f["path"], f["timing"], int(f["size"]))
    rtt.setdefault(key, []).append(float(f["rtt_ns"]))
    bps.setdefault(key, []).append(float(f["bytes_per_s"]))
missing = [f"{p} {t} {s}" for p, t in rows for s in sizes
           if len(rtt.get((p, t, s), [])) != runs]
if missing:
    sys.exit(f"bench-msg.sh: not {runs} runs of: {', '.join(missing)}")

mr = {k: statistics.median(v) for k, v in rtt.items()}
mb = {k: statistics.median(v) for k, v in bps.items()}
print(f"\nmedians of {runs} runs; guest time under TCG, comparable only within this run")
print("xfer: transport only (as the debugfs echo file times); loop: with making")
print("and checking each message (as msgdev_client times); ratios against the")
print("pipe and AF_UNIX SOCK_SEQPACKET baselines of the same size and timing")
print(f"{'path':<7}{'timing':<7}{'size':>6}{'rtt us':>10}{'MB/s':>9}"
      f"{'rtt/pipe':>10}{'rtt/unix':>10}")
for s in sizes:
    for p, t in rows:
        k = (p, t, s)
        print(f"{p:<7}{t:<7}{s:>6}{mr[k] / 1e3:>10.1f}{mb[k] / 1e6:>9.2f}"
              f"{mr[k] / mr[('pipe', t, s)]:>10.2f}"
              f"{mr[k] / mr[('unix', t, s)]:>10.2f}")
print()
for p, t in (("kernel", "xfer"), ("user", "loop")):
    for b in ("pipe", "unix"):
        print(f"{p} 64B RTT / {b} 64B RTT ({t}) = "
              f"{mr[(p, t, 64)] / mr[(b, t, 64)]:.2f}")
for s in sizes[1:]:
    for p, t in (("kernel", "xfer"), ("user", "loop")):
        for b in ("pipe", "unix"):
            print(f"{p} {s}B throughput / {b} {s}B throughput ({t}) = "
                  f"{mb[(p, t, s)] / mb[(b, t, s)]:.2f}")
PY
