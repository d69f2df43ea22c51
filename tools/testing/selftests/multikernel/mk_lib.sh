#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shell helpers of the multikernel scenario tests: checks that they can
# run, spawning instances with mkctl, bounded waits for states and console
# lines. Sourced after ktap_helpers.sh; the test sets MEM and NAMES (the
# instances cleanup() removes). Waits never assert how long something took.

MK=/sys/kernel/multikernel
# The host's per-instance debugfs files (mk_require_debugfs).
DBG=/sys/kernel/debug/multikernel
# What the init of MK_INSTANCE_INITRD prints on its console, named by
# whoever provides that initramfs (the harness does): MK_INSTANCE_UP once
# it runs, MK_INSTANCE_STOPPING when the host asks it to shut down.
LINE=$MK_INSTANCE_UP
# Seconds to wait for an instance to boot, stop or power off (TCG is slow;
# a debug kernel more so: MK_BOOT_WAIT and MK_STOP_WAIT override). Tests
# give instances MK_INSTANCE_MEM (64M unless set; a debug kernel needs
# more).
BOOT_WAIT=${MK_BOOT_WAIT:-120}
STOP_WAIT=${MK_STOP_WAIT:-60}
CON=/tmp/mk_lib.con.$$
OUT=/tmp/mk_lib.out.$$

# mk_require POOL: skip the whole test unless mkctl, /dev/multikernel, the
# instance kernel and initramfs, a pool of POOL bytes and CPUs 2 and 3 are
# there.
mk_require() {
	why=
	if ! command -v mkctl >/dev/null 2>&1; then
		why="mkctl is not installed"
	elif [ ! -e /dev/multikernel ]; then
		why="no /dev/multikernel: kernel without CONFIG_MULTIKERNEL"
	elif [ -z "$MK_INSTANCE_KERNEL" ] || [ -z "$MK_INSTANCE_INITRD" ]; then
		why="MK_INSTANCE_KERNEL and MK_INSTANCE_INITRD are not set"
	elif [ -z "$MK_INSTANCE_UP" ] || [ -z "$MK_INSTANCE_STOPPING" ]; then
		why="MK_INSTANCE_UP and MK_INSTANCE_STOPPING are not set"
	elif [ ! -r "$MK_INSTANCE_KERNEL" ] || [ ! -r "$MK_INSTANCE_INITRD" ]; then
		why="cannot read $MK_INSTANCE_KERNEL or $MK_INSTANCE_INITRD"
	elif [ "$(cat $MK/pool_size)" -lt "$1" ]; then
		why="needs a pool of $(($1 >> 20))M or more (multikernel=)"
	elif [ "$(cat /sys/devices/system/cpu/cpu2/online 2>/dev/null)" != 1 ] ||
	     [ "$(cat /sys/devices/system/cpu/cpu3/online 2>/dev/null)" != 1 ]; then
		why="needs CPUs 2 and 3 online"
	fi
	[ -z "$why" ] && return 0
	ktap_skip_all "$why"
	exit "$KSFT_SKIP"
}

# mk_require_debugfs: debugfs at /sys/kernel/debug, mounted here if need
# be; skips the whole test without it.
mk_require_debugfs() {
	grep -q " /sys/kernel/debug " /proc/mounts && return 0
	mount -t debugfs none /sys/kernel/debug && return 0
	ktap_skip_all "debugfs is not mounted"
	exit "$KSFT_SKIP"
}

# echo_fine NAME: NAME runs, and its kernel answers 100 echo requests
# without an error (debugfs, CONFIG_MULTIKERNEL_TEST_ECHO).
echo_fine() {
	[ "$(state "$1")" = running ] || { msg "$1: state '$(state "$1")'"; return 1; }
	echo "100 64" >"$DBG/$1/echo" || return 1
	got=$(cat "$DBG/$1/echo")
	case "$got" in
	*"count 100 "*"errors 0"*) return 0 ;;
	esac
	msg "$1: echo: $got"
	return 1
}

# Fractions of a second when the sleep at hand knows them.
STEP=0.2
sleep "$STEP" 2>/dev/null || STEP=1

msg() {
	ktap_print_msg "$*"
}

# write_fails FILE VALUE ERRNO-TEXT: writing VALUE to FILE fails so.
write_fails() {
	if out=$( (echo "$2" >"$1") 2>&1); then
		msg "writing '$2' to $1 worked"
		return 1
	fi
	case "$out" in
	*"$3"*) return 0 ;;
	esac
	msg "writing '$2' to $1: '$out', want '$3'"
	return 1
}

# field FILE NAME: the number after NAME in FILE.
field() {
	tr ' ' '\n' <"$1" | grep -A1 -x "$2" | tail -n 1
}

# log_mark: put a line of our own into the kernel log; log_since prints
# the log from the last mark on (line counts shift once the log wraps).
LOG_MARKS=0
log_mark() {
	LOG_MARKS=$((LOG_MARKS + 1))
	echo "mk_lib: mark $$-$LOG_MARKS" >/dev/kmsg
}
log_since() {
	dmesg | sed -n "/mk_lib: mark $$-$LOG_MARKS\$/,\$p"
}

cleanup() {
	for n in $NAMES; do
		mkctl stop "$n" --force >/dev/null 2>&1
		mkctl destroy "$n" >/dev/null 2>&1
	done
}

state() {
	cat "$MK/instances/$1/state" 2>/dev/null
}

# mk mkctl-args...: run mkctl, print what it said when it fails.
mk() {
	mkctl "$@" >"$OUT" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		msg "mkctl $*: exit $rc"
		while read -r l; do msg "  $l"; done <"$OUT"
	fi
	return "$rc"
}

# spawn NAME CPUS JOB: create, load (with mkjob=JOB when JOB is not empty;
# without the KUnit suites, which the host's main boot runs once, and
# with MK_INSTANCE_ARGS, such as nokaslr for reading CPU records) and
# start an instance.
spawn() {
	spawn_args="console=ttyMK0 kunit.enable=0"
	spawn_args="$spawn_args${MK_INSTANCE_ARGS:+ $MK_INSTANCE_ARGS}${3:+ mkjob=$3}"
	mk create "$1" --cpus "$2" --mem "$MEM" &&
	mk load "$1" --kernel "$MK_INSTANCE_KERNEL" \
		--initrd "$MK_INSTANCE_INITRD" --cmdline "$spawn_args" &&
	mk start "$1"
}

# wait_state NAME SECONDS STATE...: until the instance is in one of STATEs.
wait_state() {
	n=$1
	end=$(($(date +%s) + $2))
	shift 2
	while :; do
		s=$(state "$n")
		for w in "$@"; do
			[ "$s" = "$w" ] && return 0
		done
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "$n: state '$s', waited for: $*; its last console lines:"
			con_read "$n"
			tail -n 8 "$CON" | while read -r l; do msg "  | $l"; done
			cpu_state "$n" "$s"
			return 1
		fi
		sleep "$STEP"
	done
}

# cpu_state NAME STATE: while NAME's kernel may run (STATE), ask the
# harness to record where its CPUs are (harness/qemu-requests.py writes
# their registers and local APICs beside the boot's logs), and give it a
# moment before the caller stops the instance.
cpu_state() {
	case "$2" in
	starting|running|stopping|crashed) ;;
	*) return 0 ;;
	esac
	cpus=$(cat "$MK/instances/$1/cpus" 2>/dev/null) || return 0
	[ -n "$cpus" ] || return 0
	echo "MK-QEMU: cpu-state $1 $cpus"
	sleep 3
}

# con_read NAME: NAME's console into $CON, without the tty's carriage
# returns.
con_read() {
	mkctl console "$1" 2>/dev/null | tr -d '\r' >"$CON"
}

# count NAME PATTERN: how many console lines of NAME hold PATTERN (fixed).
count() {
	con_read "$1"
	grep -cF "$2" "$CON"
}

# check DESC RC: one ktap line.
check() {
	if [ "$2" -eq 0 ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
	fi
}

# result DESC RC: one ktap line, then a clean slate for the next
# scenario: the script's own restore (when it has one), then cleanup.
result() {
	check "$1" "$2"
	if command -v restore >/dev/null 2>&1; then
		restore
	fi
	cleanup
}

# wait_console NAME SECONDS PATTERN [MORE_THAN]: until PATTERN is on more
# than MORE_THAN (default 0) console lines of NAME.
wait_console() {
	end=$(($(date +%s) + $2))
	while :; do
		[ "$(count "$1" "$3")" -gt "${4:-0}" ] && return 0
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "$1: no '$3' on the console after $2s; its last lines:"
			tail -n 8 "$CON" | while read -r l; do msg "  | $l"; done
			return 1
		fi
		sleep "$STEP"
	done
}

# crash_reason_has NAME TEXT: the instance's crash reason contains TEXT.
crash_reason_has() {
	reason=$(cat "$MK/instances/$1/crash_reason")
	msg "$1: crash reason '$reason'"
	case "$reason" in
	*"$2"*) return 0 ;;
	esac
	msg "$1: the crash reason does not contain '$2'"
	return 1
}

# stop_bounded NAME MKCTL-STOP-ARGS...: mkctl stop NAME ARGS ends within
# twice STOP_WAIT and leaves the instance stopped. A stop that hangs fails
# the test instead of the whole run.
stop_bounded() {
	n=$1
	shift
	mkctl stop "$n" "$@" >"$OUT" 2>&1 &
	pid=$!
	end=$(($(date +%s) + 2 * STOP_WAIT))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			msg "$n: mkctl stop $* still runs after $((2 * STOP_WAIT))s"
			return 1
		fi
		sleep "$STEP"
	done
	wait "$pid" || { msg "$n: mkctl stop $*: $(cat "$OUT")"; return 1; }
	[ "$(state "$n")" = stopped ]
}

# For a test whose TAP plan ($PLAN) spans two kernels (kdump, live
# update). bail N REASON: it failed before the switch; lines N to PLAN
# fail with REASON, nothing is left behind.
bail() {
	n=$1
	shift
	while [ "$n" -le "$PLAN" ]; do
		echo "not ok $n $* (not reached)"
		n=$((n + 1))
	done
	cleanup
	exit 1
}

# pool_and_memory NAME: set pool_start and pool_end (the pool, from
# /proc/iomem) and mem_base and mem_mib (instance NAME's memory, from the
# log line of its creation); fails when either is not there.
pool_and_memory() {
	local pool mem created='.*instance '"$1"' created: .* \([0-9]*\) MiB at \(0x[0-9a-f]*\)$'

	pool=$(grep "Multikernel pool" /proc/iomem |
	       sed 's/^ *\([0-9a-f]*\)-\([0-9a-f]*\) .*/\1 \2/')
	mem=$(dmesg | sed -n "s/$created/\2 \1/p" | tail -n 1)
	[ -n "$pool" ] && [ -n "$mem" ] || return 1
	pool_start=$((0x${pool% *}))
	pool_end=$((0x${pool#* }))
	mem_base=$((${mem% *}))
	mem_mib=${mem#* }
}
