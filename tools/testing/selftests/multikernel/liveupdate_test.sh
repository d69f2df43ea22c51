#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A host kexec that leaves an instance running: what the instance sees
# while its host is replaced. Needs a host booted with
# multikernel_test_kexec_leave (CONFIG_MULTIKERNEL_TEST_KEXEC_LEAVE); the
# harness's liveupdate boot runs it alone (MK_RUN=liveupdate), since it
# ends in a kexec, not in the kselftest runner.
#
# Nothing hands the instance over to the new kernel yet: the new kernel
# (this kernel and the instance initramfs) is told on its command line to
# keep off the pool (memmap=) and off the instance's CPU (maxcpus=2).
#
# The host part: an instance runs on CPU 2 and prints a tick a second; the
# new kernel loads with kexec_file_load(2), outside the pool; then kexec.
# The new kernel's part (mkjob=luprobe in instance-init.sh), TAP lines 3
# to 5 on the same serial port: it keeps off CPU 2 and the pool, and the
# instance runs on: its ticks, read from its ring through /dev/mem, go on
# after the kexec. The longest gap between two ticks, the instance's own
# view of the switch, is printed as a figure, not judged.
#
# Plain TAP on stdout, the plan covering both kernels' lines.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mklu0"
PLAN=5

echo "TAP version 13"
echo "1..$PLAN"

grep -qw multikernel_test_kexec_leave /proc/cmdline ||
	bail 1 "the host was not booted with multikernel_test_kexec_leave"

spawn mklu0 2 tick || bail 1 "spawn"
wait_state mklu0 "$BOOT_WAIT" running || bail 1 "instance start"
wait_console mklu0 "$BOOT_WAIT" "MK-INSTANCE: tick" || bail 1 "instance job"
echo "ok 1 an instance runs on CPU 2 and prints a tick a second"

# The pool and the instance's memory, from the host's own words.
pool_and_memory mklu0 || bail 2 "no pool or instance memory in the log"
# The shared region is the last MiB of the instance's memory (mk_x86.h).
shared=$((mem_base + (mem_mib << 20) - (1 << 20)))
msg "pool $pool_start-$pool_end, instance shared region at $shared"

args="console=ttyS0 panic=-1 nokaslr maxcpus=2 kunit.enable=0"
args="$args memmap=$(((pool_end - pool_start + 1) >> 20))M\$$pool_start"
args="$args mkjob=luprobe mkpool=$pool_start-$pool_end mkshared=$shared"
if ! kexec -s -l "$MK_INSTANCE_KERNEL" --initrd="$MK_INSTANCE_INITRD" \
		--append="$args" >"$OUT" 2>&1; then
	msg "$(cat "$OUT")"
	bail 2 "the new kernel does not load beside a running instance"
fi
echo "ok 2 the new kernel loads with kexec_file_load(2) beside a running instance"
msg "kexec at host uptime $(cut -d' ' -f1 /proc/uptime)"
sync
# From CPU 0: the new kernel boots on the CPU that jumps to it.
taskset -c 0 kexec -e
echo "not ok 3 kexec -e came back: $?"
exit 1
