/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Layout shared by trampoline.S and the C code that fills in the
 * trampoline's data page. Included from assembly: #defines only outside
 * __ASSEMBLY__.
 */
#ifndef _MK_X86_TRAMPOLINE_H
#define _MK_X86_TRAMPOLINE_H

/* Offsets in the data page, which follows the code page. */
#define MK_TD_GDTR		0x00	/* 16-bit limit, 32-bit base */
#define MK_TD_IDTR		0x08	/* 16-bit limit, 32-bit base */
#define MK_TD_JMP32		0x10	/* far pointer: 32-bit offset, selector */
#define MK_TD_JMP64		0x18	/* far pointer: 32-bit offset, selector */
#define MK_TD_CR3		0x20
#define MK_TD_CR4		0x24
#define MK_TD_EFER		0x28
#define MK_TD_ENTRY		0x30	/* 64-bit entry point of the kernel */
#define MK_TD_BOOT_PARAMS	0x38	/* physical address of boot_params */
#define MK_TD_GDT		0x40	/* MK_TR_NR_GDT descriptors */
#define MK_TD_TSC_OUT		0x60	/* where to store the TSC at kernel entry */
#define MK_TD_STACK		0x1000	/* top of the data page */

/* GDT selectors; the 64-bit boot protocol wants __BOOT_CS and __BOOT_DS. */
#define MK_TR_CS32		0x08
#define MK_TR_CS64		0x10
#define MK_TR_DS		0x18
#define MK_TR_NR_GDT		4

/*
 * The park page: code at 0, then the real-mode interrupt table the code
 * writes (vectors 0 up to the machine check), its IDTR, the top of the
 * stack, and one acknowledge counter per initial APIC ID (its low 8
 * bits: CPUs whose IDs differ only above those share a counter).
 */
#define MK_PARK_IVT		0x400
#define MK_PARK_MCE_VEC		18
#define MK_PARK_NR_VEC		(MK_PARK_MCE_VEC + 1)
#define MK_PARK_IDTR		0x480
#define MK_PARK_STACK		0x800
#define MK_PARK_ACK		0x800
#define MK_PARK_ACK_SLOTS	256

/* CPUID leaf 1, EDX: machine check exception (CR4.MCE may be set). */
#define MK_CPUID_1_EDX_MCE	0x80
/* CPUID.1:EDX.MCA: the machine-check MSRs, MCG_STATUS among them, exist. */
#define MK_CPUID_1_EDX_MCA	0x4000

#ifndef __ASSEMBLY__
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <asm/desc_defs.h>

/* A GDTR/IDTR as lgdtl/lidtl read it outside long mode. */
struct mk_tramp_dtr {
	u16 limit;
	u32 base;
	u16 pad;
} __packed;

/* A far pointer as ljmpl reads it. */
struct mk_tramp_far {
	u32 offset;
	u16 sel;
	u16 pad;
} __packed;

/**
 * struct mk_tramp_data - the start trampoline's data page
 * @gdtr:	loaded in real mode
 * @idtr:	an empty IDT: a fault before the kernel runs shuts the CPU down
 * @jmp32:	far pointer to the 32-bit code
 * @jmp64:	far pointer to the 64-bit code
 * @cr3:	physical address of the top-level page table, below 4 GiB
 * @cr4:	PAE, and LA57 for 5-level paging
 * @efer:	LME, and NX when the page tables use it
 * @pad:	0
 * @entry:	the kernel's 64-bit entry point
 * @boot_params: physical address of boot_params, passed in %rsi
 * @gdt:	null, 32-bit code, 64-bit code, data
 * @tsc_out:	physical address the TSC is stored at right before the jump
 *		into the kernel (&multikernel_shared.entry_tsc)
 */
struct mk_tramp_data {
	struct mk_tramp_dtr gdtr;
	struct mk_tramp_dtr idtr;
	struct mk_tramp_far jmp32;
	struct mk_tramp_far jmp64;
	u32 cr3;
	u32 cr4;
	u32 efer;
	u32 pad;
	u64 entry;
	u64 boot_params;
	struct desc_struct gdt[MK_TR_NR_GDT];
	u64 tsc_out;
};

static_assert(offsetof(struct mk_tramp_data, gdtr) == MK_TD_GDTR);
static_assert(offsetof(struct mk_tramp_data, idtr) == MK_TD_IDTR);
static_assert(offsetof(struct mk_tramp_data, jmp32) == MK_TD_JMP32);
static_assert(offsetof(struct mk_tramp_data, jmp64) == MK_TD_JMP64);
static_assert(offsetof(struct mk_tramp_data, cr3) == MK_TD_CR3);
static_assert(offsetof(struct mk_tramp_data, cr4) == MK_TD_CR4);
static_assert(offsetof(struct mk_tramp_data, efer) == MK_TD_EFER);
static_assert(offsetof(struct mk_tramp_data, entry) == MK_TD_ENTRY);
static_assert(offsetof(struct mk_tramp_data, boot_params) == MK_TD_BOOT_PARAMS);
static_assert(offsetof(struct mk_tramp_data, gdt) == MK_TD_GDT);
static_assert(offsetof(struct mk_tramp_data, tsc_out) == MK_TD_TSC_OUT);
static_assert(sizeof(struct mk_tramp_data) <= MK_TD_STACK - 256);
static_assert(MK_PARK_IVT + MK_PARK_NR_VEC * 4 <= MK_PARK_IDTR);
static_assert(MK_PARK_ACK + MK_PARK_ACK_SLOTS * 4 <= 4096);

/* The blobs in trampoline.S; copied, never executed where they are linked. */
extern const u8 mk_tramp_start[], mk_tramp_end[];
extern const u32 mk_tramp_off32, mk_tramp_off64;
extern const u8 mk_park_start[], mk_park_end[];

#endif /* __ASSEMBLY__ */
#endif /* _MK_X86_TRAMPOLINE_H */
