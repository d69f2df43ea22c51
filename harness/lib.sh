# SPDX-License-Identifier: GPL-2.0
# Shared settings for the harness scripts; sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
BASE_TAR=/usr/src/linux-source-6.12.tar.xz
BASE=$BUILD/base/linux-source-6.12	# pristine extracted base, never edited
TREE=$BUILD/linux			# composed tree: base + patches + our files
OBJ=$BUILD/obj				# kernel build output (O=)
JOBS=${JOBS:-$(nproc)}

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
