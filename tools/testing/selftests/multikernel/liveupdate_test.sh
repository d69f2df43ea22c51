#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A host kexec that leaves an instance running: what the instance sees
# while its host is replaced. It turns live update on in sysfs
# (/sys/kernel/multikernel/live_update); the harness's liveupdate boot
# runs it alone (MK_RUN=liveupdate), since it ends in a kexec, not in the
# kselftest runner. multikernel_test_handover_corrupt on the host's
# command line (CONFIG_MULTIKERNEL_TEST_HANDOVER) damages the record.
#
# The new kernel is loaded with a handover (live-update.rst): the pool is
# reserved in its e820 map and the CPUs that were not the host's at load
# time are named, so that it keeps off the instance with nothing on its
# command line; at kexec the host writes a record of its instances, which
# the new kernel checks and logs (with multikernel_test_handover_corrupt,
# damaged: the new kernel must refuse it and adopt nothing). From a good
# record it adopts the instance.
#
# The host part: an instance runs on CPU 2, a 1 ms sleeper that prints a
# tick a second with the longest it went without running (mk_gap_probe),
# and a pinger that sends the host a datagram every 10 ms and times its
# echo (mk_dgram_ping); a kexec into the new kernel loaded with
# kexec_load(2), which gives it no handover, is refused; it loads with
# kexec_file_load(2), outside the pool; a kexec is refused while a second
# instance holds CPU 3, which was the host's at load time, and again once
# that instance has crashed; then kexec. The
# new kernel's part (mkjob=luprobe in instance-init.sh), TAP lines 5 to
# 13 on the same serial port: it keeps off CPU 2 and the pool, and the
# instance runs on: its ticks go on after the kexec. Then the adoption:
# mkctl list shows the instance running, its console reaches the new
# host, the pings it sent while no host answered come back from the new
# host's echo (none lost: the longest round trip is the messaging
# blackout), a datagram the new host sends comes back, its heartbeats
# keep it running, and it stops and is destroyed as any instance. The
# longest gap between two ticks and the longest the sleeper did not run,
# the instance's own view of the switch, are printed as figures, not
# judged; that the instance, of one CPU, counted no NMI and no IPI is.
#
# Plain TAP on stdout, the plan covering both kernels' lines.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mklu0 mklu1"
# Lines 9 to 13 on adoption; with a damaged record only line 9 (nothing
# adopted).
PLAN=13
grep -qw multikernel_test_handover_corrupt /proc/cmdline && PLAN=9

echo "TAP version 13"
echo "1..$PLAN"

# Off unless turned on, and only a boolean turns it.
[ "$(cat $MK/live_update)" = 0 ] || bail 1 "live update was on before the test turned it on"
write_fails $MK/live_update maybe "Invalid argument" || bail 1 "live_update took 'maybe'"
# Live update on before the load: the handover is written then.
echo 1 >$MK/live_update && [ "$(cat $MK/live_update)" = 1 ] ||
	bail 1 "cannot turn live update on in $MK/live_update"

spawn mklu0 2 "gapwatch mkping" || bail 1 "spawn"
wait_state mklu0 "$BOOT_WAIT" running || bail 1 "instance start"
# Its datagram pings come back from this host's echo until the kexec, and
# from the new host's after it.
ECHO_LOG=/tmp/mk_dgram_ping.$$
"${DIR}"/mk_dgram_ping -e /dev/mkmsg/mklu0 >"$ECHO_LOG" 2>&1 &
echo_pid=$!
wait_console mklu0 "$BOOT_WAIT" "MK-INSTANCE: tick" || bail 1 "instance job"
wait_console mklu0 "$BOOT_WAIT" "MK-INSTANCE: ping sent" || bail 1 "no pinger"
grep "MK-INSTANCE: ping sent" "$CON" | tail -n 1 | grep -q "back [1-9]" ||
	bail 1 "no datagram ping came back: $(grep "MK-INSTANCE: ping" "$CON" | tail -n 1)"
echo "ok 1 an instance runs on CPU 2: a 1 ms sleeper with a tick a second, pings to the host"

# The pool and the instance's memory, from the host's own words.
pool_and_memory mklu0 || bail 2 "no pool or instance memory in the log"
# The shared region is the last MiB of the instance's memory (mk_x86.h).
shared=$((mem_base + (mem_mib << 20) - (1 << 20)))
msg "pool $pool_start-$pool_end, instance shared region at $shared"

args="console=ttyS0 panic=-1 kunit.enable=0"
args="$args mkjob=luprobe mkpool=$pool_start-$pool_end mkshared=$shared"
# The instance's size in MiB, which the new host finds taken from the pool.
args="$args mkmemmib=$mem_mib"
# With a record damaged on purpose, the new kernel must refuse it.
grep -qw multikernel_test_handover_corrupt /proc/cmdline && args="$args mkrecord=bad"
# kexec_refused PATTERN: kexec -e fails, the host's log says PATTERN,
# and mklu0 still runs. (A kexec that is not refused does not come back:
# the new kernel's lines are then missing.)
kexec_refused() {
	mark=$(dmesg | wc -l)
	if taskset -c 0 kexec -e >"$OUT" 2>&1; then
		msg "kexec -e returned 0"
		return 1
	fi
	why=$(dmesg | tail -n +"$((mark + 1))" | grep "refusing to kexec")
	[ "$(state mklu0)" = running ] && echo "$why" | grep -q "$1" && return 0
	msg "kexec -e said: $(cat "$OUT"); the host: ${why:-nothing}"
	msg "mklu0 is $(state mklu0)"
	return 1
}

# refused N PATTERN WHAT: kexec_refused PATTERN, and TAP line N says so
# for WHAT.
refused() {
	kexec_refused "$2" || bail "$1" "the kexec was not refused while $3"
	echo "ok $1 a kexec is refused while $3"
}

# Loaded with kexec_load(2) (kexec-tools' -c), the kernel was given no
# handover: a kexec is refused, and nothing stops.
if ! kexec -c -l "$MK_INSTANCE_KERNEL" --initrd="$MK_INSTANCE_INITRD" \
		--append="$args" >"$OUT" 2>&1; then
	msg "$(cat "$OUT")"
	bail 2 "the new kernel does not load with kexec_load(2)"
fi
kexec_refused "given no handover" ||
	bail 2 "a kexec into a kernel loaded with kexec_load(2), no handover, was not refused"
if ! kexec -s -l "$MK_INSTANCE_KERNEL" --initrd="$MK_INSTANCE_INITRD" \
		--append="$args" >"$OUT" 2>&1; then
	msg "$(cat "$OUT")"
	bail 2 "the new kernel does not load beside a running instance"
fi
echo "ok 2 the new kernel loads with kexec_file_load(2) beside a running instance;" \
	"loaded with kexec_load(2), without a handover, it is refused at kexec"

# CPU 3 was the host's when the kernel was loaded: the new kernel would
# start it. An instance that holds it now makes the kexec fail, and
# nothing stops.
mk create mklu1 --cpus 3 --mem "$MEM" || bail 3 "create an instance on CPU 3"
refused 3 "CPU 3 was the host's" "an instance holds a CPU the loaded kernel would start"

# A crashed instance waits for its stop: no kexec leaves it behind. The
# state is checked before the CPUs, so this refusal names the crash.
panic_args="console=ttyMK0 kunit.enable=0${MK_INSTANCE_ARGS:+ $MK_INSTANCE_ARGS} mkjob=panic"
mk load mklu1 --kernel "$MK_INSTANCE_KERNEL" --initrd "$MK_INSTANCE_INITRD" \
	--cmdline "$panic_args" && mk start mklu1 || bail 4 "start a panicking instance on CPU 3"
wait_state mklu1 "$BOOT_WAIT" crashed || bail 4 "the instance on CPU 3 did not crash"
refused 4 "instance mklu1 is crashed" "an instance is crashed"
mk stop mklu1 --force && mk destroy mklu1 || bail 5 "destroy the instance on CPU 3"

# The echo runs up to the kexec: pings it did not answer would be lost.
kill -0 $echo_pid 2>/dev/null ||
	bail 5 "the host's echo of the instance's pings ended: $(cat "$ECHO_LOG")"
con_read mklu0
msg "the instance's pings: $(grep "MK-INSTANCE: ping" "$CON" | tail -n 1)"
sync
msg "kexec at host uptime $(cut -d' ' -f1 /proc/uptime)"
# The TSC runs on across the kexec: the new kernel times the switch by it.
echo "# liveupdate: kexec at TSC $("${DIR}"/mk_rdtsc)"
# From CPU 0: the new kernel boots on the CPU that jumps to it.
taskset -c 0 kexec -e
echo "not ok 5 kexec -e came back: $?"
exit 1
