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
 *
 * A host that an old one handed running instances to (live-update.rst)
 * first keeps the windows those instances were given: their kernels may
 * bring a CPU up again through them. Each stays in use until its
 * instance is adopted and then released, or for good when it is not
 * adopted.
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
static DEFINE_MUTEX(mk_low_lock);	/* protects mk_low_used, mk_low_kept */
static DECLARE_BITMAP(mk_low_used, MK_LOW_WINDOWS_MAX);
/* In use by an instance the old host left, not yet adopted. */
static DECLARE_BITMAP(mk_low_kept, MK_LOW_WINDOWS_MAX);

/* The index of the window at @base, mk_low_count for none; mk_low_lock held. */
static unsigned int mk_low_index(phys_addr_t base)
{
	unsigned int i;

	for (i = 0; i < mk_low_count; i++)
		if (mk_low_base[i] == base)
			break;
	return i;
}

/* Where a window an old host recorded may lie: where this code puts one. */
static bool __init mk_low_window_ok(u64 base, u64 size)
{
	return size == MK_LOW_WINDOW_SIZE && IS_ALIGNED(base, PAGE_SIZE) &&
	       base >= SZ_64K && base <= MK_LOW_END - size;
}

/*
 * Keep the windows of the instances in @rec, an intact handover record
 * (multikernel_record_intact()), before anything below 1 MiB is handed
 * out here.
 */
static void __init mk_low_keep_recorded(const struct multikernel_record *rec)
{
	const struct multikernel_record_instance *ri;
	unsigned int i;

	for (i = 0; i < rec->nr_instances; i++) {
		ri = &rec->inst[i];
		if (!ri->low_size)
			continue;
		if (!mk_low_window_ok(ri->low_base, ri->low_size) ||
		    memblock_is_region_reserved(ri->low_base, ri->low_size) ||
		    mk_low_count == MK_LOW_WINDOWS_MAX) {
			pr_warn("cannot keep the low-memory window %#llx+%#llx of instance %.*s: a CPU it brings up again may fail\n",
				ri->low_base, ri->low_size, (int)sizeof(ri->name), ri->name);
			continue;
		}
		memblock_reserve(ri->low_base, ri->low_size);
		mk_low_base[mk_low_count++] = ri->low_base;
		mk_low_keep(ri->low_base);
		pr_info("kept the low-memory window at %#llx of instance %.*s, which the old host left\n",
			ri->low_base, (int)sizeof(ri->name), ri->name);
	}
}

/**
 * mk_x86_reserve_low() - set aside memory below 1 MiB for instances
 *
 * Called by setup_arch() right before the real-mode trampoline is
 * reserved. The windows of instances an old host handed over come first:
 * their kernels use them now. Then the host's own trampoline has
 * priority over new windows: its room is taken first and given back once
 * they are placed.
 *
 * Context: Early boot, memblock active, single-threaded.
 */
void __init mk_x86_reserve_low(void)
{
	size_t rm_size = real_mode_size_needed();
	phys_addr_t rm = 0, addr;

	const struct multikernel_record *rec;
	bool handed;

	if (mk_x86_is_instance())
		return;
	handed = mk_x86_take_handed_pool(&rec);
	/* Whether or not the pool could be taken, the instances run on. */
	if (rec) {
		mk_low_keep_recorded(rec);
		early_memunmap((void *)rec, MULTIKERNEL_RECORD_MAX_BYTES);
	}
	/* A host an old one handed a pool and instances to uses both. */
	if (!handed && !multikernel_pool_requested())
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
						 SZ_64K, MK_LOW_END);
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
	i = mk_low_index(base);
	if (i < mk_low_count) {
		__clear_bit(i, mk_low_used);
		__clear_bit(i, mk_low_kept);
	}
	mutex_unlock(&mk_low_lock);
}
EXPORT_SYMBOL_IF_KUNIT(mk_low_free);

/**
 * mk_low_keep() - keep a free window for an instance an old host left
 * @base:	the window's physical address
 *
 * The window is not handed out until mk_low_claim() gave it to that
 * instance and mk_low_free() took it back.
 *
 * Context: Process context or early boot.
 * Return: false when @base is not a window here or is in use.
 */
bool mk_low_keep(phys_addr_t base)
{
	unsigned int i;
	bool kept = false;

	mutex_lock(&mk_low_lock);
	i = mk_low_index(base);
	if (i < mk_low_count && !__test_and_set_bit(i, mk_low_used)) {
		__set_bit(i, mk_low_kept);
		kept = true;
	}
	mutex_unlock(&mk_low_lock);
	return kept;
}
EXPORT_SYMBOL_IF_KUNIT(mk_low_keep);

/**
 * mk_low_claim() - give an adopted instance the window kept for it
 * @base:	the window the handover record names
 *
 * Its contents are the instance's and stay as they are.
 *
 * Context: Process context, may sleep.
 * Return: true once for a window mk_low_keep() kept, false otherwise.
 */
bool mk_low_claim(phys_addr_t base)
{
	unsigned int i;
	bool claimed = false;

	mutex_lock(&mk_low_lock);
	i = mk_low_index(base);
	if (i < mk_low_count)
		claimed = __test_and_clear_bit(i, mk_low_kept);
	mutex_unlock(&mk_low_lock);
	return claimed;
}
EXPORT_SYMBOL_IF_KUNIT(mk_low_claim);

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
