/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel start and park trampolines.
 *
 * Neither runs where it is linked: the host copies each into a page below
 * 1 MiB and points a STARTUP IPI at it. They live in .rodata, so the host
 * never maps them executable; a CPU runs them in real mode, and then
 * through the start trampoline's own page tables, which map the code page
 * read-only and the data page no-execute.
 *
 * The start trampoline runs with CS:IP = page:0 and finds its data page
 * right after the code page. It goes real -> 32-bit protected -> long mode
 * the way arch/x86/realmode/rm/trampoline_64.S does, then enters the
 * kernel's 64-bit entry point (Documentation/arch/x86/boot.rst, "64-bit
 * boot protocol") with %rsi = boot_params. Every absolute address it needs
 * is in the data page, filled in by the host, so the code has no
 * relocations.
 *
 * The park trampoline counts itself in at its own counter in MK_PARK_ACK
 * and halts for good: a CPU that runs it has proven that it took the INIT
 * before the SIPI. It keeps machine checks and NMIs from shutting the
 * CPU down (with the platform, on most machines) while it is parked.
 */
#include <asm/msr-index.h>
#include <asm/page_types.h>
#include <asm/processor-flags.h>

#include "trampoline.h"

	.section ".rodata.mk_trampoline", "a"
	.balign	16
	.code16
	.globl	mk_tramp_start
mk_tramp_start:
	cli
	movw	%cs, %ax
	addw	$(PAGE_SIZE >> 4), %ax
	movw	%ax, %ds
	movzwl	%ax, %esi
	shll	$4, %esi		/* %esi = physical address of the data page */

	lidtl	MK_TD_IDTR
	lgdtl	MK_TD_GDTR
	movl	$(CR0_STATE & ~X86_CR0_PG), %eax
	movl	%eax, %cr0
	ljmpl	*MK_TD_JMP32

	.code32
.Ltramp_32:
	movl	$MK_TR_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs

	movl	MK_TD_CR4(%esi), %eax
	movl	%eax, %cr4
	movl	MK_TD_CR3(%esi), %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	movl	MK_TD_EFER(%esi), %eax
	xorl	%edx, %edx
	wrmsr

	/* Paging on: long mode, still running 32-bit code. */
	movl	$CR0_STATE, %eax
	movl	%eax, %cr0
	ljmpl	*MK_TD_JMP64(%esi)

	.code64
.Ltramp_64:
	/* The upper halves are undefined after compatibility mode. */
	movl	%esi, %esi
	leaq	MK_TD_STACK(%rsi), %rsp
	/* Note when the kernel was entered, for the host's boot figures. */
	movq	MK_TD_TSC_OUT(%rsi), %rdi
	rdtsc
	shlq	$32, %rdx
	orq	%rdx, %rax
	movq	%rax, (%rdi)
	movq	MK_TD_ENTRY(%rsi), %rax
	movq	MK_TD_BOOT_PARAMS(%rsi), %rsi
	xorl	%ebx, %ebx
	xorl	%ecx, %ecx
	xorl	%edx, %edx
	xorl	%edi, %edi
	xorl	%ebp, %ebp
	jmp	*%rax
	.globl	mk_tramp_end
mk_tramp_end:

	.balign	4
	.globl	mk_tramp_off32
mk_tramp_off32:
	.long	.Ltramp_32 - mk_tramp_start
	.globl	mk_tramp_off64
mk_tramp_off64:
	.long	.Ltramp_64 - mk_tramp_start

	.balign	16
	.code16
	.globl	mk_park_start
mk_park_start:
	cli
	movw	%cs, %ax
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$MK_PARK_STACK, %sp

	/*
	 * An interrupt table of our own: an NMI or a fault halts the CPU
	 * again, and a machine check is forgotten first. The stack is shared
	 * by all parked CPUs; no handler returns, so none reads it back.
	 */
	xorw	%bx, %bx
1:	movw	$(.Lpark_halt - mk_park_start), MK_PARK_IVT(%bx)
	movw	%ax, MK_PARK_IVT + 2(%bx)
	addw	$4, %bx
	cmpw	$(MK_PARK_NR_VEC * 4), %bx
	jb	1b
	movw	$(.Lpark_mce - mk_park_start), MK_PARK_IVT + MK_PARK_MCE_VEC * 4
	movw	$(MK_PARK_NR_VEC * 4 - 1), MK_PARK_IDTR
	movzwl	%ax, %eax
	shll	$4, %eax
	addl	$MK_PARK_IVT, %eax
	movl	%eax, MK_PARK_IDTR + 2
	lidtl	MK_PARK_IDTR

	/* INIT cleared CR4.MCE: without it a machine check shuts down. */
	movl	$1, %eax
	cpuid
	testl	$MK_CPUID_1_EDX_MCE, %edx
	jz	2f
	movl	%cr4, %eax
	orl	$X86_CR4_MCE, %eax
	movl	%eax, %cr4

	/*
	 * A kernel that panicked in its machine-check handler left MCIP set,
	 * and INIT leaves the machine-check registers as they are: the next
	 * machine check, here or in the host that takes the CPU back, would
	 * shut it down. Clear MCG_STATUS.
	 */
	testl	$MK_CPUID_1_EDX_MCA, %edx
	jz	2f
	movl	$MSR_IA32_MCG_STATUS, %ecx
	xorl	%eax, %eax
	xorl	%edx, %edx
	wrmsr

	/* Check in at the counter of our own initial APIC ID. */
2:	movl	$1, %eax
	cpuid
	shrl	$24, %ebx
	shlw	$2, %bx
	lock incl	MK_PARK_ACK(%bx)
.Lpark_halt:
	hlt
	jmp	.Lpark_halt

.Lpark_mce:
	/* Clear MCIP, so that the next machine check is not a shutdown. */
	movl	$MSR_IA32_MCG_STATUS, %ecx
	xorl	%eax, %eax
	xorl	%edx, %edx
	wrmsr
	jmp	.Lpark_halt
	.globl	mk_park_end
mk_park_end:
