#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# /init of the instance initramfs that scenario tests and benchmarks spawn
# (/boot/instance.cpio.gz in the host's initramfs). It prints
# $MK_INSTANCE_UP, then does what mkjob= on its command line asks: panic,
# spin, hardlockup, wait (for a shutdown request), pong (answer one datagram
# from the host), echo or client (msgdev_echo or msgdev_client on
# /dev/mkmsg/host; mkpeer=ID for another instance, mkcount=N round trips),
# fault (break the link on purpose, CONFIG_MULTIKERNEL_PEER_FAULTS: each
# command of mkfault=CMD,CMD,... in turn, flood in the background,
# garble-SEED-N for "garble SEED N", sysrq-X for a sysrq, poweroff), wild
# (write to physical address mkwild=0x... through a wild pointer), contain
# (contain_probe: try every way out of the instance; then mkreset=sysrq or
# mkreset=reboot tries to reset the machine), trial (the fault campaign:
# write the fault named in a datagram from the host to the fault file),
# tick (a console line a second), gapwatch (mk_gap_probe: a 1 ms sleeper
# with a line a second, and a datagram echo, or with mkping on the command
# line mk_dgram_ping: timed round trips with the host), vmcore (not in an instance: the crash
# kernel of kdump_test.sh), luprobe (not in an instance: the kernel that
# liveupdate_test.sh kexecs into).
# Without mkjob= it powers off.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# shellcheck source=markers.sh
. /etc/mk-markers.sh
trap 'echo "$MK_INSTANCE_STOPPING"; poweroff -f' USR2 TERM
echo "$MK_INSTANCE_UP on $(uname -r), $(nproc) CPUs online, $(grep MemTotal /proc/meminfo), uptime $(cut -d" " -f1 /proc/uptime)"
cat /proc/cmdline
# How it keeps time (spawn_test.sh 1): the host vouches for the TSC.
echo "MK-INSTANCE: clock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)$(grep -qw tsc_reliable /proc/cpuinfo && echo ', TSC reliable')"
# Its wall clock against the TSC (spawn_test.sh 1 compares it with the host's).
echo "MK-INSTANCE: realtime at TSC $(mk_rdtsc -r)"
# For the jobs of a kernel that is not an instance (vmcore, luprobe): the
# old host's TAP goes on on ttyS1 ($t), and the host gave the pool as
# mkpool=START-END on the command line.
arg() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" /proc/cmdline; }
host_job_setup() {
	t=/dev/ttyS1
	stty -F $t raw -echo 2>/dev/null
	mkdir -p /tmp
	pool_start=$(arg mkpool)
	pool_end=$(sed -n 's/.*mkpool=[0-9]*-\([0-9]*\).*/\1/p' /proc/cmdline)
}
# overlaps START END: the range [START, END] meets the pool.
overlaps() { [ "$1" -le "$pool_end" ] && [ "$2" -ge "$pool_start" ]; }
# stall_report SHARED: an instance stopped showing signs of life. Have
# the harness record where CPU 2 is, three times a second apart (its
# registers land in the run's cpu-state.txt); print the header of the
# messaging region in its shared region at SHARED (ring indexes and
# doorbell flags) and the last kernel lines it sent there.
stall_report() {
	for i in 1 2 3; do
		echo "MK-QEMU: cpu-state stall$i 2" >$t
		sleep 1
	done
	dd if=/dev/mem bs=4096 skip=$((($1 + 0x20000) / 4096)) count=1 2>/dev/null |
		od -Ax -tx4 -N256 | sed 's/^/# messaging header: /' >$t
	dd if=/dev/mem bs=4096 skip=$(($1 / 4096)) count=256 2>/dev/null | strings |
		grep '\[ *[0-9]*\.[0-9]*\] ' | tail -n 12 | sed 's/^/# instance: /' >$t
}
# adopt_probe: TAP 9 to 13 of liveupdate_test.sh, in the new host: it
# adopted mklu0 from the record (sysfs and mkctl), its link works again
# (console, the pings it sent meanwhile, a datagram from this host and its
# echo, heartbeats), and it
# stops and is destroyed as usual, CPU 2 then the new host's.
adopt_probe() {
	i=/sys/kernel/multikernel/instances/mklu0
	p=/sys/kernel/multikernel
	pool=$((pool_end - pool_start + 1))
	row=$(mkctl list 2>&1 | awk '$1 == "mklu0" { print $2, $3, $4 }')
	# The old host's pool is this one's, less the instance's memory
	# (mkmemmib= from liveupdate_test.sh).
	mem_mib=$(arg mkmemmib)
	if [ "$row" = "1 running 2" ] && [ "$(cat $i/state 2>/dev/null)" = running ] &&
	   dmesg | grep -q "adopted instance mklu0 (id 1) running on CPUs 2" &&
	   ! dmesg | grep -q "mklu0: its low-memory window .* was not kept" &&
	   [ "$(cat $p/pool_size)" = $pool ] &&
	   [ "$(cat $p/pool_free)" = $((pool - (${mem_mib:-64} << 20))) ]; then
		echo "ok 9 the new host adopted mklu0 and took over the pool: mkctl list says id, state, CPUs: $row" >$t
	else
		echo "not ok 9 mklu0 not adopted: mkctl list says '$row'; pool $(cat $p/pool_size), free $(cat $p/pool_free)" >$t
		dmesg | grep -i "multikernel\|adopt" | sed 's/^/# /' >$t
	fi
	# What it printed since, over the link taken over from the old host.
	n=0
	c=0
	while [ $n -lt 30 ]; do
		c=$(mkctl console mklu0 2>/dev/null | grep -c 'MK-INSTANCE: tick')
		[ "$c" -ge 2 ] && break
		sleep 1
		n=$((n + 1))
	done
	if [ "$c" -ge 2 ]; then
		echo "ok 10 its console comes to the new host: $c tick lines" >$t
	else
		echo "not ok 10 its console shows $c tick lines in the new host" >$t
	fi
	# The pings: told to stop, the pinger waits for those still out and
	# sends its summary, on which the echo exits. Those sent while no
	# host took them in came back late, not never.
	end=
	if mkctl send mklu0 MKPING-STOP >/dev/null 2>&1; then
		n=0
		while [ $n -lt 30 ] && kill -0 "$echo_pid" 2>/dev/null; do
			sleep 1
			n=$((n + 1))
		done
		end=$(grep '^MKPING-END' /tmp/pings)
	fi
	# shellcheck disable=SC2086 # the summary's words
	set -- $end
	# MKPING-END sent S back B lost L longest R ms over1s N full F
	if [ $# -eq 14 ] && [ "$3" -gt 0 ] && [ "$7" = 0 ] && [ "${12}" -gt 0 ]; then
		echo "ok 11 the instance's datagram pings came back across the switch: $3 sent, none lost, ${12} of them over a second late; the longest round trip $9 ms" >$t
	else
		echo "not ok 11 the instance's datagram pings: '${end:-no summary}'" >$t
		sed 's/^/# echo: /' /tmp/pings >$t
		region | grep "MK-INSTANCE: ping" | tail -n 6 | sed 's/^/# instance: /' >$t
		grep . /sys/class/misc/mkmsg-mklu0/statistics/* 2>/dev/null | sed 's/^/# /' >$t
	fi
	echo "# liveupdate: datagram pings: $end" >$t
	got=$(mkctl send mklu0 "sent after the kexec" 2>&1 && mkctl recv mklu0 --timeout 30 2>&1)
	if [ "$got" = "sent after the kexec" ]; then
		echo "ok 12 a datagram to mklu0 comes back from its echo" >$t
	else
		echo "not ok 12 datagram round trip to mklu0: '$got'" >$t
	fi
	# The watchdog crashes an instance silent for 5 s: heartbeats flow.
	sleep 8
	st=$(cat $i/state 2>/dev/null)
	if [ "$st" = running ] && mkctl stop mklu0 --timeout 60 &&
	   [ "$(cat $i/state 2>/dev/null)" = stopped ] &&
	   [ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ] &&
	   dmesg | grep -q "mklu0: instance acknowledged the shutdown request" &&
	   mkctl destroy mklu0 && [ ! -e $i ] && [ "$(cat $p/pool_free)" = $pool ]; then
		echo "ok 13 mklu0 keeps running on heartbeats, stops when asked, CPU 2 comes online in the new host, and it is destroyed, its memory back in the pool" >$t
	else
		echo "not ok 13 heartbeats, stop or destroy of the adopted mklu0 (state after 8 s: $st, now: $(cat $i/state 2>/dev/null), pool free $(cat $p/pool_free))" >$t
		dmesg | grep -i "mklu0" | tail -n 12 | sed 's/^/# /' >$t
	fi
}

# lu_container: a container (user, pid, mount, net, uts and ipc
# namespaces in a cgroup v2 group on CPU 1 with 64 MiB) whose workload's
# first act is to print the TSC (liveupdate_test.sh: the downtime of a
# workload in a container when its host kernel is replaced).
lu_container() {
	cg=/sys/fs/cgroup
	mkdir -p $cg
	mount -t cgroup2 none $cg 2>/dev/null
	echo "+cpuset +memory" >$cg/cgroup.subtree_control
	# shellcheck disable=SC2016 # expanded by the inner shell
	{ mkdir $cg/lu && echo 1 >$cg/lu/cpuset.cpus && echo 0 >$cg/lu/cpuset.mems &&
		echo 64M >$cg/lu/memory.max &&
		sh -c 'echo $$ >/sys/fs/cgroup/lu/cgroup.procs &&
			exec unshare -r -p -f -m -u -i -n --mount-proc \
			sh -c "echo \"# liveupdate: a container workload ran again at TSC \$(mk_rdtsc)\""'; } >$t 2>/tmp/container ||
		echo "# liveupdate: no container: $(cat /tmp/container)" >$t
}

# adopt_refused: TAP 9 with a damaged record: nothing is adopted, CPU 2
# stays held, and none of the pool is handed out.
adopt_refused() {
	if [ ! -e /sys/kernel/multikernel/instances/mklu0 ] &&
	   ! mkctl list 2>&1 | grep -q "^mklu0 " &&
	   [ "$(cat /sys/devices/system/cpu/cpu2/online)" = 0 ] &&
	   [ "$(cat /sys/kernel/multikernel/pool_free)" = 0 ]; then
		echo "ok 9 a refused record adopts nothing: no mklu0, CPU 2 still held, no pool memory free" >$t
	else
		echo "not ok 9 something was adopted from a refused record: $(mkctl list 2>&1 | tr '\n' ' ')" >$t
	fi
}

# ram_in_pool: this kernel's System RAM ranges that meet the pool.
ram_in_pool() {
	for r in $(sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/\1:\2/p' /proc/iomem); do
		overlaps $((0x${r%:*})) $((0x${r#*:})) && printf ' %s' "$r"
	done
}

case "$(cat /proc/cmdline)" in
*mkjob=panic*) echo c > /proc/sysrq-trigger ;;
*mkjob=spin*) echo "spinning"; while :; do :; done ;;
*mkjob=hardlockup*) echo "locking up with interrupts off"; echo hardlockup > /sys/kernel/multikernel_peer_faults ;;
*mkjob=wild*)
	pa=$(sed -n 's/.*mkwild=\(0x[0-9a-f]*\).*/\1/p' /proc/cmdline)
	echo "MK-INSTANCE: writing to $pa through a wild pointer"
	echo "wild-write $pa" > /sys/kernel/multikernel_peer_faults
	echo "MK-INSTANCE: the wild write returned"
	while :; do sleep 1; done
	;;
*mkjob=contain*)
	mount -t debugfs debugfs /sys/kernel/debug
	mount -t securityfs none /sys/kernel/security
	echo "MK-CONTAIN: lockdown $(cat /sys/kernel/security/lockdown 2>&1)"
	contain_probe
	echo "MK-CONTAIN: probe exited with status $?"
	# What the host's firmware told the host, which must not reach us:
	# screen_info, APM, IST, EDID, EFI, EDD (offsets in
	# Documentation/arch/x86/zero-page.rst, in decimal). Not the ACPI
	# RSDP: our own decompressor finds it in the BIOS area and writes it
	# there (the platform code then leaves ACPI off).
	bp=/sys/kernel/boot_params/data
	left=""
	for r in 0:64 64:20 96:16 320:128 448:32 489:2 656:64 3328:492; do
		n=$(od -An -v -tx1 -j "${r%:*}" -N "${r#*:}" "$bp" | tr -d ' 0\n')
		[ -z "$n" ] || left="$left ${r%:*}"
	done
	echo "MK-CONTAIN: boot_params leftovers:${left:- none}"
	echo "MK-CONTAIN: setup_data types: $(cat /sys/kernel/boot_params/setup_data/*/type 2>/dev/null | tr '\n' ' ')"
	case "$(cat /proc/cmdline)" in
	*mkreset=sysrq*) echo "MK-CONTAIN: sysrq b"; echo b > /proc/sysrq-trigger ;;
	*mkreset=reboot*) echo "MK-CONTAIN: reboot -f"; reboot -f ;;
	esac
	echo "waiting for shutdown"
	while :; do sleep 1; done
	;;
*mkjob=wait*) echo "waiting for shutdown"; while :; do sleep 1; done ;;
*mkjob=tick*) while :; do echo "MK-INSTANCE: tick $(cut -d' ' -f1 /proc/uptime)"; sleep 1; done ;;
*mkjob=gapwatch*)
	# With a datagram echo beside it, or a pinger that echoes too; the
	# shell stays to take a shutdown.
	case "$(cat /proc/cmdline)" in
	*mkping*) mk_dgram_ping -w 600 2>&1 & ;;
	*) msgdev_echo -w 600 >/dev/null 2>&1 & ;;
	esac
	mk_gap_probe &
	wait $!
	;;
*mkjob=fault*)
	f=/sys/kernel/multikernel_peer_faults
	for c in $(sed -n 's/.*mkfault=\([a-z0-9,-]*\).*/\1/p' /proc/cmdline | tr , ' '); do
		echo "MK-INSTANCE: fault $c"
		case $c in
		flood) echo "flood 100000000" >$f & ;;
		garble-*) echo "$c" | tr - ' ' >$f || echo "MK-INSTANCE: fault $c failed" ;;
		sysrq-?) echo "${c#sysrq-}" >/proc/sysrq-trigger ;;
		poweroff) poweroff -f ;;
		*) echo "$c" >$f || echo "MK-INSTANCE: fault $c failed" ;;
		esac
	done
	echo "waiting for shutdown"
	while :; do sleep 1; done
	;;
*mkjob=trial*)
	n=0
	while [ ! -e /dev/mkmsg/host ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	echo "waiting for a fault"
	f=$(mkctl recv host --timeout 600)
	echo "MK-INSTANCE: fault $f"
	if printf '%s\n' "$f" >/sys/kernel/multikernel_peer_faults; then
		echo "MK-INSTANCE: fault $f returned"
	else
		echo "MK-INSTANCE: fault $f failed"
	fi
	while :; do sleep 1; done
	;;
*mkjob=luprobe*)
	# Not an instance: the kernel a host kexec started while an instance
	# ran (liveupdate_test.sh). TAP lines 5 to 8 after the old host's on
	# ttyS1, then the end marker. Its command line names no CPU and no
	# memory to keep off: the old host's handover does.
	host_job_setup
	# The adopted instance's pings wait for an echo: the first program
	# this host runs (none with a record refused: no device then).
	[ -e /dev/mkmsg/mklu0 ] && mk_dgram_ping -e /dev/mkmsg/mklu0 >/tmp/pings 2>&1 &
	echo_pid=$!
	# A workload in a container dies with the old host: restarted at once
	# in this one, as the comparison suite's container leg builds it, it
	# is back when its first line says so.
	lu_container &
	# A workload on this host itself (or a container) was down at least
	# from the kexec to here: this kernel's boot to init.
	# The TSC ran on across the kexec (the old host printed it then).
	echo "# liveupdate: the new host ran init at its uptime $(cut -d' ' -f1 /proc/uptime) s, TSC $(mk_rdtsc), $(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p') MHz" >$t
	shared=$(arg mkshared)
	took=$(ram_in_pool)
	[ "$(cat /sys/devices/system/cpu/cpu2/online 2>/dev/null)" = 1 ] && took="$took CPU2"
	echo 1 2>/dev/null >/sys/devices/system/cpu/cpu2/online && took="$took CPU2-onlined"
	dmesg | grep -q "handed over by the old host: holding CPUs 2" || took="$took no-handover-line"
	# The record: read and logged, or, damaged on purpose, refused.
	bad=
	case "$(cat /proc/cmdline)" in
	*mkrecord=bad*)
		bad=1
		want="bad handover record (checksum mismatch): adopting nothing, holding CPUs 2$"
		;;
	*) want="the old host left instance mklu0 (id [0-9]*, boot 1, state 3) on CPUs 2," ;;
	esac
	dmesg | grep -q "$want" || took="$took no-record-line"
	# The instance's low-memory window, which its CPUs start from: kept
	# before anything below 1 MiB was handed out, and given back to it.
	if [ -z "$bad" ]; then
		win=$(dmesg | sed -n 's/.*the old host left instance mklu0 .*low-memory window at \(0x[0-9a-f]*\)$/\1/p')
		dmesg | grep -q "kept the low-memory window at ${win:-none} of instance mklu0," ||
			took="$took window-${win:-none}-not-kept"
	fi
	if [ -z "$took" ]; then
		echo "ok 5 the new kernel keeps off CPU 2 and the pool ($(nproc) CPUs online)" >$t
	else
		echo "not ok 5 the new kernel took what the instance has:$took" >$t
		dmesg | grep -i "multikernel\|handover\|e820" | sed 's/^/# /' >$t
	fi
	# The text of the instance's shared region (its rings), and every
	# tick it printed there.
	# With a good record this kernel took the pool over as its RAM, which
	# /dev/mem refuses, and adopted the instance: what it sent since the
	# old host last took from its ring is in its console here. Otherwise
	# the pool stays reserved, and its shared region is read directly.
	region() {
		if [ -n "$bad" ]; then
			dd if=/dev/mem bs=4096 skip=$((shared / 4096)) count=256 2>/dev/null | strings
		else
			mkctl console mklu0 2>/dev/null
		fi
	}
	ticks() { region | sed -n 's/.*MK-INSTANCE: tick \([0-9.]*\).*/\1/p' | sort -n; }
	first=$(ticks | tail -n 1)
	last=$first
	n=0
	while [ $n -lt 60 ] && [ "$last" = "$first" ]; do
		sleep 1
		n=$((n + 1))
		last=$(ticks | tail -n 1)
	done
	if [ -n "$first" ] && [ "$last" != "$first" ]; then
		echo "ok 6 the instance runs on under the new kernel (tick $first -> $last)" >$t
	else
		echo "not ok 6 the instance's last tick stays at '$first'" >$t
		[ -n "$bad" ] && stall_report $shared
		region | tail -n 12 | sed 's/^/# instance: /' >$t
	fi
	# How the switch looked from inside: the longest gap between two
	# ticks, and the longest a 1 ms sleeper went without running (the
	# figure each tick line carries, mk_gap_probe).
	gap=$(ticks | awk 'NR > 1 && $1 - p > g { g = $1 - p } { p = $1 } END { printf "%.2f", g }')
	stall=$(region |
		sed -n 's/.*MK-INSTANCE: tick \([0-9.]*\) longest \([0-9.]*\) ms.*/\2 \1/p' |
		sort -n | tail -n 1)
	if [ "$(ticks | wc -l)" -ge 2 ] && [ -n "$stall" ]; then
		echo "ok 7 $(ticks | wc -l) ticks read; the longest gap between two is $gap s; the longest a 1 ms sleeper did not run: ${stall% *} ms (in the second before tick ${stall#* })" >$t
	else
		echo "not ok 7 fewer than two ticks with gaps in the instance's ring" >$t
	fi
	# An instance of one CPU sends itself no NMI and no IPI: every one its
	# kernel counted from its first tick line to its last came from a host.
	# Whole lines only: read raw from the ring while the instance writes,
	# the newest line can be cut short and run into older bytes ("ipi 0"
	# became "ipi 00000000720" in one run).
	irqs() {
		region | tr -d '\r' |
			sed -n 's/.*MK-INSTANCE: tick \([0-9.]*\) longest [0-9.]* ms nmi \([0-9]*\) ipi \([0-9]*\)$/\1 \2 \3/p' |
			sort -n
	}
	# shellcheck disable=SC2046 # three numbers from each of two lines
	set -- $(irqs | head -n 1) $(irqs | tail -n 1)
	# Nor an interrupt it has no handler for, such as the host's 8259
	# timer through LINT0 while the new host sets its PIC up.
	stray=$(region | grep -c 'No irq handler')
	if [ $# -eq 6 ] && [ "$2" = "$5" ] && [ "$3" = "$6" ] && [ "$stray" = 0 ]; then
		echo "ok 8 the instance took no NMI, no IPI and no stray interrupt from tick $1 to tick $4 (NMIs $5, IPIs $6)" >$t
	else
		echo "not ok 8 NMIs, IPIs or stray interrupts reached the instance: tick, NMIs, IPIs first and last: $*; $stray stray" >$t
	fi
	echo "# liveupdate: ticks $(ticks | tr '\n' ' ')" >$t
	# What its kernel said last (a switch it noticed would show here).
	region | grep '\[ *[0-9]*\.[0-9]*\] ' | tail -n 8 | sed 's/^/# instance: /' >$t
	echo "# liveupdate: the longest stall before each tick, ms: $(region |
		sed -n 's/.*MK-INSTANCE: tick \([0-9.]*\) longest \([0-9.]*\) ms.*/\1:\2/p' | sort -n | tr '\n' ' ')" >$t
	# Adoption (TAP 9 to 13, last: it ends with the instance destroyed).
	if [ -n "$bad" ]; then
		adopt_refused
	else
		adopt_probe
	fi
	echo "$MK_INIT_DONE" >$t
	poweroff -f
	;;
*mkjob=vmcore*)
	# Not an instance: the crash kernel of a panicked host (kdump_test.sh).
	# TAP lines 3 to 5 after the host's on ttyS1, then the end marker.
	host_job_setup
	head_pa=$(arg mkhead)
	if mk_vmcore_ranges >/tmp/loads 2>/tmp/err; then
		bad=""
		while read -r _ pa sz; do
			overlaps $((pa)) $((pa + sz - 1)) && bad="$bad $pa+$sz"
		done </tmp/loads
		sed "s/^/# vmcore: /" /tmp/loads >$t
		if [ -z "$bad" ]; then
			echo "ok 3 /proc/vmcore ($(wc -l </tmp/loads) ranges) leaves out the pool" >$t
		else
			echo "not ok 3 /proc/vmcore holds pool memory:$bad" >$t
		fi
	else
		echo "not ok 3 no /proc/vmcore: $(cat /tmp/err)" >$t
	fi
	bad=$(ram_in_pool)
	if [ -z "$bad" ]; then
		echo "ok 4 the crash kernel's RAM lies outside the pool" >$t
	else
		echo "not ok 4 the crash kernel's RAM overlaps the pool:$bad" >$t
	fi
	# The instance's ring index to the host, from its shared region.
	index() {
		dd if=/dev/mem bs=4096 skip=$((head_pa / 4096)) count=1 2>/dev/null |
			od -An -tu4 -j $((head_pa % 4096)) -N4 | tr -d ' '
	}
	i0=$(index)
	i1=$i0
	n=0
	# A tick line a second, and heartbeats; a minute of them, every
	# change noted.
	while [ $n -lt 60 ]; do
		sleep 1
		n=$((n + 1))
		i=$(index)
		[ "$i" = "$i1" ] && continue
		echo "# ring index after ${n}s: $i" >$t
		i1=$i
		[ $n -ge 5 ] && break
	done
	# Its kernel's lines in its shared region: none about an interrupt
	# it has no handler for (the host's 8259 through LINT0).
	# Its tick lines there show that this is the right memory.
	shared=$((head_pa - 192 - 0x20000))
	dd if=/dev/mem bs=4096 skip=$((shared / 4096)) count=256 2>/dev/null | strings >/tmp/region
	stray=$(grep -c 'No irq handler' /tmp/region)
	ticks=$(grep -c 'MK-INSTANCE: tick' /tmp/region)
	if [ -n "$i0" ] && [ "$i1" != "$i0" ] && [ "$stray" = 0 ] && [ "$ticks" -gt 0 ]; then
		echo "ok 5 the instance runs on under the crash kernel, no stray interrupt in its $ticks tick lines' region (ring index $i0 -> $i1)" >$t
	elif [ "$stray" != 0 ] || [ "$ticks" = 0 ]; then
		echo "not ok 5 the instance's region holds $ticks tick lines and $stray lines on interrupts it has no handler for" >$t
	else
		echo "not ok 5 the instance's ring index stays at '$i0'" >$t
		stall_report $shared
	fi
	echo "$MK_INIT_DONE" >$t
	poweroff -f
	;;
*mkjob=pong*)
	n=0
	while [ ! -e /dev/mkmsg/host ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	msg=$(mkctl recv host --timeout 120) && mkctl send host "pong: $msg"
	echo "MK-INSTANCE: pong exited with status $?"
	;;
*mkjob=echo*|*mkjob=client*)
	peer=$(sed -n 's/.*mkpeer=\([0-9]*\).*/\1/p' /proc/cmdline)
	count=$(sed -n 's/.*mkcount=\([0-9]*\).*/\1/p' /proc/cmdline)
	case "$(cat /proc/cmdline)" in
	*mkjob=echo*) set -- msgdev_echo ${peer:+-c "$peer"} ;;
	*) set -- msgdev_client -k -n "${count:-10000}" ${peer:+-c "$peer"} /dev/mkmsg/host ;;
	esac
	# In the background, so that a shutdown request's trap runs at once.
	"$@" &
	wait $!
	echo "MK-INSTANCE: $1 exited with status $?"
	;;
esac
echo "MK-INSTANCE: powering off"
poweroff -f
