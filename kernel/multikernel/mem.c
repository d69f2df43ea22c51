// SPDX-License-Identifier: GPL-2.0-only
/*
 * Memory of multikernel instances.
 *
 * Each instance gets one contiguous slice of the boot-time pool
 * (mk_host_pool), cleared when it is carved and again before it goes back,
 * so that nothing passes from one instance to the next or to the host.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/io.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "internal.h"

/* Bytes cleared between two chances to reschedule. */
#define MK_CLEAR_CHUNK	SZ_2M

/**
 * mk_mem_alloc() - carve an instance's memory from the pool
 * @inst:	the instance; gets @mem_base and @mem_size
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
 * Context: Process context, may sleep.
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
