// SPDX-License-Identifier: GPL-2.0-only
/*
 * Identity page tables for the start trampoline.
 *
 * They live only until the instance kernel loads its own: the top level
 * in the instance's low window (CR3 is loaded in 32-bit mode, so below
 * 4 GiB), the rest in a scratch area of the shared region. Each range gets
 * its own permissions, so the trampoline's code page is mapped read-only
 * and its data no-execute, and nothing outside the instance's memory is
 * mapped but the BIOS data area (read-only), which the compressed kernel
 * reads to place its own trampoline.
 */
#include <kunit/visibility.h>
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/export.h>
#include <linux/string.h>
#include <asm/page_types.h>
#include <asm/pgtable_types.h>

#include "mk_x86.h"

#define MK_PTRS		512

static u64 *mk_pgt_alloc(struct mk_pgt *p, u64 *phys)
{
	u64 *page;

	if (p->used >= p->pool_pages)
		return NULL;
	page = p->pool + p->used * (PAGE_SIZE / sizeof(u64));
	*phys = p->pool_phys + (u64)p->used * PAGE_SIZE;
	p->used++;
	memset(page, 0, PAGE_SIZE);
	return page;
}

/* The table an entry points to; tables only ever come from the pool. */
static u64 *mk_pgt_table(struct mk_pgt *p, u64 entry)
{
	u64 phys = entry & PTE_PFN_MASK;

	if (phys < p->pool_phys ||
	    phys >= p->pool_phys + (u64)p->pool_pages * PAGE_SIZE)
		return NULL;
	return p->pool + (phys - p->pool_phys) / sizeof(u64);
}

/**
 * mk_pgt_init() - start a set of identity page tables
 * @p:		the tables; @p->top, @p->pool, @p->pool_phys, @p->pool_pages,
 *		@p->levels, @p->gbpages and @p->nx set by the caller
 *
 * Context: Any context.
 */
void mk_pgt_init(struct mk_pgt *p)
{
	p->used = 0;
	memset(p->top, 0, PAGE_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(mk_pgt_init);

/**
 * mk_pgt_map() - identity-map a range
 * @p:		the tables
 * @start:	first byte, page-aligned
 * @end:	byte after the last, page-aligned
 * @prot:	0 for read+execute; _PAGE_RW and/or _PAGE_NX
 *
 * Uses 1 GiB pages (when @p->gbpages) and 2 MiB pages where the range
 * covers them whole, 4 KiB pages elsewhere.
 *
 * Context: Any context.
 * Return: 0; -EINVAL for a misaligned range, -EEXIST when part of it is
 * mapped already, -ENOSPC when the pool ran out.
 */
int mk_pgt_map(struct mk_pgt *p, u64 start, u64 end, u64 prot)
{
	u64 *tbl, *e, size, phys;
	unsigned int level, shift;
	bool leaf;

	if (!IS_ALIGNED(start, PAGE_SIZE) || !IS_ALIGNED(end, PAGE_SIZE) || end < start)
		return -EINVAL;
	prot &= _PAGE_RW | p->nx;

	while (start < end) {
		tbl = p->top;
		for (level = p->levels; ; level--) {
			shift = PAGE_SHIFT + 9 * (level - 1);
			size = 1ULL << shift;
			e = &tbl[(start >> shift) & (MK_PTRS - 1)];
			leaf = level == 1 ||
			       ((level == 2 || (level == 3 && p->gbpages)) &&
				IS_ALIGNED(start, size) && end - start >= size);
			if (leaf) {
				if (*e & _PAGE_PRESENT)
					return -EEXIST;
				*e = start | prot | _PAGE_PRESENT |
				     (level > 1 ? _PAGE_PSE : 0);
				start += size;
				break;
			}
			if (!(*e & _PAGE_PRESENT)) {
				if (!mk_pgt_alloc(p, &phys))
					return -ENOSPC;
				*e = phys | _PAGE_PRESENT | _PAGE_RW;
			} else if (*e & _PAGE_PSE) {
				return -EEXIST;
			}
			tbl = mk_pgt_table(p, *e);
			if (!tbl)
				return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pgt_map);
