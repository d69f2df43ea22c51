#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# /init of the comparison suite's instance and KVM guest initramfs
# (harness/compare.sh builds it: busybox, the Debian workloads with their
# libraries, cmp_micro, msgdev_echo, contain_probe). cmpjob= on the
# command line says what to do:
#   start  print the first line of the workload (sysbench --version), then
#          wait for a shutdown request: the start and stop figures
#   work   harness/compare-work.sh with cmpleg= (default instance),
#          cmpruns= and cmpsecs=, then power off
#   echo   msgdev_echo on /dev/mkmsg/host: the messaging figures
#   vsock  ipc_bench's vsock echo on port cmpport= (default 5000): the
#          KVM guest's messaging figures
#   contain  contain_probe (the escape paths of security.rst), then
#          power off
#   victim compare-victim.sh for cmpbench= and cmpsecs=, then power off
#   hog    stress-ng with cmphog= (cpu, vm: 90% of MemAvailable, fork)
#          until a shutdown request, then its figures
#   check  compare-check.sh: its data hashed again and again (a
#          neighbour in the fault isolation trials)
#   fault  cmpfault=: memhog or forkbomb (compare-abuse.sh), or a kernel
#          fault of the test kernel's fault file (panic, bug, exception,
#          softlockup, hardlockup; in a KVM guest LKDTM's), then wait
# Every line the host looks for goes to the console.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
trap 'echo "CMP-INSTANCE: shutdown requested"; poweroff -f' USR2 TERM

arg() {
	sed -n "s/.*$1=\([A-Za-z0-9_-]*\).*/\1/p" /proc/cmdline
}

case "$(arg cmpjob)" in
start)
	sysbench --version
	echo "CMP-INSTANCE: uptime $(cut -d' ' -f1 /proc/uptime)"
	while :; do sleep 1; done
	;;
work)
	leg=$(arg cmpleg)
	/usr/lib/mk-compare/compare-work.sh "${leg:-instance}" \
		"$(arg cmpruns)" "$(arg cmpsecs)" 0
	;;
echo)
	msgdev_echo &
	wait $!
	echo "CMP-INSTANCE: msgdev_echo exited with status $?"
	;;
vsock)
	port=$(arg cmpport)
	ipc_bench -t vsock -l "${port:-5000}"
	echo "CMP-INSTANCE: ipc_bench's echo exited with status $?"
	;;
contain)
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	contain_probe
	;;
victim)
	/usr/lib/mk-compare/compare-victim.sh instance "$(arg cmpbench)" \
		"$(arg cmpsecs)"
	echo "CMP-VICTIM: done"
	;;
hog)
	# shellcheck disable=SC2046 # one word per argument
	stress-ng $(/usr/lib/mk-compare/compare-hog.sh "$(arg cmphog)") \
		--timeout 0 --metrics-brief --temp-path /tmp > /tmp/hog.out 2>&1 &
	hog=$!
	# SIGINT makes stress-ng stop and print its figures.
	trap 'kill -INT $hog; wait $hog; grep metrc: /tmp/hog.out;
		echo "CMP-INSTANCE: shutdown requested"; poweroff -f' USR2 TERM
	echo "CMP-HOG: running"
	wait $hog
	echo "CMP-HOG: stress-ng ended by itself"
	grep metrc: /tmp/hog.out
	while :; do sleep 1; done
	;;
check)
	/usr/lib/mk-compare/compare-check.sh
	;;
fault)
	f=$(arg cmpfault)
	echo "CMP-FAULT: doing $f"
	case "$f" in
	memhog | forkbomb) /usr/lib/mk-compare/compare-abuse.sh "$f" ;;
	# From a process of its own, as in the container: an oops kills the
	# process it hits, and killing init is a panic of its own. An
	# instance has the test kernel's fault file; a KVM guest, which is
	# no instance, LKDTM's crash types of the same names.
	*)	if [ -e /sys/kernel/multikernel_peer_faults ]; then
			sh -c "echo $f > /sys/kernel/multikernel_peer_faults"
		else
			mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
			sh -c "echo $f | tr a-z A-Z > /sys/kernel/debug/provoke-crash/DIRECT"
		fi ;;
	esac
	echo "CMP-FAULT: $f returned"
	while :; do sleep 1; done
	;;
*)
	echo "CMP-INSTANCE: no cmpjob= on the command line"
	;;
esac
poweroff -f
