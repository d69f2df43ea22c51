#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/test.sh
# The whole test run behind `make test`: install what is missing, build the
# test kernel and initramfs, boot it (KUnit + kselftests), boot it again with
# bad multikernel= values, run the static gates of `make check`, and end
# with one line "N passed, N failed[, N skipped]". Non-zero exit on any
# failure, boot failure or timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

R=$OUT/results
rm -rf "$R"
mkdir -p "$R"

fatal() {
	echo "FAILED: $*"
	echo "0 passed, 1 failed"
	exit 1
}

"$TOP/harness/deps.sh" || fatal "installing packages"
"$TOP/harness/build-kernel.sh" || fatal "kernel build"
"$TOP/harness/initramfs.sh" || fatal "initramfs build"

# Each boot: name, timeout in seconds, kernel arguments, and QEMU's -smp
# when it is not 4 CPUs. Boots with a bad multikernel= value skip KUnit
# (the main boot ran it) and run only the test that checks nothing was
# reserved. The lockdown boot runs only the test of a locked-down host:
# unsigned instance kernels refused, signed ones locked down as far as
# the host. The kdump boots panic on purpose with an instance running;
# their crash kernel reports the rest (plain TAP, and the one panic is not
# a failure). kdump loads the crash kernel with kexec_file_load(2),
# kdump-load with kexec-tools' kexec_load(2). The liveupdate boot kexecs
# the host with an instance left running (live update, turned on in
# sysfs by the test);
# the new kernel reports the rest, plain TAP. liveupdate-bad does the same
# with a handover record damaged on purpose, which the new kernel must
# refuse. liveupdate-chain kexecs three times in a row under one running
# instance, each new host adopting it. The smt boot has two
# threads per core (smt_test.sh).
BAD_POOL="MK_RUN=selftests MK_TESTS=multikernel:pool_bad_param_test kunit.enable=0"
# The debug kernel (make test-debug) is bigger and slower: it boots with a
# larger pool and gives instances more memory and time, a heartbeat
# period of 10 s (a KASAN instance under TCG missed five of 1 s while it
# ran), each test program an hour instead of its settings file's 900 s
# (link_test.sh's fifteen scenarios boot a KASAN instance each), and a
# soft-lockup threshold of 60 s (watchdog_thresh=30): on a busy machine
# kexec_file_load's SHA-256 of a KASAN kernel and a whole initramfs ran
# 26 s of guest time without a reschedule.
SLOW=1
MAIN_ARGS="multikernel=256M"
KDUMP_ARGS="crashkernel=160M $MAIN_ARGS"
if [ -n "${MK_DEBUG:-}" ]; then
	SLOW=4
	: "${MK_TEST_JOBS:=2}"
	MAIN_ARGS="multikernel=1G MK_INSTANCE_MEM=256M MK_BOOT_WAIT=480 MK_STOP_WAIT=240 MK_HEARTBEAT_MS=10000 MK_TEST_TIMEOUT=3600 watchdog_thresh=30"
	# A KASAN crash kernel ran out of memory in 160M ("System is
	# deadlocked on memory"); the kdump test needs one instance's worth
	# of pool.
	KDUMP_ARGS="crashkernel=512M ${MAIN_ARGS/multikernel=1G/multikernel=512M}"
fi
BOOTS=(
	"main|1800|$MAIN_ARGS MK_RUN=selftests MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"lockdown|300|$MAIN_ARGS lockdown=confidentiality MK_RUN=selftests MK_TESTS=multikernel:lockdown_test.sh kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_SIGNED=/boot/bzImage.signed MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"bad-value|300|multikernel=lots $BAD_POOL"
	"in-use|300|nokaslr multikernel=64M@16M MK_EXPECT_WHY=already $BAD_POOL"
	"crash-overlap|300|nokaslr crashkernel=64M@1G multikernel=64M@1G MK_EXPECT_WHY=crashkernel $BAD_POOL"
	"kdump|600|$KDUMP_ARGS MK_RUN=kdump kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"kdump-load|600|$KDUMP_ARGS MK_RUN=kdump MK_KDUMP_LOADER=kexec-tools kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"liveupdate|600|$MAIN_ARGS MK_RUN=liveupdate kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"liveupdate-chain|900|$MAIN_ARGS multikernel_live_update MK_RUN=luchain kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"liveupdate-bad|600|$MAIN_ARGS multikernel_test_handover_corrupt MK_RUN=liveupdate kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"hostdown|600|$MAIN_ARGS MK_RUN=selftests MK_TESTS=multikernel:hostdown_test.sh kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"smt|300|$MAIN_ARGS MK_RUN=selftests MK_TESTS=multikernel:smt_test.sh kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz|4,threads=2"
)

# expect_log NAME PATTERN...: TAP in $R/NAME-log.tap, one line per
# extended regular expression that must match a line of NAME's console.
expect_log() {
	local name=$1 log=$OUT/runs/$1/ttyS0.log i=0 p
	shift
	for p in "$@"; do
		i=$((i + 1))
		if grep -Eq -- "$p" "$log" 2>/dev/null; then
			echo "ok $i $name console: $p"
		else
			echo "not ok $i $name console: $p"
		fi
	done > "$R/$name-log.tap"
	echo "1..$i" >> "$R/$name-log.tap"
}
# run_boot N NAME TIMEOUT ARGS SMP: boot N of the run; its TAP line goes to
# $R/boot-N.tap, for boots.tap in the boots' order whatever order they end.
run_boot() {
	local n=$1 name=$2 timeout=$3 args=$4 smp=$5
	log "boot $name: $args"
	if MK_SMP=${smp:-4} "$TOP/harness/qemu.sh" "$name" $((timeout * SLOW)) "$args"; then
		echo "ok $n $name" > "$R/boot-$n.tap"
	else
		echo "not ok $n $name" > "$R/boot-$n.tap"
	fi
	log "boot $name: done after $(cat "$OUT/runs/$name/seconds" 2>/dev/null || echo ?) s"
}

# The boots run MK_TEST_JOBS at a time (1; make test-debug: 2, each boot
# being one emulator thread). Each boot has its own directory, serial
# logs and monitor socket; the first one, main, the longest, starts first.
specs=()
n=0
jobs_max=${MK_TEST_JOBS:-1}
case "$jobs_max" in
'' | *[!0-9]* | 0) fatal "MK_TEST_JOBS must be a number of boots, 1 or more" ;;
esac
# Background jobs of a script ignore SIGINT: stop the boots when the run
# is interrupted or fails, each qemu.sh (which stops its QEMU on TERM)
# and the subshell that waits for it.
stop_boots() {
	local p
	for p in $(jobs -rp); do
		pkill -TERM -P "$p" || true
		kill "$p" 2>/dev/null || true
	done
}
trap stop_boots EXIT
trap 'stop_boots; exit 130' INT TERM
for b in "${BOOTS[@]}"; do
	IFS='|' read -r name timeout args smp <<< "$b"
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n || true
	done
	run_boot "$n" "$name" "$timeout" "$args" "$smp" &
	if [ "$name" = kdump ] || [ "$name" = kdump-load ]; then
		specs+=("tap:$name:$OUT/runs/$name/ttyS1.log"
			"reports-but-sysrq:$name:$OUT/runs/$name/ttyS0.log")
	elif [ "$name" = liveupdate ] || [ "$name" = liveupdate-bad ] ||
	     [ "$name" = liveupdate-chain ]; then
		specs+=("tap:$name:$OUT/runs/$name/ttyS1.log"
			"reports:$name:$OUT/runs/$name/ttyS0.log")
	else
		specs+=("kselftest:$name:$OUT/runs/$name/ttyS1.log"
			"reports:$name:$OUT/runs/$name/ttyS0.log")
	fi
done
wait
trap - EXIT INT TERM
for i in $(seq "$n"); do
	cat "$R/boot-$i.tap" 2>/dev/null || echo "not ok $i boot $i did not report"
done >> "$R/boots.tap"
rm -f "$R"/boot-*.tap

# The comparison suite's smoke (make compare QUICK=1, about 4 minutes):
# it fails only when a figure could not be taken, never on a value.
if [ -z "${MK_DEBUG:-}" ]; then
	n=$((n + 1))
	log "compare: QUICK=1 harness/compare.sh"
	if QUICK=1 "$TOP/harness/compare.sh" > "$R/compare.log" 2>&1; then
		echo "ok $n compare-quick" >> "$R/boots.tap"
	else
		echo "not ok $n compare-quick" >> "$R/boots.tap"
		tail -n 20 "$R/compare.log" >&2
	fi
	specs+=("reports:compare:$BUILD/compare/main/ttyS0.log")
fi

# The spawn benchmark's smoke (one run, about a minute): it fails only
# when a figure could not be taken (the start's profile among them),
# never on a value.
if [ -z "${MK_DEBUG:-}" ]; then
	n=$((n + 1))
	log "bench: harness/bench-spawn.sh 1"
	if "$TOP/harness/bench-spawn.sh" 1 > "$R/bench-spawn.log" 2>&1; then
		echo "ok $n bench-spawn-smoke" >> "$R/boots.tap"
	else
		echo "not ok $n bench-spawn-smoke" >> "$R/boots.tap"
		tail -n 20 "$R/bench-spawn.log" >&2
	fi
	specs+=("reports:bench-spawn:$BUILD/runs/bench-spawn/ttyS0.log")
fi

# The host powered off with two instances running (hostdown_test.sh): it
# asked both to shut down, one did, the hard-locked one was reset.
expect_log hostdown \
	"the host goes down: stopping 2 instances" \
	"mkhd0: instance acknowledged the shutdown request" \
	"mkhd0: instance powered off" \
	"instance mkhd1 did not shut down within [0-9]+ ms, resetting it" \
	"2 instances stopped in [0-9]+ ms"
specs+=("tap:hostdown-log:$R/hostdown-log.tap")

# The static gates of `make check`, counted with the rest (they do not
# depend on the kernel configuration: not again for the debug kernel).
gates=()
if [ -z "${MK_DEBUG:-}" ]; then
	"$TOP/harness/check.sh" "$R" || true
	gates=("tap:checkpatch:$R/checkpatch.tap" "tap:check:$R/gates.tap")
fi

python3 "$TOP/harness/results.py" "$TREE" \
	"kunit:kunit:$OUT/runs/main/ttyS0.log" \
	"${specs[@]}" \
	"tap:boot:$R/boots.tap" \
	"${gates[@]}" | tee "$R/summary.txt"
