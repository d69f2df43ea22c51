#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/run.sh
# What `make run` shows: boot the patched kernel in a QEMU SMP guest with a
# multikernel pool and print the multikernel state the guest reports.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

status=0
"$TOP/harness/qemu.sh" run 600 "multikernel=256M MK_RUN=demo kunit.enable=0" || status=$?
grep -vF "$MK_INIT_DONE" "$BUILD/runs/run/ttyS1.log" || true
echo "(full console log: $BUILD/runs/run/ttyS0.log)"
exit "$status"
