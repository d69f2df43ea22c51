#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A locked-down host cannot be got around through an instance: without
# CONFIG_KEXEC_SIG it verifies no kernel, so it refuses to load one into an
# instance (EPERM, with the reason in its log), and the refusal leaves
# nothing behind. Run by make test on a host booted with lockdown=; on a
# host that is not locked down there is nothing to show (skip).

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=64M
NAMES="mkld0"
SEC=/sys/kernel/security

ktap_print_header
mk_require $((64 << 20))
grep -q " $SEC " /proc/mounts || mount -t securityfs none $SEC
level=$(cat $SEC/lockdown 2>/dev/null)
case "$level" in
*"[integrity]"*|*"[confidentiality]"*) ;;
*)
	ktap_skip_all "the host is not locked down (lockdown: '$level')"
	exit "$KSFT_SKIP"
	;;
esac
ktap_print_msg "host lockdown: $level"
ktap_set_plan 1
cleanup

scen_load_refused() {
	free0=$(cat $MK/pool_free)
	mk create mkld0 --cpus 2 --mem "$MEM" || return 1
	if mkctl load mkld0 --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" >"$OUT" 2>&1; then
		msg "the load worked on a locked-down host"
		return 1
	fi
	msg "mkctl load: $(cat "$OUT")"
	grep -q "not permitted" "$OUT" || return 1
	dmesg | grep -q "mkld0: the host is locked down and cannot verify kernels" || {
		msg "no reason in the host's log"
		return 1
	}
	[ "$(state mkld0)" = empty ] || { msg "mkld0: state $(state mkld0)"; return 1; }
	mk destroy mkld0 || return 1
	[ "$(cat $MK/pool_free)" = "$free0" ] || { msg "pool_free changed"; return 1; }
	[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ]
}

if scen_load_refused; then
	ktap_test_pass "a locked-down host without CONFIG_KEXEC_SIG refuses instance kernels"
else
	ktap_test_fail "a locked-down host without CONFIG_KEXEC_SIG refuses instance kernels"
fi
cleanup
ktap_finished
