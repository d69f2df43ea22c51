#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Instance lifecycles for real: spawn instance kernels with mkctl and check
# what a user can observe (mkctl list/status/console, the instance's state
# and crash reason in sysfs, the host's online CPUs and free pool memory).
# Every stop gives the instance's memory back to the pool: pool_free after
# a stop is what it was before the create, and a start takes it again.
# The instance initramfs's /init prints $MK_INSTANCE_UP and then acts on
# mkjob= of its command line: panic, spin, hardlockup, wait
# (until asked to shut down), or powers off when there is none.
#
# Needs mkctl in PATH, MK_INSTANCE_KERNEL and MK_INSTANCE_INITRD naming the
# instance kernel and initramfs, MK_INSTANCE_UP and MK_INSTANCE_STOPPING
# naming its lines (the harness sets all four), a pool of 192M or
# more and CPUs 2 and 3 online. Waits poll with bounded timeouts and never
# assert how long something took.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

CYCLES=20
MEM=${MK_INSTANCE_MEM:-64M}
MEM_BYTES=$((${MEM%M} << 20))
NAMES="mksp0 mksp1"

ktap_print_header
mk_require $((192 << 20))

online() {
	cat /sys/devices/system/cpu/online
}

pool_free() {
	cat $MK/pool_free
}

# splats: how many warnings, BUGs and oopses the host's log holds.
splats() {
	dmesg | grep -cE "WARNING:|BUG:|Oops:|general protection fault"
}

# host_back DESC: the online CPUs and free pool memory are as at the start,
# and the host's log has no new warning or oops.
host_back() {
	if [ "$(online)" != "$ONLINE0" ] || [ "$(pool_free)" != "$FREE0" ]; then
		msg "$1: online CPUs $(online) (were $ONLINE0)," \
		    "pool_free $(pool_free) (was $FREE0)"
		return 1
	fi
	if [ "$(splats)" -gt "$SPLATS0" ]; then
		msg "$1: the host logged a warning or an oops:"
		dmesg | grep -E "WARNING:|BUG:|Oops:|general protection fault" |
			tail -n 3 | while read -r l; do msg "  $l"; done
		return 1
	fi
	return 0
}

# pool_is NAME BYTES: pool_free is BYTES.
pool_is() {
	[ "$(pool_free)" = "$2" ] && return 0
	msg "$1: pool_free $(pool_free), want $2"
	return 1
}

# resets NAME: how often the host had to reset NAME after asking it to
# shut down (the graceful stop timed out).
resets() {
	dmesg | grep -c "instance $1 did not shut down within"
}

# graceful NAME BEFORE: the last stop of NAME needed no reset; BEFORE is
# what resets said before it.
graceful() {
	[ "$(resets "$1")" = "$2" ] && return 0
	msg "$1: did not shut down when asked, the host reset it"
	return 1
}

# cpu_is NAME CPU 0|1: host CPU CPU is online (1) or offline (0).
cpu_is() {
	got=$(cat /sys/devices/system/cpu/cpu"$2"/online)
	[ "$got" = "$3" ] && return 0
	msg "$1: CPU $2 online is $got, want $3"
	return 1
}

# clock_agrees NAME HOST0 HOST1 INST: the instance's wall clock agrees
# with the host's. Each argument is a "TSC REALTIME_NS" pair (mk_rdtsc -r):
# the host's before and after the instance's. The host's clock at the
# instance's TSC is interpolated between its two pairs; the instance set
# its clock from the host's at boot (spawn.rst, Timers), so the two agree
# to far better than the 20 ms allowed. Before that, its clock fell
# behind by every late timer tick of its boot (0.3 s under the emulator).
clock_agrees() {
	off=$(echo "$2 $3 $4" | awk '$3 > $1 && $5 >= $1 && $5 <= $3 {
		printf "%d", ($6 - ($2 + ($5 - $1) * ($4 - $2) / ($3 - $1))) / 1000 }')
	if [ -z "$off" ]; then
		msg "$1: cannot compare the clocks: host $2, then $3; instance '$4'"
		return 1
	fi
	msg "$1: its wall clock is ${off} us off the host's"
	[ "${off#-}" -lt 20000 ] && return 0
	msg "$1: more than 20 ms off"
	return 1
}

# 1: spawn, init runs, graceful stop, start again, destroy.
scen_respawn() {
	host0=$("${DIR}"/mk_rdtsc -r) || return 1
	spawn mksp0 2 wait || return 1
	cpu_is mksp0 2 0 || return 1
	wait_state mksp0 "$BOOT_WAIT" running || return 1
	wait_console mksp0 "$BOOT_WAIT" "$LINE" || return 1
	# While the host trusts its TSC, the instance keeps time with it and
	# runs no watchdog against its own ticks (spawn.rst, Timers).
	wait_console mksp0 "$BOOT_WAIT" "MK-INSTANCE: clock " || return 1
	if dmesg | grep -q "Marking TSC unstable"; then
		msg "the host found its TSC unstable: the instance's clock not checked"
	elif [ "$(count mksp0 "MK-INSTANCE: clock tsc, TSC reliable")" -eq 0 ]; then
		msg "mksp0: $(grep "MK-INSTANCE: clock " "$CON")"
		return 1
	else
		wait_console mksp0 "$BOOT_WAIT" "MK-INSTANCE: realtime at TSC " ||
			return 1
		host1=$("${DIR}"/mk_rdtsc -r) || return 1
		inst=$(sed -n 's/.*MK-INSTANCE: realtime at TSC \([0-9]* [0-9]*\).*/\1/p' "$CON" |
			head -n 1)
		# What the instance's boot had lost, before it set its clock.
		lost=$(grep -m 1 -o "the clock was .*" "$CON") ||
			lost="its clock needed no setting"
		msg "mksp0: $lost"
		clock_agrees mksp0 "$host0" "$host1" "$inst" || return 1
	fi
	mk list || return 1
	grep -Eq "^mksp0 +[0-9]+ +running +2 " "$OUT" || {
		msg "mkctl list does not show mksp0 running on CPU 2"
		return 1
	}
	pool_is mksp0 $((FREE0 - MEM_BYTES)) || return 1
	r=$(resets mksp0)
	mk stop mksp0 --timeout "$STOP_WAIT" || return 1
	wait_state mksp0 "$STOP_WAIT" stopped || return 1
	graceful mksp0 "$r" || return 1
	# The host kept its last words after the memory went back.
	wait_console mksp0 5 "$MK_INSTANCE_STOPPING" || return 1
	cpu_is mksp0 2 1 || return 1
	# The memory is back in the pool while the instance still exists.
	pool_is mksp0 "$FREE0" || return 1
	mk status mksp0 || return 1
	grep -Eq "^state: +stopped$" "$OUT" || {
		msg "mkctl status does not say stopped"
		return 1
	}
	grep -Eq "^memory: +$MEM at 0x[0-9a-f]+ \(back in the pool\)$" "$OUT" || {
		msg "mkctl status does not say the memory is back in the pool:"
		grep "^memory:" "$OUT" | while read -r l; do msg "  $l"; done
		return 1
	}
	# The console may keep the first run's text: the line must show up
	# once more, or the old text must be gone.
	before=$(count mksp0 "$LINE")
	mk start mksp0 || return 1
	cpu_is mksp0 2 0 || return 1
	pool_is mksp0 $((FREE0 - MEM_BYTES)) || return 1
	end=$(($(date +%s) + BOOT_WAIT))
	while :; do
		n=$(count mksp0 "$LINE")
		[ "$n" -gt "$before" ] && break
		[ "$n" -ge 1 ] && ! grep -qF "$MK_INSTANCE_STOPPING" "$CON" && break
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "mksp0: no new '$LINE' on the console after respawn"
			return 1
		fi
		sleep "$STEP"
	done
	wait_state mksp0 "$BOOT_WAIT" running || return 1
	mk stop mksp0 --timeout "$STOP_WAIT" || return 1
	mk destroy mksp0 || return 1
	host_back mksp0
}

# 2: two instances at once; stop one gracefully, force the other.
scen_two() {
	spawn mksp0 2 wait || return 1
	spawn mksp1 3 spin || return 1
	wait_console mksp0 "$BOOT_WAIT" "$LINE" || return 1
	wait_console mksp1 "$BOOT_WAIT" "$LINE" || return 1
	wait_state mksp0 "$BOOT_WAIT" running || return 1
	wait_state mksp1 "$BOOT_WAIT" running || return 1
	mk list || return 1
	if [ "$(grep -Ec "^mksp[01] +[0-9]+ +running " "$OUT")" -ne 2 ]; then
		msg "mkctl list does not show both instances running"
		return 1
	fi
	# On a kernel with kmemleak (make test-debug): a scan now must leave
	# the pool alone, the instances' RAM being out of the direct map.
	if [ -w /sys/kernel/debug/kmemleak ]; then
		echo scan >/sys/kernel/debug/kmemleak || return 1
	fi
	r=$(resets mksp0)
	mk stop mksp0 --timeout "$STOP_WAIT" || return 1
	wait_state mksp0 "$STOP_WAIT" stopped || return 1
	graceful mksp0 "$r" || return 1
	wait_console mksp0 5 "$MK_INSTANCE_STOPPING" || return 1
	pool_is mksp0 $((FREE0 - MEM_BYTES)) || return 1
	# The other one is not disturbed by that.
	[ "$(state mksp1)" = running ] || {
		msg "mksp1: state '$(state mksp1)' after stopping mksp0"
		return 1
	}
	mk stop mksp1 --force || return 1
	wait_state mksp1 "$STOP_WAIT" stopped || return 1
	cpu_is mksp0 2 1 || return 1
	cpu_is mksp1 3 1 || return 1
	pool_is "both stopped" "$FREE0" || return 1
	mk destroy mksp0 || return 1
	mk destroy mksp1 || return 1
	host_back "two instances"
}

# 3: an instance on CPUs 2 and 3 brings both up.
scen_smp() {
	spawn mksp0 2-3 wait || return 1
	wait_console mksp0 "$BOOT_WAIT" "$LINE" || return 1
	grep -F "$LINE" "$CON" | grep -q ", 2 CPUs online," || {
		msg "mksp0: $(grep -F "$LINE" "$CON")"
		return 1
	}
	mk stop mksp0 --timeout "$STOP_WAIT" || return 1
	wait_state mksp0 "$STOP_WAIT" stopped || return 1
	cpu_is mksp0 2 1 && cpu_is mksp0 3 1 || return 1
	mk destroy mksp0 || return 1
	host_back "two CPUs"
}

# 4: an instance spinning with interrupts off is stopped by force.
scen_hardlockup() {
	spawn mksp0 3 hardlockup || return 1
	wait_console mksp0 "$BOOT_WAIT" "peer fault: locking up CPU" || return 1
	# Printed just before it disables interrupts and spins.
	sleep 1
	mk stop mksp0 --force || return 1
	wait_state mksp0 "$STOP_WAIT" stopped || return 1
	cpu_is mksp0 3 1 || return 1
	pool_is mksp0 "$FREE0" || return 1
	mk destroy mksp0 || return 1
	host_back "hard lockup"
}

# crashed_with_reason NAME: state crashed, a reason in sysfs and status.
crashed_with_reason() {
	wait_state "$1" "$BOOT_WAIT" crashed || return 1
	crash_reason_has "$1" sysrq || return 1
	mk status "$1" || return 1
	grep -Eq "^crash: +.*sysrq" "$OUT" || {
		msg "mkctl status does not show the crash reason"
		return 1
	}
	# The host is alive and still answers for the instance.
	mk list && grep -Eq "^$1 +[0-9]+ +crashed " "$OUT"
}

# 5: a panicking instance is crashed with its reason; stop, start again.
# Its panic shows that the kernel the host unpacked at load runs at a
# virtual offset KASLR chose (kaslr.c: "Kernel Offset: disabled" when not).
scen_panic() {
	spawn mksp0 3 panic || return 1
	crashed_with_reason mksp0 || return 1
	wait_console mksp0 "$BOOT_WAIT" "Kernel Offset: 0x" || return 1
	msg "  $(grep -m1 -F "Kernel Offset:" "$CON")"
	# A crashed instance keeps its memory until it is stopped.
	pool_is mksp0 $((FREE0 - MEM_BYTES)) || return 1
	mk stop mksp0 --timeout 10 || return 1
	wait_state mksp0 "$STOP_WAIT" stopped || return 1
	cpu_is mksp0 3 1 || return 1
	pool_is mksp0 "$FREE0" || return 1
	[ -z "$(cat $MK/instances/mksp0/crash_reason)" ] || {
		msg "mksp0: crash reason kept after stop"
		return 1
	}
	mk start mksp0 || return 1
	wait_console mksp0 "$BOOT_WAIT" "$LINE" || return 1
	crashed_with_reason mksp0 || return 1
	mk stop mksp0 --force || return 1
	mk destroy mksp0 || return 1
	host_back panic
}

# 6: many short lives. Even rounds power off by themselves, odd rounds are
# stopped by force right after start. After every stop the CPU is back
# online and pool_free is what it was before the create.
scen_cycles() {
	mk create mksp0 --cpus 3 --mem "$MEM" || return 1
	mk load mksp0 --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" --cmdline "console=ttyMK0 kunit.enable=0" ||
		return 1
	pool_is "loaded" $((FREE0 - MEM_BYTES)) || return 1
	i=0
	while [ "$i" -lt "$CYCLES" ]; do
		mk start mksp0 || { msg "round $i"; return 1; }
		if [ $((i % 2)) -eq 0 ]; then
			wait_state mksp0 "$BOOT_WAIT" stopped ||
				{ msg "round $i"; return 1; }
		else
			mk stop mksp0 --force || { msg "round $i"; return 1; }
			[ "$(state mksp0)" = stopped ] ||
				{ msg "round $i: state '$(state mksp0)'"; return 1; }
		fi
		if [ "$(online)" != "$ONLINE0" ] ||
		   [ "$(pool_free)" != "$FREE0" ]; then
			msg "round $i: online CPUs $(online), pool_free $(pool_free)"
			return 1
		fi
		i=$((i + 1))
	done
	mk destroy mksp0 || return 1
	host_back cycles
}

cleanup
ONLINE0=$(online)
FREE0=$(pool_free)
SPLATS0=$(splats)
msg "host: online CPUs $ONLINE0, pool_free $FREE0"
ktap_set_plan 6

scen_respawn
result "spawn, graceful stop, respawn, destroy" $?
scen_two
result "two instances, graceful and forced stop" $?
scen_smp
result "instance on two CPUs sees both" $?
scen_hardlockup
result "forced stop of a hard-locked instance" $?
scen_panic
result "panic is crashed with reason and a KASLR offset, then respawn" $?
scen_cycles
result "$CYCLES start/stop cycles leave the host as before" $?

ktap_finished
