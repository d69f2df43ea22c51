#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/build-kernel.sh [extra make args]
# Configure (x86_64_defconfig + kvm_guest.config + harness/multikernel.config)
# and build build/obj/arch/x86/boot/bzImage plus the installed uapi headers.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

"$TOP/harness/compose.sh"
mkdir -p "$OBJ"

export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
KMAKE=(make -s -C "$TREE" O="$OBJ" -j"$JOBS" CC="ccache gcc" HOSTCC="ccache gcc")

# The fragment's symbols must hold in .config; configure from scratch when
# they do not (first build, fragment changed, or a Kconfig change dropped one).
config_holds() {
	local line sym f
	for f in $FRAGMENTS; do
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qx "$line" "$OBJ/.config" || { echo "$line"; return 1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			grep -q "^$sym=" "$OBJ/.config" && { echo "$line"; return 1; } ;;
		esac
	done < "$TOP/harness/$f"
	done
	return 0
}

# The key that signs the instance kernel for a locked-down host
# (initramfs.sh), made once per build directory, never committed; its
# certificate is built into the kernel's trusted keyring.
KEYS=$BUILD/keys
if [ ! -f "$KEYS/signing.pem" ]; then
	mkdir -p "$KEYS"
	openssl req -new -x509 -newkey rsa:2048 -sha256 -nodes -days 3650 \
		-subj "/CN=multikernel test instance signing key/" \
		-keyout "$KEYS/signing.key" -out "$KEYS/signing.pem" 2>/dev/null
fi
trusted_keys_set() {
	grep -qx "CONFIG_SYSTEM_TRUSTED_KEYS=\"$KEYS/signing.pem\"" "$OBJ/.config"
}

if [ -f "$OBJ/.config" ]; then
	"${KMAKE[@]}" olddefconfig >/dev/null
fi
if [ ! -f "$OBJ/.config" ] || ! config_holds >/dev/null || ! trusted_keys_set; then
	log "configuring: x86_64_defconfig + kvm_guest.config + $FRAGMENTS"
	"${KMAKE[@]}" x86_64_defconfig kvm_guest.config >/dev/null
	# shellcheck disable=SC2046 # one word per fragment
	"$TREE/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" \
		$(for f in $FRAGMENTS; do echo "$TOP/harness/$f"; done) >/dev/null
	"$TREE/scripts/config" --file "$OBJ/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "$KEYS/signing.pem"
	"${KMAKE[@]}" olddefconfig >/dev/null
	if ! sym=$(config_holds); then
		die "config fragment did not apply: $sym"
	fi
fi

log "building bzImage (Linux $(make -s -C "$TREE" kernelversion))"
"${KMAKE[@]}" bzImage headers_install "$@"
log "built $OBJ/arch/x86/boot/bzImage"
