#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A locked-down host, and instances at least as locked down as it: the
# host refuses an instance kernel it cannot verify (EPERM, as
# kexec_file_load(2) does), leaving nothing behind; a signed one loads and
# runs, locked down as far as the host, and its root finds every way out
# closed there too; the host asks for its own lockdown level only until
# it knows it, so starts do not fill its log with lockdown notices. Run by
# make test on a host booted with lockdown=; on
# a host that is not locked down there is nothing to show (skip). Needs
# MK_INSTANCE_SIGNED: the instance kernel signed with a key the host
# trusts (the harness builds one).

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkld0"
SEC=/sys/kernel/security

ktap_print_header
mk_require $((64 << 20))
grep -q " $SEC " /proc/mounts || mount -t securityfs none $SEC
level=$(cat $SEC/lockdown 2>/dev/null)
case "$level" in
*"[integrity]"*) want=integrity ;;
*"[confidentiality]"*) want=confidentiality ;;
*)
	ktap_skip_all "the host is not locked down (lockdown: '$level')"
	exit "$KSFT_SKIP"
	;;
esac
if [ ! -r "$MK_INSTANCE_SIGNED" ]; then
	ktap_skip_all "no signed instance kernel (MK_INSTANCE_SIGNED)"
	exit "$KSFT_SKIP"
fi
ktap_print_msg "host lockdown: $level"
ktap_set_plan 3
cleanup

# 1: an unsigned kernel is refused, and the refusal leaves nothing.
scen_unsigned() {
	free0=$(cat $MK/pool_free)
	mk create mkld0 --cpus 2 --mem "$MEM" || return 1
	if mkctl load mkld0 --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" >"$OUT" 2>&1; then
		msg "an unsigned kernel loaded on a locked-down host"
		return 1
	fi
	msg "mkctl load: $(cat "$OUT")"
	grep -q "permission denied" "$OUT" || return 1
	[ "$(state mkld0)" = empty ] || { msg "mkld0: state $(state mkld0)"; return 1; }
	mk destroy mkld0 || return 1
	[ "$(cat $MK/pool_free)" = "$free0" ] || { msg "pool_free changed"; return 1; }
	[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ]
}

# spawn_signed NAME CPU JOB: spawn the signed instance kernel.
spawn_signed() {
	unsigned=$MK_INSTANCE_KERNEL
	MK_INSTANCE_KERNEL=$MK_INSTANCE_SIGNED
	spawn "$@"
	rc=$?
	MK_INSTANCE_KERNEL=$unsigned
	return "$rc"
}

# 2: a signed kernel runs, locked down as far as the host.
scen_signed() {
	spawn_signed mkld0 2 contain || return 1
	wait_console mkld0 "$BOOT_WAIT" "MK-CONTAIN: probe exited" || return 1
	mkctl console mkld0 2>/dev/null | tr -d '\r' >"$CON"
	got=$(grep -F "MK-CONTAIN: lockdown" "$CON")
	msg "mkld0: ${got#*MK-CONTAIN: }"
	case "$got" in
	*"[$want]"*) ;;
	*) msg "mkld0 is not locked down to $want"; return 1 ;;
	esac
	grep -qF "MK-CONTAIN: done 0 allowed" "$CON" || {
		msg "a way out is open in mkld0"
		return 1
	}
	stop_bounded mkld0 --force || return 1
	mk destroy mkld0
}

# 3: the host's level is asked about once: a start after the first
# prints no lockdown notice in the host's log.
scen_quiet() {
	spawn_signed mkld0 2 wait || return 1
	stop_bounded mkld0 --force || return 1
	log_mark
	mk start mkld0 || return 1
	wait_state mkld0 "$BOOT_WAIT" running || return 1
	notices=$(log_since | grep -c "Lockdown:")
	msg "lockdown notices at the second start: $notices"
	stop_bounded mkld0 --force || return 1
	mk destroy mkld0 || return 1
	[ "$notices" -eq 0 ]
}

if scen_unsigned; then
	ktap_test_pass "a locked-down host refuses an unsigned instance kernel"
else
	ktap_test_fail "a locked-down host refuses an unsigned instance kernel"
fi
cleanup
if scen_signed; then
	ktap_test_pass "a signed instance runs locked down as far as its host ($want)"
else
	ktap_test_fail "a signed instance runs locked down as far as its host ($want)"
fi
cleanup
if scen_quiet; then
	ktap_test_pass "a second start prints no lockdown notice"
else
	ktap_test_fail "a second start prints no lockdown notice"
fi
cleanup
ktap_finished
