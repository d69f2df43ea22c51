# SPDX-License-Identifier: GPL-2.0
#
# Driver for the multikernel patch series: compose Linux 6.12 + our
# patches and files under build/, build, boot under QEMU, test, export.
# Every target installs the Debian packages it needs first.

H := harness

.PHONY: all deps tree kernel initramfs run test test-debug check check-modules bench soak fuzz faults compare series series-check clean help

all: kernel

help:
	@echo "make run           build, boot the patched kernel under QEMU, show the multikernel state"
	@echo "make test          build and run every test; ends with 'N passed, N failed'"
	@echo "make test-debug    the same on a kernel with KASAN, UBSAN, lockdep, kmemleak,"
	@echo "                   debug objects and lockup detectors (build/debug/; slow)"
	@echo "make kernel        compose build/linux and build build/obj/arch/x86/boot/bzImage"
	@echo "make initramfs     build build/initramfs.cpio.gz (busybox + kselftests)"
	@echo "make tree          only compose build/linux (base + patches/ + our files)"
	@echo "make check         checkpatch --strict, W=1, sparse and kernel-doc on our code;"
	@echo "                   shellcheck on harness/ (make test runs these too)"
	@echo "make check-modules build the kernel once more with the KUnit suites as modules"
	@echo "                   (build/obj-mod/); fails on a modpost warning"
	@echo "make bench         benchmarks: instance spawn time against a cold QEMU boot;"
	@echo "                   messaging round trips against a pipe and an AF_UNIX socket;"
	@echo "                   what a host kexec costs an instance left running"
	@echo "make compare       the same workloads as a host process, in a container and"
	@echo "                   in an instance: tables, CSV and plots in build/compare/;"
	@echo "                   QUICK=1 for a smoke run of a few minutes"
	@echo "make soak          MK_SOAK_CYCLES (default 1000) instance start/stop cycles"
	@echo "                   in one boot; make test runs 5 of them"
	@echo "make fuzz          MK_FUZZ_OPS (default 100000) random operations on the user"
	@echo "                   interfaces (seed MK_FUZZ_SEED), then MK_GARBLE_ROUNDS (6)"
	@echo "                   hostile instances garbling their messaging region;"
	@echo "                   MK_DEBUG=1 fuzzes the debug kernel (make kernel first)"
	@echo "make faults        MK_FAULT_ROUNDS (default 25) rounds of kernel faults in an"
	@echo "                   instance beside a host workload and a neighbour instance;"
	@echo "                   make test runs one round"
	@echo "make series        export the patch series with a cover letter into build/series/"
	@echo "make series-check  git am the series onto a pristine base and build every patch"
	@echo "make clean         remove build/ (keeps the ccache)"

deps:
	@$(H)/deps.sh

tree: deps
	@$(H)/compose.sh

kernel: deps
	@$(H)/build-kernel.sh

initramfs: kernel
	@$(H)/initramfs.sh

run: initramfs
	@$(H)/run.sh

test:
	@$(H)/test.sh

test-debug:
	@MK_DEBUG=1 $(H)/test.sh

check: kernel
	@$(H)/check.sh

check-modules: kernel
	@$(H)/check-kunit-modules.sh

bench: deps
	@$(H)/bench-spawn.sh
	@$(H)/bench-msg.sh
	@$(H)/bench-liveupdate.sh

compare: deps
	@QUICK=$(QUICK) $(H)/compare.sh

soak: deps
	@$(H)/soak.sh

fuzz: deps
	@$(H)/fuzz.sh

faults: deps
	@$(H)/faults.sh

series: tree
	@$(H)/series.sh export

series-check: tree
	@$(H)/series.sh check

clean:
	rm -rf build
