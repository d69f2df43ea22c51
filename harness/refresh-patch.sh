#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/refresh-patch.sh patches/NNNN-name.patch [path...]
# Regenerate the diff of an upstream-file patch from the composed tree:
# for each path the patch already touches (plus any named), diff the
# pristine base against build/linux. The mail header and commit message at
# the top of the patch are kept. Each upstream file belongs to one patch.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 patches/NNNN-name.patch [path...]"
patch=$1; shift
[ -f "$patch" ] || die "$patch: no such patch (write its header first)"
[ -d "$TREE" ] || die "no composed tree: run make tree"

files=$( (grep '^diff --git a/' "$patch" | sed 's|^diff --git a/\([^ ]*\) .*|\1|'
	for f in "$@"; do echo "$f"; done) | sort -u)
[ -n "$files" ] || die "$patch touches no file yet: name the paths"

header=$(sed '/^---$/,$d' "$patch")
tmp=$(mktemp)
{
	printf '%s\n---\n' "$header"
	for f in $files; do
		[ -f "$BASE/$f" ] || die "$f is not an upstream file; add it to the repository instead"
		echo "diff --git a/$f b/$f"
		diff -up --label "a/$f" --label "b/$f" "$BASE/$f" "$TREE/$f" || true
	done
	echo "-- "
	echo "2.39.5"
} > "$tmp"
mv "$tmp" "$patch"
echo "refreshed $patch: $(echo "$files" | wc -l) file(s)"
