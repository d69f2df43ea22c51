#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The fault campaign: kernel faults inside an instance while the host runs
# a checksummed workload and a neighbour instance echoes datagrams.
#
# Each trial spawns a victim on CPU 2 (mkjob=trial, booted with
# oops=panic as a production instance would be), waits until it runs and
# tells it the fault in a datagram; the instance writes it to its fault
# file (CONFIG_MULTIKERNEL_PEER_FAULTS: the faults of LKDTM's crash types
# of the same names, whose debugfs files a locked-down instance cannot
# write). Faults that stop the kernel must make the host mark the victim
# crashed; a hung task leaves it running, which the host must see by its
# heartbeats going on; a write after free (no KASAN or slab debugging in
# this kernel) may do either, when the corrupted free list is next used.
# softlockup-chatty is softlockup in an instance booted with
# watchdog_thresh=1: where its kernel has the soft-lockup detector (as
# distribution kernels and make test-debug's have), a report comes every
# 2 s on its console channel, and that is no heartbeat.
# The trial records the state
# and reason the host shows and the guest time from the request to that
# state. Then the neighbour on CPU 3 must echo 100 datagrams intact, the
# host's workload (a file re-hashed every 200 ms) must have seen no
# mismatch, the victim must stop by force within the bound and its CPU
# and memory come back.
#
# MK_FAULT_ROUNDS (default 1) rounds over every fault; make faults runs
# many. One "trial" line per trial, then one result per fault.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkft0 mkft1"
ROUNDS=${MK_FAULT_ROUNDS:-1}
# Faults that end the instance kernel, one it lives through, one that
# may end it.
FATAL="panic bug exception corrupt-stack softlockup softlockup-chatty hardlockup"
LIVED="hung-task"
EITHER="write-after-free"
WORK=/tmp/faults_test.$$

ktap_print_header
mk_require $((160 << 20))
mk_require_debugfs
cleanup
mkdir -p "$WORK"

# now_ms: guest uptime in milliseconds (10 ms steps).
now_ms() {
	echo $(($(cut -d' ' -f1 /proc/uptime | tr -d .) * 10))
}

# The host's checksummed workload: hash a 1 MiB file every 200 ms and
# count matches and mismatches in $WORK/count.
work_start() {
	dd if=/dev/urandom of="$WORK/data" bs=64k count=16 2>/dev/null
	sum0=$(md5sum <"$WORK/data")
	(
		good=0
		bad=0
		while [ ! -e "$WORK/stop" ]; do
			if [ "$(md5sum <"$WORK/data")" = "$sum0" ]; then
				good=$((good + 1))
			else
				bad=$((bad + 1))
			fi
			echo "$good $bad" >"$WORK/count.new"
			mv "$WORK/count.new" "$WORK/count"
			sleep 0.2
		done
	) &
	WORK_PID=$!
}

work_good() {
	cut -d' ' -f1 "$WORK/count" 2>/dev/null || echo 0
}

work_bad() {
	cut -d' ' -f2 "$WORK/count" 2>/dev/null || echo 0
}

# beats NAME: heartbeats the host received from NAME.
beats() {
	field "$DBG/$1/stats" heartbeats
}

# wait_beats NAME N [crashed]: until N more heartbeats than now came from
# NAME, or with "crashed" also until it is crashed.
wait_beats() {
	b0=$(beats "$1")
	end=$(($(date +%s) + BOOT_WAIT))
	while [ "$(beats "$1")" -lt $((b0 + $2)) ]; do
		[ "$(state "$1")" = "${3:-}" ] && return 0
		if [ "$(date +%s)" -ge "$end" ] || [ "$(state "$1")" != running ]; then
			msg "$1: state $(state "$1"), heartbeats $b0 -> $(beats "$1")"
			return 1
		fi
		sleep "$STEP"
	done
}

# trial N FAULT: one trial; prints its line, returns non-zero on a loss.
trial() {
	good0=$(work_good)
	fault=$2
	args="trial oops=panic"
	if [ "$fault" = softlockup-chatty ]; then
		fault=softlockup
		args="$args watchdog_thresh=1"
	fi
	spawn mkft0 2 "$args" || return 1
	wait_state mkft0 "$BOOT_WAIT" running || return 1
	wait_console mkft0 "$BOOT_WAIT" "waiting for a fault" || return 1
	t0=$(now_ms)
	mk send mkft0 "$fault" || return 1
	case " $FATAL " in
	*" $2 "*)
		wait_state mkft0 "$BOOT_WAIT" crashed || return 1
		t1=$(now_ms)
		;;
	*)
		# Alive: its heartbeats go on after the fault was done.
		wait_console mkft0 "$BOOT_WAIT" "peer fault: $2 on CPU" || return 1
		t1=$(now_ms)
		case " $EITHER " in
		*" $2 "*) wait_beats mkft0 3 crashed || return 1 ;;
		*) wait_beats mkft0 3 || return 1 ;;
		esac
		[ "$(state mkft0)" = running ] || t1=$(now_ms)
		;;
	esac
	st=$(state mkft0)
	reason=$(cat "$MK/instances/mkft0/crash_reason")
	"$DIR"/msgdev_client -n 100 -t "$BOOT_WAIT" /dev/mkmsg/mkft1 >"$WORK/client" 2>&1
	nb=$?
	stop_bounded mkft0 --force || return 1
	mk destroy mkft0 || return 1
	wait_good=$(($(work_good) + 1))
	end=$(($(date +%s) + BOOT_WAIT))
	# One more hash after the stop: the workload ran all along.
	while [ "$(work_good)" -lt "$wait_good" ] && [ "$(date +%s)" -lt "$end" ]; do
		sleep "$STEP"
	done
	host=ok
	[ "$(work_bad)" -eq 0 ] && [ "$(work_good)" -gt "$good0" ] || host=LOST
	neighbour=ok
	[ "$nb" -eq 0 ] || neighbour=LOST
	hashes="$(work_good) hashes ok, $(work_bad) bad"
	msg "trial $1 $2: $st in $((t1 - t0)) ms; host $host ($hashes);" \
	    "neighbour $neighbour; reason '$reason'"
	[ "$host" = ok ] && [ "$neighbour" = ok ] || {
		while read -r l; do msg "  $l"; done <"$WORK/client"
		msg "  mkft1: state $(state mkft1): $(cat $MK/instances/mkft1/crash_reason)"
		return 1
	}
	[ "$(cat $MK/pool_free)" = "$POOL0" ] &&
		[ "$(cat /sys/devices/system/cpu/online)" = "$CPUS0" ] || {
		msg "pool_free $(cat $MK/pool_free) (was $POOL0), online CPUs" \
		    "$(cat /sys/devices/system/cpu/online) (were $CPUS0)"
		return 1
	}
}

# shellcheck disable=SC2086 # one word per fault
set -- $FATAL $LIVED $EITHER
ktap_set_plan $(($# + 1))

work_start
spawn mkft1 3 echo || ktap_exit_fail_msg "neighbour mkft1 did not start"
wait_console mkft1 "$BOOT_WAIT" "msgdev_echo: ready" ||
	ktap_exit_fail_msg "neighbour mkft1 did not come up"
POOL0=$(cat $MK/pool_free)
CPUS0=$(cat /sys/devices/system/cpu/online)

trials=0
failed=""
r=0
while [ $r -lt "$ROUNDS" ]; do
	for f in $FATAL $LIVED $EITHER; do
		trials=$((trials + 1))
		if ! trial $trials "$f"; then
			msg "trial $trials $f: FAILED"
			failed="$failed $f"
			mkctl stop mkft0 --force >/dev/null 2>&1
			mkctl destroy mkft0 >/dev/null 2>&1
		fi
	done
	r=$((r + 1))
done

for f in $FATAL $LIVED $EITHER; do
	case " $failed " in
	*" $f "*) ktap_test_fail "$f: $ROUNDS trials, host and neighbour intact" ;;
	*) ktap_test_pass "$f: $ROUNDS trials, host and neighbour intact" ;;
	esac
done

touch "$WORK/stop"
wait "$WORK_PID"
msg "host workload: $(work_good) hashes matched, $(work_bad) did not"
mk stop mkft1 --timeout "$STOP_WAIT" && mk destroy mkft1
rc=$?
what="$trials trials: the neighbour stops as asked, the host workload never mismatched"
if [ "$(work_bad)" -eq 0 ] && [ "$rc" -eq 0 ]; then
	ktap_test_pass "$what"
else
	ktap_test_fail "$what"
fi
rm -rf "$WORK"
cleanup
ktap_finished
