#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/check-parsers.sh
# The comparison suite's guest-side parsers, run where they run in the
# guests (BusyBox awk), on output whose answer is known. Silent when
# every answer is right, for the gate in check.sh.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A cyclictest histogram as cyclictest pads it. Read as octal, where the
# digits allow, its buckets and counts come out in another order (77 as
# 63, 100 as 64, 127 as 87) and every percentile moves: 100 samples, the
# median in the 100 us bucket, the 99th in 127, the largest 300.
cat > "$work/hist" <<'HIST'
# /dev/cpu_dma_latency set to 0us
# Histogram
000000 000000
000050 000005
000077 000010
000100 000080
000127 000004
000300 000001
# Total: 000000100
# Min Latencies: 00050
# Avg Latencies: 00101
# Max Latencies: 00300
# Histogram Overflows: 00000
# Histogram Overflow at cycle number:
# Thread 0:
HIST
cat > "$work/want" <<'WANT'
CMP leg=instance bench=noisy-none metric=p50 unit=us run=1 value=100
CMP leg=instance bench=noisy-none metric=p99 unit=us run=1 value=127
CMP leg=instance bench=noisy-none metric=max unit=us run=1 value=300
WANT
busybox sh "$TOP/harness/compare-victim.sh" --parse instance noisy-none \
	"$work/hist" > "$work/got" 2>&1 || true
if ! cmp -s "$work/want" "$work/got"; then
	echo "compare-victim.sh read a known histogram wrong (want, got):"
	diff "$work/want" "$work/got" || true
	exit 1
fi
