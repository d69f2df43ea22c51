#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/compose.sh
# Compose build/linux = pristine linux-source-6.12 + patches/ (in the order
# of patches/series) + the files this repository adds. Unchanged files keep
# their timestamps so the kernel build stays incremental.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mkdir -p "$BUILD"
if [ ! -f "$BASE/Makefile" ]; then
	[ -f "$BASE_TAR" ] || die "$BASE_TAR missing: run harness/deps.sh"
	log "extracting $BASE_TAR"
	rm -rf "$BUILD/base.tmp"
	mkdir -p "$BUILD/base.tmp"
	tar -C "$BUILD/base.tmp" -xf "$BASE_TAR"
	rm -rf "$BUILD/base"
	mv "$BUILD/base.tmp" "$BUILD/base"
fi
ver=$(make -s -C "$BASE" kernelversion 2>/dev/null)
log "base: Debian linux-source-6.12, Linux $ver"

# The patches listed in patches/series, in order.
series_patches() {
	awk '$1 == "patch" { print $2 }' "$TOP/patches/series"
}

stamp=$( (cat "$TOP/patches/series"; for p in $(series_patches); do
	cat "$TOP/patches/$p"; done) | sha256sum | cut -d' ' -f1)

if [ "$(cat "$TREE/.mk-patch-stamp" 2>/dev/null)" != "$stamp" ]; then
	log "applying patches/ to a fresh copy of the base"
	rm -rf "$TREE.new"
	# A real copy, not hard links: people edit build/linux in place (see
	# README), and an edit through a link would silently change the base.
	cp -a "$BASE" "$TREE.new"
	: > "$TREE.new/.mk-patched-files"
	for p in $(series_patches); do
		[ -f "$TOP/patches/$p" ] || die "patches/series names missing $p"
		if ! out=$(patch -d "$TREE.new" -p1 -N -s --no-backup-if-mismatch \
				-r - < "$TOP/patches/$p" 2>&1); then
			echo "$out" >&2
			rm -rf "$TREE.new"
			die "patch $p does not apply to Linux $ver"
		fi
		grep '^+++ ' "$TOP/patches/$p" | sed 's|^+++ [^/]*/||; s|\t.*||' \
			>> "$TREE.new/.mk-patched-files"
	done
	# Files patched before or now must look newer than old objects.
	old_list=/dev/null
	[ -f "$TREE/.mk-patched-files" ] && old_list=$TREE/.mk-patched-files
	sort -u "$old_list" "$TREE.new/.mk-patched-files" | while read -r f; do
		if [ -e "$TREE.new/$f" ]; then touch "$TREE.new/$f"; fi
	done
	cp "$TREE/.mk-owned-files" "$TREE.new/" 2>/dev/null || true
	rm -rf "$TREE"
	mv "$TREE.new" "$TREE"
	echo "$stamp" > "$TREE/.mk-patch-stamp"
fi

# Copy our files in; drop the ones we no longer have.
owned_files | sort > "$BUILD/owned.now"
if [ -f "$TREE/.mk-owned-files" ]; then
	comm -23 "$TREE/.mk-owned-files" "$BUILD/owned.now" | while read -r f; do
		if [ -e "$BASE/$f" ]; then
			cp -a "$BASE/$f" "$TREE/$f"; touch "$TREE/$f"
		else
			rm -f "$TREE/$f"
		fi
	done
fi
rsync -c --files-from="$BUILD/owned.now" "$TOP" "$TREE"
mv "$BUILD/owned.now" "$TREE/.mk-owned-files"
