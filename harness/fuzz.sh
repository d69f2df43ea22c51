#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/fuzz.sh   (MK_FUZZ_OPS=N, default 100000; MK_FUZZ_SEED=S,
#        default random; MK_GARBLE_ROUNDS=R, default 6; MK_GARBLE_BYTES=B,
#        default 20000)
# The long run of the fuzz test (tools/testing/selftests/multikernel/
# fuzz_test.sh) in one boot: N random operations of mk_fuzz on the user
# interfaces, with an echo instance keeping a datagram device connected,
# then R instances that each garble their messaging region with B random
# bytes and are stopped by force. make test runs a short version.
# With MK_DEBUG=1 the host runs the debug kernel (KASAN, lockdep,
# kmemleak, ...), where a fuzzer finds the most, and the instances the
# plain one, as in the soak: what is fuzzed is the host's side.
# Prints the figures and ends with "N passed, N failed"; kernel error
# reports in the boot's console count as failures.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ops=${MK_FUZZ_OPS:-100000}
seed=${MK_FUZZ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
rounds=${MK_GARBLE_ROUNDS:-6}
bytes=${MK_GARBLE_BYTES:-20000}
"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null
instance=$(campaign_instance_kernel)
slow=1
[ -z "${MK_DEBUG:-}" ] || slow=4

# Generous for TCG: a few ms an operation, a minute a garbling round;
# four times that on the debug kernel.
timeout=$(((900 + ops / 20 + rounds * 120) * slow))
log "fuzz: $ops operations, seed $seed; $rounds x $bytes garbled bytes; at most ${timeout}s"
status=0
"$TOP/harness/qemu.sh" fuzz "$timeout" \
	"multikernel=256M MK_RUN=fuzz MK_FUZZ_OPS=$ops MK_FUZZ_SEED=$seed MK_FUZZ_PEER=1 MK_GARBLE_ROUNDS=$rounds MK_GARBLE_BYTES=$bytes kunit.enable=0 MK_INSTANCE_KERNEL=$instance MK_INSTANCE_INITRD=/boot/instance.cpio.gz" ||
	status=$?
log "figures (guest time, TCG):"
grep -E '^(#|ok|not ok)' "$OUT/runs/fuzz/ttyS1.log" || true
python3 "$TOP/harness/results.py" "$TREE" \
	"tap:fuzz:$OUT/runs/fuzz/ttyS1.log" \
	"reports:fuzz:$OUT/runs/fuzz/ttyS0.log" || status=$?
exit "$status"
