#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/checkpatch.sh OUT.tap
# Run the composed tree's checkpatch.pl --strict on every file this
# repository adds to the kernel and on every patch in patches/. Writes one
# TAP line per file; any error, warning or check fails that file.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 OUT.tap"
out=$1
cp_pl=$TREE/scripts/checkpatch.pl
[ -x "$cp_pl" ] || die "no composed tree: run make tree"

n=0
: > "$out"
check() {	# label, checkpatch arguments...
	local label=$1 res
	shift
	n=$((n + 1))
	if res=$(cd "$TREE" && "$cp_pl" --strict --quiet --no-summary --show-types \
			"$@" 2>&1) &&
	   ! echo "$res" | grep -qE '^(ERROR|WARNING|CHECK):'; then
		echo "ok $n $label" >> "$out"
	else
		echo "not ok $n $label" >> "$out"
		echo "$res" | sed 's/^/# /' >> "$out"
		echo "checkpatch: $label:" >&2
		echo "$res" >&2
	fi
}

for f in $(owned_files); do
	case "$f" in
	*/.kunitconfig | */config | */settings | *.msg) continue ;;
	esac
	check "$f" -f "$f"
done
for p in $(awk '$1 == "patch" { print $2 }' "$TOP/patches/series"); do
	check "patches/$p" "$TOP/patches/$p"
done
echo "1..$n" >> "$out"
