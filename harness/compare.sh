#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/compare.sh (make compare [QUICK=1])
# The comparison suite: the same workloads on the same CPU and memory of
# one emulated machine as a host process, a container and an instance
# (harness/compare-guest.sh, which init.sh runs as MK_RUN=compare), in one
# boot. Builds the images from installed Debian packages (sysbench,
# stress-ng, rt-tests; harness/deps.sh installs them), boots, and writes
# under build/compare/: samples.csv (every sample), summary.csv and
# summary.txt (medians, spread, ratios to the host leg) and PNG plots.
# QUICK=1: one run of each figure with one-second workloads, no KVM leg,
# of the noisy-neighbour hogs only vm and of the fault isolation trials
# memhog and panic, the smoke that make test can run. MK_CMP_BOOTS
# ("main kvm kvmiso", QUICK: "main") chooses the boots: main (host,
# container, instance legs and their fault isolation trials,
# MK_CMP_FAULTS, then a boot for each kernel fault done from a container,
# MK_CMP_CFAULTS), kvm (the KVM leg beside a host leg of its own), kvmiso
# (the KVM leg's fault isolation trials). MK_CMP_TRIALS (3, QUICK: 1):
# trials of each fault of MK_CMP_FAULTS in the main and kvmiso boots
# (a whole run with 3 took 55 minutes beside a make test). MK_CMP_KVM_WAIT: seconds a
# nested boot may take (300); MK_CMP_KVM_TRACE=1: KVM's trace events, and
# what a guest that outstays its wait was doing, on the console
# (compare-guest.sh kvm_diag); MK_CMP_KVM_TSC_PPM: KVM's TSC rate
# tolerance (compare-guest.sh kvm_tsc_tolerance). MK_CMP_ICOUNT=N: the
# deterministic mode, QEMU's -icount shift=N (guest time is 2^N ns per
# instruction executed, idle time skipped), written to clock.txt. Exits
# non-zero when a figure could not be taken, never because of a value.
# Documentation/multikernel/comparison.rst says what each figure is.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CMP=$BUILD/compare
if [ -n "${QUICK:-}" ] && [ "$QUICK" != 0 ]; then
	runs=1 secs=1 msgs=500 timeout=900 boots=${MK_CMP_BOOTS:-main}
	hogs=none,vm
	faults=memhog,panic cfaults=panic
	deftrials=1
else
	runs=${MK_CMP_RUNS:-5} secs=${MK_CMP_SECS:-3} msgs=2000 timeout=2400
	boots=${MK_CMP_BOOTS:-main kvm kvmiso}
	hogs=none,cpu,vm,fork
	faults=memhog,forkbomb,panic,bug,exception,softlockup,hardlockup
	cfaults="panic bug exception"
	deftrials=3
fi
faults=${MK_CMP_FAULTS:-$faults}
cfaults=${MK_CMP_CFAULTS-$cfaults}
trials=${MK_CMP_TRIALS:-$deftrials}
case "$trials" in
'' | *[!0-9]* | 0) die "MK_CMP_TRIALS must be a number of trials, 1 or more" ;;
esac
case " $boots " in
*" kvm "* | *" kvmiso "*) kvm=1 ;;
*) kvm=0 ;;
esac
mem=${MK_CMP_MEM:-256M}
icount=${MK_CMP_ICOUNT:-}
case "$icount" in
'') ;;
[0-9] | 10) ;;
*) die "MK_CMP_ICOUNT: a shift from 0 to 10, not '$icount'" ;;
esac
DEB_BINS="/usr/bin/sysbench /usr/bin/stress-ng /usr/bin/hackbench /usr/bin/cyclictest"
# The KVM leg's VMM and the firmware its microvm machine loads.
QEMU_BIN=/usr/bin/qemu-system-x86_64
QEMU_FW="bios-microvm.bin qboot.rom linuxboot_dma.bin linuxboot.bin pvh.bin"

"$TOP/harness/build-kernel.sh" >/dev/null
"$TOP/harness/initramfs.sh" >/dev/null
mkdir -p "$CMP"
KST=$BUILD/kselftest/multikernel
[ -x "$KST/cmp_micro" ] || die "no cmp_micro in $KST"
gen=$BUILD/gen_init_cpio

# deb_list FILE...: gen_init_cpio lines for the programs and every shared
# library they load (as ldd resolves them on this machine), directories
# first.
deb_list() {
	local f libs
	for f in "$@"; do
		[ -x "$f" ] || die "$f missing: run harness/deps.sh"
	done
	libs=$(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u)
	{ printf '%s\n' "$@"; echo "$libs"; } | xargs -n1 dirname | sort -u |
		awk '{ n = split($0, p, "/"); d = ""
		       for (i = 2; i <= n; i++) { d = d "/" p[i]; print d } }' |
		awk '!seen[$0]++ { print "dir " $0 " 0755 0 0" }'
	for f in "$@" $libs; do
		echo "file $f $(readlink -f "$f") 0755 0 0"
	done
}

log "building the comparison images"
inst_list=$CMP/instance.list
{
	for d in /bin /sbin /proc /sys /dev /etc /tmp /usr /usr/lib /usr/lib/mk-compare; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox /bin/busybox 0755 0 0"
	echo "file /init $TOP/harness/compare-instance-init.sh 0755 0 0"
	for f in compare-work.sh compare-victim.sh compare-hog.sh compare-check.sh \
		 compare-abuse.sh; do
		echo "file /usr/lib/mk-compare/$f $TOP/harness/$f 0755 0 0"
	done
	echo "file /bin/cmp_micro $KST/cmp_micro 0755 0 0"
	echo "file /bin/msgdev_echo $KST/msgdev_echo 0755 0 0"
	echo "file /bin/ipc_bench $KST/ipc_bench 0755 0 0"
	echo "file /bin/contain_probe $KST/contain_probe 0755 0 0"
	# shellcheck disable=SC2086 # one word per program
	deb_list $DEB_BINS
} | awk '!($1 == "dir" && seen[$2]++)' > "$inst_list"
"$gen" "$inst_list" | gzip -1 > "$CMP/instance.cpio.gz"

list=$CMP/initramfs.list
{
	cat "$OUT/initramfs.list"
	echo "dir /usr/lib/mk-compare 0755 0 0"
	for f in compare-guest.sh compare-work.sh compare-victim.sh compare-hog.sh compare-check.sh \
		 compare-abuse.sh; do
		echo "file /usr/lib/mk-compare/$f $TOP/harness/$f 0755 0 0"
	done
	echo "file /usr/lib/mk-compare/instance.cpio.gz $CMP/instance.cpio.gz 0644 0 0"
	echo "file /bin/cmp_micro $KST/cmp_micro 0755 0 0"
	if [ "$kvm" = 1 ]; then
		echo "dir /usr/share 0755 0 0"
		echo "dir /usr/share/qemu 0755 0 0"
		for f in $QEMU_FW; do
			echo "file /usr/share/qemu/$f $(readlink -f "/usr/share/qemu/$f") 0644 0 0"
		done
	fi
	bins=$DEB_BINS
	[ "$kvm" = 0 ] || bins="$bins $QEMU_BIN"
	# shellcheck disable=SC2086 # one word per program
	deb_list $bins
} | awk '!($1 == "dir" && seen[$2]++)' > "$list"
"$gen" "$list" | gzip -1 > "$CMP/initramfs.cpio.gz"

accel=$("$TOP/harness/accel.sh")

# cfault_died RUN: did the host of a leg_cfault boot die of the kernel
# fault done from its container? Then the figures it could not give:
# neither it nor the neighbour container lived on (host_died 1).
cfault_died() {
	local b
	b=$(tr -d '\r' < "$1/ttyS1.log" | sed -n 's/^CMP cfault: triggering //p' |
		tr 'A-Z' 'a-z')
	[ -n "$b" ] && ! grep -q "^CMP cfault: the host lived" "$1/ttyS1.log" &&
		grep -q "Kernel panic" "$1/ttyS0.log" || return 1
	for m in host_ok neighbour_ok; do
		echo "CMP leg=container bench=fault-lkdtm-$b metric=$m unit=bool run=1 value=0"
	done >> "$CMP/raw.txt"
	echo "CMP leg=container bench=fault-lkdtm-$b metric=host_died unit=bool run=1 value=1" \
		>> "$CMP/raw.txt"
	log "$(basename "$1"): the host died of $b, as a kernel fault in a container does"
}

# boot NAME CPUS TIMEOUT "ARGS" [may-die]: one comparison boot; its CMP
# lines, with the legs renamed by the sed expression $rename, are added
# to raw.txt. may-die: a boot of leg_cfault, whose host may panic.
boot() {
	local run=$CMP/$1 cpus=$2 tmo=$3 args=$4 may_die=${5:-} status=0 start qpid
	rm -rf "$run"
	mkdir -p "$run"
	args="$args MK_CMP_RUNS=$runs MK_CMP_SECS=$secs MK_CMP_MEM=$mem"
	args="$args MK_CMP_MSGS=$msgs MK_CMP_HOGS=$hogs MK_CMP_FAULTS=$faults"
	args="$args MK_CMP_TRIALS=$trials"
	args="$args MK_RUN=compare kunit.enable=0"
	# Passed on when set: the KVM leg's wait for a nested boot and its
	# diagnostics (compare-guest.sh kvm_diag).
	args="$args${MK_CMP_KVM_WAIT:+ MK_CMP_KVM_WAIT=$MK_CMP_KVM_WAIT}"
	args="$args${MK_CMP_KVM_TRACE:+ MK_CMP_KVM_TRACE=$MK_CMP_KVM_TRACE}"
	args="$args${MK_CMP_KVM_TSC_PPM:+ MK_CMP_KVM_TSC_PPM=$MK_CMP_KVM_TSC_PPM}"
	qemu_cmd "$run" "$accel" "$cpus" 2G "$CMP/initramfs.cpio.gz" "$args"
	# ttyS2 reads from a FIFO instead: the kick below.
	mkfifo "$run/kick.in" "$run/kick.out"
	QEMU_CMD[${#QEMU_CMD[@]} - 1]=chardev:kick
	QEMU_CMD+=(-chardev "pipe,id=kick,path=$run/kick")
	if [ -n "$icount" ]; then
		QEMU_CMD+=(-icount "shift=$icount,sleep=off")
	fi
	start=$(date +%s)
	timeout "$tmo" "${QEMU_CMD[@]}" > "$run/qemu.out" 2>&1 &
	qpid=$!
	# A guest with a nested KVM guest running at times loses its timer
	# wakeups and sleeps for good; any interrupt wakes it. So a byte
	# reaches its ttyS2 every 2 s (the guest keeps the port open while
	# the KVM leg runs), and what it sends back is drained.
	cat "$run/kick.out" > /dev/null &
	drain=$!
	(while kill -0 "$qpid" 2>/dev/null; do
		printf . > "$run/kick.in"
		sleep 2
	done) &
	kick=$!
	# Progress: the legs as the guest reaches them, until QEMU ends.
	tail -n +1 -F --pid="$qpid" "$run/ttyS1.log" 2>/dev/null |
		grep --line-buffered '^== ' | sed -u "s/^/$1: /" >&2 || true
	wait "$qpid" || status=$?
	kill "$kick" "$drain" 2>/dev/null || true
	wait "$kick" "$drain" 2>/dev/null || true
	echo "$(($(date +%s) - start))" > "$run/seconds"
	log "$1: boot took $(cat "$run/seconds") s"
	tr -d '\r' < "$run/ttyS1.log" | grep '^CMP ' | sed "$rename" >> "$CMP/raw.txt" || true
	if [ -n "$may_die" ] && cfault_died "$run"; then
		return 0
	fi
	if [ "$status" -ne 0 ] || ! grep -qF "$MK_INIT_DONE" "$run/ttyS1.log"; then
		for f in "$run"/qemu.out "$run"/ttyS*.log; do
			[ -s "$f" ] || continue
			echo "---- tail of $f ----" >&2
			tail -n 40 "$f" >&2
		done
		echo "CMP boot $1 failed (status $status): see $run/" >> "$CMP/raw.txt"
		return 1
	fi
}

: > "$CMP/raw.txt"
if [ -n "$icount" ]; then
	echo "guest time: QEMU -icount shift=$icount,sleep=off (2^$icount ns an instruction)"
else
	echo "guest time: follows the host's clock (no -icount)"
fi > "$CMP/clock.txt"
log "$(cat "$CMP/clock.txt")"
failed=0
log "$runs run(s) of each figure, ${secs}s workloads, $mem per leg"
rename=""
case " $boots " in
*" main "*)
	boot main 4 "$timeout" \
		"multikernel=768M MK_CMP_LEGS=host,container,instance,isolation" || failed=1
	# A kernel fault in a container is the host's: a boot each.
	for f in $cfaults; do
		boot "cfault-$f" 4 "$timeout" "MK_CMP_LEGS=cfault MK_CMP_FAULT=$f" may-die ||
			failed=1
	done
	;;
esac
kvm_cpus=${MK_CMP_KVM_CPUS:-1}
if [ "$kvm" = 1 ]; then
	# Nested KVM under single-threaded TCG hangs with more than one
	# vCPU, the TSC stall fixed or not (MK_CMP_KVM_CPUS=2: notes in
	# Documentation/multikernel/comparison.rst): its own boot, one
	# vCPU, with a host leg of its own as its baseline.
	rename="s/ leg=host / leg=host1 /; s/ legs=host / legs=host1 /"
	case " $boots " in
	*" kvm "*)
		boot kvm "$kvm_cpus" "$timeout" "MK_CMP_LEGS=host,kvm MK_CMP_CPU=0" || failed=1
		;;
	esac
	# Its fault isolation trials, in a boot of their own: a guest for
	# each fault beside one neighbour guest, all on the one vCPU.
	case " $boots " in
	*" kvmiso "*)
		boot kvmiso "$kvm_cpus" "$timeout" "MK_CMP_LEGS=kvmiso MK_CMP_CPU=0" || failed=1
		;;
	esac
fi

# Debian's python3, which has Debian's matplotlib (deps.sh).
/usr/bin/python3 "$TOP/harness/compare.py" "$CMP/raw.txt" "$CMP" || failed=1
[ "$failed" = 0 ] || die "a figure could not be taken: see above and $CMP/"
