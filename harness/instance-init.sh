#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the instance initramfs that scenario tests spawn (harness/initramfs.sh
# puts it at /boot/instance.cpio.gz in the host initramfs, with the kernel at
# /boot/bzImage).
# mkjob= on the instance command line picks what it does after printing its line.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
trap 'echo "MK-INSTANCE: shutdown requested"; poweroff -f' USR2 TERM
echo "MK-INSTANCE: init running on $(uname -r), $(nproc) CPUs online, $(grep MemTotal /proc/meminfo), uptime $(cut -d" " -f1 /proc/uptime)"
cat /proc/cmdline
case "$(cat /proc/cmdline)" in
*mkjob=panic*) echo c > /proc/sysrq-trigger ;;
*mkjob=spin*) echo "spinning"; while :; do :; done ;;
*mkjob=hardlockup*) mount -t debugfs debugfs /sys/kernel/debug; echo "locking up with interrupts off"; echo HARDLOCKUP > /sys/kernel/debug/provoke-crash/DIRECT ;;
*mkjob=wait*) echo "waiting for shutdown"; while :; do sleep 1; done ;;
esac
echo "MK-INSTANCE: powering off"
poweroff -f
