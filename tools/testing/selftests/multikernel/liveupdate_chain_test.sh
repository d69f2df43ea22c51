#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Three host kexecs in a row under one running instance (live-update.rst).
# Needs a host booted with multikernel_live_update; the harness's
# liveupdate-chain boot runs it alone (MK_RUN=luchain), since every kernel
# but the last ends in a kexec.
#
# The first host starts mklc0 on CPU 2: mk_gap_probe (a 1 ms sleeper with
# a tick line a second, and an 8 MiB memory checksum checked pass after
# pass) and a datagram echo. Each host then packs its own root file system
# into an initramfs and kexecs the same kernel with it, passing on what it
# saw last. Each new host (mkgen=2, 3, 4 on its command line, no
# multikernel=) takes the old host's pool over, adopts mklc0 and checks,
# three TAP lines a kexec: it adopted the instance (same id, CPU 2,
# running, its low-memory window kept, the same in every host); the
# instance ran on (its uptime went on past the last tick
# the old host saw, its memory passes went on, all of them ok with the
# checksum of the first); a datagram comes back from its echo. The last
# host stops and destroys it, and gets its memory back in the pool.
#
# Plain TAP on ttyS1, one plan for all four kernels.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mklc0"
KEXECS=3
PLAN=$((3 * KEXECS + 2))

arg() { sed -n "s/.* $1=\([0-9a-fx.]*\).*/\1/p" /proc/cmdline; }
gen=$(arg mkgen)
gen=${gen:-1}

# ticks: the instance's tick uptimes in its console here, in order.
ticks() {
	mkctl console mklc0 2>/dev/null |
		sed -n 's/.*MK-INSTANCE: tick \([0-9.]*\) .*/\1/p'
}

# passes: the memory checksum passes in its console, "N ok sum HEX" or
# "N BAD at word I".
passes() {
	mkctl console mklc0 2>/dev/null |
		sed -n 's/.*MK-INSTANCE: mem pass \([0-9]*\) \(.*\)/\1 \2/p' | tr -d '\r'
}

# newer A B: the decimal A is larger than B.
newer() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; }

# wait_newer SECONDS: until a tick later than $last and a memory pass
# after $pass show, or SECONDS passed.
wait_newer() {
	w=0
	while [ "$w" -lt "$1" ]; do
		t=$(ticks | tail -n 1)
		p=$(passes | tail -n 1 | cut -d' ' -f1)
		[ -n "$t" ] && [ -n "$p" ] && newer "$t" "$last" && newer "$p" "$pass" &&
			return 0
		sleep 1
		w=$((w + 1))
	done
	return 1
}

# kexec_next: pack this root file system and kexec into the next host.
kexec_next() {
	next=$((gen + 1))
	(cd / && find . -xdev | cpio -o -H newc >/tmp/next.cpio 2>/dev/null)
	args="console=ttyS0 panic=-1 kunit.enable=0 multikernel_live_update"
	args="$args MK_RUN=luchain mkgen=$next mklast=$last mkpass=$pass mksum=$sum"
	[ -n "${win:-}" ] && args="$args mkwin=$win"
	args="$args MK_INSTANCE_KERNEL=$MK_INSTANCE_KERNEL MK_INSTANCE_INITRD=$MK_INSTANCE_INITRD"
	# The lockup detectors' threshold a debug run sets, for every host.
	wt=$(arg watchdog_thresh)
	[ -n "$wt" ] && args="$args watchdog_thresh=$wt"
	for v in MK_INSTANCE_MEM MK_BOOT_WAIT MK_STOP_WAIT MK_HEARTBEAT_MS; do
		eval "val=\${$v:-}"
		# shellcheck disable=SC2154 # set by the eval
		[ -n "$val" ] && args="$args $v=$val"
	done
	if ! kexec -s -l "$MK_INSTANCE_KERNEL" --initrd=/tmp/next.cpio \
			--append="$args" >"$OUT" 2>&1; then
		msg "$(cat "$OUT")"
		bail "$((3 * gen - 1))" "host $next does not load beside a running instance"
	fi
	rm -f /tmp/next.cpio
	sync
	msg "host $gen: kexec $gen into host $next at uptime $(cut -d' ' -f1 /proc/uptime)"
	taskset -c 0 kexec -e
	bail "$((3 * gen - 1))" "kexec -e came back"
}

if [ "$gen" = 1 ]; then
	echo "TAP version 13"
	echo "1..$PLAN"
	[ "$(cat $MK/live_update)" = 1 ] ||
		bail 1 "the host was not booted with multikernel_live_update"
	spawn mklc0 2 gapwatch || bail 1 "spawn"
	wait_state mklc0 "$BOOT_WAIT" running || bail 1 "instance start"
	last=0
	pass=0
	wait_newer "$BOOT_WAIT" || bail 1 "no tick or memory pass from the instance"
	last=$(ticks | tail -n 1)
	# shellcheck disable=SC2046 # the words of one line
	set -- $(passes | tail -n 1)
	pass=$1
	sum=$4
	if [ "$2" != ok ]; then
		echo "not ok 1 the instance's memory checksum failed: $*"
		bail 2 "a failed memory checksum"
	fi
	echo "ok 1 mklc0 runs on CPU 2: a 1 ms sleeper, an 8 MiB memory checksum ($sum)," \
		"a datagram echo"
	kexec_next
fi

# Host $gen, after kexec $k: lines n to n + 2.
k=$((gen - 1))
n=$((3 * k - 1))
last=$(arg mklast)
pass=$(arg mkpass)
sum=$(arg mksum)
i=$MK/instances/mklc0

row=$(mkctl list 2>&1 | awk '$1 == "mklc0" { print $3, $4 }')
adopted="adopted instance mklc0 (id [0-9]*) running on CPUs 2"
# Its low-memory window, kept at boot and claimed at adoption: the same
# one in every host.
win=$(dmesg | sed -n 's/.*kept the low-memory window at \(0x[0-9a-f]*\) of instance mklc0,.*/\1/p')
want_win=$(arg mkwin)
if [ "$row" = "running 2" ] && dmesg | grep -q "$adopted" &&
   dmesg | grep -q "took over the old host's pool" &&
   [ -n "$win" ] && [ "$win" = "${want_win:-$win}" ] &&
   ! dmesg | grep -q "mklc0: its low-memory window .* was not kept"; then
	echo "ok $n host $gen adopted mklc0 after kexec $k: running on CPU 2," \
		"in the pool it took over, its low-memory window at $win kept"
else
	echo "not ok $n host $gen did not adopt mklc0 after kexec $k: mkctl list says '$row'," \
		"low-memory window '$win' (the last host's: '${want_win:-}')"
	dmesg | grep "multikernel" | sed 's/^/# /'
	bail $((n + 1)) "mklc0 not adopted"
fi

was_last=$last
was_pass=$pass
if wait_newer 60; then
	bad=$(passes | grep -v " ok sum $sum$")
	last=$(ticks | tail -n 1)
	pass=$(passes | tail -n 1 | cut -d' ' -f1)
	if [ -z "$bad" ]; then
		echo "ok $((n + 1)) mklc0 ran on through kexec $k: tick $was_last -> $last," \
			"memory passes $was_pass -> $pass, all with sum $sum"
	else
		bad=$(echo "$bad" | head -n 3 | tr '\n' ';')
		echo "not ok $((n + 1)) mklc0's memory changed across kexec $k: $bad"
	fi
else
	echo "not ok $((n + 1)) mklc0 shows no tick after $was_last" \
		"and no memory pass after $was_pass"
	mkctl console mklc0 2>&1 | tail -n 12 | sed 's/^/# /'
fi

t0=$(cut -d' ' -f1 /proc/uptime)
got=$(mkctl send mklc0 "host $gen" 2>&1 && mkctl recv mklc0 --timeout 30 2>&1)
t1=$(cut -d' ' -f1 /proc/uptime)
if [ "$got" = "host $gen" ]; then
	rtt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	echo "ok $((n + 2)) a datagram to mklc0 comes back from its echo after kexec $k" \
		"($rtt s by /proc/uptime, mkctl included)"
else
	echo "not ok $((n + 2)) datagram round trip to mklc0 after kexec $k: '$got'"
fi

if [ "$gen" -le "$KEXECS" ]; then
	kexec_next
fi

pool=$(cat $MK/pool_size)
if mkctl stop mklc0 --timeout "$STOP_WAIT" && [ "$(state mklc0)" = stopped ] &&
   [ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ] &&
   mkctl destroy mklc0 && [ ! -e "$i" ] && [ "$(cat $MK/pool_free)" = "$pool" ]; then
	echo "ok $PLAN host $gen stops and destroys mklc0: CPU 2 online," \
		"all $((pool >> 20)) MiB of the pool free"
else
	echo "not ok $PLAN stop or destroy of mklc0 on host $gen" \
		"(state $(state mklc0), pool free $(cat $MK/pool_free) of $pool)"
fi
