#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/deps.sh
# Install the Debian packages the build, boot and tests need, if missing.
set -euo pipefail

PKGS="linux-source-6.12 qemu-system-x86 busybox-static kexec-tools flex bison bc
libelf-dev libssl-dev cpio python3 ccache xz-utils gcc make perl git rsync
patch dwarves sparse shellcheck openssl sbsigntool
sysbench stress-ng rt-tests python3-matplotlib"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "==> installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
