#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/check-kunit-modules.sh
# Build the test kernel once with the KUnit suites as modules
# (CONFIG_MULTIKERNEL_KUNIT_TEST=m), in build/obj-mod, and fail when a
# suite does not become a module or modpost warns about one (a symbol not
# exported, a namespace not imported). The test kernel builds them in,
# where neither would show.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MOD=$BUILD/obj-mod
MODULES=(kernel/multikernel/pool_kunit kernel/multikernel/lifecycle_kunit
	kernel/multikernel/logring_kunit kernel/multikernel/msg_kunit
	kernel/multikernel/user_kunit kernel/multikernel/link_kunit
	kernel/multikernel/loader_kunit kernel/multikernel/mk_ring_kunit
	kernel/multikernel/mk_instance_kunit
	arch/x86/kernel/multikernel/handoff_kunit
	arch/x86/kernel/multikernel/doorbell_kunit
	arch/x86/kernel/multikernel/lowmem_kunit
	arch/x86/kernel/multikernel/unpack_kunit)

[ -f "$OBJ/.config" ] || die "no $OBJ/.config: run harness/build-kernel.sh first"
mkdir -p "$MOD"
# The objects the test kernel shares come from ccache.
export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
KMAKE=(make -C "$TREE" O="$MOD" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

cp "$OBJ/.config" "$MOD/.config"
"$TREE/scripts/config" --file "$MOD/.config" --enable MODULES \
	--module MULTIKERNEL_KUNIT_TEST
"${KMAKE[@]}" -s olddefconfig >/dev/null
grep -qx 'CONFIG_MULTIKERNEL_KUNIT_TEST=m' "$MOD/.config" ||
	die "CONFIG_MULTIKERNEL_KUNIT_TEST=m did not hold"

log "building the kernel and the KUnit modules in $MOD"
"${KMAKE[@]}" -s bzImage modules > "$MOD/build.log" 2>&1 ||
	{ tail -n 30 "$MOD/build.log"; die "the build failed (log: $MOD/build.log)"; }
warnings=$(grep -E 'WARNING: modpost|ERROR: modpost' "$MOD/build.log" || true)
[ -z "$warnings" ] || { echo "$warnings"; die "modpost complained"; }
for m in "${MODULES[@]}"; do
	[ -f "$MOD/$m.ko" ] || die "$m.ko was not built"
done
log "${#MODULES[@]} KUnit modules built, modpost is quiet"
