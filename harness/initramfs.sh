#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/initramfs.sh
# Build build/initramfs.cpio.gz: busybox-static, harness/init.sh as /init,
# mkctl as /bin/mkctl, kexec-tools, and the multikernel kselftests installed by
# kselftest's own install rule; and the instance initramfs inside it
# (busybox, harness/instance-init.sh, mkctl, msgdev_echo, msgdev_client,
# contain_probe).
# Needs the composed tree and installed uapi headers (harness/build-kernel.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ -f "$OBJ/usr/include/linux/multikernel.h" ] || die "no installed uapi headers: run make kernel"
BUSYBOX=/bin/busybox
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: install busybox-static"
KEXEC=/usr/sbin/kexec
[ -x "$KEXEC" ] || die "$KEXEC missing: install kexec-tools"

KST=$BUILD/kselftest
rm -rf "$KST"
log "building kselftests (static)"
make -s -C "$TREE/tools/testing/selftests" TARGETS=multikernel \
	O="$BUILD/kselftest-obj" KHDR_INCLUDES="-isystem $OBJ/usr/include" \
	LDFLAGS=-static INSTALL_PATH="$KST" install >/dev/null

log "building mkctl (static)"
mkdir -p "$BUILD/mkctl"
make -s -C "$TREE/tools/multikernel" O="$BUILD/mkctl/" \
	KHDR_INCLUDES="-isystem $OBJ/usr/include" LDFLAGS=-static >/dev/null

gen=$BUILD/gen_init_cpio
if [ ! -x "$gen" ] || [ "$TREE/usr/gen_init_cpio.c" -nt "$gen" ]; then
	gcc -O2 -o "$gen" "$TREE/usr/gen_init_cpio.c"
fi

# The initramfs of the instances that scenario tests spawn.
inst_list=$BUILD/instance.list
{
	for d in /bin /sbin /proc /sys /dev /etc; do echo "dir $d 0755 0 0"; done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $BUSYBOX 0755 0 0"
	echo "file /init $TOP/harness/instance-init.sh 0755 0 0"
	echo "file /etc/mk-markers.sh $TOP/harness/markers.sh 0644 0 0"
	# Datagrams with the host: mkctl send/recv and the scenario helpers.
	echo "file /bin/mkctl $BUILD/mkctl/mkctl 0755 0 0"
	for p in msgdev_echo msgdev_client contain_probe mk_vmcore_ranges mk_gap_probe mk_dgram_ping mk_rdtsc; do
		echo "file /bin/$p $KST/multikernel/$p 0755 0 0"
	done
} > "$inst_list"
"$gen" "$inst_list" | gzip -1 > "$BUILD/instance.cpio.gz"

mkdir -p "$OUT"
sbsign --key "$BUILD/keys/signing.key" --cert "$BUILD/keys/signing.pem" \
	--output "$OUT/bzImage.signed" "$OBJ/arch/x86/boot/bzImage" 2>/dev/null ||
	die "cannot sign the instance kernel (sbsign, build/keys)"
list=$OUT/initramfs.list
{
	for d in /bin /sbin /etc /usr /usr/bin /usr/sbin /usr/lib /proc /sys /dev /tmp /run /root /boot; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "file /bin/busybox $BUSYBOX 0755 0 0"
	echo "file /init $TOP/harness/init.sh 0755 0 0"
	echo "file /etc/mk-markers.sh $TOP/harness/markers.sh 0644 0 0"
	# What scenario tests spawn: this very kernel and a tiny initramfs.
	echo "file /boot/bzImage $OBJ/arch/x86/boot/bzImage 0644 0 0"
	# On the debug kernel's initramfs, the plain kernel too: a soak under
	# kmemleak boots it in its instances (soak.sh).
	if [ "$OBJ" != "$BUILD/obj" ] && [ -f "$BUILD/obj/arch/x86/boot/bzImage" ]; then
		echo "file /boot/bzImage.plain $BUILD/obj/arch/x86/boot/bzImage 0644 0 0"
	fi
	# The same, signed, for a locked-down host (lockdown_test.sh).
	echo "file /boot/bzImage.signed $OUT/bzImage.signed 0644 0 0"
	echo "file /boot/instance.cpio.gz $BUILD/instance.cpio.gz 0644 0 0"
	echo "file /bin/mkctl $BUILD/mkctl/mkctl 0755 0 0"
	# kexec-tools and the libraries it links, for a crash kernel loaded
	# with kexec_load(2) (kdump_test.sh with MK_KDUMP_LOADER=kexec-tools).
	echo "file /sbin/kexec $KEXEC 0755 0 0"
	for d in /lib /lib/x86_64-linux-gnu /lib64; do echo "dir $d 0755 0 0"; done
	ldd "$KEXEC" | awk '/=> \// { print $3 } /^[[:space:]]*\/lib/ { print $1 }' |
	while read -r lib; do
		echo "file $lib $(readlink -f "$lib") 0755 0 0"
	done
	# kselftest's runner calls timeout --foreground, which busybox lacks.
	echo "file /usr/bin/timeout $TOP/harness/timeout.sh 0755 0 0"
	echo "dir /usr/lib/kselftests 0755 0 0"
	(cd "$KST" && find . -mindepth 1 | sort) | while read -r p; do
		p=${p#./}
		if [ -d "$KST/$p" ]; then
			echo "dir /usr/lib/kselftests/$p 0755 0 0"
		else
			echo "file /usr/lib/kselftests/$p $KST/$p $(stat -c %a "$KST/$p") 0 0"
		fi
	done
} > "$list"

"$gen" "$list" | gzip -1 > "$OUT/initramfs.cpio.gz.tmp"
mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
log "built $OUT/initramfs.cpio.gz"
