#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/check-test-symbols.sh [-v]
# Show that a production build carries no test code: build our kernel
# objects with CONFIG_MULTIKERNEL=y and every test option off (KUnit, the
# echo benchmark, peer faults) in a separate output directory,
# build/obj-prod, and fail, naming them, when the objects linked into
# built-in.a define a test-only symbol. Only our directories are built,
# not a whole kernel: test code of ours can come from nowhere else. Silent
# when clean, for the gate in check.sh; -v prints what was checked.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROD=$BUILD/obj-prod
DIRS=(kernel/multikernel arch/x86/kernel/multikernel)
# What only tests may bring: the lifecycle suite's hook and what it alone
# calls, the echo channel and benchmark, the peer faults, the damaged
# handover record, KUnit fixtures.
TEST_SYMS='^(mk_test_arch|mk_test_record_corrupt.*|mk_instances_busy|mk_pool_destroy|mk_user_hub_init|mk_echo_.*|mk_fault_.*|mk_lc_.*|mk_ring_test_.*|.*kunit.*)$'
# Options that turn test code on; all must be off.
TEST_OPTS=(KUNIT MULTIKERNEL_KUNIT_TEST MULTIKERNEL_TEST_ECHO MULTIKERNEL_PEER_FAULTS
	   MULTIKERNEL_TEST_HANDOVER)

verbose=0
[ "${1:-}" = -v ] && verbose=1

[ -f "$OBJ/.config" ] || die "no $OBJ/.config: run harness/build-kernel.sh first"
mkdir -p "$PROD"
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
KMAKE=(make -s -C "$TREE" O="$PROD" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

# The test kernel's configuration with the test options off.
cp "$OBJ/.config" "$PROD/.config.new"
for opt in "${TEST_OPTS[@]}"; do
	"$TREE/scripts/config" --file "$PROD/.config.new" --disable "$opt"
done
if ! cmp -s "$PROD/.config.new" "$PROD/.config.base" 2>/dev/null; then
	cp "$PROD/.config.new" "$PROD/.config"
	cp "$PROD/.config.new" "$PROD/.config.base"
	"${KMAKE[@]}" olddefconfig >/dev/null
fi
grep -qx 'CONFIG_MULTIKERNEL=y' "$PROD/.config" || die "CONFIG_MULTIKERNEL is not y"
for opt in "${TEST_OPTS[@]}"; do
	if grep -q "^CONFIG_$opt=" "$PROD/.config"; then
		die "CONFIG_$opt is still set"
	fi
done

"${KMAKE[@]}" "${DIRS[@]/%//}" >/dev/null

syms=$(for d in "${DIRS[@]}"; do
	nm --defined-only "$PROD/$d/built-in.a"
done | awk 'NF == 3 { print $3 }' | sort -u)
found=$(grep -E "$TEST_SYMS" <<<"$syms" || true)
if [ -n "$found" ]; then
	echo "test-only symbols in a build without test options:"
	sed 's/^/  /' <<<"$found"
	exit 1
fi
if [ "$verbose" = 1 ]; then
	echo "$(wc -l <<<"$syms") symbols defined in ${DIRS[*]} (built-in.a, $PROD)," \
		"none test-only ($TEST_SYMS)"
fi
