#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/bench-loop.sh [--cold]
# Measure the development loop (a benchmark, not a test): make test in a
# fresh clone of this repository (--cold: with ccache disabled, as on a new
# machine), then touching one .c in kernel/multikernel/ and running make
# test again, and the guest's boot time to init under the runner's
# accelerator (from the kernel's own timestamps, so host load does not
# change it much). Prints one line per figure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cold=0
[ "${1:-}" = "--cold" ] && cold=1

work=$(mktemp -d /tmp/mk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
git clone -q "$TOP" "$work/repo"
cd "$work/repo"

secs() { local s=$SECONDS; "$@" > "$work/log" 2>&1 || { tail -20 "$work/log"; exit 1; }; echo $((SECONDS - s)); }

if [ $cold -eq 1 ]; then
	t_fresh=$(CCACHE_DISABLE=1 secs make test)
else
	t_fresh=$(secs make test)
fi
touch kernel/multikernel/pool.c
t_touch=$(secs make test)
boot=$(grep -m1 'Run /init as init process' build/runs/main/ttyS0.log |
	sed 's/^\[ *\([0-9.]*\)\].*/\1/')

echo "make test, fresh clone$( [ $cold -eq 1 ] && echo ', ccache off'): ${t_fresh} s"
echo "make test after touching kernel/multikernel/pool.c: ${t_touch} s"
echo "guest boot to init ($(cat build/accel)): ${boot} s of guest time"
