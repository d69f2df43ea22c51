#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A host panic with an instance running and a crash kernel loaded. Needs
# a host booted with crashkernel= (the harness's kdump boot runs it
# alone, MK_RUN=kdump: it ends in a panic, not in the kselftest runner).
#
# The host part: an instance runs on CPU 2; the host's /dev/mem refuses
# the pool; a crash kernel (this kernel and the instance initramfs, with
# nr_cpus=1 as kdump setups boot it) loads with kexec_file_load(2), or
# with MK_KDUMP_LOADER=kexec-tools through kexec_load(2) by kexec-tools
# (which builds the dump's memory list from /proc/iomem); then sysrq-c.
# The crash kernel's part (mkjob=vmcore in instance-init.sh), TAP lines 3
# to 5 on the same serial port: it got a /proc/vmcore whose
# memory leaves out the pool, its own RAM lies outside the pool, and the
# instance went on running under it: its ring index to the host, read
# through the crash kernel's /dev/mem, still moves (mkjob=tick prints a
# line a second).
#
# Plain TAP on stdout, the plan covering both kernels' lines.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkkd0"
PLAN=5

echo "TAP version 13"
echo "1..$PLAN"

if [ "$(cat /sys/kernel/kexec_crash_size 2>/dev/null)" = 0 ] ||
   [ ! -e /sys/kernel/kexec_crash_size ]; then
	bail 1 "no crashkernel= reservation"
fi

# It prints a line a second: its console moves its ring index, whether
# or not it was told a heartbeat period before the host panicked.
spawn mkkd0 2 tick || bail 1 "spawn"
wait_state mkkd0 "$BOOT_WAIT" running || bail 1 "instance start"
wait_console mkkd0 "$BOOT_WAIT" "MK-INSTANCE: tick" || bail 1 "instance job"
echo "ok 1 an instance runs on CPU 2"

# The pool and the instance's memory, from the host's own words.
pool_and_memory mkkd0 || bail 2 "no pool or instance memory in the log"
# x86 layout (arch/x86/kernel/multikernel/mk_x86.h): the shared region is
# the last MiB, the messaging region 128 KiB into it, and the index of
# the instance's ring to the host 192 bytes into that.
head_pa=$((mem_base + (mem_mib << 20) - (1 << 20) + 0x20000 + 192))
msg "pool $pool_start-$pool_end, instance ring index at $head_pa"

# STRICT_DEVMEM: the pool is RAM to the host, so /dev/mem refuses it.
if out=$(dd if=/dev/mem bs=4096 skip=$((pool_start / 4096)) count=1 2>&1 >/dev/null); then
	echo "not ok 2 the host's /dev/mem read the pool"
	bail 3 "after /dev/mem"
fi
case "$out" in
*"Operation not permitted"*) ;;
*)
	echo "not ok 2 /dev/mem on the pool: $out"
	bail 3 "after /dev/mem"
	;;
esac
args="console=ttyS0 nr_cpus=1 panic=-1 kunit.enable=0 mkjob=vmcore"
args="$args mkpool=$pool_start-$pool_end mkhead=$head_pa"
case "${MK_KDUMP_LOADER:-file}" in
kexec-tools)
	# kexec_load(2): the dump's memory list is kexec-tools' own, built
	# from the names in /proc/iomem.
	how="kexec_load(2) by kexec-tools"
	set -- kexec -p -c "$MK_INSTANCE_KERNEL" --initrd="$MK_INSTANCE_INITRD" \
		--append="$args"
	;;
*)
	how="kexec_file_load(2)"
	set -- "$DIR"/mk_kexec_crash "$MK_INSTANCE_KERNEL" "$MK_INSTANCE_INITRD" "$args"
	;;
esac
if ! "$@" >"$OUT" 2>&1; then
	msg "$(cat "$OUT")"
	echo "not ok 2 the crash kernel loads beside a running instance ($how)"
	bail 3 "after the load"
fi
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] || bail 2 "kexec_crash_loaded"
echo "ok 2 /dev/mem refuses the pool; a crash kernel loads beside a running instance ($how)"
msg "panicking the host"
sync
echo c >/proc/sysrq-trigger
echo "not ok 3 the host did not panic"
exit 1
