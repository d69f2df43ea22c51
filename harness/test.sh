#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Usage: harness/test.sh
# The whole test run behind `make test`: install what is missing, build the
# test kernel and initramfs, boot it (KUnit + kselftests), boot it again with
# bad multikernel= values, run the static gates of `make check`, and end
# with one line "N passed, N failed[, N skipped]". Non-zero exit on any
# failure, boot failure or timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

R=$BUILD/results
rm -rf "$R"
mkdir -p "$R"

fatal() {
	echo "FAILED: $*"
	echo "0 passed, 1 failed"
	exit 1
}

"$TOP/harness/deps.sh" || fatal "installing packages"
"$TOP/harness/build-kernel.sh" || fatal "kernel build"
"$TOP/harness/initramfs.sh" || fatal "initramfs build"

# Each boot: name, timeout in seconds, kernel arguments. Boots with a bad
# multikernel= value skip KUnit (the main boot ran it) and run only the
# test that checks nothing was reserved. The lockdown boot runs only the
# test that a locked-down host refuses unverifiable instance kernels.
BAD_POOL="MK_RUN=selftests MK_TESTS=multikernel:pool_bad_param_test kunit.enable=0"
BOOTS=(
	"main|900|multikernel=256M MK_RUN=selftests MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"lockdown|300|multikernel=128M lockdown=integrity MK_RUN=selftests MK_TESTS=multikernel:lockdown_test.sh kunit.enable=0 MK_INSTANCE_KERNEL=/boot/bzImage MK_INSTANCE_INITRD=/boot/instance.cpio.gz"
	"bad-value|300|multikernel=lots $BAD_POOL"
	"in-use|300|nokaslr multikernel=64M@16M MK_EXPECT_WHY=already $BAD_POOL"
	"crash-overlap|300|nokaslr crashkernel=64M@1G multikernel=64M@1G MK_EXPECT_WHY=crashkernel $BAD_POOL"
)
specs=()
n=0
for b in "${BOOTS[@]}"; do
	IFS='|' read -r name timeout args <<< "$b"
	n=$((n + 1))
	log "boot $name: $args"
	if "$TOP/harness/qemu.sh" "$name" "$timeout" "$args"; then
		echo "ok $n $name" >> "$R/boots.tap"
	else
		echo "not ok $n $name" >> "$R/boots.tap"
	fi
	specs+=("kselftest:$name:$BUILD/runs/$name/ttyS1.log"
		"reports:$name:$BUILD/runs/$name/ttyS0.log")
done

# The static gates of `make check`, counted with the rest.
"$TOP/harness/check.sh" "$R" || true

python3 "$TOP/harness/results.py" "$TREE" \
	"kunit:kunit:$BUILD/runs/main/ttyS0.log" \
	"${specs[@]}" \
	"tap:boot:$R/boots.tap" \
	"tap:checkpatch:$R/checkpatch.tap" \
	"tap:check:$R/gates.tap" | tee "$R/summary.txt"
