#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Usage: harness/compare-spread.py A/summary.csv B/summary.csv

How far two runs of make compare (QUICK=1 or not) lie apart: for every
figure both give a median of, the difference between the two medians
relative to their mean, then the median and the 90th percentile of
those differences over the figures measured in time units and over the
rest (counts, memory, booleans). For telling whether a mode, such as
MK_CMP_ICOUNT, makes the figures repeatable. Asserts nothing.
"""
import csv
import statistics
import sys

TIME_UNITS = {"s", "ms", "us", "ns", "1/s", "MiB/s"}


def medians(path):
    out = {}
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            out[(r["bench"], r["metric"], r["leg"])] = (r["unit"], float(r["median"]))
    return out


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    a, b = medians(sys.argv[1]), medians(sys.argv[2])
    diffs = {"time": [], "other": []}
    for k in sorted(a.keys() & b.keys()):
        unit, x = a[k]
        y = b[k][1]
        if x == y:
            d = 0.0
        elif x + y == 0:
            continue
        else:
            d = abs(x - y) / (abs(x + y) / 2)
        diffs["time" if unit in TIME_UNITS else "other"].append(d)
    for kind, v in diffs.items():
        if not v:
            continue
        print(f"{kind:<6} figures {len(v):>4}: difference between the runs, "
              f"median {statistics.median(v) * 100:.1f}%, "
              f"90th percentile {pct(v, 0.9) * 100:.1f}%, "
              f"largest {max(v) * 100:.1f}%")


if __name__ == "__main__":
    main()
