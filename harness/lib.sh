# SPDX-License-Identifier: GPL-2.0
# Shared settings for the harness scripts; sourced, never run.
# shellcheck shell=bash disable=SC2034 # the settings are for the sourcing script

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
BASE_TAR=/usr/src/linux-source-6.12.tar.xz
BASE=$BUILD/base/linux-source-6.12	# pristine extracted base, never edited
TREE=$BUILD/linux			# composed tree: base + patches + our files
# make test-debug (MK_DEBUG=1) builds the same tree with debug.config on
# top and boots it, in directories of its own.
if [ -n "${MK_DEBUG:-}" ]; then
	OBJ=$BUILD/obj-debug		# kernel build output (O=)
	OUT=$BUILD/debug		# its initramfs, boots and results
	FRAGMENTS="multikernel.config debug.config"
	# Without 5-level paging: identify_cpu() clears the boot CPU's
	# feature bits while interrupts are on, and KASAN, which sizes the
	# kernel's address space from the LA57 bit, then reports a valid
	# direct-map access by an interrupt handler as a wild one (seen in
	# kernels a live update kexec'd). A false report, upstream's.
	QEMU_CPU=max,la57=off
	# A 1G pool in 2G of RAM fits only where KASLR left a gap that big:
	# a cold debug boot once found none and reserved no pool.
	QEMU_MEM=4G
else
	OBJ=$BUILD/obj
	OUT=$BUILD
	FRAGMENTS="multikernel.config"
fi
JOBS=${JOBS:-$(nproc)}

. "$TOP/harness/markers.sh"

# Directories of the kernel tree that hold files we add.
OWNED_DIRS="kernel arch include Documentation tools"

# Every file we add to the kernel tree (relative paths), one per line.
owned_files() {
	(cd "$TOP" && git ls-files --cached --others --exclude-standard -- $OWNED_DIRS)
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

log() {
	echo "==> $*" >&2
}

# campaign_instance_kernel: the kernel a long campaign (soak.sh, fuzz.sh)
# boots in its instances, as a path in the initramfs: the boot's own, or,
# with MK_DEBUG=1, the plain one, so that instances boot at a release
# kernel's speed while the debug host checks its own side of each.
campaign_instance_kernel() {
	if [ -z "${MK_DEBUG:-}" ]; then
		echo /boot/bzImage
	elif [ -f "$BUILD/obj/arch/x86/boot/bzImage" ]; then
		echo /boot/bzImage.plain
	else
		die "no plain kernel for the instances: run make kernel first"
	fi
}

# qemu_cmd DIR ACCEL CPUS MEM INITRD "KERNEL ARGS": set QEMU_CMD to the
# command line that boots build/obj's bzImage (with INITRD unless empty)
# on CPUS vCPUs and MEM of RAM, its serial ports ttyS0 (console), ttyS1
# and ttyS2 logged to DIR/ttyS{0,1,2}.log. Every boot of the harness is
# built here, so that they differ only in what they say they differ in.
qemu_cmd() {
	local dir=$1 accel=$2 cpus=$3 mem=$4 initrd=$5 args=$6 i

	QEMU_CMD=(qemu-system-x86_64 -accel "$accel" -cpu "${QEMU_CPU:-max}" -smp "$cpus" -m "$mem"
		-kernel "$OBJ/arch/x86/boot/bzImage"
		-append "console=ttyS0 panic=-1 $args"
		-display none -vga none -no-reboot -nodefaults)
	if [ -n "$initrd" ]; then
		QEMU_CMD+=(-initrd "$initrd")
	fi
	for i in 0 1 2; do
		QEMU_CMD+=(-serial "file:$dir/ttyS$i.log")
	done
}
