#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# /init of the guest initramfs. The kernel command line chooses the job:
#   MK_RUN=selftests  run the installed kselftests, TAP on ttyS1; with
#                     MK_TESTS=collection:prog,... only those programs (of
#                     one collection, TEST_GEN_PROGS_EXTENDED ones too)
#   MK_RUN=demo       show the multikernel state (what make run shows)
#   MK_RUN=bench-spawn  time instance spawns (harness/bench-spawn.sh)
#   MK_RUN=bench-msg    time messaging against pipes and AF_UNIX sockets
#                       (harness/bench-msg.sh)
#   MK_RUN=soak       the soak test alone, MK_SOAK_CYCLES cycles, without the
#                     kselftest runner's time limit (harness/soak.sh)
#   MK_RUN=fuzz       the fuzz test alone (MK_FUZZ_OPS, MK_FUZZ_SEED,
#                     MK_FUZZ_PEER, MK_GARBLE_ROUNDS, MK_GARBLE_BYTES),
#                     without the runner's time limit (harness/fuzz.sh)
#   MK_RUN=liveupdate liveupdate_test.sh alone: a host kexec that leaves
#                     an instance running (live update)
#   MK_RUN=luchain    liveupdate_chain_test.sh alone: three host kexecs in
#                     a row under a running instance
#   MK_RUN=kdump      kdump_test.sh alone: a host panic with an instance
#                     running and a crash kernel loaded (crashkernel=)
#   MK_RUN=faults     the fault campaign alone (MK_FAULT_ROUNDS), without
#                     the runner's time limit (harness/faults.sh)
#   MK_RUN=compare    the guest side of make compare
#                     (harness/compare-guest.sh, MK_CMP_* settings)
#   MK_RUN=repeat     one kselftest program MK_REPEAT times (default 10),
#                     to hunt a flaky test: MK_REPEAT_PROG=collection:prog,
#                     MK_REPEAT_ARGS its arguments with commas for blanks
#                     (e.g. -t,kexec_refused_while_running); a TAP line a
#                     run, with the output of each failed one
#   MK_RUN=shell      an interactive shell on the console
# Unknown VAR=value words of the command line reach us as environment.
# Ends with $MK_INIT_DONE (harness/markers.sh) on ttyS1 and powers off.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mkdir -p /proc /sys /dev /tmp /run
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
# shellcheck source=markers.sh
. /etc/mk-markers.sh
# The scenario kselftests wait for these lines of the instance initramfs.
export MK_INSTANCE_UP MK_INSTANCE_STOPPING

out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console
stty -F "$out" raw -echo 2>/dev/null

pool() {
	echo "pool_size=$(cat /sys/kernel/multikernel/pool_size)" \
		"pool_free=$(cat /sys/kernel/multikernel/pool_free)" \
		"online CPUs=$(cat /sys/devices/system/cpu/online)"
}

# Wait up to $2 seconds for instance $1's console to show its init's line.
wait_init() {
	i=0
	while [ $i -lt "$2" ]; do
		mkctl console "$1" 2>/dev/null | grep -qF "$MK_INSTANCE_UP" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

demo() {
	echo "== multikernel on $(uname -r), $(nproc) CPUs online =="
	echo "cmdline: $(cat /proc/cmdline)"
	if [ ! -d /sys/kernel/multikernel ]; then
		echo "/sys/kernel/multikernel: missing (kernel without CONFIG_MULTIKERNEL?)"
		return
	fi
	grep -i multikernel /proc/iomem || echo "  (no Multikernel pool)"
	echo "-- before:"; pool
	[ -f /boot/bzImage ] && command -v mkctl >/dev/null || return
	echo "-- spawning two instances running busybox (CPU 2 and CPU 3, 64M each)"
	for n in 2 3; do
		mkctl run "demo$n" --cpus $n --mem 64M --kernel /boot/bzImage \
			--initrd /boot/instance.cpio.gz --cmdline mkjob=wait
	done
	for n in 2 3; do
		wait_init "demo$n" 120 || echo "demo$n: init did not report"
	done
	echo "-- mkctl list"; mkctl list
	echo "-- during:"; pool
	for n in 2 3; do
		echo "-- mkctl console demo$n (last lines)"
		mkctl console "demo$n" | tail -n 4
	done
	echo "-- mkctl stop demo2 (graceful)"; mkctl stop demo2 --timeout 60
	echo "-- mkctl stop demo3 --force"; mkctl stop demo3 --force
	mkctl list
	echo "-- after stop: CPUs online in the host, memory back in the pool:"; pool
	mkctl status demo2 | grep -E '^(state|cpus|memory):'
	for n in 2 3; do mkctl destroy "demo$n"; done
	echo "-- after destroy:"; pool
}

# Seconds of this kernel's uptime, centisecond resolution.
up() {
	cut -d' ' -f1 /proc/uptime
}

# Host memory in kB, after dropping what can be dropped: "free slab
# vmalloc pagetables" from /proc/meminfo. Free counts the pages the
# per-CPU lists hold (/proc/zoneinfo): they are free, but MemFree leaves
# them out, and they come and go by megabytes as CPUs go off and online.
host_mem() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '/^MemFree:/ { f = $2 } /^Slab:/ { s = $2 }
	     /^VmallocUsed:/ { v = $2 } /^PageTables:/ { p = $2 }
	     END { print f + pcp, s, v, p }' /proc/meminfo
}

# What an instance costs the host beyond its own memory (which comes from
# the pool and is not in MemFree): one more spawn, untimed, measured
# before create, once loaded, once its init ran, and after destroy. One
# "BENCH mem" line, kB of host memory; slab, vmalloc and pagetables are
# the running instance's share of that cost.
bench_mem() {
	m0=$(host_mem)
	cat /proc/slabinfo > /tmp/slab0
	mkctl create bench --cpus 3 --mem 64M || return
	mkctl load bench --kernel /boot/bzImage --initrd /boot/instance.cpio.gz \
		--cmdline mkjob=wait || return
	m1=$(host_mem)
	mkctl start bench || return
	wait_init bench 300 || echo "bench: init did not report"
	m2=$(host_mem)
	cat /proc/slabinfo > /tmp/slab2
	mkctl stop bench --force >/dev/null
	mkctl destroy bench
	m3=$(host_mem)
	echo "$m0 $m1 $m2 $m3" | awk '{
		printf "BENCH mem loaded=%d running=%d slab=%d vmalloc=%d pagetables=%d after_destroy=%d\n",
			$1 - $5, $1 - $9, $10 - $2, $11 - $3, $12 - $4, $1 - $13 }'
	# The slab caches that grew most while it ran, kB.
	awk 'FNR > 2 { kb = $3 * $4 / 1024 } FNR > 2 && FILENAME == ARGV[1] { a[$1] = kb }
	     FNR > 2 && FILENAME == ARGV[2] && kb - a[$1] >= 64 {
		printf "BENCH memslab %s %d\n", $1, kb - a[$1] }' /tmp/slab0 /tmp/slab2 |
		sort -k4 -n -r | head -n 5
}

# boot_stat FIELD: FIELD (started_us, prepare_us, entry_us, hello_us) of
# the boot line in the bench instance's link statistics, 0 when absent.
boot_stat() {
	awk -v f="$1" '$1 == "boot" { for (i = 2; i < NF; i++) if ($i == f) v = $(i + 1) }
		END { print v + 0 }' /sys/kernel/debug/multikernel/bench/stats
}

# MK_RUN=bench-spawn: time spawning an instance, MK_BENCH_RUNS times.
# One "BENCH spawn ..." line per run, seconds of guest time:
#   load        mkctl load (kexec_file checks and placement)
#   running     the link's opening at start until the instance's hello (the
#               link statistics, debugfs)
#   init        mkctl start until its init's first line is on its console,
#               seen at once by a reader asleep in poll() on the console:
#               nothing on the host polls while the instance boots
#   inst_up     the instance's own uptime when its init printed that line
#   entry       start IPIs until the jump into the kernel (the trampoline),
#               by the TSC (link statistics, debugfs)
#   kernel      kernel entry until the instance's hello (its kernel boot;
#               no decompressor: the host unpacked the kernel at load)
# clock_lag: on stdin a kernel log; out, in seconds, how far the kernel's
# clock (CLOCK_MONOTONIC, its uptime) was behind its TSC-based sched_clock
# when it marked sched_clock stable: "sched_clock: Marking stable (ktime,
# offset)->(raw, offset)". Until the TSC becomes the clocksource
# (fs_initcall) the clock advances by jiffies, one per tick, and a tick
# that comes late, as ticks do under the emulator, is time the clock
# loses for good; sched_clock counts from tsc_early_init() by the TSC.
# bench-spawn.sh has a copy for the cold boots' logs.
# A lag that cannot be (below 0, or more than the uptime UP, $1) reads 0.
clock_lag() {
	sed -n 's/.*sched_clock: Marking stable (\([0-9]*\), [-0-9]*)->(\([0-9]*\), .*/\1 \2/p' |
		head -n 1 | awk -v up="$1" '{ l = ($2 - $1) / 1e9 }
			END { printf "%.3f", (l >= 0 && l <= up) ? l : 0 }'
}

bench_spawn() {
	runs=${MK_BENCH_RUNS:-3}
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		mkctl create bench --cpus 3 --mem 64M || return
		t0=$(up)
		# The same arguments as the cold boot it is measured against
		# (bench-spawn.sh): without kunit.enable=0 the instance would run
		# every KUnit suite built in before its init. mkjob=tick keeps it
		# up after its line, and so its link with the statistics.
		mkctl load bench --kernel /boot/bzImage --initrd /boot/instance.cpio.gz \
			--cmdline "kunit.enable=0 mkjob=tick${MK_BENCH_ARGS:+ $MK_BENCH_ARGS}" || return
		rm -f /tmp/bench-t2 /tmp/bench-line
		mkctl console bench --follow |
			{ grep -m1 -F "$MK_INSTANCE_UP" > /tmp/bench-line; up > /tmp/bench-t2; } &
		follower=$!
		t1=$(up)
		mkctl start bench || return
		wait "$follower"
		t2=$(cat /tmp/bench-t2)
		line=$(cat /tmp/bench-line)
		# The host's own split: preparing the memory, then from the
		# start IPIs to the kernel entry and to the hello; and the
		# instance's, by the TSC it shares with the host: from the
		# kernel entry to its clock's start (early setup).
		early=$(mkctl console bench |
			sed -n 's/.*the start code entered this kernel \([0-9]*\) us ago.*/\1/p' | head -n 1)
		# lag: how far the instance's clock (its uptime) fell behind its
		# TSC before the TSC became its clocksource (clock_lag).
		inst_up=$(echo "$line" | sed -n 's/.*uptime \([0-9][0-9.]*\).*/\1/p')
		lag=$(mkctl console bench | clock_lag "${inst_up:-0}")
		# cmd: from the mkctl start command to the start IPIs (the host's
		# uptime when it began the start, and the preparation); written:
		# when the instance wrote its init line, on the host's time line
		# (cmd, then the start code and early setup by the shared TSC,
		# then the instance's uptime and its clock's lag).
		echo "$t0 $t1 $(boot_stat hello_us) $t2 ${inst_up:-0} $(boot_stat entry_us)" \
			"$(boot_stat prepare_us) ${early:-0} $(boot_stat started_us) ${lag:-0}" |
			awk -v r=$r '{
			cmd = $9 / 1e6 + $7 / 1e6 - $2; written = cmd + $6 / 1e6 + $8 / 1e6 + $5 + $10
			printf "BENCH spawn run=%d load=%.2f running=%.2f init=%.2f inst_up=%.2f entry=%.6f kernel=%.3f prepare=%.3f early=%.3f cmd=%.3f lag=%.3f written=%.3f\n",
				r, $2 - $1, $3 / 1e6, $4 - $2, $5, $6 / 1e6, ($3 - $6) / 1e6, $7 / 1e6, $8 / 1e6, cmd, $10, written }'
		# MK_BENCH_CONSOLE=1: the instance's whole console, for a profile
		# of its boot (with MK_BENCH_ARGS=initcall_debug, say).
		[ -z "${MK_BENCH_CONSOLE:-}" ] ||
			mkctl console bench | sed "s/^/BENCH console run=$r: /"
		mkctl stop bench --force >/dev/null
		mkctl destroy bench
	done
	bench_restart
	bench_mem
}

# bench_restart: one restart, timed like a start above: an instance that
# ran stopped by force and started again. Unlike a new instance's start,
# it takes the CPUs back offline, which the stop gave to the host
# (spawn.rst). The console follower comes after the start, which empties
# the console of the boot before.
bench_restart() {
	mkctl create bench --cpus 3 --mem 64M || return
	mkctl load bench --kernel /boot/bzImage --initrd /boot/instance.cpio.gz \
		--cmdline "kunit.enable=0 mkjob=tick" || return
	mkctl start bench || return
	mkctl console bench --follow | grep -m1 -qF "$MK_INSTANCE_UP"
	mkctl stop bench --force >/dev/null || return
	t1=$(up)
	mkctl start bench || return
	line=$(mkctl console bench --follow | grep -m1 -F "$MK_INSTANCE_UP")
	t2=$(up)
	echo "$t1 $t2 ${line##*uptime } $(boot_stat started_us) $(boot_stat prepare_us)" | awk '{
		printf "BENCH restart init=%.2f inst_up=%.2f cmd=%.3f prepare=%.3f\n",
			$2 - $1, $3, $4 / 1e6 + $5 / 1e6 - $1, $5 / 1e6 }'
	mkctl stop bench --force >/dev/null
	mkctl destroy bench
}

# MK_RUN=bench-msg: round trips host<->instance next to the same between two
# host processes, MK_BENCH_RUNS times. One instance (CPU 2, 64M) runs
# msgdev_echo. For each size (64, 4096 and 65528 bytes: 65528 is the largest
# user datagram) "BENCH msg run=R path=P timing=T size=S count=N rtt_ns=X
# bytes_per_s=Y" lines, in guest time:
#   kernel  the debugfs echo file: kernel to kernel on the echo channel
#   user    msgdev_client on /dev/mkmsg/NAME to msgdev_echo in the instance
#   pipe    ipc_bench over two pipes, processes on host CPUs 0 and 1
#   unix    ipc_bench over an AF_UNIX SOCK_SEQPACKET pair, CPUs 0 and 1
# Each message is made fresh and checked when it comes back. timing=xfer
# leaves that out (the echo file's way: kernel, pipe, unix); timing=loop
# counts it (msgdev_client's way: user, pipe, unix). rtt_ns is the mean
# round trip; bytes_per_s is size * count / time, payload bytes per second
# each way. The host side runs on CPU 0 throughout. For the user, pipe and
# unix paths a "BENCH msgcpu" line (bench_cpu_line) says where the time of
# a round trip went. A figure that cannot be taken gives "BENCH msg error
# ..." and ends the job.
bench_msg_fail() {
	echo "BENCH msg error $*"
	mkctl console bench 2>/dev/null | tail -n 20 | sed 's/^/  | /'
	return 1
}

# bench_msg_line RUN PATH TIMING SIZE COUNT TOTAL_NS
bench_msg_line() {
	awk -v r="$1" -v p="$2" -v m="$3" -v s="$4" -v n="$5" -v t="$6" 'BEGIN {
		printf "BENCH msg run=%d path=%s timing=%s size=%d count=%d rtt_ns=%.0f bytes_per_s=%.0f\n",
			r, p, m, s, n, t / n, s * n * 1e9 / t }'
}

# Where a round trip's time goes, from the host's side: the uptime and
# the idle time of CPUs 0 and 1 (the client's and ipc_bench's echo's), in
# seconds, from /proc/stat (precise for idle CPUs: NO_HZ counts their
# idle time exactly).
bench_cpu_snap() {
	awk -v up="$(cut -d' ' -f1 /proc/uptime)" '
		/^cpu0 / { i0 = ($5 + $6) / 100 }
		/^cpu1 / { i1 = ($5 + $6) / 100 }
		END { print up, i0, i1 }' /proc/stat
}

# bench_cpu_line RUN PATH SIZE COUNT "SNAP BEFORE" "SNAP AFTER" WRITE_NS:
# "BENCH msgcpu run=R path=P size=S cpu0_ns=X cpu1_ns=Y write_ns=W", the
# busy time of CPUs 0 and 1 per round trip and the time write() took.
# Under single-threaded TCG the CPUs take turns, so what is not busy on
# CPUs 0 and 1 ran elsewhere: for the user path, in the instance.
bench_cpu_line() {
	echo "$5 $6" | awk -v r="$1" -v p="$2" -v s="$3" -v n="$4" -v w="$7" '{
		up = $4 - $1
		printf "BENCH msgcpu run=%d path=%s size=%d cpu0_ns=%.0f cpu1_ns=%.0f write_ns=%.0f\n",
			r, p, s, (up - ($5 - $2)) * 1e9 / n, (up - ($6 - $3)) * 1e9 / n, w }'
}

bench_msg() {
	runs=${MK_BENCH_RUNS:-5}
	kst=/usr/lib/kselftests/multikernel
	echo_file=/sys/kernel/debug/multikernel/bench/echo
	mkctl run bench --cpus 2 --mem 64M --kernel /boot/bzImage \
		--initrd /boot/instance.cpio.gz \
		--cmdline "console=ttyMK0 mkjob=echo" || {
		bench_msg_fail "mkctl run failed"
		return
	}
	i=0
	until mkctl console bench 2>/dev/null | grep -q 'msgdev_echo: ready'; do
		i=$((i + 1))
		[ $i -lt 300 ] || {
			bench_msg_fail "no 'msgdev_echo: ready' after 300 s," \
				"state $(cat /sys/kernel/multikernel/instances/bench/state)"
			return
		}
		sleep 1
	done
	[ "$(cat /sys/kernel/multikernel/instances/bench/state)" = running ] || {
		bench_msg_fail "instance not running"
		return
	}
	echo "instance bench: running, msgdev_echo ready"
	r=0
	while [ $r -lt "$runs" ]; do
		r=$((r + 1))
		for sn in 64:10000 4096:2000 65528:200; do
			s=${sn%:*}
			n=${sn#*:}
			taskset -c 0 sh -c "echo '$n $s' > $echo_file" ||
				{ bench_msg_fail "kernel echo $n x $s failed"; return; }
			# count N size S errors E total_ns T min_ns A max_ns B
			read -r _ cnt _ sz _ err _ ns _ < "$echo_file"
			if [ "$cnt" != "$n" ] || [ "$sz" != "$s" ] || [ "$err" != 0 ]; then
				bench_msg_fail "kernel echo $n x $s: $(cat "$echo_file")"
				return
			fi
			bench_msg_line $r kernel xfer "$s" "$n" "$ns"

			before=$(bench_cpu_snap)
			res=$(taskset -c 0 $kst/msgdev_client -n "$n" -s "$s" \
				/dev/mkmsg/bench) ||
				{ bench_msg_fail "user $n x $s: $res"; return; }
			after=$(bench_cpu_snap)
			# msgdev_client: N round trips of S bytes in X s, Y us each
			ns=$(echo "$res" | awk -v n="$n" -v s="$s" '
				$2 == n && $6 == s && $9 > 0 { printf "%.0f", $9 * 1e9 }')
			[ -n "$ns" ] ||
				{ bench_msg_fail "user $n x $s: $res"; return; }
			bench_msg_line $r user loop "$s" "$n" "$ns"
			w=$(echo "$res" | awk '$2 == "write()" { printf "%.0f", $4 * 1e3 }')
			bench_cpu_line $r user "$s" "$n" "$before" "$after" "${w:-0}"

			for t in pipe unix; do
				before=$(bench_cpu_snap)
				res=$($kst/ipc_bench -t $t -n "$n" -s "$s" -a 0 -b 1) ||
					{ bench_msg_fail "$t $n x $s: $res"; return; }
				after=$(bench_cpu_snap)
				loop=$(echo "$res" | sed -n 's/.* total_ns=\([0-9]*\) .*/\1/p')
				xfer=$(echo "$res" | sed -n 's/.* xfer_ns=\([0-9]*\) .*/\1/p')
				if [ -z "$loop" ] || [ -z "$xfer" ]; then
					bench_msg_fail "$t $n x $s: $res"
					return
				fi
				bench_msg_line $r $t xfer "$s" "$n" "$xfer"
				bench_msg_line $r $t loop "$s" "$n" "$loop"
				w=$(echo "$res" | sed -n 's/.* write_ns=\([0-9]*\).*/\1/p')
				bench_cpu_line $r $t "$s" "$n" "$before" "$after" "${w:-0}"
			done
		done
	done
	# How the host's end took the messages in (receive runs, doorbell).
	sed 's/^/# link: /' /sys/kernel/debug/multikernel/bench/stats
	mkctl stop bench --force >/dev/null
	mkctl destroy bench
}

# MK_TEST_TIMEOUT: seconds each test program may run, instead of its
# directory's settings file (the debug kernel's boots need longer).
selftests() {
	cd /usr/lib/kselftests || return
	if [ -z "$MK_TESTS" ]; then
		./run_kselftest.sh ${MK_TEST_TIMEOUT:+-o "$MK_TEST_TIMEOUT"}
		return
	fi
	# Run the named programs through kselftest's own runner functions.
	# shellcheck disable=SC2034 # read by runner.sh
	BASE_DIR=$PWD
	# shellcheck disable=SC2034 # read by runner.sh
	kselftest_override_timeout=${MK_TEST_TIMEOUT:-}
	# shellcheck source=/dev/null
	. ./kselftest/runner.sh
	progs=""
	for t in $(echo "$MK_TESTS" | tr ',' ' '); do
		progs="$progs ./${t#*:}"
	done
	cd "${MK_TESTS%%:*}" && run_many $progs
}

# MK_RUN=repeat: run one test program again and again.
repeat() {
	prog=${MK_REPEAT_PROG:-multikernel:instance_test}
	n=${MK_REPEAT:-10}
	cd "/usr/lib/kselftests/${prog%%:*}" || return
	echo "1..$n"
	i=0
	while [ "$i" -lt "$n" ]; do
		i=$((i + 1))
		# shellcheck disable=SC2046 # the words are the arguments
		"./${prog#*:}" $(echo "${MK_REPEAT_ARGS:-}" | tr ',' ' ') \
			> /tmp/repeat.out 2>&1
		rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "ok $i ${prog#*:} run $i"
			continue
		fi
		sed 's/^/# /' /tmp/repeat.out
		echo "not ok $i ${prog#*:} run $i # exit=$rc"
	done
}

# A slow kernel (make test-debug) boots instances more slowly than the
# host's default boot timeout allows: give them as long as the tests wait
# (tests restore what they change). Its instances also go quiet for longer
# than five default heartbeat periods (a KASAN kernel under TCG): a longer
# period, MK_HEARTBEAT_MS.
if [ -n "$MK_BOOT_WAIT" ] && [ -w /sys/kernel/multikernel/boot_timeout_ms ]; then
	echo $((MK_BOOT_WAIT * 1000)) > /sys/kernel/multikernel/boot_timeout_ms
fi
if [ -n "${MK_HEARTBEAT_MS:-}" ] && [ -w /sys/kernel/multikernel/heartbeat_ms ]; then
	echo "$MK_HEARTBEAT_MS" > /sys/kernel/multikernel/heartbeat_ms
fi

case "$MK_RUN" in
selftests)
	selftests > "$out" 2>&1
	;;
demo)
	demo 2>&1 | tee "$out"
	;;
bench-spawn)
	bench_spawn > "$out" 2>&1
	;;
bench-msg)
	bench_msg > "$out" 2>&1
	;;
soak)
	/usr/lib/kselftests/multikernel/soak_test.sh > "$out" 2>&1
	;;
fuzz)
	/usr/lib/kselftests/multikernel/fuzz_test.sh > "$out" 2>&1
	;;
faults)
	/usr/lib/kselftests/multikernel/faults_test.sh > "$out" 2>&1
	;;
kdump)
	# Ends in a host panic: the crash kernel prints the rest and the end.
	/usr/lib/kselftests/multikernel/kdump_test.sh > "$out" 2>&1
	;;
compare)
	/usr/lib/mk-compare/compare-guest.sh > "$out" 2>&1
	;;
repeat)
	repeat > "$out" 2>&1
	;;
liveupdate)
	# Ends in a kexec: the new kernel prints the rest and the end.
	/usr/lib/kselftests/multikernel/liveupdate_test.sh > "$out" 2>&1
	;;
luchain)
	# Every host but the last ends in a kexec into the next one, which
	# runs this again (mkgen= on its command line); the last one returns.
	/usr/lib/kselftests/multikernel/liveupdate_chain_test.sh > "$out" 2>&1
	;;
shell)
	setsid cttyhack sh
	;;
*)
	echo "MK-INIT: unknown MK_RUN='$MK_RUN'" > "$out"
	;;
esac

# On a kernel with kmemleak (make test-debug): scan now, so that what the
# run leaked is reported ("N new suspected memory leaks") in the console
# that results.py reads. Objects must be 5 s old to count: wait, scan
# again, and show the leaks found.
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /dev/console
fi

echo "$MK_INIT_DONE" > "$out"
sync
poweroff -f
