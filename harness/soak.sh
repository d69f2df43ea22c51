#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/soak.sh   (MK_SOAK_CYCLES=N, default 1000)
# The long run of the soak test (tools/testing/selftests/multikernel/
# soak_test.sh): N instance create/load/start/stop/destroy cycles in one
# boot, graceful and forced stops taking turns; make test runs 5 of them.
# With MK_DEBUG=1 the host runs the debug kernel (kmemleak, KASAN,
# lockdep, ...) and the instances the plain one, so that the cycles go at
# the speed of a plain instance boot while the host's side of every cycle
# is checked. Ends with the test's results, "no kernel error reports" for
# the host's console (kmemleak scans at the end of the run), and
# "N passed, N failed".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

cycles=${MK_SOAK_CYCLES:-1000}
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null
instance=$(campaign_instance_kernel)

# About four seconds of guest time a cycle under TCG; generous on top.
timeout=$((600 + cycles * 20))
log "soak: $cycles cycles, at most ${timeout}s"
status=0
"$TOP/harness/qemu.sh" soak "$timeout" \
	"multikernel=256M MK_RUN=soak MK_SOAK_CYCLES=$cycles kunit.enable=0 MK_INSTANCE_KERNEL=$instance MK_INSTANCE_INITRD=/boot/instance.cpio.gz" ||
	status=$?
grep -E '^(#|ok|not ok)' "$OUT/runs/soak/ttyS1.log" || true
python3 "$TOP/harness/results.py" "$TREE" "tap:soak:$OUT/runs/soak/ttyS1.log" \
	"reports:soak:$OUT/runs/soak/ttyS0.log" || status=1
exit "$status"
