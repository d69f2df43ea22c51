// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host memory below 1 MiB for multikernel instances.
 *
 * A CPU started with a STARTUP IPI begins in real mode in a page below
 * 1 MiB, and a multi-CPU instance kernel needs its own real-mode
 * trampoline there for its APs (init_real_mode() panics without one). The
 * host sets these pages aside at boot, before it reserves all of the first
 * MiB for itself: one park page for forced stops and up to
 * MK_LOW_WINDOWS_MAX windows of MK_LOW_WINDOW_SIZE, one per running
 * instance. They are taken only when multikernel= asks for a pool (see
 * multikernel_pool_requested()).
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <asm/multikernel.h>
#include <asm/realmode.h>

#include "mk_x86.h"
#include "trampoline.h"

static phys_addr_t mk_low_base[MK_LOW_WINDOWS_MAX];
static unsigned int mk_low_count;
static phys_addr_t mk_park_phys;
static DEFINE_MUTEX(mk_low_lock);		/* protects mk_low_used */
static DECLARE_BITMAP(mk_low_used, MK_LOW_WINDOWS_MAX);

/**
 * mk_x86_reserve_low() - set aside memory below 1 MiB for instances
 *
 * Called by setup_arch() right before the real-mode trampoline is
 * reserved. The host's own trampoline keeps priority: its room is taken
 * first and given back once the windows are placed.
 *
 * Context: Early boot, memblock active, single-threaded.
 */
void __init mk_x86_reserve_low(void)
{
	size_t rm_size = real_mode_size_needed();
	phys_addr_t rm = 0, addr;

	if (mk_x86_is_instance())
		return;
	/* A host an old one handed a pool and instances to uses both. */
	if (!mk_x86_take_handed_pool() && !multikernel_pool_requested())
		return;

	if (rm_size) {
		rm = memblock_phys_alloc_range(rm_size, PAGE_SIZE, 0, SZ_1M);
		if (!rm) {
			pr_warn("no memory below 1 MiB for instance windows\n");
			return;
		}
	}

	mk_park_phys = memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, SZ_1M);
	while (mk_park_phys && mk_low_count < MK_LOW_WINDOWS_MAX) {
		/* above what an instance keeps off-limits by default (reservelow=) */
		addr = memblock_phys_alloc_range(MK_LOW_WINDOW_SIZE, PAGE_SIZE,
						 SZ_64K, 0xa0000);
		if (!addr)
			break;
		mk_low_base[mk_low_count++] = addr;
	}

	if (rm)
		memblock_phys_free(rm, rm_size);

	if (!mk_low_count) {
		pr_warn("no memory below 1 MiB for instance windows\n");
		return;
	}
	pr_info("reserved %u low-memory windows of %u KiB for instances (lowest at %pa)\n",
		mk_low_count, MK_LOW_WINDOW_SIZE / SZ_1K,
		&mk_low_base[mk_low_count - 1]);
}

/**
 * mk_low_alloc() - give a low-memory window to an instance, cleared
 * @base:	set to the window's physical address
 *
 * Context: Process context, may sleep.
 * Return: 0, or -ENOSPC when every window is in use (or none exists).
 */
int mk_low_alloc(phys_addr_t *base)
{
	unsigned int i;

	mutex_lock(&mk_low_lock);
	i = find_first_zero_bit(mk_low_used, mk_low_count);
	if (i < mk_low_count)
		__set_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
	if (i >= mk_low_count)
		return -ENOSPC;
	*base = mk_low_base[i];
	/* Whatever the host's boot or the last instance left there stays here. */
	memset(phys_to_virt(*base), 0, MK_LOW_WINDOW_SIZE);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_low_alloc);

/**
 * mk_low_free() - take a window back once its instance's CPUs are reset
 * @base:	what mk_low_alloc() returned
 *
 * Context: Process context, may sleep.
 */
void mk_low_free(phys_addr_t base)
{
	unsigned int i;

	mutex_lock(&mk_low_lock);
	for (i = 0; i < mk_low_count; i++)
		if (mk_low_base[i] == base)
			__clear_bit(i, mk_low_used);
	mutex_unlock(&mk_low_lock);
}
EXPORT_SYMBOL_IF_KUNIT(mk_low_free);

/**
 * mk_low_park_page() - the page that forced-stopped CPUs halt in
 *
 * Context: Any context.
 * Return: its physical address, 0 when it could not be reserved.
 */
phys_addr_t mk_low_park_page(void)
{
	return mk_park_phys;
}

/* Put the park code in place once; the page is never handed out. */
static int __init mk_low_park_init(void)
{
	u8 *p;

	if (!mk_park_phys)
		return 0;
	/* The code must end before the interrupt table it writes. */
	if (WARN_ON(mk_park_end - mk_park_start > MK_PARK_IVT)) {
		mk_park_phys = 0;
		return 0;
	}
	p = phys_to_virt(mk_park_phys);
	memset(p, 0, PAGE_SIZE);
	memcpy(p, mk_park_start, mk_park_end - mk_park_start);
	return 0;
}
early_initcall(mk_low_park_init);
