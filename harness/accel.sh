#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/accel.sh
# Print the QEMU accelerator to use. KVM only counts when it really boots
# an ordinary guest kernel to its first console line: /dev/kvm on these
# machines is a PVM module that aborts such guests. Otherwise TCG, single
# threaded (multi-threaded TCG in QEMU 7.2 hits spurious int3 oopses during
# text patching). The verdict is cached in build/accel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${MK_ACCEL:-}" ]; then
	echo "$MK_ACCEL"
	exit 0
fi
if [ -f "$BUILD/accel" ]; then
	cat "$BUILD/accel"
	exit 0
fi

accel="tcg,thread=single"
if [ -r /dev/kvm ] && [ -w /dev/kvm ] && [ -f "$OBJ/arch/x86/boot/bzImage" ]; then
	probe=$(mktemp -d)
	qemu_cmd "$probe" kvm 1 256M "" "rdinit=/nonexistent"
	timeout 60 "${QEMU_CMD[@]}" > "$probe/out" 2>&1 || true
	if grep -q 'Kernel panic\|Run /\|Freeing unused kernel' "$probe/ttyS0.log" 2>/dev/null; then
		accel=kvm
	fi
	echo "accel: KVM probe $( [ "$accel" = kvm ] && echo booted || echo failed: "$(head -c 200 "$probe/out")")" >&2
	rm -rf "$probe"
fi
echo "$accel" | tee "$BUILD/accel"
