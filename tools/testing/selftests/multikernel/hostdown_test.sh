#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host powers off with instances running: it must ask them to shut
# down, wait, and reset the ones that do not. This test only leaves two
# instances running and returns; the harness's hostdown boot then powers
# the host off as every boot ends, and checks the host's console for the
# stops (harness/test.sh): mkhd0 waits for a shutdown request and powers
# off; mkhd1 spins with interrupts off and is reset after the wait.
# Run it alone: it leaves the instances behind on purpose.

DIR="$(dirname "$(readlink -f "$0")")"
. "${DIR}"/../kselftest/ktap_helpers.sh
. "${DIR}"/mk_lib.sh

MEM=${MK_INSTANCE_MEM:-64M}
NAMES="mkhd0 mkhd1"

ktap_print_header
mk_require $((160 << 20))
cleanup
ktap_set_plan 1

# No heartbeats: mkhd1 must still be running, not crashed for its silence,
# when the host goes down.
echo 0 >$MK/heartbeat_ms &&
	spawn mkhd0 2 wait &&
	spawn mkhd1 3 hardlockup &&
	wait_state mkhd0 "$BOOT_WAIT" running &&
	wait_console mkhd0 "$BOOT_WAIT" "waiting for shutdown" &&
	wait_console mkhd1 "$BOOT_WAIT" "peer fault: locking up CPU"
check "two instances run as the host powers off, one of them hard-locked" $?
ktap_finished
