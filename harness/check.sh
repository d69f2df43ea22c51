#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/check.sh [OUTDIR]
# The static gates on our code, for `make check` and `make test`:
# checkpatch --strict, W=1 and sparse (C=1) builds of our kernel code,
# kernel-doc on our sources and headers, shellcheck on the harness, and
# no test-only symbol in our objects built without the test options.
# Writes TAP to OUTDIR (default build/check): checkpatch.tap, one line per
# file, and gates.tap, one line per other gate. Prints every problem and
# exits non-zero when any gate fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:-$BUILD/check}
mkdir -p "$out"
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
KMAKE=(make -s -C "$TREE" O="$OBJ" CC="ccache gcc" -j"$JOBS")
SRC_DIRS=(kernel/multikernel/ arch/x86/kernel/multikernel/)

n=0
: > "$out/gates.tap"
# gate NAME COMMAND...: one TAP line; fails when COMMAND fails or says anything.
gate() {
	local name=$1 res
	shift
	n=$((n + 1))
	res="$out/gate-$n.log"
	log "$name"
	if "$@" > "$res" 2>&1 && [ ! -s "$res" ]; then
		echo "ok $n $name" >> "$out/gates.tap"
	else
		echo "not ok $n $name" >> "$out/gates.tap"
		sed 's/^/# /' "$res" >> "$out/gates.tap"
		echo "check: $name:" >&2
		cat "$res" >&2
	fi
}

# kbuild FLAG: rebuild our objects with FLAG (W=1, C=1), all of them, so
# that every warning shows, not only those of files changed since.
kbuild() {
	local d

	for d in "${SRC_DIRS[@]}"; do
		touch "$TREE/$d"*.c
	done
	"${KMAKE[@]}" "$1" "${SRC_DIRS[@]}"
}

kdoc() {
	local srcs
	mapfile -t srcs < <(owned_files | grep -E '\.(c|h)$' | grep -v '^tools/')
	(cd "$TREE" && scripts/kernel-doc -none -Wall "${srcs[@]}")
}

log "checkpatch --strict"
"$TOP/harness/checkpatch.sh" "$out/checkpatch.tap" || true
gate "W=1 build of ${SRC_DIRS[*]}" kbuild W=1
gate "sparse (C=1) build of ${SRC_DIRS[*]}" kbuild C=1
gate "kernel-doc -Wall on our sources and headers" kdoc
gate "shellcheck -S warning harness/" shellcheck -x -S warning "$TOP"/harness/*.sh
gate "no test-only symbol without the test options (build/obj-prod)" \
	"$TOP/harness/check-test-symbols.sh"
gate "the comparison suite's parsers read known output right" \
	"$TOP/harness/check-parsers.sh"
echo "1..$n" >> "$out/gates.tap"

if grep -q '^not ok' "$out/checkpatch.tap" "$out/gates.tap"; then
	exit 1
fi
log "all gates clean"
