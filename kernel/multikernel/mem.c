// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory of multikernel instances.
 *
 * Each instance gets one contiguous slice of the boot-time pool
 * (mk_host_pool) at create. The slice is cleared when it is carved and
 * again before it goes back, so that nothing passes from one instance to
 * the next or to the host.
 *
 * An instance holds its slice in every state but stopped: a stop clears it
 * and gives it back to the pool, and a load or start takes the very same
 * range back (the loaded image was laid out for those addresses). Every
 * range in the pool that was ever carved was cleared before it went back,
 * so a range taken back needs no second clearing. When another instance
 * was given some of it meanwhile, taking it back fails.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/io.h>
#include <linux/lockdep.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "internal.h"

/* Bytes cleared between two chances to reschedule. */
#define MK_CLEAR_CHUNK	SZ_2M

/**
 * mk_mem_alloc() - carve an instance's memory from the pool
 * @inst:	the instance; gets @mem_base, @mem_range and @mem_size
 * @size:	bytes, a non-zero multiple of MULTIKERNEL_POOL_ALIGN
 *
 * The memory is not cleared here; see mk_mem_clear().
 *
 * Context: Any context.
 * Return: 0, -EINVAL for a bad size, -ENOSPC when the pool has no free
 * range of @size.
 */
int mk_mem_alloc(struct mk_instance *inst, u64 size)
{
	phys_addr_t base;
	int ret;

	ret = mk_pool_carve(&mk_host_pool, size, &base);
	if (ret)
		return ret;
	inst->mem_base = base;
	inst->mem_range = size;
	inst->mem_size = size;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_mem_alloc);

/**
 * mk_mem_clear() - clear all of an instance's memory
 * @inst:	the instance; its CPUs must not run instance code
 *
 * The pool is RAM in the host's direct map, so memremap() hands out that
 * mapping; the slice is cleared a chunk at a time with a chance to
 * reschedule between chunks.
 *
 * Context: Process context, may sleep.
 */
void mk_mem_clear(struct mk_instance *inst)
{
	u64 off, len;
	void *p;

	for (off = 0; off < inst->mem_size; off += len) {
		len = min_t(u64, MK_CLEAR_CHUNK, inst->mem_size - off);
		p = memremap(inst->mem_base + off, len, MEMREMAP_WB);
		if (!p) {
			/* Cannot happen for pool RAM; never hand it out dirty. */
			pr_err("instance %s: cannot map memory at %#llx to clear it\n",
			       inst->name, (u64)inst->mem_base + off);
			continue;
		}
		memset(p, 0, len);
		memunmap(p);
		cond_resched();
	}
}
EXPORT_SYMBOL_IF_KUNIT(mk_mem_clear);

/**
 * mk_mem_free() - clear an instance's memory and return it to the pool
 * @inst:	the instance; its CPUs must not run instance code
 *
 * Afterwards the instance holds no memory (@mem_size is 0) but keeps the
 * address of its range for mk_mem_retake(). Nothing happens when it holds
 * none.
 *
 * Context: Process context, may sleep; inst->lock held once the instance
 * is published.
 */
void mk_mem_free(struct mk_instance *inst)
{
	if (!inst->mem_size)
		return;
	mk_mem_clear(inst);
	if (mk_pool_return(&mk_host_pool, inst->mem_base, inst->mem_size))
		pr_err("instance %s: pool refused its memory back\n", inst->name);
	inst->mem_size = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_mem_free);

/**
 * mk_mem_retake() - take an instance's memory range back from the pool
 * @inst:	the instance; a stop gave its memory back
 *
 * Takes exactly the range the instance was given at create. It is clean:
 * mk_mem_free() cleared it, and so did whoever had it in between.
 *
 * Context: Process context, inst->lock held.
 * Return: 0, also when the instance holds its memory already;
 * -EADDRINUSE when some of the range was given to another instance
 * meanwhile (logged); -EINVAL when the range is not in the pool.
 */
int mk_mem_retake(struct mk_instance *inst)
{
	phys_addr_t end = inst->mem_base + inst->mem_range - 1;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (inst->mem_size)
		return 0;
	ret = mk_pool_carve_at(&mk_host_pool, inst->mem_base, inst->mem_range);
	if (ret == -EADDRINUSE)
		pr_warn_ratelimited("instance %s: its memory [mem %pa-%pa] was given to another instance while it was stopped\n",
				    inst->name, &inst->mem_base, &end);
	else if (ret)
		pr_err_ratelimited("instance %s: cannot take its memory [mem %pa-%pa] back: %d\n",
				   inst->name, &inst->mem_base, &end, ret);
	if (ret)
		return ret;
	inst->mem_size = inst->mem_range;
	return 0;
}
