#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-msg.sh [RUNS]
# Benchmark, asserting nothing: round trips over the host-instance link,
# kernel to kernel and process to process, next to a pipe and an AF_UNIX
# socket between two host processes, in one boot; medians of RUNS (5).
# Fails when a figure is missing. The method is in README.md, "Benchmarks".
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
rtt, bps, cpu = {}, {}, {}
for line in open(sys.argv[1]):
    words = line.split()
    f = dict(kv.split("=", 1) for kv in words[2:])
    if words[1] == "msgcpu":
        for k in ("cpu0_ns", "cpu1_ns", "write_ns"):
            cpu.setdefault((f["path"], int(f["size"]), k), []).append(float(f[k]))
        continue
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
print("pipe and AF_UNIX SOCK_SEQPACKET baselines of the same size and timing;")
print("spread: the fastest and the slowest run's rtt")
print(f"{'path':<7}{'timing':<7}{'size':>6}{'rtt us':>10}{'MB/s':>9}"
      f"{'rtt/pipe':>10}{'rtt/unix':>10}  {'spread us'}")
for s in sizes:
    for p, t in rows:
        k = (p, t, s)
        print(f"{p:<7}{t:<7}{s:>6}{mr[k] / 1e3:>10.1f}{mb[k] / 1e6:>9.2f}"
              f"{mr[k] / mr[('pipe', t, s)]:>10.2f}"
              f"{mr[k] / mr[('unix', t, s)]:>10.2f}"
              f"  {min(rtt[k]) / 1e3:.1f}-{max(rtt[k]) / 1e3:.1f}")
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

# Where a round trip (loop timing) goes. Under single-threaded TCG the
# virtual CPUs take turns on one host thread, so the busy times add up
# to the round trip: CPU 0 is the client's, CPU 1 ipc_bench's echo's,
# and the rest ran on the other CPUs, for the user path the instance's.
print("\nper round trip, medians: busy time of host CPUs 0 and 1, the rest on")
print("other CPUs (user: the instance), and the client's write() alone")
print(f"{'path':<7}{'size':>6}{'rtt us':>10}{'cpu0 us':>10}{'cpu1 us':>10}"
      f"{'rest us':>10}{'write us':>10}")
for s in sizes:
    for p in ("user", "pipe", "unix"):
        m = {k: statistics.median(cpu.get((p, s, k), [0]))
             for k in ("cpu0_ns", "cpu1_ns", "write_ns")}
        r = mr[(p, "loop", s)]
        print(f"{p:<7}{s:>6}{r / 1e3:>10.1f}{m['cpu0_ns'] / 1e3:>10.1f}"
              f"{m['cpu1_ns'] / 1e3:>10.1f}"
              f"{(r - m['cpu0_ns'] - m['cpu1_ns']) / 1e3:>10.1f}"
              f"{m['write_ns'] / 1e3:>10.1f}")
PY
