#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkctl from a user's point of view: the commands of DESIGN.md section 6,
# their output, and that every failure prints exactly one line
# "mkctl: <what failed>: <why>" and exits non-zero. Needs mkctl in PATH
# (the harness puts it at /bin/mkctl), a pool of 64M or more and CPUs 2
# and 3 online.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh

ERR=/tmp/mkctl_test.err
OUT=/tmp/mkctl_test.out

ktap_print_header

if ! command -v mkctl >/dev/null 2>&1; then
	ktap_skip_all "mkctl is not installed"
	exit "$KSFT_SKIP"
fi
if [ ! -e /dev/multikernel ]; then
	ktap_skip_all "no /dev/multikernel: kernel without CONFIG_MULTIKERNEL"
	exit "$KSFT_SKIP"
fi
if [ "$(cat /sys/kernel/multikernel/pool_size)" -lt $((64 << 20)) ]; then
	ktap_skip_all "needs a pool of 64M or more (multikernel=)"
	exit "$KSFT_SKIP"
fi

cleanup() {
	mkctl stop mkct0 --force >/dev/null 2>&1
	mkctl destroy mkct0 >/dev/null 2>&1
	mkctl stop mkct1 --force >/dev/null 2>&1
	mkctl destroy mkct1 >/dev/null 2>&1
}

# expect_fail DESC STATUS PATTERN mkctl-args...: the command exits with
# STATUS and prints one line on stderr that starts with "mkctl: " and
# matches PATTERN (an extended regular expression).
expect_fail() {
	desc=$1 want=$2 pattern=$3
	shift 3
	mkctl "$@" >"$OUT" 2>"$ERR"
	got=$?
	lines=$(wc -l <"$ERR")
	if [ "$got" -eq "$want" ] && [ "$lines" -eq 1 ] &&
	   grep -Eq "^mkctl: .*$pattern" "$ERR"; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "mkctl $*: exit $got (want $want), $lines line(s):"
		while read -r l; do ktap_print_msg "  $l"; done <"$ERR"
		ktap_test_fail "$desc"
	fi
}

# expect_ok DESC PATTERN mkctl-args...: exit 0, nothing on stderr, and
# PATTERN (an extended regular expression, may be empty) in stdout.
expect_ok() {
	desc=$1 pattern=$2
	shift 2
	mkctl "$@" >"$OUT" 2>"$ERR"
	got=$?
	if [ "$got" -eq 0 ] && [ ! -s "$ERR" ] &&
	   { [ -z "$pattern" ] || grep -Eq "$pattern" "$OUT"; }; then
		ktap_test_pass "$desc"
	else
		ktap_print_msg "mkctl $*: exit $got, stdout/stderr:"
		while read -r l; do ktap_print_msg "  $l"; done <"$OUT"
		while read -r l; do ktap_print_msg "  $l"; done <"$ERR"
		ktap_test_fail "$desc"
	fi
}

cpu_online() {
	cat /sys/devices/system/cpu/cpu"$1"/online
}

cleanup
ktap_set_plan 32

expect_ok "help" "^Usage: mkctl" --help
expect_fail "no command" 2 "usage: no command given"
expect_fail "unknown command" 2 "frob: unknown command" frob
expect_fail "bad name" 2 "create: invalid name 'Mk0'" create Mk0 --cpus 2 --mem 4M
expect_fail "missing option" 2 "create: needs --mem" create mkct0 --cpus 2
expect_fail "option of another command" 2 "start: does not take --force" \
	start mkct0 --force
expect_fail "bad size" 1 "create mkct0: '3M' is not a memory size" \
	create mkct0 --cpus 2 --mem 3M
expect_fail "CPU 0" 1 "create mkct0: CPU 0 stays with the host" \
	create mkct0 --cpus 0 --mem 4M
expect_fail "missing CPU" 1 "create mkct0: CPU 999 does not exist" \
	create mkct0 --cpus 2,999 --mem 4M
expect_fail "bad CPU list" 1 "create mkct0: '2-' is not a CPU list" \
	create mkct0 --cpus 2- --mem 4M
expect_fail "pool too small" 1 "create mkct0: .* of pool memory free in one piece is not enough" \
	create mkct0 --cpus 2 --mem 64G
expect_fail "no such instance" 1 "start mkct0: no such instance" start mkct0

expect_ok "create" "" create mkct0 --cpus 2 --mem 4M
if [ "$(cpu_online 2)" = 0 ]; then
	ktap_test_pass "create takes the CPU"
else
	ktap_test_fail "create takes the CPU"
fi
expect_ok "list" "^mkct0 +[0-9]+ +empty +2 +4M +-$" list
expect_ok "status" "^state: +empty$" status mkct0
expect_ok "status CPUs" "^cpus: +2 \(offline in the host\)$" status mkct0
expect_ok "console before start" "" console mkct0
expect_fail "send before start" 1 "send mkct0: no link to that kernel" \
	send mkct0 hello
expect_fail "recv before start" 1 "recv mkct0: no link to that kernel" \
	recv mkct0 --timeout 1
expect_fail "send nothing" 1 "send mkct0: empty message" send mkct0 ""
expect_fail "send to no instance" 1 "send mkct9: cannot open /dev/mkmsg/mkct9" \
	send mkct9 hello
expect_fail "recv bad count" 2 "recv: --count takes a number" \
	recv mkct0 --count x
expect_fail "duplicate name" 1 "create mkct0: an instance of that name exists" \
	create mkct0 --cpus 3 --mem 4M
expect_fail "CPU of another instance" 1 "create mkct1: CPU busy" \
	create mkct1 --cpus 2-3 --mem 4M
expect_fail "start without kernel" 1 "start mkct0: no kernel loaded" start mkct0
expect_fail "stop when not running" 1 "stop mkct0: instance is not running" \
	stop mkct0 --timeout 1
expect_fail "load a non-kernel" 1 \
	"load mkct0: (not a kernel image|.*cannot load instance kernels)" \
	load mkct0 --kernel /bin/busybox
expect_ok "destroy" "" destroy mkct0
expect_fail "destroy again" 1 "destroy mkct0: no such instance" destroy mkct0

# run undoes what it did when a step fails.
expect_fail "run a non-kernel" 1 "load mkct1: " \
	run mkct1 --cpus 3 --mem 4M --kernel /bin/busybox
if [ "$(cpu_online 3)" = 1 ] && [ ! -e /sys/kernel/multikernel/instances/mkct1 ]; then
	ktap_test_pass "failed run leaves nothing"
else
	ktap_test_fail "failed run leaves nothing"
fi

cleanup
ktap_finished
