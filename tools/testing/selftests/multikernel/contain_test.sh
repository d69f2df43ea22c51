#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Containment, tried from inside instances while a second instance runs:
# root in an instance is refused every way out to the machine (memory,
# I/O ports, MSRs, kexec, modules, writable debugfs; contain_probe), its
# attempts to reset the machine stop only its own instance, and a wild
# write of its kernel into the host's memory faults in the instance
# instead of landing; the host's direct map (and so /proc/kcore) does not
# map a running instance's RAM. The host and the neighbour run on.
# Needs what spawn_test.sh needs, debugfs, and an instance kernel built
# with CONFIG_MULTIKERNEL_PEER_FAULTS.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkct0 mkct1"
PIN=/tmp/contain_test.pin.$$

ktap_print_header
mk_require $((160 << 20))
mk_require_debugfs

# The paths contain_probe tries, each with the errno that must refuse it.
# No modules in the kernel at all (ENOSYS) refuses finit_module as well;
# an instance has no PCI devices (ENODEV) and no ACPI tables (ENOENT).
PROBES="open /dev/mem read-only:EPERM
open /dev/mem read-write:EPERM
open /dev/port:EPERM
iopl 3:EPERM
ioperm 0xcf9 (reset control):EPERM
ioperm 0x64 (keyboard controller):EPERM
write an MSR:EPERM
kexec_load:EPERM
kexec_file_load:EPERM
finit_module:EPERM ENOSYS
open a writable debugfs file:EPERM
open /dev/snapshot (hibernation):EPERM
write PCI config space:ENODEV ENOENT EPERM
read the ACPI tables:ENOENT"

# neighbour: the second instance runs, and answers echo requests.
neighbour_up() {
	spawn mkct1 3 wait || return 1
	wait_state mkct1 "$BOOT_WAIT" running
}

neighbour_fine() {
	echo_fine mkct1
}

# probes_refused: every path of PROBES refused with its errno, no other.
probes_refused() {
	con_read mkct0
	ok=0
	echo "$PROBES" | {
		while IFS=: read -r what want; do
			line=$(grep -F "MK-CONTAIN: $what: " "$CON" | tail -n 1)
			got=${line##*: }
			msg "  $what: ${got:-no line}"
			case " $want " in
			*" ${got#refused } "*)
				[ "${got%% *}" = refused ] || ok=1 ;;
			*) ok=1 ;;
			esac
		done
		return $ok
	} || return 1
	grep -qF "MK-CONTAIN: done 0 allowed" "$CON"
}

# leftovers_none: nothing of the host's firmware state is in the instance's
# boot_params, and its setup_data holds only the handoff (type 11) and
# the RNG seed (type 9).
leftovers_none() {
	wait_console mkct0 "$BOOT_WAIT" "MK-CONTAIN: setup_data types" || return 1
	con_read mkct0
	l=$(grep -F "MK-CONTAIN: boot_params leftovers" "$CON")
	t=$(grep -F "MK-CONTAIN: setup_data types" "$CON")
	msg "mkct0: ${l#*MK-CONTAIN: }; ${t#*MK-CONTAIN: }"
	case "$l" in
	*"leftovers: none"*) ;;
	*) return 1 ;;
	esac
	for ty in ${t#*types:}; do
		case "$ty" in
		0x9|0xb) ;;
		*) msg "setup_data of type $ty reached the instance"; return 1 ;;
		esac
	done
}

# 1: the probe is refused everywhere, nothing of the host's boot reached
# the instance; sysrq-b then stops only the instance.
scen_probe_sysrq() {
	neighbour_up || return 1
	spawn mkct0 2 "contain mkreset=sysrq" || return 1
	wait_console mkct0 "$BOOT_WAIT" "MK-CONTAIN: probe exited" || return 1
	con_read mkct0
	lock=$(grep -F "MK-CONTAIN: lockdown" "$CON")
	msg "mkct0: ${lock#*MK-CONTAIN: }"
	case "$lock" in
	*"[integrity]"*|*"[confidentiality]"*) ;;
	*) msg "mkct0 is not locked down"; return 1 ;;
	esac
	probes_refused || return 1
	leftovers_none || return 1
	wait_state mkct0 "$BOOT_WAIT" stopped || return 1
	dmesg | grep -q "mkct0: instance asked for a restart" || {
		msg "no restart request in the host's log"
		return 1
	}
	neighbour_fine
}

# 2: reboot(2) in an instance stops that instance and nothing else.
scen_reboot() {
	neighbour_up || return 1
	spawn mkct0 2 "contain mkreset=reboot" || return 1
	wait_console mkct0 "$BOOT_WAIT" "MK-CONTAIN: reboot -f" || return 1
	wait_state mkct0 "$BOOT_WAIT" stopped || return 1
	neighbour_fine
}

# wild_write PA: the instance kernel writes to PA through a wild pointer;
# it must fault there (the instance crashes, oops=panic) and not go on.
wild_write() {
	spawn mkct0 2 "wild mkwild=$1 oops=panic" || return 1
	if ! wait_state mkct0 "$BOOT_WAIT" crashed; then
		con_read mkct0
		tail -n 12 "$CON" | while read -r l; do msg "  | $l"; done
		return 1
	fi
	crash_reason_has mkct0 "Fatal exception" || return 1
	if [ "$(count mkct0 "went through")" -ne 0 ] ||
	   [ "$(count mkct0 "wild write returned")" -ne 0 ]; then
		msg "mkct0: the wild write went through"
		return 1
	fi
	stop_bounded mkct0 --force
}

# 3: a wild write to a page of host RAM: the instance crashes, the page
# (checksummed by mk_pinbuf) is intact.
scen_wild_ram() {
	neighbour_up || return 1
	rm -f "$PIN.in" "$PIN.out"
	mkfifo "$PIN.in" || return 1
	"$DIR"/mk_pinbuf <"$PIN.in" >"$PIN.out" &
	pinpid=$!
	exec 3>"$PIN.in"
	n=0
	while ! grep -q "^pa " "$PIN.out" && [ $n -lt 100 ]; do
		sleep "$STEP"
		n=$((n + 1))
	done
	pa=$(sed -n 's/^pa //p' "$PIN.out")
	msg "host buffer at $pa"
	rc=1
	[ -n "$pa" ] && wild_write "$pa" && rc=0
	echo finished >&3
	exec 3>&-
	wait "$pinpid" || rc=1
	msg "host buffer: $(tail -n 1 "$PIN.out")"
	rm -f "$PIN.in" "$PIN.out"
	[ "$rc" -eq 0 ] && neighbour_fine
}

# 4: a wild write into the host's first MiB (page 0, the BIOS data area
# a host never changes after boot), which x86 maps whatever the e820 map
# says: it faults as well.
scen_wild_low() {
	neighbour_up || return 1
	wild_write 0x400 || return 1
	neighbour_fine
}

# 5: while an instance runs, its RAM is out of the host's direct map:
# the host's /proc/kcore reads zeros at its kernel's entry point.
scen_fenced() {
	spawn mkct0 2 wait || return 1
	wait_state mkct0 "$BOOT_WAIT" running || return 1
	entry=$(dmesg | sed -n 's/.*mkct0: kernel loaded, .* entry \(0x[0-9a-f]*\).*/\1/p' |
		tail -n 1)
	[ -n "$entry" ] || { msg "no entry point of mkct0 in the host's log"; return 1; }
	got=$("$DIR"/mk_kcore_peek "$entry" 4096) || return 1
	msg "kcore at mkct0's entry $entry: $got"
	[ "$got" = "nonzero 0" ] || return 1
	mk stop mkct0 --timeout "$STOP_WAIT" || return 1
	dmesg | grep "mkct0: RAM of .* fenced out of the direct map" | tail -n 1 |
		while read -r l; do msg "${l#*] }"; done
	# Back in the direct map, cleared: kcore reads it, and reads zeros.
	got=$("$DIR"/mk_kcore_peek "$entry" 4096) || return 1
	[ "$got" = "nonzero 0" ]
}

cleanup
ktap_set_plan 5

scen_probe_sysrq
result "root in an instance finds no way out and no host boot data; sysrq-b stops only it" $?
scen_reboot
result "reboot in an instance stops only that instance" $?
scen_wild_ram
result "a wild write to host RAM faults in the instance, the host page is intact" $?
scen_wild_low
result "a wild write below 1 MiB faults in the instance" $?
scen_fenced
result "a running instance's RAM is out of the host's direct map and kcore" $?

ktap_finished
