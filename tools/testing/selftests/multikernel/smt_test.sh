#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# SMT siblings split between kernels: allowed, and said. An instance
# given one thread of a core makes the host warn which CPUs outside it
# share its cores (they share caches, buffers and timing with it); one
# given whole cores makes no such warning. Needs a machine whose CPUs 2
# and 3 are the two threads of one core (the harness has an smt boot);
# skips elsewhere.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

NAMES="mksm0 mksm1"

ktap_print_header
mk_require $((64 << 20))
siblings=$(cat /sys/devices/system/cpu/cpu2/topology/thread_siblings_list 2>/dev/null)
if [ "$siblings" != "2-3" ]; then
	ktap_skip_all "CPUs 2 and 3 are not the threads of one core (siblings of 2: '$siblings')"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 2
cleanup

# The warning create gave for instance $1, if any.
split_warning() {
	log_since | grep "instance $1: CPUs .* share cores with CPUs"
}

# 1: one thread of a core: created, with the warning naming the other.
scen_half_core() {
	log_mark
	mk create mksm0 --cpus 2 --mem 64M || return 1
	w=$(split_warning mksm0)
	msg "host: ${w:-no warning}"
	case "$w" in
	*"CPUs 2 share cores with CPUs 3 outside it"*) ;;
	*) return 1 ;;
	esac
	[ "$(state mksm0)" = empty ]
}
scen_half_core
result "one thread of a core: created, and the host names the sibling outside" $?

# 2: a whole core: no warning.
scen_whole_core() {
	log_mark
	mk create mksm1 --cpus 2-3 --mem 64M || return 1
	w=$(split_warning mksm1)
	[ -z "$w" ] || { msg "host: $w"; return 1; }
	mk destroy mksm1 || return 1
	[ "$(cat /sys/devices/system/cpu/cpu2/online)" = 1 ] &&
		[ "$(cat /sys/devices/system/cpu/cpu3/online)" = 1 ]
}
scen_whole_core
result "a whole core: no warning, and both threads back online after destroy" $?

ktap_finished
