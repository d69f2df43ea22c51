#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Soak: MK_SOAK_CYCLES (default 5) create, load, start, stop, destroy
# cycles of one instance, graceful and forced stops taking turns. Every
# cycle must finish (bounded waits: a hang fails it), and afterwards the
# pool, the online CPUs and the instance list are as before. The slab
# size before and after is printed, not checked: other kernel activity
# moves it too (kmemleak on a debug kernel is the check for leaks).

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mksk0"
CYCLES=${MK_SOAK_CYCLES:-5}

ktap_print_header
mk_require $((64 << 20))
cleanup

slab() {
	awk '$1 == "Slab:" { print $2 }' /proc/meminfo
}

pool0=$(cat $MK/pool_free)
cpus0=$(cat /sys/devices/system/cpu/online)
slab0=$(slab)
done_cycles=0
hangs=0
failed=

c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	mode=graceful
	[ $((c % 2)) -eq 0 ] && mode=force
	if ! spawn mksk0 2 wait; then
		failed="cycle $c: spawn"
		break
	fi
	if ! wait_state mksk0 "$BOOT_WAIT" running; then
		failed="cycle $c: not running after ${BOOT_WAIT}s"
		hangs=$((hangs + 1))
		break
	fi
	# A graceful stop needs init's trap in place.
	if [ $mode = graceful ] &&
	   ! wait_console mksk0 "$BOOT_WAIT" "waiting for shutdown"; then
		failed="cycle $c: init did not start"
		break
	fi
	if [ $mode = force ]; then
		set -- --force
	else
		set -- --timeout "$STOP_WAIT"
	fi
	if ! stop_bounded mksk0 "$@"; then
		failed="cycle $c: $mode stop"
		hangs=$((hangs + 1))
		break
	fi
	if ! mk destroy mksk0; then
		failed="cycle $c: destroy"
		break
	fi
	done_cycles=$c
	# Progress for long runs: a line every 100 cycles.
	[ $((c % 100)) -eq 0 ] &&
		msg "cycle $c: pool_free $(cat $MK/pool_free), slab $(slab) kB," \
		    "uptime $(cut -d' ' -f1 /proc/uptime) s"
done
[ -n "$failed" ] && msg "$failed"
cleanup

msg "cycles $done_cycles of $CYCLES, hangs $hangs"
msg "pool_free $pool0 -> $(cat $MK/pool_free)," \
	"online CPUs $cpus0 -> $(cat /sys/devices/system/cpu/online)," \
	"slab $slab0 kB -> $(slab) kB"


ktap_set_plan 3
[ "$done_cycles" -eq "$CYCLES" ] && [ $hangs -eq 0 ]
check "$CYCLES start/stop cycles, graceful and forced, none hung" $?
[ "$(cat $MK/pool_free)" = "$pool0" ]
check "pool_free is back where it was" $?
[ "$(cat /sys/devices/system/cpu/online)" = "$cpus0" ]
check "the same CPUs are online as before" $?
ktap_finished
