#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Usage: compare-guest.sh (MK_RUN=compare of harness/init.sh)
# The guest side of make compare (harness/compare.sh): the same workloads
# on CPU 2 and MK_CMP_MEM of memory (default 256M) as
#   host       a process pinned with taskset
#   container  user, pid, mount, net, uts and ipc namespaces (unshare) in a
#              cgroup v2 group with cpuset.cpus and memory.max
#   instance   mkctl run on that CPU and memory
# MK_CMP_RUNS (3) runs of each figure, workloads of MK_CMP_SECS (5) s.
#   kvm        Debian's qemu-system-x86_64 -enable-kvm on that CPU (leg_kvm)
#   kvmiso     the fault isolation trials in KVM guests (leg_kvmiso)
# MK_CMP_LEGS (host,container,instance) chooses legs, MK_CMP_CPU (2) the
# CPU. One line a figure:
#   CMP leg=L bench=B metric=M unit=U run=R value=V
# and "CMP leg=L error ..." for a figure that could not be taken; the
# host side turns them into CSV, medians and plots. Times are this guest's
# CLOCK_MONOTONIC (cmp_micro now), so they include starting the stamp.
# A benchmark: it judges no figure.

runs=${MK_CMP_RUNS:-3}
secs=${MK_CMP_SECS:-5}
mem=${MK_CMP_MEM:-256M}
legs=$(echo "${MK_CMP_LEGS:-host,container,instance}" | tr , ' ')
D=/usr/lib/mk-compare
KST=/usr/lib/kselftests/multikernel
CG=/sys/fs/cgroup
MK=/sys/kernel/multikernel
FIFO=/tmp/cmp.fifo
CPU=${MK_CMP_CPU:-2}
CPU2=3

put() {	# leg bench metric unit run value
	echo "CMP leg=$1 bench=$2 metric=$3 unit=$4 run=$5 value=$6"
}

err() {	# leg why...
	l=$1
	shift
	echo "CMP leg=$l error $*"
}

now() {
	cmp_micro now
}

ms() {	# from to (ns): milliseconds between
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'
}

# Free memory in kB after dropping what can be dropped: MemFree and the
# pages the per-CPU lists hold (/proc/zoneinfo). Those are free too, but
# MemFree leaves them out, and they move by megabytes as a CPU goes
# offline for an instance and comes back.
memfree() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ { print $2 + pcp }' /proc/meminfo
}

# first_line CMD...: run CMD in the background, its output into a FIFO;
# sets t0 (before) and t1 (once the first line is in), bg (its PID) and
# line. CMD keeps running; a write after its first line gets SIGPIPE.
first_line() {
	rm -f "$FIFO"
	mkfifo "$FIFO"
	t0=$(now)
	"$@" > "$FIFO" 2>&1 &
	bg=$!
	read -r line < "$FIFO"
	t1=$(now)
}

# cmp_run NAME CPU "JOB ARGS": mkctl run instance NAME on CPU with $mem,
# this kernel and the suite's instance initramfs, cmpjob= and the rest of
# its command line in JOB ARGS (compare-instance-init.sh).
cmp_run() {
	mkctl run "$1" --cpus "$2" --mem "$mem" --kernel /boot/bzImage \
		--initrd $D/instance.cpio.gz --cmdline "console=ttyMK0 quiet kunit.enable=0 $3"
}

# ---- noisy neighbour: a victim beside a hog of its own kind -----------

# The victim (compare-victim.sh: cyclictest, latency percentiles) runs on
# CPU for $secs, beside a hog (compare-hog.sh) on CPU2 in a neighbour of
# the same kind: figures noisy-HOG p50, p99 and max, and the hog's
# progress, hog-HOG bogo_ops_per_s. HOG none is the victim alone. The
# hogs of MK_CMP_HOGS, one run each.
hogs=$(echo "${MK_CMP_HOGS:-none,vm}" | tr , ' ')

# hog_ops LEG BENCH HOG FILE: the figure of stressor HOG from stress-ng's
# output in FILE.
hog_ops() {
	v=$(awk -v h="$3" '$2 == "metrc:" && $4 == h && $5 ~ /^[0-9]/ { print $9 }' "$4" |
		head -n 1)
	if [ -n "$v" ]; then
		put "$1" "$2" bogo_ops_per_s 1/s 1 "$v"
	else
		err "$1" "$2: no stress-ng figures: $(tail -n 3 "$4" | tr '\n' ' ')"
	fi
}

# noisy_container HOG [high]: the victim in a container, the hog in
# another one without a memory limit, or (high) with memory.high $mem.
noisy_container() {
	b=noisy-$1${2:+-$2}
	if [ "$1" != none ]; then
		cg_max=max
		[ -z "$2" ] || cg_high=$mem
		# shellcheck disable=SC2046 # one word per argument
		container hg $CPU2 stress-ng $($D/compare-hog.sh "$1") --timeout 0 \
			--metrics-brief --temp-path /tmp > /tmp/hog.out 2>&1 &
		hpid=$!
		cg_max=
		cg_high=
		i=0
		until grep -q "dispatching hogs" /tmp/hog.out 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 600 ] || break
			sleep 0.1
		done
	fi
	container vc $CPU $D/compare-victim.sh container "$b" "$secs"
	container_stop vc
	[ "$1" != none ] || return 0
	# On SIGINT stress-ng stops its stressors and reports.
	for p in $(cat $CG/hg/cgroup.procs); do
		kill -INT "$p" 2>/dev/null
	done
	i=0
	until grep -q "metrc: \[[0-9]*\] $1 " /tmp/hog.out; do
		i=$((i + 1))
		[ $i -lt 300 ] || break
		sleep 0.1
	done
	hog_ops container "hog-$1${2:+-$2}" "$1" /tmp/hog.out
	container_stop hg
	wait $hpid 2>/dev/null
}

# noisy_instance HOG: the victim in an instance, the hog in another one.
noisy_instance() {
	if [ "$1" != none ]; then
		cmp_run cmph $CPU2 "cmpjob=hog cmphog=$1"
		if ! wait_console cmph "CMP-HOG: running" 300; then
			err instance "hog $1: $(mkctl console cmph 2>&1 | tail -n 5)"
			mkctl stop cmph --force >/dev/null 2>&1
			mkctl destroy cmph
			return
		fi
	fi
	cmp_run cmpv $CPU "cmpjob=victim cmpbench=noisy-$1 cmpsecs=$secs"
	if wait_console cmpv "CMP-VICTIM: done" $((secs * 20 + 300)); then
		mkctl console cmpv | tr -d '\r' | grep '^CMP leg='
	else
		err instance "victim beside $1: $(mkctl console cmpv 2>&1 | tail -n 5)"
	fi
	# It powers itself off when it is done.
	mkctl stop cmpv --force >/dev/null 2>&1
	mkctl destroy cmpv
	[ "$1" != none ] || return 0
	# A graceful stop: the hog's init stops stress-ng, which reports.
	mkctl stop cmph --timeout 60 >/dev/null 2>&1 || mkctl stop cmph --force >/dev/null 2>&1
	mkctl console cmph | tr -d '\r' > /tmp/hog.out
	hog_ops instance "hog-$1" "$1" /tmp/hog.out
	mkctl destroy cmph
}

# ---- escape paths: contain_probe in each leg --------------------------

# escapes LEG: read contain_probe's lines on stdin; one "CMP leg=LEG
# escape what=PATH got=ANSWER" line per path it tried (blanks as _), then
# the count of paths tried and of paths closed. Closed: refused before it
# reached anything (EPERM, EACCES), or nothing there to reach (ENOENT,
# ENODEV, ENXIO, ENOSYS). Any other answer leaves the path open: ALLOWED,
# or an error from past the permission check (ENOEXEC when kexec read the
# file it was given).
escapes() {
	e_tried=0
	e_closed=0
	while IFS= read -r l; do
		case "$l" in
		*"MK-CONTAIN: done"*) break ;;
		*"MK-CONTAIN: "*": "*) l=${l#*MK-CONTAIN: } ;;
		*) continue ;;
		esac
		got=${l##*: }
		e_tried=$((e_tried + 1))
		case "$got" in
		"refused EPERM" | "refused EACCES" | "refused ENOENT" | \
		"refused ENODEV" | "refused ENXIO" | "refused ENOSYS")
			e_closed=$((e_closed + 1)) ;;
		esac
		echo "CMP leg=$1 escape what=$(echo "${l%: *}" | tr ' ' _)" \
			"got=$(echo "$got" | tr ' ' _)"
	done
	if [ $e_tried = 0 ]; then
		err "$1" "escape paths: contain_probe printed nothing"
		return
	fi
	put "$1" escape tried count 1 $e_tried
	put "$1" escape closed count 1 $e_closed
}

# ---- host: a process pinned to CPU -----------------------------------

leg_host() {
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		a=$(now)
		b=$(now)
		put host stamp overhead ms $r "$(ms "$a" "$b")"
		first_line taskset -c $CPU sysbench --version
		wait $bg
		case "$line" in
		sysbench*) put host start first_line ms $r "$(ms "$t0" "$t1")" ;;
		*) err host "start: first line '$line'" ;;
		esac
		taskset -c $CPU sleep 100000 &
		bg=$!
		sleep 0.2
		t0=$(now)
		kill -9 $bg
		wait $bg 2>/dev/null
		t1=$(now)
		put host stop resources_back ms $r "$(ms "$t0" "$t1")"
	done
	taskset -c $CPU $D/compare-work.sh host "$runs" "$secs" $CPU
	# vsock over the kernel's loopback: the same socket family as the
	# KVM leg's messaging, without a guest.
	msg_baseline host 0 $CPU "pipe unix vsock"
	$KST/contain_probe | escapes host
}

# msg_each LEG CMD ARGS...: "CMD LEG RUN SIZE COUNT ARGS..." for every run
# and every SIZE:COUNT of MSG_SIZES.
msg_each() {
	leg=$1
	cmd=$2
	shift 2
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		for sn in $MSG_SIZES; do
			"$cmd" "$leg" $r "${sn%:*}" "${sn#*:}" "$@"
		done
	done
}

# msg_baseline LEG CPU-A CPU-B [TRANSPORTS]: ipc_bench round trips, 64
# and 4096 bytes, between CPU-A and CPU-B, over each of TRANSPORTS
# (default: pipe and unix, an AF_UNIX SOCK_SEQPACKET pair).
msg_baseline() {
	msg_each "$1" msg_ipc "$2" "$3" "${4:-pipe unix}"
}

# msg_ipc LEG RUN SIZE COUNT CPU-A CPU-B TRANSPORTS: one run of each.
msg_ipc() {
	for t in $7; do
		res=$($KST/ipc_bench -t $t -n "$4" -s "$3" -a "$5" -b "$6" 2>&1)
		v=$(echo "$res" | sed -n 's/.* rtt_ns=\([0-9.]*\).*/\1/p')
		if [ -n "$v" ]; then
			put "$1" "msg-$t-$3" rtt ns "$2" "$v"
		else
			err "$1" "ipc_bench $t $3: $res"
		fi
	done
}

# ---- container: namespaces in a cgroup v2 group ----------------------

cgroup_setup() {
	mkdir -p $CG
	mount -t cgroup2 none $CG 2>/dev/null
	echo "+cpuset +memory +pids" > $CG/cgroup.subtree_control
}

# container NAME CPU CMD...: CMD as the first process of a new container
# (cgroup NAME on CPU with memory.max $mem, or $cg_max and memory.high
# $cg_high when set, and pids.max $cg_pids when set; user namespace with
# root mapped to root, pid, mount with its own /proc and /tmp, net, uts,
# ipc).
container() {
	c=$CG/$1
	cpu=$2
	shift 2
	mkdir $c &&
		echo "$cpu" > $c/cpuset.cpus &&
		echo 0 > $c/cpuset.mems &&
		echo "${cg_max:-$mem}" > $c/memory.max &&
		echo "${cg_high:-max}" > $c/memory.high &&
		echo "${cg_pids:-max}" > $c/pids.max || return
	# RLIMIT_RTPRIO 1: cyclictest's main thread asks for SCHED_FIFO 1,
	# which root outside a user namespace gets anyway.
	# shellcheck disable=SC2016 # expanded by the inner shells
	sh -c 'echo $$ > "$0/cgroup.procs" && ulimit -r 1 &&
		exec unshare -U -r -p -f \
		-m -u -i -n --mount-proc sh -c "mount -t tmpfs tmpfs /tmp &&
		hostname cmp && exec \"\$@\"" sh "$@"' "$c" "$@"
}

# Kill everything in container NAME and remove its group.
container_stop() {
	echo 1 > "$CG/$1/cgroup.kill"
	while grep -q 'populated 1' "$CG/$1/cgroup.events"; do
		:
	done
	rmdir "$CG/$1"
}

# container_first WHAT NAME CPU: start container NAME on CPU; the time to
# its first line is figure WHAT (start, start2) of run $r.
container_first() {
	first_line container "$2" "$3" sh -c 'sysbench --version; exec sleep 100000'
	case "$line" in
	sysbench*) put container "$1" first_line ms "$r" "$(ms "$t0" "$t1")" ;;
	*) err container "$1: first line '$line'" ;;
	esac
}

leg_container() {
	cgroup_setup
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		m0=$(memfree)
		container_first start c1 $CPU
		bg1=$bg
		m1=$(memfree)
		put container memory host_kb kB $r $((m0 - m1))
		put container memory cgroup_kb kB $r $(($(cat $CG/c1/memory.current) / 1024))
		put container memory cgroup_kernel_kb kB $r \
			"$(awk '$1 == "kernel" { print $2 / 1024 }' $CG/c1/memory.stat)"
		# The second start with the first one running.
		container_first start2 c2 $CPU2
		bg2=$bg
		t0=$(now)
		container_stop c1
		t1=$(now)
		put container stop resources_back ms $r "$(ms "$t0" "$t1")"
		container_stop c2
		wait "$bg1" "$bg2" 2>/dev/null
	done
	container cw $CPU $D/compare-work.sh container "$runs" "$secs" $CPU
	container_stop cw
	container cm $CPU "$0" msg-in-container
	container_stop cm
	container cs $CPU $KST/contain_probe | escapes container
	container_stop cs
	for h in $hogs; do
		noisy_container "$h"
		[ "$h" != vm ] || noisy_container vm high
	done
}

# ---- instance: mkctl run on CPU and $mem -----------------------------

pool_back() {	# wait until pool_free is $1 and CPU is online again
	i=0
	while [ "$(cat $MK/pool_free)" != "$1" ] ||
	      [ "$(cat /sys/devices/system/cpu/cpu$2/online)" != 1 ]; do
		i=$((i + 1))
		[ $i -lt 100000 ] || return 1
	done
}

# wait_console NAME TEXT SECONDS: wait for TEXT on the console of NAME,
# read by mkctl console --follow (it looks every 100 ms without starting
# a process: a CPU-hungry poll would take emulation time from the
# instance, which shares QEMU's one thread under TCG).
wait_console() {
	rm -f "$FIFO"
	mkfifo "$FIFO"
	mkctl console "$1" --follow > "$FIFO" 2>/dev/null &
	fpid=$!
	(sleep "$3"; kill $fpid 2>/dev/null) &
	gpid=$!
	grep -m 1 -qF "$2" < "$FIFO"
	rc=$?
	kill $fpid $gpid 2>/dev/null
	wait $fpid $gpid 2>/dev/null
	return $rc
}

inst_start() {	# NAME CPU CMDLINE: sets t0, t1 (load done), t2 (first line)
	t0=$(now)
	mkctl create "$1" --cpus "$2" --mem "$mem" &&
		mkctl load "$1" --kernel /boot/bzImage --initrd $D/instance.cpio.gz \
			--cmdline "console=ttyMK0 quiet kunit.enable=0 $3" || return
	t1=$(now)
	mkctl start "$1" || return
	wait_console "$1" "sysbench 1." 300 || return
	t2=$(now)
}

leg_instance() {
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		free0=$(cat $MK/pool_free)
		m0=$(memfree)
		if ! inst_start cmp1 $CPU cmpjob=start; then
			err instance "start: $(mkctl console cmp1 2>&1 | tail -n 5)"
			mkctl destroy cmp1 2>/dev/null
			continue
		fi
		put instance start first_line ms $r "$(ms "$t0" "$t2")"
		put instance start load ms $r "$(ms "$t0" "$t1")"
		put instance start boot ms $r "$(ms "$t1" "$t2")"
		up=$(mkctl console cmp1 | sed -n 's/^CMP-INSTANCE: uptime //p' | head -n 1)
		[ -z "$up" ] || put instance start own_uptime ms $r \
			"$(awk -v u="$up" 'BEGIN { print u * 1000 }')"
		m1=$(memfree)
		free1=$(cat $MK/pool_free)
		put instance memory host_kb kB $r $((m0 - m1))
		put instance memory pool_kb kB $r $(((free0 - free1) / 1024))
		if inst_start cmp2 $CPU2 cmpjob=start; then
			put instance start2 first_line ms $r "$(ms "$t0" "$t2")"
		else
			err instance "second start: $(mkctl console cmp2 2>&1 | tail -n 5)"
		fi
		# What cmp1 took comes back to what is free now.
		back=$(($(cat $MK/pool_free) + free0 - free1))
		t0=$(now)
		mkctl stop cmp1 --timeout 60 >/dev/null && mkctl destroy cmp1 &&
			pool_back "$back" $CPU
		t1=$(now)
		put instance stop resources_back ms $r "$(ms "$t0" "$t1")"
		t0=$(now)
		mkctl stop cmp2 --force >/dev/null && mkctl destroy cmp2 &&
			pool_back "$free0" $CPU2
		t1=$(now)
		put instance stop_force resources_back ms $r "$(ms "$t0" "$t1")"
	done

	cmp_run cmpw $CPU "cmpjob=work cmpruns=$runs cmpsecs=$secs"
	if wait_console cmpw "CMP leg=instance done" $((runs * secs * 20 + 600)); then
		mkctl console cmpw | tr -d '\r' | grep '^CMP '
	else
		err instance "work: $(mkctl console cmpw 2>&1 | tail -n 5)"
	fi
	# It powers itself off when it is done.
	mkctl stop cmpw --force >/dev/null 2>&1
	mkctl destroy cmpw

	cmp_run cmpe $CPU cmpjob=echo
	if wait_console cmpe "msgdev_echo: ready" 300; then
		msg_instance
	else
		err instance "echo: $(mkctl console cmpe 2>&1 | tail -n 5)"
	fi
	mkctl stop cmpe --force >/dev/null
	mkctl destroy cmpe

	cmp_run cmps $CPU cmpjob=contain
	if wait_console cmps "MK-CONTAIN: done" 300; then
		mkctl console cmps | tr -d '\r' | escapes instance
	else
		err instance "escape paths: $(mkctl console cmps 2>&1 | tail -n 5)"
	fi
	# It powers itself off when it is done.
	mkctl stop cmps --force >/dev/null 2>&1
	mkctl destroy cmps
	for h in $hogs; do
		noisy_instance "$h"
	done
}

# ---- fault isolation: a fault in one of a leg's kind, beside another ----
#
# A trial: a neighbour of the victim's kind on $CPU2 and the host itself
# (on CPU 0) hash data of their own again and again (compare-check.sh);
# the victim, on $CPU, does fault F; $ISO_WAIT s later figures fault-F:
#   host_ok       1 when the host's hashing went on, every pass intact
#   neighbour_ok  the same for the neighbour
#   host_tainted  1 when the trial tainted the host kernel (an oops in it)
#   crashed       1 when the host shows the victim instance crashed
#   detect_ms     from the fault to that state
#   recover_ms    from stopping the victim to a replacement of its kind
#                 on $CPU printing its first line
# Faults: memhog and forkbomb (compare-abuse.sh) from userspace; in an
# instance also the kernel faults of the test kernel's fault file. A
# kernel fault in a container is the host kernel's: it has a boot of its
# own (leg_cfault). One trial each, the faults of MK_CMP_FAULTS.

faults=$(echo "${MK_CMP_FAULTS:-memhog}" | tr , ' ')
# The LKDTM fault of leg_cfault, empty elsewhere.
cfault=
ISO_WAIT=$((secs * 2 > 5 ? secs * 2 : 5))
# MK_CMP_TRIALS: trials of each fault (1), the runs of its figures; the
# faults are taken in turn, all once, then all again.
trials=${MK_CMP_TRIALS:-1}
trial=1

# check_passes FILE ok|bad: how many passes of compare-check.sh in FILE.
check_passes() {
	grep -c "CMP-CHECK: pass [0-9]* $2" "$1"
}

# wait_file FILE TEXT SECONDS: until FILE holds TEXT.
wait_file() {
	i=0
	until grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

host_check_start() {
	taskset -c 0 $D/compare-check.sh > /tmp/host-check.out 2>&1 &
	host_check=$!
	wait_file /tmp/host-check.out "pass 1 " 120
}

host_check_stop() {
	kill "$host_check" 2>/dev/null
	wait "$host_check" 2>/dev/null
}

# iso_mark: before the fault, the passes so far and the host's taint.
iso_mark() {
	h0=$(check_passes /tmp/host-check.out ok)
	n0=$(check_passes /tmp/nb.out ok)
	taint0=$(cat /proc/sys/kernel/tainted)
}

# iso_progress [REFRESH]: wait, at most 60 s, until the host and the
# neighbour each finished an intact pass since iso_mark; REFRESH, when
# given, brings /tmp/nb.out up to date first (an instance neighbour's
# console). A pass may take longer than the trial's wait on a busy
# machine, or in guest time under -icount: slow is not dead.
iso_progress() {
	i=0
	while [ $i -lt 60 ]; do
		[ $# -eq 0 ] || "$@"
		[ "$(check_passes /tmp/host-check.out ok)" -gt "$h0" ] &&
			[ "$(check_passes /tmp/nb.out ok)" -gt "$n0" ] && return 0
		i=$((i + 1))
		sleep 1
	done
	return 1
}

# nb_console: the instance neighbour's passes so far, into /tmp/nb.out.
nb_console() {
	mkctl console cmpn | tr -d '\r' > /tmp/nb.out
}

# iso_judge LEG BENCH: host_ok, neighbour_ok and host_tainted, after the
# wait, from /tmp/host-check.out and /tmp/nb.out. The host kernel may be
# tainted before (the host leg's escape paths write an MSR): what counts
# is a taint the trial added.
iso_judge() {
	h1=$(check_passes /tmp/host-check.out ok)
	n1=$(check_passes /tmp/nb.out ok)
	ok=0
	[ "$h1" -gt "$h0" ] && [ "$(check_passes /tmp/host-check.out bad)" = 0 ] && ok=1
	put "$1" "$2" host_ok bool "$trial" $ok
	ok=0
	[ "$n1" -gt "$n0" ] && [ "$(check_passes /tmp/nb.out bad)" = 0 ] && ok=1
	put "$1" "$2" neighbour_ok bool "$trial" $ok
	ok=0
	[ "$(cat /proc/sys/kernel/tainted)" = "$taint0" ] || ok=1
	put "$1" "$2" host_tainted bool "$trial" $ok
}

# container_trial BENCH PIDS CMD...: the victim, a container with
# pids.max PIDS running CMD, beside a neighbour container; the figures of
# BENCH. With $cfault set (leg_cfault), says before CMD that it does that
# fault and after the wait that the host lived through it.
container_trial() {
	b=$1
	pids=$2
	shift 2
	container nb $CPU2 $D/compare-check.sh > /tmp/nb.out 2>&1 &
	if ! wait_file /tmp/nb.out "pass 1 " 120; then
		err container "$b: no neighbour: $(tail -n 3 /tmp/nb.out)"
		container_stop nb
		return
	fi
	iso_mark
	[ -z "$cfault" ] || echo "CMP cfault: triggering $cfault"
	cg_pids=$pids
	container fv $CPU "$@" > /tmp/fv.out 2>&1 &
	cg_pids=
	sleep $ISO_WAIT
	iso_progress || true
	iso_judge container "$b"
	[ -z "$cfault" ] || echo "CMP cfault: the host lived through $cfault"
	ts=$(now)
	container_stop fv
	first_line container cr $CPU sh -c 'sysbench --version; exec sleep 100000'
	case "$line" in
	sysbench*) put container "$b" recover_ms ms "$trial" "$(ms "$ts" "$t1")" ;;
	*) err container "$b: replacement's first line '$line'" ;;
	esac
	container_stop cr
	container_stop nb
}

# iso_container FAULT: abuse from a container (pids.max 1024 besides its
# memory.max).
iso_container() {
	container_trial "fault-$1" 1024 $D/compare-abuse.sh "$1"
}

# iso_instance FAULT: the victim in an instance, the neighbour in another.
iso_instance() {
	b=fault-$1
	cmp_run cmpn $CPU2 cmpjob=check
	if ! wait_console cmpn "CMP-CHECK: pass 1 " 300; then
		err instance "$b: no neighbour: $(mkctl console cmpn 2>&1 | tail -n 3)"
		mkctl stop cmpn --force >/dev/null 2>&1
		mkctl destroy cmpn
		return
	fi
	mkctl console cmpn | tr -d '\r' > /tmp/nb.out
	iso_mark
	cmp_run cmpf $CPU "cmpjob=fault cmpfault=$1"
	if wait_console cmpf "CMP-FAULT: doing" 300; then
		ts=$(now)
		i=0
		while [ "$(cat $MK/instances/cmpf/state)" != crashed ] &&
		      [ $i -lt $((ISO_WAIT * 10)) ]; do
			i=$((i + 1))
			sleep 0.1
		done
		te=$(now)
		if [ "$(cat $MK/instances/cmpf/state)" = crashed ]; then
			put instance "$b" crashed bool "$trial" 1
			put instance "$b" detect_ms ms "$trial" "$(ms "$ts" "$te")"
		else
			put instance "$b" crashed bool "$trial" 0
		fi
		# The rest of the wait, for the neighbour and the host.
		sleep $(((ISO_WAIT * 10 - i + 9) / 10))
		iso_progress nb_console || true
		iso_judge instance "$b"
	else
		err instance "$b: the victim did not start: $(mkctl console cmpf 2>&1 | tail -n 3)"
	fi
	ts=$(now)
	mkctl stop cmpf --force >/dev/null 2>&1
	mkctl destroy cmpf
	if inst_start cmpr $CPU cmpjob=start; then
		put instance "$b" recover_ms ms "$trial" "$(ms "$ts" "$t2")"
	else
		err instance "$b: replacement: $(mkctl console cmpr 2>&1 | tail -n 3)"
	fi
	mkctl stop cmpr --force >/dev/null 2>&1
	mkctl destroy cmpr 2>/dev/null
	mkctl stop cmpn --force >/dev/null 2>&1
	mkctl destroy cmpn
}

# Container and instance faults of MK_CMP_FAULTS in one boot; the kernel
# faults only in an instance.
leg_isolation() {
	cgroup_setup
	host_check_start || { err container "fault isolation: no host check"; return; }
	for trial in $(seq "$trials"); do
		for f in $faults; do
			case "$f" in
			memhog | forkbomb) iso_container "$f" ;;
			esac
			iso_instance "$f"
		done
	done
	trial=1
	host_check_stop
}

# A kernel fault in a container: LKDTM's MK_CMP_FAULT (PANIC, BUG, ...)
# written from inside it to the host kernel's debugfs, which a container
# whose root is the host's root can. Its own boot: the host may not live
# through it. The guest says "CMP cfault: triggering" before; what it
# cannot say after a panic, compare.sh reads from the console.
leg_cfault() {
	f=$(echo "${MK_CMP_FAULT:-panic}" | tr a-z A-Z)
	cgroup_setup
	host_check_start || { err container "fault-lkdtm: no host check"; return; }
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	cfault=$f
	container_trial "fault-lkdtm-$(echo "$f" | tr A-Z a-z)" max \
		sh -c "echo $f > /sys/kernel/debug/provoke-crash/DIRECT"
	host_check_stop
}

# ---- kvm: Debian's QEMU with -enable-kvm, vCPU on CPU --------------------

# kvm_qemu CPU CMDLINE: QEMU for a guest of the KVM leg, every thread on
# CPU. Run it in the background only (it execs QEMU, so that $! is
# QEMU), with its console, QEMU's stdout, where the caller wants it. QEMU's microvm
# machine without ACPI or option ROMs, one vCPU, $mem, this kernel and
# the instance's initramfs, a quiet serial console on QEMU's stdout. With
# its RTC: without one the CMOS ports read 0xff, whose update-in-progress
# bit never clears, and the guest kernel polls it for a second at each
# of its RTC reads, two port I/O exits a poll (notes in comparison.rst).
# $KVM_DEVICES: more of QEMU's arguments (the messaging boot's vsock);
# $KVM_MON: the FIFOs of its monitor (kvm_diag).
kvm_qemu() {
	# exec: the caller's $! is QEMU itself, which kill then stops.
	exec taskset -c "$1" qemu-system-x86_64 -enable-kvm -cpu host \
		-M microvm,acpi=off,x-option-roms=off,rtc=on -smp 1 -m "$mem" \
		-kernel /boot/bzImage -initrd $D/instance.cpio.gz \
		-append "console=ttyS0 quiet kunit.enable=0 $2${MK_CMP_KVM_TRACE:+ ignore_loglevel nokaslr}" \
		-nodefaults -display none -no-reboot -serial stdio $KVM_DEVICES \
		${KVM_MON:+-monitor pipe:$KVM_MON} < /dev/null
}

# kvm_diag NAME: what a stalled guest NAME was doing, to the console as
# "KVM-DIAG" lines: its registers and local APIC from QEMU's monitor,
# this kernel's view of its vCPU, and the last KVM trace events when
# MK_CMP_KVM_TRACE=1 turned them on (kvm_trace_on).
kvm_diag() {
	m=/tmp/$1.mon
	if [ -p "$m.in" ]; then
		printf 'info registers\ninfo lapic\n' > "$m.in"
		sleep 1
		printf 'info registers\n' > "$m.in"
		timeout 3 cat "$m.out" | tr -d '\r' | grep -v '^(qemu)' |
			sed "s/^/KVM-DIAG $1 monitor: /" | head -n 80
	fi
	for f in /sys/kernel/debug/kvm/*/vcpu0/*; do
		[ -f "$f" ] && echo "KVM-DIAG $1 ${f#/sys/kernel/debug/kvm/}: $(head -c 200 "$f" 2>/dev/null | tr '\n' ' ')"
	done
	grep -E 'LOC|TRM|CAL' /proc/interrupts | sed "s/^/KVM-DIAG $1 irqs: /"
	if [ -n "${MK_CMP_KVM_TRACE:-}" ]; then
		tail -n 300 /sys/kernel/tracing/trace | sed "s/^/KVM-DIAG $1 trace: /"
	fi
}

# kvm_trace_on: with MK_CMP_KVM_TRACE=1, KVM's exits, MSR writes, wakeups,
# injected interrupts and clock updates into the trace buffer, whose tail
# kvm_diag prints.
kvm_trace_on() {
	[ -n "${MK_CMP_KVM_TRACE:-}" ] || return 0
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	t=/sys/kernel/tracing
	echo 1024 > $t/buffer_size_kb
	for e in kvm/kvm_exit kvm/kvm_msr kvm/kvm_vcpu_wakeup kvm/kvm_inj_virq \
		 kvm/kvm_apic_accept_irq kvm/kvm_entry kvm/kvm_pvclock_update \
		 kvm/kvm_update_master_clock kvm/kvm_track_tsc kvm/kvm_write_tsc_offset; do
		echo 1 > "$t/events/$e/enable" 2>/dev/null
	done
	echo 1 > $t/tracing_on
}

# The guest: QEMU's microvm machine without ACPI, one vCPU, $mem, this
# kernel and the instance's initramfs, a quiet serial console on QEMU's
# stdout, read here through a FIFO on descriptor 3 as lines come (no
# polling that would take the CPU from the guest). Every thread of QEMU
# runs on CPU. A guard kills QEMU after SECONDS, kvm_diag first.
kvm_start() {	# NAME SECONDS CMDLINE: sets kpid, kguard; log in /tmp/NAME.log
	rm -f "$FIFO" "/tmp/$1.log" "/tmp/$1.mon.in" "/tmp/$1.mon.out"
	mkfifo "$FIFO" "/tmp/$1.mon.in" "/tmp/$1.mon.out"
	KVM_MON=/tmp/$1.mon
	kvm_qemu $CPU "$3" > "$FIFO" 2> "/tmp/$1.qemu" &
	KVM_MON=
	kpid=$!
	exec 3< "$FIFO"
	klog=/tmp/$1.log
	kguard=
	kvm_guard "$2"
}

# kvm_guard SECONDS: from now, kill the guest of kvm_start after SECONDS
# (what it was doing first, kvm_diag), instead of when its guard said.
kvm_guard() {
	[ -z "$kguard" ] || kill "$kguard" 2>/dev/null
	(sleep "$1"; kvm_diag "$(basename "$klog" .log)" >&2; kill $kpid 2>/dev/null) &
	kguard=$!
}

kvm_stop() {	# kill QEMU $kpid and reap it
	kill "$kpid" 2>/dev/null
	wait "$kpid" 2>/dev/null
	exec 3<&-
	kill "$kguard" 2>/dev/null
	wait "$kguard" 2>/dev/null
}

kvm_stat() {	# a counter of the live VMs (/sys/kernel/debug/kvm)
	cat "/sys/kernel/debug/kvm/$1" 2>/dev/null || echo 0
}

# kvm_line TEXT: read the guest's lines until one has TEXT (in $kline);
# fails when QEMU ends first.
kvm_line() {
	while IFS= read -r kline <&3; do
		kline=$(echo "$kline" | tr -d '\r')
		echo "$kline" >> "$klog"
		case "$kline" in
		*"$1"*) return 0 ;;
		esac
	done
	return 1
}

kvm_tail() {	# the last lines of the guest and of QEMU
	tail -n 3 "$klog" "${klog%.log}.qemu" 2>/dev/null | tr '\n' ' '
}

# The stall workaround of notes/kvm-leg.md: harness/compare.sh sends a
# byte to ttyS2 every 2 s; with the port open its interrupt wakes this
# kernel when it has lost a timer wakeup.
kvm_kick_start() {
	stty -F /dev/ttyS2 raw -echo 2>/dev/null
	cat /dev/ttyS2 > /dev/null &
	kick=$!
}

kvm_kick_stop() {
	kill "$kick"
	wait "$kick" 2>/dev/null
}

KVM_COUNTERS="exits io_exits mmio_exits irq_exits halt_exits pf_fixed irq_injections"

kvm_usable() {
	if [ -c /dev/kvm ] && command -v qemu-system-x86_64 >/dev/null; then
		kvm_tsc_tolerance
		return 0
	fi
	err kvm "no /dev/kvm or no qemu-system-x86_64"
	return 1
}

# khz TEXT: the kHz of dmesg's TSC rate line "tsc: TEXT 2597.552 MHz".
khz() {
	dmesg | sed -n "s/.*tsc: $1 \([0-9]*\)\.\([0-9]*\) MHz.*/\1\2/p" | head -n 1
}

# kvm_tsc_tolerance: lets KVM give its guests the TSC rate it measured.
# KVM takes the TSC rate for its VMs when it loads, from the early
# calibration; the refined one comes a second later. Without a constant
# TSC (TCG has none) and without TSC scaling, KVM refuses a VM a rate
# more than tsc_tolerance_ppm (250) from the refined one ("user requested
# TSC rate below hardware speed") and leaves its vCPU's TSC ratio at 0:
# it then reads the guest's TSC as a constant and arms the guest's
# TSC-deadline timer for this kernel's uptime, so a nested guest sleeps
# for minutes early in its boot. The tolerance is raised to cover the
# gap; the nested guests' clocks run that many ppm off, which is printed.
# MK_CMP_KVM_TSC_PPM sets the tolerance instead: 0 shows the stall
# whenever the early rate came out below the refined one.
kvm_tsc_tolerance() {
	early=$(khz Detected)
	refined=$(khz "Refined TSC clocksource calibration:")
	if [ -z "$early" ] || [ -z "$refined" ]; then
		ppm=100000
		echo "KVM: TSC calibration not in dmesg: tolerance $ppm ppm"
	else
		ppm=$(( (early - refined) * 1000000 / refined ))
		ppm=${ppm#-}
		echo "KVM: TSC early $early kHz, refined $refined kHz: nested guests' clocks are $ppm ppm off"
		ppm=$((ppm + 250))
	fi
	ppm=${MK_CMP_KVM_TSC_PPM:-$ppm}
	echo "$ppm" > /sys/module/kvm/parameters/tsc_tolerance_ppm
}

leg_kvm() {
	kvm_usable || return
	kvm_trace_on
	wait_s=${MK_CMP_KVM_WAIT:-300}
	kvm_kick_start
	tried=0
	ok=0
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		m0=$(memfree)
		tried=$((tried + 1))
		t0=$(now)
		kvm_start kvm1 "$wait_s" cmpjob=start
		if ! kvm_line "sysbench 1."; then
			err kvm "start $r: no first line in ${wait_s}s (stalled or failed): $(kvm_tail)"
			kvm_stop
			continue
		fi
		t1=$(now)
		ok=$((ok + 1))
		put kvm start first_line ms $r "$(ms "$t0" "$t1")"
		for c in $KVM_COUNTERS; do
			put kvm boot_exits "$c" count $r "$(kvm_stat "$c")"
		done
		if kvm_line "CMP-INSTANCE: uptime"; then
			put kvm start own_uptime ms $r \
				"$(echo "$kline" | awk '{ print $3 * 1000 }')"
		fi
		m1=$(memfree)
		put kvm memory host_kb kB $r $((m0 - m1))
		put kvm memory qemu_rss_kb kB $r \
			"$(awk '$1 == "VmRSS:" { print $2 }' /proc/$kpid/status)"
		put kvm memory qemu_pte_kb kB $r \
			"$(awk '$1 == "VmPTE:" { print $2 }' /proc/$kpid/status)"
		t0=$(now)
		kvm_stop
		t1=$(now)
		put kvm stop resources_back ms $r "$(ms "$t0" "$t1")"
	done

	tried=$((tried + 1))
	kvm_start kvmw $((runs * secs * 20 + 900)) \
		"cmpjob=work cmpleg=kvm cmpruns=$runs cmpsecs=$secs"
	kvm_monitor && ok=$((ok + 1))
	kvm_stop

	# Messaging: round trips with an echo in the guest over vsock
	# (vhost-vsock, the guest's context $KVM_CID), the KVM counterpart of
	# an instance's datagrams.
	tried=$((tried + 1))
	KVM_DEVICES="-device vhost-vsock-device,guest-cid=$KVM_CID"
	kvm_start kvmm "$wait_s" "cmpjob=vsock cmpport=$KVM_PORT"
	KVM_DEVICES=
	if kvm_line "vsock echo listening"; then
		ok=$((ok + 1))
		msg_each kvm msg_vsock
	else
		err kvm "messaging: no vsock echo in ${wait_s}s: $(kvm_tail)"
	fi
	kvm_stop

	# The escape paths, as root in the guest: what it reaches there is
	# the guest's own emulated machine.
	tried=$((tried + 1))
	kvm_start kvms "$wait_s" cmpjob=contain
	if kvm_line "MK-CONTAIN: done"; then
		ok=$((ok + 1))
		escapes kvm < "$klog"
	else
		err kvm "escape paths: no probe result in ${wait_s}s: $(kvm_tail)"
	fi
	kvm_stop
	kvm_kick_stop
	put kvm boots tried count 1 $tried
	put kvm boots succeeded count 1 $ok
}

# The KVM guest's vsock context and the port of its echo.
KVM_CID=3
KVM_PORT=5000
KVM_DEVICES=

# msg_vsock LEG RUN SIZE COUNT: one run of ipc_bench against the echo in
# the KVM guest, and the VM exits a round trip took (what carries over to
# hardware).
msg_vsock() {
	x0=$(kvm_stat exits)
	res=$(taskset -c $CPU $KST/ipc_bench -t vsock -c $KVM_CID:$KVM_PORT -n "$4" -s "$3" \
		-a $CPU 2>&1)
	x1=$(kvm_stat exits)
	v=$(echo "$res" | sed -n 's/.* rtt_ns=\([0-9.]*\).*/\1/p')
	if [ -n "$v" ]; then
		put "$1" "msg-vsock-$3" rtt ns "$2" "$v"
		put "$1" "msg-vsock-$3" exits_per_rtt count "$2" \
			"$(awk -v d=$((x1 - x0)) -v n="$4" 'BEGIN { printf "%.1f", d / n }')"
	else
		err "$1" "ipc_bench vsock $3: $res"
	fi
}

# ---- kvmiso: fault isolation in the KVM leg ---------------------------

# kvm_exited: has QEMU $kpid ended (it stays a zombie until kvm_stop)?
kvm_exited() {
	[ ! -d "/proc/$kpid" ] || grep -q '^State:[[:space:]]*Z' "/proc/$kpid/status" 2>/dev/null
}

# kvm_first LINE: wait for the first line LINE of the guest kvm_start
# started; the time it came in $t1. Fails when it did not in $wait_s.
# A guest that came up gets the time of a trial (KVM_TRIAL_S) from then.
kvm_first() {
	kvm_line "$1" || return 1
	t1=$(now)
	kvm_guard $KVM_TRIAL_S
}

# How long a trial may keep a KVM victim, and how long a crashed one may
# take until its QEMU ends: a panicking guest prints its last words over
# the emulated serial port, an exit a character, before it resets.
KVM_TRIAL_S=600
KVM_DETECT_S=30

# iso_kvm FAULT NEXT: the victim, a KVM guest doing FAULT, beside the
# neighbour guest. A guest that panics resets at once (panic=-1
# reboot=t) and -no-reboot ends its QEMU: the VMM sees the crash when its
# QEMU exits, within KVM_DETECT_S. The victim's
# replacement is the guest after it: the next trial's victim (NEXT, its
# first line "CMP-FAULT: doing"), or for the last a guest that prints
# sysbench's first line; recover_ms runs from the victim's stop to that
# line, as an instance's replacement does from its stop.
iso_kvm() {
	b=fault-$1
	if [ -z "$kvm_next" ]; then
		kvm_start kvmf "$wait_s" "cmpjob=fault cmpfault=$1 panic=-1 reboot=t"
		kvm_first "CMP-FAULT: doing" || {
			err kvm "$b: the victim did not start in ${wait_s}s: $(kvm_tail)"
			kvm_stop
			return
		}
	fi
	kvm_next=
	iso_mark
	ts=$(now)
	i=0
	while ! kvm_exited && [ $i -lt $((KVM_DETECT_S * 10)) ]; do
		i=$((i + 1))
		sleep 0.1
	done
	te=$(now)
	if kvm_exited; then
		put kvm "$b" crashed bool "$trial" 1
		put kvm "$b" detect_ms ms "$trial" "$(ms "$ts" "$te")"
	else
		put kvm "$b" crashed bool "$trial" 0
	fi
	# The rest of the wait, if any, for the neighbour and the host.
	[ $i -ge $((ISO_WAIT * 10)) ] || sleep $(((ISO_WAIT * 10 - i + 9) / 10))
	iso_progress || true
	iso_judge kvm "$b"
	ts=$(now)
	t1=
	kvm_stop
	if [ -n "$2" ]; then
		kvm_start kvmf "$wait_s" "cmpjob=fault cmpfault=$2 panic=-1 reboot=t"
		if kvm_first "CMP-FAULT: doing"; then
			kvm_next=1
		else
			err kvm "fault-$2: the victim did not start in ${wait_s}s: $(kvm_tail)"
			kvm_stop
			return
		fi
	else
		kvm_start kvmr "$wait_s" cmpjob=start
		kvm_first "sysbench 1." ||
			err kvm "$b: replacement: no first line in ${wait_s}s: $(kvm_tail)"
	fi
	[ -z "$t1" ] || put kvm "$b" recover_ms ms "$trial" "$(ms "$ts" "$t1")"
	[ -n "$2" ] || kvm_stop
}

# The fault isolation trials of MK_CMP_FAULTS in KVM guests, one after
# another beside one neighbour guest (compare-check.sh) on CPU $CPU2, or
# on $CPU when this machine has no other CPU, started once for all.
leg_kvmiso() {
	kvm_usable || return
	kvm_trace_on
	wait_s=${MK_CMP_KVM_WAIT:-300}
	nb_cpu=$CPU2
	[ "$nb_cpu" -lt "$(nproc)" ] || nb_cpu=$CPU
	kvm_kick_start
	if ! host_check_start; then
		err kvm "fault isolation: no host check"
		kvm_kick_stop
		return
	fi
	rm -f /tmp/kvmn.mon.in /tmp/kvmn.mon.out
	mkfifo /tmp/kvmn.mon.in /tmp/kvmn.mon.out
	KVM_MON=/tmp/kvmn.mon
	kvm_qemu $nb_cpu cmpjob=check > /tmp/nb.out 2> /tmp/kvmn.qemu &
	nbpid=$!
	KVM_MON=
	if ! wait_file /tmp/nb.out "pass 1 " "$wait_s"; then
		kvm_diag kvmn >&2
		err kvm "fault isolation: no neighbour guest in ${wait_s}s: $(tail -n 3 /tmp/nb.out)"
	else
		kvm_next=
		# Every trial of every fault in one chain: each victim is
		# the replacement of the one before.
		chain=
		for _ in $(seq "$trials"); do chain="$chain $faults"; done
		set -- $chain
		nf=$(echo $faults | wc -w)
		k=0
		while [ $# -gt 0 ]; do
			t1=
			trial=$((k / nf + 1))
			iso_kvm "$1" "${2:-}"
			k=$((k + 1))
			shift
		done
		trial=1
	fi
	kill $nbpid 2>/dev/null
	wait $nbpid 2>/dev/null
	host_check_stop
	kvm_kick_stop
}

# kvm_monitor: pass on the guest's CMP lines as they come, each
# workload's with the VM exits (and what caused them) counted since the
# workload before it, until the guest says done.
kvm_monitor() {
	last=""
	for c in $KVM_COUNTERS; do eval "prev_$c=$(kvm_stat "$c")"; done
	while kvm_line "CMP "; do
		echo "$kline"
		case "$kline" in
		"CMP leg=kvm done"*) return 0 ;;
		*" bench=irq-"*) continue ;;
		esac
		# The first figure of a workload ends its count.
		b=$(echo "$kline" | sed -n 's/.* bench=\([^ ]*\) .* run=\([0-9]*\) .*/\1 \2/p')
		[ -n "$b" ] && [ "$b" != "$last" ] || continue
		last=$b
		for c in $KVM_COUNTERS; do
			v=$(kvm_stat "$c")
			d=0
			eval "d=\$((v - prev_$c))"
			eval "prev_$c=$v"
			# shellcheck disable=SC2086 # bench and run
			put kvm "exits-${b% *}" "$c" count ${b#* } "$d"
		done
	done
	err kvm "work: QEMU ended before the guest was done (stalled?): $(kvm_tail)"
	return 1
}

# Datagram round trips with msgdev_echo in instance cmpe, from CPU 0.
msg_instance() {
	msg_each instance msg_datagram
}

# msg_datagram LEG RUN SIZE COUNT: one run of msgdev_client.
msg_datagram() {
	res=$(taskset -c 0 $KST/msgdev_client -n "$4" -s "$3" /dev/mkmsg/cmpe 2>&1)
	v=$(echo "$res" | sed -n 's/.*, \([0-9.]*\) us each.*/\1/p')
	if [ -n "$v" ]; then
		put "$1" "msg-datagram-$3" rtt ns "$2" \
			"$(awk -v v="$v" 'BEGIN { print v * 1000 }')"
	else
		err "$1" "msgdev_client $3: $res"
	fi
}

# Sizes and round trips of the messaging figures.
MSG_SIZES="64:${MK_CMP_MSGS:-2000} 4096:$((${MK_CMP_MSGS:-2000} / 4))"

case "$1" in
msg-in-container)
	# Inside the container: both ends on its one CPU.
	msg_baseline container $CPU $CPU
	exit 0
	;;
esac

echo "CMP config hogs=$hogs"
echo "CMP config faults=$faults"
echo "CMP config runs=$runs secs=$secs mem=$mem cpu=$CPU legs=$legs"
echo "CMP config kernel $(uname -r) cpus=$(nproc) $(grep MemTotal /proc/meminfo | tr -s ' ')"
for l in $legs; do
	echo "== leg $l"
	"leg_$l"
done
echo "CMP end"
