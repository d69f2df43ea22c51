#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host-instance link for real: echo requests with checked payloads,
# link statistics, the heartbeat and boot-timeout settings, shutdown over
# the control protocol, a wedged or silent instance marked crashed, and
# user datagrams between host and instance and between two instances.
# Needs what spawn_test.sh needs, and debugfs at /sys/kernel/debug.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkln0 mkln1"

ktap_print_header
mk_require $((160 << 20))
mk_require_debugfs

HB0=$(cat $MK/heartbeat_ms)
BT0=$(cat $MK/boot_timeout_ms)

restore() {
	echo "$HB0" >$MK/heartbeat_ms
	echo "$BT0" >$MK/boot_timeout_ms
}

# echo_run NAME COUNT SIZE: COUNT echo round trips of SIZE bytes, all good.
echo_run() {
	echo "$2 $3" >"$DBG/$1/echo" || return 1
	got=$(cat "$DBG/$1/echo")
	msg "$1: echo $2 x $3 bytes: $got"
	[ "$(field "$DBG/$1/echo" count)" = "$2" ] &&
		[ "$(field "$DBG/$1/echo" errors)" = 0 ]
}

# 1: echo requests both small and of the largest size, checked byte by
# byte by the kernel; bad requests refused; statistics count them.
scen_echo() {
	spawn mkln0 2 wait || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	echo_run mkln0 10000 64 || return 1
	echo_run mkln0 20 65536 || return 1
	write_fails "$DBG/mkln0/echo" "0 64" "Invalid argument" || return 1
	write_fails "$DBG/mkln0/echo" "1 65537" "Invalid argument" || return 1
	write_fails "$DBG/mkln0/echo" "ten 64" "Invalid argument" || return 1
	stats=$DBG/mkln0/stats
	while read -r l; do msg "  stats: $l"; done <"$stats"
	tx=$(awk '$2 == "echo" { print $3 }' "$stats")
	con=$(awk '$2 == "console" { print $5 }' "$stats")
	[ "$tx" -ge 10020 ] || { msg "echo tx_msgs $tx"; return 1; }
	[ "$con" -gt 0 ] || { msg "console rx_msgs $con"; return 1; }
	grep -q "^peer mkln0 id [0-9]* connected$" "$stats" || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	[ ! -e "$DBG/mkln0" ] || { msg "debugfs directory left after stop"; return 1; }
	mk destroy mkln0
}

# 2: the heartbeat period is settable within limits and reaches the
# instance: its heartbeats arrive at the new pace.
scen_heartbeat() {
	write_fails $MK/heartbeat_ms 5 "Invalid argument" || return 1
	write_fails $MK/heartbeat_ms 60001 "Invalid argument" || return 1
	write_fails $MK/heartbeat_ms soon "Invalid argument" || return 1
	write_fails $MK/boot_timeout_ms 3600001 "Invalid argument" || return 1
	spawn mkln0 2 wait || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	echo 100 >$MK/heartbeat_ms || return 1
	[ "$(cat $MK/heartbeat_ms)" = 100 ] || return 1
	b0=$(field "$DBG/mkln0/stats" heartbeats)
	# Thirty beats at 100 ms. The bound only catches beats that stopped:
	# under TCG on a busy machine they come far apart in wall time.
	end=$(($(date +%s) + 5 * BOOT_WAIT))
	while [ "$(field "$DBG/mkln0/stats" heartbeats)" -lt $((b0 + 30)) ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "heartbeats $b0 -> $(field "$DBG/mkln0/stats" heartbeats)"
			return 1
		fi
		sleep "$STEP"
	done
	restore
	[ "$(state mkln0)" = running ] || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	mk destroy mkln0
}

# 3: a graceful stop is a shutdown request the instance acknowledges,
# then its power-off notice.
scen_shutdown() {
	spawn mkln0 3 wait || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	wait_console mkln0 "$BOOT_WAIT" "waiting for shutdown" || return 1
	log_mark
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	[ "$(state mkln0)" = stopped ] || return 1
	log_since >"$CON"
	grep -q "mkln0: instance acknowledged the shutdown request" "$CON" || {
		msg "no acknowledgment in the host's log"
		return 1
	}
	grep -q "mkln0: instance powered off" "$CON" || {
		msg "no power-off notice in the host's log"
		return 1
	}
	mk destroy mkln0
}

# 4: an instance spinning with interrupts off stops beating: crashed.
scen_wedged() {
	echo 200 >$MK/heartbeat_ms || return 1
	spawn mkln0 3 hardlockup || return 1
	wait_state mkln0 "$BOOT_WAIT" running crashed || return 1
	wait_state mkln0 "$BOOT_WAIT" crashed || return 1
	crash_reason_has mkln0 "missed heartbeats" || return 1
	restore
	mk stop mkln0 --force || return 1
	wait_state mkln0 "$STOP_WAIT" stopped || return 1
	mk destroy mkln0
}

# 5: an instance that does not say hello in time: crashed, then stopped.
scen_boot_timeout() {
	echo 50 >$MK/boot_timeout_ms || return 1
	spawn mkln0 2 wait || return 1
	wait_state mkln0 "$BOOT_WAIT" crashed || return 1
	crash_reason_has mkln0 "no boot handshake within 50 ms" || return 1
	restore
	mk stop mkln0 --force || return 1
	wait_state mkln0 "$STOP_WAIT" stopped || return 1
	# With the default timeout the same instance boots.
	mk start mkln0 || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	mk destroy mkln0
}

# 6: two shell commands, one in each kernel, exchange datagrams: the
# instance answers what mkctl send gives it with mkctl send.
scen_mkctl() {
	spawn mkln0 2 pong || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	mk send mkln0 "hello from the host $$" || return 1
	mk recv mkln0 --timeout "$BOOT_WAIT" || return 1
	got=$(cat "$OUT")
	msg "mkln0 answered: $got"
	[ "$got" = "pong: hello from the host $$" ] || return 1
	wait_console mkln0 "$BOOT_WAIT" "pong exited with status 0" || return 1
	# Its init powers off after that.
	wait_state mkln0 "$STOP_WAIT" stopped || return 1
	mk destroy mkln0
}

# 7: 10000 user datagrams from a host program to an echo in the instance
# and back, each checked.
scen_user_echo() {
	spawn mkln0 2 echo || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	"$DIR"/msgdev_client -k -n 10000 /dev/mkmsg/mkln0 >"$OUT" 2>&1
	rc=$?
	while read -r l; do msg "  $l"; done <"$OUT"
	[ "$rc" -eq 0 ] || return 1
	"$DIR"/msgdev_client -n 50 -s 0 /dev/mkmsg/mkln0 >"$OUT" 2>&1
	rc=$?
	while read -r l; do msg "  $l"; done <"$OUT"
	[ "$rc" -eq 0 ] || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	mk destroy mkln0
}

# 8: one instance talks to another through the host: each is pointed
# at the other's id, so both are created before either is loaded.
scen_instances() {
	mk create mkln0 --cpus 2 --mem "$MEM" || return 1
	mk create mkln1 --cpus 3 --mem "$MEM" || return 1
	id0=$(cat $MK/instances/mkln0/id)
	id1=$(cat $MK/instances/mkln1/id)
	mk load mkln0 --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" \
		--cmdline "console=ttyMK0 kunit.enable=0 mkjob=echo mkpeer=$id1" || return 1
	mk load mkln1 --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" \
		--cmdline "console=ttyMK0 kunit.enable=0 mkjob=client mkpeer=$id0 mkcount=1000" ||
		return 1
	mk start mkln0 || return 1
	wait_console mkln0 "$BOOT_WAIT" "msgdev_echo: ready" || return 1
	mk start mkln1 || return 1
	wait_console mkln1 "$BOOT_WAIT" "msgdev_client exited with status" ||
		return 1
	grep -F "msgdev_client" "$CON" | while read -r l; do msg "  | $l"; done
	grep -qF "msgdev_client exited with status 0" "$CON" || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	wait_state mkln1 "$STOP_WAIT" stopped || return 1
	mk destroy mkln1 && mk destroy mkln0
}

# wait_field FILE NAME MIN SECONDS: until the number after NAME in FILE
# is at least MIN.
wait_field() {
	end=$(($(date +%s) + $4))
	until [ "$(field "$1" "$2")" -ge "$3" ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "$2 is $(field "$1" "$2"), waited for $3"
			return 1
		fi
		sleep "$STEP"
	done
}

# 9: an instance stops taking in the host's messages and floods it with
# echo requests. The host's answers find no room and are dropped instead
# of holding up its receive work; a forced stop still ends.
scen_flood() {
	spawn mkln0 2 "fault mkfault=stall,flood" || return 1
	wait_console mkln0 "$BOOT_WAIT" "MK-INSTANCE: fault flood" || return 1
	stats=$DBG/mkln0/stats
	# More requests than both rings hold: the host's ring is full.
	end=$(($(date +%s) + BOOT_WAIT))
	until [ "$(awk '$2 == "echo" { print $5 }' "$stats")" -gt 5000 ]; do
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "echo requests received: $(awk '$2 == "echo" { print $5 }' "$stats")"
			return 1
		fi
		sleep "$STEP"
	done
	while read -r l; do msg "  stats: $l"; done <"$stats"
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0
}

# 10: an instance moves its producer index past the ring: the host
# calls that a protocol violation, marks it crashed and stops it.
scen_bad_head() {
	spawn mkln0 2 "fault mkfault=bad-head" || return 1
	wait_state mkln0 "$BOOT_WAIT" crashed || return 1
	crash_reason_has mkln0 "messaging protocol violation" || return 1
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0
}

# 11: malformed and out-of-place control messages and a made-up response
# are counted and dropped; the instance keeps running and stops as asked.
scen_bogus_ctl() {
	spawn mkln0 3 "fault mkfault=bogus-ctl" || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	wait_console mkln0 "$BOOT_WAIT" "waiting for shutdown" || return 1
	wait_field "$DBG/mkln0/stats" bad_control 4 "$BOOT_WAIT" || return 1
	wait_field "$DBG/mkln0/stats" stale_responses 1 "$BOOT_WAIT" || return 1
	[ "$(state mkln0)" = running ] || return 1
	mk stop mkln0 --timeout "$STOP_WAIT" || return 1
	[ "$(state mkln0)" = stopped ] || return 1
	mk destroy mkln0
}

# 12: an instance that hangs before its link is up (in an early initcall,
# mk_fault_hang_early) is crashed at the boot timeout, and its console
# shows what it logged into the shared region until then. The host says
# that nothing waited in the ring: the instance never sent.
scen_early_console() {
	echo 20000 >$MK/boot_timeout_ms || return 1
	log_mark
	spawn mkln0 2 "wait mk_fault_hang_early" || return 1
	wait_state mkln0 "$BOOT_WAIT" crashed || return 1
	crash_reason_has mkln0 "no boot handshake within 20000 ms" || return 1
	wait_console mkln0 "$STOP_WAIT" "Linux version" || return 1
	wait_console mkln0 "$STOP_WAIT" "hanging in an early initcall" || return 1
	msg "mkln0: $(count mkln0 "") console lines from before the link"
	dmesg | grep -q "mkln0: its early console (.* bytes) is in its console" || {
		msg "nothing about the early console in the host's log"
		return 1
	}
	log_since |
	grep -q "mkln0: receive ring: taken up to 0, producer at 0, doorbell wanted; 0 mes" || {
		msg "the host did not say that mkln0 sent nothing"
		return 1
	}
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0
}

# 13: a heartbeat period the instance cannot be told, because its ring
# from the host is full, is not held against it: it keeps the period it
# was told before and runs on.
scen_untold_period() {
	spawn mkln0 2 "fault mkfault=stall" || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	wait_console mkln0 "$BOOT_WAIT" "waiting for shutdown" || return 1
	# It takes in nothing: one-byte datagrams fill every slot of the
	# ring, then dd waits.
	dd if=/dev/zero of=/dev/mkmsg/mkln0 bs=1 count=1000000 2>/dev/null &
	dd=$!
	tx=/sys/class/misc/mkmsg-mkln0/statistics/tx_datagrams
	n=-1
	until [ "$(cat $tx)" = "$n" ]; do
		kill -0 $dd 2>/dev/null || { msg "dd ended: the ring never filled"; return 1; }
		n=$(cat $tx)
		sleep 1
	done
	msg "mkln0: ring full after $n datagrams"
	echo 10 >$MK/heartbeat_ms || return 1
	# Told, it would beat every 10 ms; untold, it beats at the old pace.
	b0=$(field "$DBG/mkln0/stats" heartbeats)
	end=$(($(date +%s) + 5 * BOOT_WAIT))
	while [ "$(field "$DBG/mkln0/stats" heartbeats)" -lt $((b0 + 3)) ]; do
		if [ "$(date +%s)" -ge "$end" ] || [ "$(state mkln0)" != running ]; then
			msg "mkln0: state $(state mkln0): $(cat $MK/instances/mkln0/crash_reason)"
			kill $dd 2>/dev/null
			return 1
		fi
		sleep "$STEP"
	done
	kill $dd 2>/dev/null
	[ "$(state mkln0)" = running ] || return 1
	restore
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0
}

# 14: an instance that can no longer send on its ring still tells the
# host why it ends, through its last-words block: a panic is crashed with
# its reason, a power off is stopped. No heartbeats: silence cannot be
# what ends it.
scen_last_words() {
	echo 0 >$MK/heartbeat_ms || return 1
	log_mark
	spawn mkln0 3 "fault mkfault=gag,sysrq-c" || return 1
	wait_state mkln0 "$BOOT_WAIT" crashed || return 1
	crash_reason_has mkln0 sysrq || return 1
	log_since |
		grep -q "mkln0: instance panicked (from its last words): .*sysrq" || {
		msg "the panic did not come from the last words"
		return 1
	}
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0 || return 1
	log_mark
	spawn mkln0 3 "fault mkfault=gag,poweroff" || return 1
	wait_state mkln0 "$BOOT_WAIT" stopped || return 1
	log_since |
		grep -q "mkln0: instance powered off (from its last words)" || {
		msg "the power off did not come from the last words"
		return 1
	}
	mk destroy mkln0
}

# The host's log line of NAME's last start.
last_start() {
	dmesg | grep "$1: started CPU" | tail -n 1
}

# 15: the figures of a start (spawn.rst, "Where a start's time goes"):
# the host's stamps in the link statistics, and the instance's own
# figure from the start code to its clock, which only a start that went
# through the start code can give. The first start after the load enters
# the kernel the host unpacked at load; a restart goes through the
# bzImage's decompressor again, and comes up as well.
scen_boot_profile() {
	spawn mkln0 2 wait || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	msg "  first start: $(last_start mkln0 | sed 's/.*started/started/')"
	last_start mkln0 | grep -q "(unpacked at load)" || {
		msg "the first start did not enter the kernel unpacked at load"
		return 1
	}
	msg "  stats: $(grep "^boot " "$DBG/mkln0/stats")"
	for f in started_us prepare_us entry_us hello_us; do
		v=$(field "$DBG/mkln0/stats" "$f")
		[ "${v:-0}" -gt 0 ] 2>/dev/null || { msg "$f is '$v'"; return 1; }
	done
	wait_console mkln0 "$BOOT_WAIT" "the start code entered this kernel " ||
		return 1
	us=$(sed -n 's/.*the start code entered this kernel \([0-9]*\) us ago.*/\1/p' "$CON")
	[ "${us:-0}" -gt 0 ] 2>/dev/null || {
		msg "no figure from the start code to the kernel's clock: '$us'"
		return 1
	}
	msg "  start code to the kernel's clock: $us us"
	stop_bounded mkln0 --force || return 1
	mk start mkln0 || return 1
	wait_state mkln0 "$BOOT_WAIT" running || return 1
	msg "  restart: $(last_start mkln0 | sed 's/.*started/started/')"
	if last_start mkln0 | grep -q "unpacked"; then
		msg "the restart entered an unpacked kernel, not the decompressor"
		return 1
	fi
	stop_bounded mkln0 --force || return 1
	mk destroy mkln0
}

cleanup
ktap_set_plan 15

scen_echo
result "10000 echoes of 64 bytes and 20 of 64 KiB come back intact" $?
scen_heartbeat
result "heartbeat period is checked and reaches the instance" $?
scen_shutdown
result "graceful stop is a shutdown request, acknowledged" $?
scen_wedged
result "an instance spinning with interrupts off is crashed by missed heartbeats" $?
scen_boot_timeout
result "an instance without a hello in time is crashed, then boots" $?
scen_mkctl
result "mkctl send and recv on host and instance exchange a datagram" $?
scen_user_echo
result "10000 user datagrams echoed by an instance come back intact" $?
scen_instances
result "an instance echoes 1000 datagrams of another, through the host" $?
scen_flood
result "an instance that floods and stops draining is force-stopped" $?
scen_bad_head
result "an instance that corrupts its ring index is crashed and stopped" $?
scen_bogus_ctl
result "bogus control messages are dropped and counted, the instance runs on" $?
scen_early_console
result "an instance that hangs before its link is up shows its early console" $?
scen_untold_period
result "a heartbeat period that cannot reach the instance is not held against it" $?
scen_last_words
result "a gagged instance's panic and power off reach the host as last words" $?
scen_boot_profile
result "a start's figures; a first start enters the kernel unpacked at load, a restart not" $?

ktap_finished
