#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# TEMPORARY (spawn branch): /init of the host initramfs of harness/spawn-smoke.sh.
# Drives the debugfs trigger kernel/multikernel/debug_spawn.c; MKSCEN=one|two|loaderr,
# MKJOB=off|panic|spin|hardlockup|wait, MKCPUS=, MKWAIT=, MKRESPAWN=1, MKARGS=.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /tmp
T=/sys/kernel/debug/multikernel-spawn
say() { echo "HOST: $*"; }
create() { echo "$2 ${3:-128}" > $T/$1/create || say "$1: create failed"; }
load() {
	exec 3</boot/bzImage 4</boot/instance.cpio.gz
	echo "3 4 console=ttyMK0 ${MKARGS} mkjob=$2" > $T/$1/load || say "$1: load failed"
	exec 3<&- 4<&-
}
start() { echo 1 > $T/$1/start || say "$1: start failed"; }
state() { cat $T/$1/state; }
matches() { # STATE PATTERNS...
	s=$1; shift
	for p in "$@"; do case "$s" in $p) return 0;; esac; done
	return 1
}
waitfor() { # NAME SECONDS PATTERNS...
	n=$1 t=$2; shift 2
	i=0; while [ $i -lt $t ] && ! matches "$(state $n)" "$@"; do sleep 1; i=$((i+1)); done
	say "$n: state '$(state $n)' after ${i}s"
}
console() { say "---- console of $1 ----"; cat $T/$1/console | grep -v "busybox: /"; say "---- end of console of $1 ----"; }
say "online CPUs: $(cat /sys/devices/system/cpu/online); CPU features: $(grep -o -w -E "la57|pdpe1gb|x2apic|nx" /proc/cpuinfo | sort -u | tr "\n" " ")"
case "${MKSCEN:-one}" in
one)
	create dbg0 ${MKCPUS:-3}
	say "online CPUs after create: $(cat /sys/devices/system/cpu/online)"
	load dbg0 ${MKJOB:-off}
	start dbg0
	waitfor dbg0 ${MKWAIT:-60} "stopped*" "crashed*"
	[ "$MKJOB" = hardlockup ] && sleep 3
	console dbg0
	if [ "$MKJOB" = wait ]; then echo shutdown > $T/dbg0/stop; waitfor dbg0 20 "stopped*"; cat $T/dbg0/console | tail -3; fi
	case "$(state dbg0)" in running*|crashed*|starting*) echo force > $T/dbg0/stop; say "forced stop: $?";; esac
	sleep 1
	say "dbg0: state '$(state dbg0)'"
	if [ -n "$MKRESPAWN" ]; then
		say "respawn"; start dbg0; waitfor dbg0 60 "stopped*" "crashed*"
		cat $T/dbg0/console | grep -E "MK-INSTANCE|Linux version" | tail -4
	fi
	;;
two)
	create dbg0 2 64; create dbg1 3 64
	say "online CPUs after create: $(cat /sys/devices/system/cpu/online)"
	load dbg0 wait; load dbg1 spin
	start dbg0; start dbg1
	waitfor dbg0 60 "running*"; waitfor dbg1 60 "running*"
	sleep 4
	console dbg0; console dbg1
	say "graceful stop of dbg0"; echo shutdown > $T/dbg0/stop; waitfor dbg0 30 "stopped*"
	say "forced stop of dbg1"; echo force > $T/dbg1/stop; say "forced stop: $?"; say "dbg1: state '$(state dbg1)'"
	cat $T/dbg0/console | tail -3
	;;
loaderr)
	# Each refused load names its errno; the image stays unloaded.
	kinfo() { # offset of the multikernel handoff field in kernel_info
		sects=$(od -An -tu1 -j 497 -N1 /boot/bzImage)
		ki=$(od -An -tu4 -j 616 -N4 /boot/bzImage)
		echo $(( (sects + 1) * 512 + ki + 16 ))
	}
	tryload() { # NAME KERNEL DESCRIPTION
		exec 3<$2 4</boot/instance.cpio.gz
		if err=$(echo "3 4 console=ttyMK0" 2>&1 > $T/$1/load); then
			say "load of $3: ok"
		else
			say "load of $3: ${err##*: }"
		fi
		exec 3<&- 4<&-
	}
	create dbg0 3 128; create dbg1 2 16
	off=$(kinfo)
	cp /boot/bzImage /tmp/v0; printf '\000\000\000\000' | dd of=/tmp/v0 bs=1 seek=$off conv=notrunc 2>/dev/null
	cp /boot/bzImage /tmp/v2; printf '\002\000\000\000' | dd of=/tmp/v2 bs=1 seek=$off conv=notrunc 2>/dev/null
	tryload dbg0 /init "a shell script"
	tryload dbg0 /tmp/v0 "a kernel without multikernel support"
	tryload dbg0 /tmp/v2 "a kernel speaking handoff version 2"
	tryload dbg1 /boot/bzImage "a kernel into 16 MiB"
	tryload dbg0 /boot/bzImage "the kernel into 128 MiB"
	;;
esac
sleep 1
say "online CPUs at end: $(cat /sys/devices/system/cpu/online)"
dmesg | grep -E "multikernel" | tail -20
echo "MK-INIT: done"
poweroff -f
