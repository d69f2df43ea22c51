#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/check.sh
# The static gates on our code: checkpatch --strict, a W=1 build and a
# sparse (C=1) build of kernel/multikernel/ and arch/x86/kernel/multikernel/,
# kernel-doc on our sources and headers. Prints each problem and exits non-zero when any gate fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

fail=0
KMAKE=(make -s -C "$TREE" O="$OBJ" CC="ccache gcc" -j"$JOBS")

log "checkpatch --strict"
"$TOP/harness/checkpatch.sh" "$BUILD/check-checkpatch.tap" || true
grep -q '^not ok' "$BUILD/check-checkpatch.tap" && fail=1

for gate in "W=1" "C=1"; do
	log "$gate build of kernel/multikernel/ and arch/x86/kernel/multikernel/"
	# Force a recompile so every warning shows, not just those of changed files.
	touch "$TREE"/kernel/multikernel/*.c "$TREE"/arch/x86/kernel/multikernel/*.c
	if ! out=$("${KMAKE[@]}" "$gate" kernel/multikernel/ \
			arch/x86/kernel/multikernel/ 2>&1) || [ -n "$out" ]; then
		echo "$out"
		fail=1
	fi
done

log "kernel-doc"
srcs=$(owned_files | grep -E '\.(c|h)$' | grep -v '^tools/' || true)
# shellcheck disable=SC2086
if ! out=$(cd "$TREE" && scripts/kernel-doc -none -Wall $srcs 2>&1) || [ -n "$out" ]; then
	echo "$out"
	fail=1
fi

[ $fail -eq 0 ] && log "all gates clean"
exit $fail
