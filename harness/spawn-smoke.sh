#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/spawn-smoke.sh NAME TIMEOUT "KERNEL ARGS"
# TEMPORARY (spawn branch, dropped when mkctl-based scenario tests land):
# boot the host with a pool, spawn instance kernels through the debugfs
# trigger and print what happened. The host's console is
# build/runs/NAME/ttyS0.log; an instance started with
# MKARGS=earlyprintk=serial,0x3e8,115200,keep also prints to ttyS2.log.
# Examples:
#   harness/spawn-smoke.sh one 120 ""                     # boot, init, power off
#   harness/spawn-smoke.sh smp 150 "MKCPUS=2-3"            # two-CPU instance
#   harness/spawn-smoke.sh panic 150 "MKJOB=panic"         # crashed + reason
#   harness/spawn-smoke.sh lockup 200 "MKJOB=hardlockup MKWAIT=15 MKRESPAWN=1"
#   harness/spawn-smoke.sh stop 150 "MKJOB=wait MKWAIT=8"  # graceful stop
#   harness/spawn-smoke.sh two 240 "MKSCEN=two"            # two instances
#   harness/spawn-smoke.sh loaderr 120 "MKSCEN=loaderr"    # refused loads
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 NAME TIMEOUT \"KERNEL ARGS\""
name=$1 timeout=$2 args=$3
kernel=$OBJ/arch/x86/boot/bzImage
[ -f "$kernel" ] || die "$kernel missing: run make kernel"
gen=$BUILD/gen_init_cpio
if [ ! -x "$gen" ]; then
	gcc -O2 -o "$gen" "$TREE/usr/gen_init_cpio.c"
fi

dir=$BUILD/spawn-smoke
mkdir -p "$dir"
{
	for d in /bin /sbin /proc /sys /dev; do echo "dir $d 0755 0 0"; done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox /bin/busybox 0755 0 0"
	echo "file /init $TOP/harness/spawn-smoke/instance-init.sh 0755 0 0"
} > "$dir/instance.list"
"$gen" "$dir/instance.list" | gzip -1 > "$dir/instance.cpio.gz"
{
	for d in /bin /sbin /usr /usr/bin /usr/sbin /proc /sys /dev /boot; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox /bin/busybox 0755 0 0"
	echo "file /init $TOP/harness/spawn-smoke/host-init.sh 0755 0 0"
	echo "file /boot/bzImage $kernel 0644 0 0"
	echo "file /boot/instance.cpio.gz $dir/instance.cpio.gz 0644 0 0"
} > "$dir/host.list"
"$gen" "$dir/host.list" | gzip -1 > "$dir/host.cpio.gz"

run=$BUILD/runs/$name
rm -rf "$run"
mkdir -p "$run"
qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 4 -m 2G \
	-kernel "$kernel" -initrd "$dir/host.cpio.gz" \
	-append "console=ttyS0 panic=-1 multikernel=256M $args" \
	-display none -vga none -no-reboot -nodefaults \
	-serial "file:$run/ttyS0.log" -serial "file:$run/ttyS1.log" \
	-serial "file:$run/ttyS2.log" > "$run/qemu.out" 2>&1 &
qpid=$!
trap 'kill "$qpid" 2>/dev/null || true' EXIT INT TERM
waited=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$waited" -ge "$timeout" ]; then
		echo "spawn-smoke[$name]: timed out after ${timeout}s" >&2
		kill "$qpid" 2>/dev/null || true
		break
	fi
	sleep 1
	waited=$((waited + 1))
done
trap - EXIT INT TERM
grep -a -E '^HOST:|^MK-INSTANCE|multikernel(-dbg)?: ' "$run/ttyS0.log" |
	grep -a -v -E 'Subtest|pass:|^\[ *[0-9.]*\] ok ' || true
grep -q '^MK-INIT: done' "$run/ttyS0.log"
