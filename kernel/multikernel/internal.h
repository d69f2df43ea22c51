/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel core: declarations shared between the files of
 * kernel/multikernel/ and nothing else.
 */
#ifndef _KERNEL_MULTIKERNEL_INTERNAL_H
#define _KERNEL_MULTIKERNEL_INTERNAL_H

#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct mk_pool_req - a parsed multikernel= boot parameter
 * @size:	bytes to reserve, a multiple of MULTIKERNEL_POOL_ALIGN
 * @base:	physical start address when @fixed
 * @fixed:	true for multikernel=<size>@<addr>, false to let the kernel place it
 */
struct mk_pool_req {
	u64 size;
	u64 base;
	bool fixed;
};

int mk_pool_parse(const char *arg, u64 ram_size, struct mk_pool_req *req,
		  const char **why);
bool mk_ranges_overlap(u64 a_start, u64 a_size, u64 b_start, u64 b_size);

/**
 * struct mk_pool - physical memory that instances are carved from
 * @lock:	protects @map and @nr_free
 * @map:	one bit per MULTIKERNEL_POOL_ALIGN granule, set when carved out;
 *		NULL when there is no pool
 * @granules:	bits in @map
 * @nr_free:	clear bits in @map
 * @base:	physical start address
 * @size:	bytes in the pool
 */
struct mk_pool {
	spinlock_t lock;	/* protects map and nr_free */
	unsigned long *map;
	unsigned long granules;
	unsigned long nr_free;
	phys_addr_t base;
	u64 size;
};

int mk_pool_init(struct mk_pool *pool, phys_addr_t base, u64 size);
void mk_pool_destroy(struct mk_pool *pool);
int mk_pool_carve(struct mk_pool *pool, u64 size, phys_addr_t *addr);
int mk_pool_return(struct mk_pool *pool, phys_addr_t addr, u64 size);
u64 mk_pool_free_bytes(const struct mk_pool *pool);

/* The pool reserved at boot with multikernel=; empty when none was. */
extern struct mk_pool mk_host_pool;

#endif /* _KERNEL_MULTIKERNEL_INTERNAL_H */
