#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/series.sh export|check
#   export  replay patches/series as git commits on the pristine base and
#           write `git format-patch` output with a cover letter to build/series/
#   check   export, then `git am` build/series/ onto a pristine base and
#           build every patch
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 export|check"
SERIES=$BUILD/series
GITBASE=$BUILD/series-base	# pristine base as a one-commit git repository
AUTHOR="Multikernel Developers <multikernel-dev@example.org>"

git_base() {
	if [ ! -f "$GITBASE/.git/mk-ready" ]; then
		log "making a git repository of the pristine base (once)"
		rm -rf "$GITBASE"
		cp -a "$BASE" "$GITBASE"
		git -C "$GITBASE" init -q -b base
		git -C "$GITBASE" add -A -f .
		git -C "$GITBASE" -c user.name=base -c user.email=base@localhost \
			commit -q -m "Linux $(make -s -C "$BASE" kernelversion) (Debian linux-source-6.12)"
		touch "$GITBASE/.git/mk-ready"
	fi
}

# A throw-away clone of the base in $1.
fresh_clone() {
	rm -rf "$1"
	git clone -q --shared "$GITBASE" "$1"
	git -C "$1" config user.name "${AUTHOR% <*}"
	git -C "$1" config user.email "$(echo "$AUTHOR" | sed 's/.*<\(.*\)>/\1/')"
	git -C "$1" checkout -q -b series
}

# The pristine base commit.
base_commit() {
	git -C "$GITBASE" rev-parse base
}

do_export() {
	local work=$BUILD/series-work covered kind arg rest
	git_base
	fresh_clone "$work"
	covered=$(mktemp)
	while read -r kind arg rest; do
		case "$kind" in
		'' | '#'*) continue ;;
		add)
			for p in $rest; do
				[ -e "$TOP/$p" ] || die "patches/series: $p does not exist"
				(cd "$TOP" && git ls-files --cached --others --exclude-standard -- "$p") >> "$covered"
				mkdir -p "$work/$(dirname "$p")"
				rm -rf "${work:?}/$p"
				cp -a "$TOP/$p" "$work/$p"
			done
			# shellcheck disable=SC2086
			git -C "$work" add -f -- $rest
			git -C "$work" commit -q -s -F "$TOP/patches/$arg"
			;;
		patch)
			git -C "$work" am -q "$TOP/patches/$arg" ||
				die "patch $arg does not apply with git am"
			;;
		*)
			die "patches/series: unknown entry '$kind'"
			;;
		esac
	done < "$TOP/patches/series"

	missing=$(owned_files | sort | comm -23 - <(sort -u "$covered"))
	rm -f "$covered"
	[ -z "$missing" ] || die "files in no 'add' line of patches/series: $missing"

	rm -rf "$SERIES"
	git -C "$work" format-patch -q --cover-letter --thread=shallow \
		-o "$SERIES" "$(base_commit)..HEAD"
	cover=$(ls "$SERIES"/0000-cover-letter.patch)
	python3 - "$cover" "$TOP/patches/cover-letter.txt" <<'PY'
import sys
cover, text = sys.argv[1], open(sys.argv[2]).read().strip().split('\n', 1)
s = open(cover).read()
s = s.replace('*** SUBJECT HERE ***', text[0]).replace('*** BLURB HERE ***', text[1].strip())
open(cover, 'w').write(s)
PY
	log "exported $(ls "$SERIES" | wc -l) files to $SERIES"
	ls "$SERIES"
}

do_check() {
	# The tree and objects sit side by side as build/linux and build/obj
	# do, so that the compiler sees the same relative paths and ccache
	# can reuse the test kernel's objects once the series is complete.
	local work=$BUILD/series-build/linux obj=$BUILD/series-build/obj i=0 total p
	local patches=()
	# Check what patches/ holds now, never an older export.
	do_export
	git_base
	mkdir -p "$BUILD/series-build"
	fresh_clone "$work"
	for p in "$SERIES"/*.patch; do
		case "$p" in */0000-cover-letter.patch) ;; *) patches+=("$p") ;; esac
	done
	git -C "$work" am -q "${patches[@]}" ||
		die "the series does not apply with git am"
	total=$(git -C "$work" rev-list --count "$(base_commit)..HEAD")
	mkdir -p "$obj"
	export CCACHE_BASEDIR=$BUILD CCACHE_NOHASHDIR=1
	for c in $(git -C "$work" rev-list --reverse "$(base_commit)..HEAD"); do
		i=$((i + 1))
		git -C "$work" checkout -q "$c"
		log "[$i/$total] building: $(git -C "$work" log -1 --format=%s)"
		if [ ! -f "$obj/.config" ]; then
			make -s -C "$work" O="$obj" x86_64_defconfig kvm_guest.config >/dev/null
			"$work/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
				"$TOP/harness/multikernel.config" >/dev/null
		fi
		# Symbols a patch introduces keep the fragment's values.
		"$work/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
			"$TOP/harness/multikernel.config" >/dev/null 2>&1
		# The test kernel's trusted key too (build-kernel.sh), so that
		# the complete series has the test kernel's configuration.
		if [ -f "$BUILD/keys/signing.pem" ]; then
			"$work/scripts/config" --file "$obj/.config" \
				--set-str SYSTEM_TRUSTED_KEYS "$BUILD/keys/signing.pem"
		fi
		make -s -C "$work" O="$obj" olddefconfig >/dev/null
		make -s -C "$work" O="$obj" -j"$JOBS" CC="ccache gcc" bzImage ||
			die "patch $i does not build: $(git -C "$work" log -1 --format=%s)"
	done
	log "all $total patches apply with git am and build"
}

case "$1" in
export) do_export ;;
check) do_check ;;
*) die "usage: $0 export|check" ;;
esac
