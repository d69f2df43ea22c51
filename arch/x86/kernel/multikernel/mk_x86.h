/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Declarations shared by the files of arch/x86/kernel/multikernel/ and
 * nothing else.
 */
#ifndef _MK_X86_H
#define _MK_X86_H

#include <linux/multikernel/arch.h>
#include <linux/multikernel/wire.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <asm/bootparam.h>
#include <uapi/linux/multikernel.h>

/*
 * Low-memory windows (lowmem.c). Each running instance gets one, below
 * 640 KiB: the host's start trampoline uses its first pages, then the
 * instance kernel owns all of it (its own real-mode trampoline for its
 * APs lives there, and the compressed kernel may borrow its top pages).
 */
#define MK_LOW_WINDOW_SIZE	SZ_64K
#define MK_LOW_WINDOWS_MAX	8
#define MK_LOW_CODE		0x0000	/* start trampoline code page */
#define MK_LOW_DATA		0x1000	/* its data page */
#define MK_LOW_TOP_PGT		0x2000	/* top-level page table (CR3) */
/* Legacy VGA and BIOS ROMs start here; RAM below 1 MiB ends before it. */
#define MK_LOW_END		0xa0000

int mk_low_alloc(phys_addr_t *base);
void mk_low_free(phys_addr_t base);
bool mk_low_keep(phys_addr_t base);
bool mk_low_claim(phys_addr_t base);
phys_addr_t mk_low_park_page(void);

/*
 * The shared region: the last MK_SHARED_SIZE bytes of an instance's
 * memory, reserved (not RAM) in the instance's e820 map.
 */
#define MK_SH_CONTROL		0x00000	/* struct multikernel_shared */
#define MK_SH_LAST_WORDS	0x00800	/* struct multikernel_last_words */
#define MK_SH_HANDOFF		0x01000	/* setup_data + multikernel_handoff */
#define MK_SH_PGTABLES		0x02000	/* start page tables below the top */
#define MK_SH_PGTABLES_END	0x10000
#define MK_SH_EARLY_LOG		0x10000	/* struct multikernel_early_log */
#define MK_SH_MSG		0x20000	/* messaging region, to the end */
#define MK_SH_MSG_SIZE		(MK_SHARED_SIZE - MK_SH_MSG)

/**
 * struct mk_x86_layout - where an instance's memory is
 * @low_base:	its low-memory window (RAM to the instance)
 * @low_size:	bytes of the window
 * @ram_base:	its main memory (RAM to the instance)
 * @ram_size:	bytes of main memory
 * @shared_base: the region it shares with the host (reserved to it)
 * @shared_size: bytes of the shared region
 */
struct mk_x86_layout {
	u64 low_base;
	u64 low_size;
	u64 ram_base;
	u64 ram_size;
	u64 shared_base;
	u64 shared_size;
};

/* The instance's RAM out of the host's direct map while it runs (fence.c). */
int mk_fence_ram(const struct mk_x86_layout *l, u64 *ns);
void mk_unfence_ram(const struct mk_x86_layout *l, u64 *ns);

/* handoff.c: pure builders and checkers, covered by handoff_kunit.c */
int mk_layout_check(const struct mk_x86_layout *l);
int mk_e820_build(const struct mk_x86_layout *l, struct boot_e820_entry *tbl,
		  unsigned int max);
int mk_setup_data_filter(struct boot_params *bp, size_t buf_len, u64 buf_phys);
struct setup_data *mk_setup_data_find(struct boot_params *bp, size_t buf_len,
				      u64 buf_phys, u32 type);
int mk_boot_params_prepare(struct boot_params *bp, size_t buf_len,
			   u64 buf_phys, const struct mk_x86_layout *l,
			   u64 handoff_phys);
const struct setup_header *mk_bzimage_header(const u8 *kernel, size_t len,
					     u16 version, size_t *pm_start);
u32 mk_kernel_info_u32(const u8 *kernel, size_t len, size_t offset);
int mk_e820_keep_off(struct boot_params *bp, u64 lo, u64 hi);
int mk_handoff_check(const void *data, u32 len,
		     struct multikernel_handoff *out, const char **why);
int mk_shared_check(const struct multikernel_shared *sh, u64 region_size,
		    const char **why);
u32 mk_apic_timer_period(u32 apic_timer_khz, u32 hz);
u64 mk_handoff_realtime(const struct multikernel_handoff *h, u64 tsc);

/**
 * struct mk_elf_info - a kernel's ELF image, placed (unpack.c)
 * @entry:	offset of its entry point from the start of the image
 * @placed_end:	bytes from the start of the image to the end of the
 *		last segment's file data, once placed
 * @file_end:	bytes of the ELF file itself; what follows is the
 *		relocation table, if any
 */
struct mk_elf_info {
	size_t entry;
	size_t placed_end;
	size_t file_end;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* unpack.c: its parsers, for unpack_kunit.c */
int mk_gunzip(void *dst, size_t room, const u8 *src, size_t len, size_t *out);
int mk_elf_place(u8 *buf, size_t len, size_t room, u64 load,
		 struct mk_elf_info *info);
int mk_relocate(u8 *buf, size_t len, u64 load, const struct mk_elf_info *info,
		s64 delta);
#endif

/**
 * struct mk_pgt - identity page tables under construction (pgtable.c)
 * @top:	the top-level table (PML4, or PML5 with @levels 5)
 * @pool:	pages for the other tables
 * @pool_phys:	physical address of @pool
 * @pool_pages:	pages at @pool
 * @used:	pages of @pool in use
 * @levels:	4 or 5
 * @gbpages:	1 GiB pages may be used
 * @nx:		_PAGE_NX when the CPU will run with EFER.NX, else 0
 */
struct mk_pgt {
	u64 *top;
	u64 *pool;
	u64 pool_phys;
	unsigned int pool_pages;
	unsigned int used;
	unsigned int levels;
	bool gbpages;
	u64 nx;
};

void mk_pgt_init(struct mk_pgt *p);
int mk_pgt_map(struct mk_pgt *p, u64 start, u64 end, u64 prot);

/* host side (start.c, handover.c) */
bool mk_x86_cpus_lent(void);
bool __init mk_x86_take_handed_pool(const struct multikernel_record **rec);

/* instance side (platform.c) */
extern struct multikernel_handoff mk_handoff;
extern struct multikernel_shared mk_shared_head;

#endif /* _MK_X86_H */
