#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/qemu.sh NAME TIMEOUT "KERNEL ARGS"
# Boot build/obj's bzImage with build/initramfs.cpio.gz in a 4-CPU, 2 GiB
# QEMU guest (MK_SMP: another -smp topology, such as "4,threads=2").
# Serial ports go to build/runs/NAME/ttyS{0,1,2}.log (ttyS0: console,
# ttyS1: test output, ttyS2: spare for instance debugging). Exits 0 when
# the guest's init reported $MK_INIT_DONE (markers.sh) and QEMU ended by
# itself within TIMEOUT seconds; otherwise prints the tail of every log and
# exits non-zero (124 on timeout). A guest test may ask on ttyS1 for a
# machine check or for a record of CPUs' registers (qemu-requests.py).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: $0 NAME TIMEOUT \"KERNEL ARGS\""
name=$1 timeout=$2 args=$3
kernel=$OBJ/arch/x86/boot/bzImage
initrd=$OUT/initramfs.cpio.gz
[ -f "$kernel" ] || die "$kernel missing: run make kernel"
[ -f "$initrd" ] || die "$initrd missing: run make initramfs"

run=$OUT/runs/$name
rm -rf "$run"
mkdir -p "$run"

accel=$("$TOP/harness/accel.sh")

qemu_cmd "$run" "$accel" "${MK_SMP:-4}" "${QEMU_MEM:-2G}" "$initrd" "$args"
# The monitor takes what tests ask of the machine (qemu-requests.py).
"${QEMU_CMD[@]}" -pidfile "$run/qemu.pid" \
	-monitor "unix:$run/monitor.sock,server=on,wait=off" > "$run/qemu.out" 2>&1 &
qpid=$!
python3 "$TOP/harness/qemu-requests.py" "$run" "$qpid" &

# Stop only the QEMU we started, whatever happens to this script.
trap 'kill "$qpid" 2>/dev/null || true' EXIT INT TERM

status=0
waited=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ "$waited" -ge "$timeout" ]; then
		echo "qemu[$name]: timed out after ${timeout}s" >&2
		kill "$qpid" 2>/dev/null || true
		sleep 1
		kill -9 "$qpid" 2>/dev/null || true
		status=124
		break
	fi
	sleep 1
	waited=$((waited + 1))
done
if [ "$status" -eq 0 ]; then
	wait "$qpid" || status=$?
fi
trap - EXIT INT TERM
echo "$waited" > "$run/seconds"

if [ "$status" -eq 0 ] && ! grep -qF "$MK_INIT_DONE" "$run/ttyS1.log"; then
	echo "qemu[$name]: guest did not finish its job (no $MK_INIT_DONE)" >&2
	status=1
fi
if [ "$status" -ne 0 ]; then
	for f in "$run"/qemu.out "$run"/ttyS*.log; do
		[ -s "$f" ] || continue
		echo "---- tail of $f ----" >&2
		tail -n 40 "$f" >&2
	done
fi
exit "$status"
