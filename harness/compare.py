#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: compare.py RAW OUTDIR

Turn the "CMP ..." lines of the comparison boots (harness/compare.sh) into
OUTDIR/samples.csv (every sample), OUTDIR/summary.csv and summary.txt
(median, min, max and count per leg, the ratio of each leg's median to the
host leg's of the same boot) and PNG plots. Exits 1, naming them, when a
figure a leg must give is missing or the guest reported an error: a figure
that could not be taken, never a value judged. The KVM leg's missing
figures are named but do not fail: its boots stall at times under TCG,
and it reports how many boots it tried and how many succeeded.
"""

import csv
import os
import statistics
import sys

LEGS = ("host", "container", "instance", "host1", "kvm")
# The leg each one's ratios are taken against: the KVM leg runs in a boot
# of its own (one vCPU), beside a host leg of that boot, host1.
BASE = {"host1": "host1", "kvm": "host1"}
# Legs whose missing figures are reported, not failed: a nested KVM boot
# that stalls gives no figure, and the leg counts its boots instead.
SOFT = ("kvm",)

# (bench, metric) every leg gives, by the workload script.
WORK = [("sysbench-cpu", "events_per_s"), ("sysbench-memory", "mib_per_s"),
        ("sysbench-threads", "events_per_s"),
        ("stress-ng-cpu", "bogo_ops_per_s"), ("stress-ng-switch", "bogo_ops_per_s"),
        ("stress-ng-fault", "bogo_ops_per_s"), ("stress-ng-pipe", "bogo_ops_per_s"),
        ("hackbench-process", "seconds"), ("hackbench-thread", "seconds"),
        ("cyclictest", "lat_min"), ("cyclictest", "lat_avg"), ("cyclictest", "lat_max")]
WORK += [("micro-" + op, "ns_per_op")
         for op in ("syscall", "ctxsw", "pipe", "unix", "fork", "fault")]
START = {
    "host": [("start", "first_line"), ("stop", "resources_back")],
    "host1": [("start", "first_line"), ("stop", "resources_back")],
    "kvm": [("start", "first_line"), ("stop", "resources_back"),
            ("memory", "host_kb"), ("memory", "qemu_rss_kb"),
            ("memory", "qemu_pte_kb"), ("boots", "tried"), ("boots", "succeeded")],
    "container": [("start", "first_line"), ("start2", "first_line"),
                  ("stop", "resources_back"), ("memory", "host_kb"),
                  ("memory", "cgroup_kb"), ("memory", "cgroup_kernel_kb")],
    "instance": [("start", "first_line"), ("start", "load"), ("start", "boot"),
                 ("start2", "first_line"), ("stop", "resources_back"),
                 ("stop_force", "resources_back"), ("memory", "host_kb")],
}
MSG = {
    "host": ["msg-pipe-64", "msg-unix-64", "msg-vsock-64",
             "msg-pipe-4096", "msg-unix-4096", "msg-vsock-4096"],
    "host1": ["msg-pipe-64", "msg-unix-64", "msg-vsock-64",
              "msg-pipe-4096", "msg-unix-4096", "msg-vsock-4096"],
    "container": ["msg-pipe-64", "msg-unix-64", "msg-pipe-4096", "msg-unix-4096"],
    "instance": ["msg-datagram-64", "msg-datagram-4096"],
    "kvm": ["msg-vsock-64", "msg-vsock-4096"],
}


# Legs that run the noisy-neighbour victim beside each hog.
NOISY = ("container", "instance")

# Fault isolation: not legs of their own, but trials of the container and
# instance legs (compare-guest.sh leg_isolation) and of the KVM leg
# (leg_kvmiso, a boot of its own), and a kernel fault done from a
# container in a boot each (leg_cfault, "fault-lkdtm-F").
TRIALS = ("isolation", "kvmiso", "cfault")
ABUSE = ("memhog", "forkbomb")
FAULT_METRICS = ("host_ok", "neighbour_ok")


def parse(path):
    samples, errors, legs, hogs = [], [], [], []
    # The faults of leg_isolation (said by every boot), if a boot ran it,
    # and the kernel faults done from a container, a boot each.
    iso, iso_faults, lkdtm, kvm_iso = False, [], [], False
    for line in open(path, encoding="utf-8", errors="replace"):
        w = line.split()
        if len(w) < 2 or w[0] != "CMP":
            continue
        if w[1] == "config":
            if "legs=" in line:
                got = line.split("legs=", 1)[1].split()
                legs += [leg for leg in got if leg not in TRIALS]
                iso = iso or "isolation" in got
                kvm_iso = kvm_iso or "kvmiso" in got
            if "faults=" in line:
                iso_faults += [f for f in line.split("faults=", 1)[1].split()
                               if f not in iso_faults]
            if "hogs=" in line:
                hogs += [h for h in line.split("hogs=", 1)[1].split() if h not in hogs]
            continue
        if w[1] == "cfault:":
            if len(w) > 3 and w[2] == "triggering":
                lkdtm.append("lkdtm-" + w[3].lower())
            continue
        f = dict(kv.split("=", 1) for kv in w[1:] if "=" in kv)
        if len(w) > 2 and w[2] == "error":
            errors.append(line.strip())
        elif w[1] == "boot":
            errors.append(line.strip())
        elif "value" in f:
            try:
                f["value"] = float(f["value"])
            except ValueError:
                errors.append("not a number: " + line.strip())
                continue
            samples.append(f)
    return (samples, errors, legs, hogs, (iso_faults if iso else []) + lkdtm,
            iso_faults if kvm_iso else [])


def expected(leg, hogs, faults, kvm_faults=()):
    want = list(START.get(leg, [])) + [(b, "rtt") for b in MSG.get(leg, [])]
    want += WORK
    want += [("escape", "tried"), ("escape", "closed")]
    if leg in NOISY:
        for h in hogs:
            # The container's vm hog also runs once more under memory.high.
            for b in [h] + (["vm-high"] if h == "vm" and leg == "container" else []):
                want += [("noisy-" + b, m) for m in ("p50", "p99", "max")]
                if h != "none":
                    want.append(("hog-" + b, "bogo_ops_per_s"))
    for f in faults:
        kernel = f not in ABUSE
        if leg == "instance" and not f.startswith("lkdtm-"):
            want += [("fault-" + f, m) for m in FAULT_METRICS + ("recover_ms", "crashed")]
        if leg == "container" and (not kernel or f.startswith("lkdtm-")):
            want += [("fault-" + f, m) for m in FAULT_METRICS]
            if not kernel:
                want.append(("fault-" + f, "recover_ms"))
    if leg == "kvm":
        want += [("fault-" + f, m) for f in kvm_faults
                 for m in FAULT_METRICS + ("recover_ms", "crashed")]
    return want


def isolation(out, groups, faults):
    """isolation.rst: per fault and leg, whether the host and the neighbour
    went on with their data intact, whether the host kernel was tainted or
    died, and how long until a replacement ran."""
    rows = []
    for f in faults:
        for leg in ("container", "instance", "kvm"):
            b = "fault-" + f
            got = {m: groups.get((b, m), {}).get(leg) for m in
                   ("host_ok", "neighbour_ok", "host_tainted", "host_died",
                    "crashed", "detect_ms", "recover_ms")}
            if not any(got.values()):
                continue

            # One trial: yes or no, and its time. Several (MK_CMP_TRIALS):
            # in how many of them, and the median time with its spread.
            def one(m, yes="yes", no="no"):
                v = got[m]
                if not v:
                    return ""
                if len(v) == 1:
                    return yes if v[0] else no
                return f"{sum(1 for x in v if x)} of {len(v)}"

            def ms(m):
                v = got[m]
                if not v:
                    return ""
                if len(v) == 1:
                    return fmt(v[0])
                return f"{fmt(statistics.median(v))} ({fmt(min(v))}..{fmt(max(v))})"
            rows.append([f, leg, one("host_ok"), one("neighbour_ok"),
                         one("host_tainted"), one("host_died"), one("crashed"),
                         ms("detect_ms"), ms("recover_ms")])
    head = ["fault", "leg", "host went on", "neighbour went on", "host tainted",
            "host died", "victim crashed", "detected, ms", "replacement runs, ms"]
    lines = [".. csv-table::", "   :header: " + ", ".join(f'"{h}"' for h in head), ""]
    lines += ["   " + ", ".join(f'"{c}"' for c in r) for r in rows]
    with open(os.path.join(out, "isolation.rst"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def escapes(raw, out):
    """security.rst: what each escape path contain_probe tried gave in each
    leg (its "CMP leg=L escape what=PATH got=ANSWER" lines)."""
    got, legs = {}, set()
    for line in open(raw, encoding="utf-8", errors="replace"):
        w = line.split()
        if len(w) < 5 or w[0] != "CMP" or w[2] != "escape":
            continue
        f = dict(kv.split("=", 1) for kv in w[1:] if "=" in kv)
        if not {"leg", "what", "got"} <= f.keys():
            continue
        got.setdefault(f["what"].replace("_", " "), {})[f["leg"]] = \
            f["got"].replace("_", " ")
        legs.add(f["leg"])
    legs = [leg for leg in LEGS if leg in legs]
    head = ["path"] + legs
    lines = [".. csv-table::", "   :header: " + ", ".join(f'"{h}"' for h in head), ""]
    for what in got:
        row = [what] + [got[what].get(leg, "") for leg in legs]
        lines.append("   " + ", ".join(f'"{c}"' for c in row))
    with open(os.path.join(out, "security.rst"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def main():
    raw, out = sys.argv[1], sys.argv[2]
    samples, errors, legs, hogs, faults, kvm_faults = parse(raw)
    with open(os.path.join(out, "samples.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["leg", "bench", "metric", "unit", "run", "value"])
        for s in samples:
            w.writerow([s["leg"], s["bench"], s["metric"], s["unit"], s["run"],
                        s["value"]])

    groups = {}
    units = {}
    for s in samples:
        groups.setdefault((s["bench"], s["metric"]), {}).setdefault(
            s["leg"], []).append(s["value"])
        units[(s["bench"], s["metric"])] = s["unit"]
    med = {(k, leg): statistics.median(v)
           for k, d in groups.items() for leg, v in d.items()}

    missing = [(leg, f"{leg}: {b} {m}") for leg in legs
               for b, m in expected(leg, hogs, faults, kvm_faults)
               if (b, m) not in groups or leg not in groups[(b, m)]]
    soft = [m for leg, m in missing if leg in SOFT]
    missing = [m for leg, m in missing if leg not in SOFT]
    soft_err = [e for e in errors if any(f" leg={leg} " in e for leg in SOFT)
                or e.startswith(("CMP boot kvm ", "CMP boot kvmiso "))]
    errors = [e for e in errors if e not in soft_err]

    rows = []
    for k in sorted(groups, key=lambda k: (k[0].split("-")[0], k)):
        for leg in LEGS:
            v = groups[k].get(leg)
            if not v:
                continue
            host = med.get((k, BASE.get(leg, "host")))
            ratio = med[(k, leg)] / host if host else None
            rows.append([k[0], k[1], units[k], leg, len(v), med[(k, leg)],
                         min(v), max(v), ratio])
    with open(os.path.join(out, "summary.csv"), "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["bench", "metric", "unit", "leg", "n", "median", "min", "max",
                    "ratio_to_host"])
        w.writerows(rows)
    with open(os.path.join(out, "summary.txt"), "w") as fh:
        fh.write(f"{'bench':<26}{'metric':<17}{'unit':<6}{'leg':<10}{'n':>3}"
                 f"{'median':>13}{'min':>13}{'max':>13}{'/host':>8}\n")
        for r in rows:
            ratio = f"{r[8]:8.2f}" if r[8] is not None else f"{'-':>8}"
            fh.write(f"{r[0]:<26}{r[1]:<17}{r[2]:<6}{r[3]:<10}{r[4]:>3}"
                     f"{r[5]:>13.4g}{r[6]:>13.4g}{r[7]:>13.4g}{ratio}\n")
    print(open(os.path.join(out, "summary.txt")).read(), end="")
    rst(out, groups, med, units)
    escapes(raw, out)
    isolation(out, groups, faults + [f for f in kvm_faults if f not in faults])
    plots(out, groups, med, units)

    for e in soft_err:
        print("compare: not taken (reported, not failed):", e, file=sys.stderr)
    for m in soft:
        print("compare: no figure (reported, not failed):", m, file=sys.stderr)
    if errors or missing or not samples:
        for e in errors:
            print("compare: guest error:", e, file=sys.stderr)
        for m in missing:
            print("compare: missing figure:", m, file=sys.stderr)
        if not samples:
            print("compare: no figures at all", file=sys.stderr)
        sys.exit(1)
    print(f"compare: {len(samples)} samples of {len(groups)} figures; "
          f"CSV and plots in {out}")


def fmt(v):
    if v is None:
        return ""
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def rst(out, groups, med, units):
    """summary.rst and events.rst: csv-tables of medians and ratios for
    comparison.rst, the figures apart from the interrupt and exit counts."""
    legs = [leg for leg in LEGS if any(leg in d for d in groups.values())]
    pairs = [(a, b) for a, b in (("container", "host"), ("instance", "host"),
                                 ("instance", "container"), ("kvm", "host1"))
             if a in legs and b in legs]

    def is_event(k):
        return k[0].startswith(("irq-", "exits-", "boot_exits"))

    # The events table: interrupts, and of the exits only their total per
    # workload (their causes are in the CSV), all of a boot's.
    events = [k for k in sorted(groups) if is_event(k) and
              (not k[0].startswith("exits-") or k[1] == "exits")]
    for name, keys in (("summary.rst", [k for k in sorted(groups) if not is_event(k)]),
                       ("events.rst", events)):
        used = [leg for leg in legs if any(leg in groups[k] for k in keys)]
        used_pairs = [(a, b) for a, b in pairs if a in used and b in used]
        head = ["figure", "unit"] + used + [f"{a}/{b}" for a, b in used_pairs]
        lines = [".. csv-table::", "   :header: " + ", ".join(f'"{h}"' for h in head),
                 ""]
        for k in keys:
            row = [f"{k[0]} {k[1]}", units[k]]
            for leg in used:
                v = groups[k].get(leg)
                row.append(f"{fmt(med[(k, leg)])} ({fmt(min(v))}..{fmt(max(v))})"
                           if v and len(v) > 1 else fmt(med.get((k, leg))))
            for a, b in used_pairs:
                ma, mb = med.get((k, a)), med.get((k, b))
                row.append(f"{ma / mb:.2f}" if ma is not None and mb else "")
            lines.append("   " + ", ".join(f'"{c}"' for c in row))
        with open(os.path.join(out, name), "w") as fh:
            fh.write("\n".join(lines) + "\n")


def plots(out, groups, med, units):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    legs = [leg for leg in LEGS if any(leg in d for d in groups.values())]

    def bars(keys, title, fname, ratio, log=False):
        keys = [k for k in keys if k in groups]
        if not keys:
            return
        fig, ax = plt.subplots(figsize=(max(6, len(keys) * 0.9), 4.5))
        width = 0.8 / len(legs)
        for i, leg in enumerate(legs):
            xs, ys, lo, hi = [], [], [], []
            for j, k in enumerate(keys):
                v = groups[k].get(leg)
                if not v:
                    continue
                m = med[(k, leg)]
                base = med.get((k, BASE.get(leg, "host"))) if ratio else 1
                if not base:
                    continue
                xs.append(j + i * width)
                ys.append(m / base)
                lo.append((m - min(v)) / base)
                hi.append((max(v) - m) / base)
            ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=leg)
        ax.set_xticks([j + width * (len(legs) - 1) / 2 for j in range(len(keys))])
        ax.set_xticklabels([f"{b}\n{m}" for b, m in keys], rotation=45,
                           ha="right", fontsize=7)
        ax.set_ylabel("median / host median" if ratio else units[keys[0]])
        if log:
            ax.set_yscale("log")
        ax.set_title(title + " (bars: min..max)", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(out, fname), dpi=100)
        plt.close(fig)

    bars([("start", "first_line"), ("start2", "first_line"),
          ("stop", "resources_back"), ("stop_force", "resources_back")],
         "start (command -> first line) and stop (-> resources back), ms",
         "start-stop.png", False, log=True)
    bars(WORK, "workloads, each leg's median over the host leg's",
         "workloads.png", True)
    bars([(b, "rtt") for b in sorted({b for d in MSG.values() for b in d})],
         "message round trips, ns", "messaging.png", False, log=True)
    bars([("irq-" + b, "irqs") for b, m in WORK if m != "lat_avg" and m != "lat_max"],
         "interrupts (IPIs included) on the leg's CPU during each workload",
         "interrupts.png", False, log=True)
    bars([("exits-" + b, "exits") for b, m in WORK if m != "lat_avg" and m != "lat_max"],
         "VM exits during each workload (KVM leg)", "exits.png", False, log=True)
    noisy = sorted({k[0] for k in groups if k[0].startswith("noisy-")},
                   key=lambda b: (b != "noisy-none", b))
    bars([(b, "p99") for b in noisy],
         "noisy neighbour: the victim's wakeup latency, 99th percentile, us",
         "noisy.png", False, log=True)
    bars([("memory", "host_kb"), ("memory", "cgroup_kb"),
          ("memory", "cgroup_kernel_kb"), ("memory", "qemu_rss_kb"),
          ("memory", "qemu_pte_kb")],
         "memory cost beyond the leg's own RAM, kB", "memory.png", False)


if __name__ == "__main__":
    main()
