// SPDX-License-Identifier: GPL-2.0-only
/*
 * The multikernel memory pool.
 *
 * multikernel=<size>[@<addr>] reserves one contiguous physical region at
 * boot, the way crashkernel= does. Instances get their memory carved from
 * it; it is shown in /proc/iomem as "Multikernel pool", beside System RAM
 * rather than inside it. A bad value is reported with one boot-log line
 * and nothing is reserved.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/crash_core.h>
#include <linux/crash_reserve.h>
#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/kmemleak.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "internal.h"

struct mk_pool mk_host_pool;
EXPORT_SYMBOL_IF_KUNIT(mk_host_pool);

static bool mk_pool_given __initdata;
static char *mk_pool_arg __initdata;

/*
 * RAM to this kernel (see mk_pool_lift()), but not named System RAM: the
 * pool is not the host's memory.
 */
static struct resource mk_pool_res = {
	.name	= "Multikernel pool",
	.flags	= IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY,
	.desc	= IORES_DESC_NONE,
};

/* The System RAM above the pool, once mk_pool_lift() split it off. */
static struct resource mk_pool_ram_above;

static int __init mk_pool_setup(char *arg)
{
	mk_pool_given = true;
	mk_pool_arg = arg;
	return 0;
}
early_param("multikernel", mk_pool_setup);

/**
 * multikernel_pool_requested() - whether the command line asks for a pool
 *
 * Architecture code that sets memory aside for instances before the pool
 * itself is reserved asks this rather than registering multikernel= a
 * second time. A value that turns out to be invalid still counts.
 *
 * Context: Early boot, after parse_early_param().
 * Return: true when multikernel= is on the command line.
 */
bool __init multikernel_pool_requested(void)
{
	return mk_pool_given;
}

/* The pool came from the host this kernel replaced. */
static bool mk_pool_handed __initdata;

/**
 * multikernel_pool_handed_over() - take the old host's pool as this one's
 * @base:	its physical start, reserved in memblock by the caller
 * @size:	its bytes
 *
 * For a kernel a host kexec'd into with instances running (live-update.rst):
 * the arch code made the range RAM again and reserved it before anything
 * could allocate there. multikernel= is then ignored. The instances in it
 * are carved out before anything else can be (mk_handover_adopt()).
 *
 * Context: Early boot, memblock active, single-threaded.
 */
void __init multikernel_pool_handed_over(phys_addr_t base, u64 size)
{
	/* Reserved, not allocated: kmemleak never heard of it. */
	mk_pool_handed = true;
	mk_pool_res.start = base;
	mk_pool_res.end = base + size - 1;
	pr_info("took over the old host's pool of %llu MiB at [mem %#018llx-%#018llx]\n",
		size >> 20, (u64)mk_pool_res.start, (u64)mk_pool_res.end);
}

/* Why a fixed pool address cannot be used, or NULL when it can. */
static const char * __init mk_pool_fixed_conflict(const struct mk_pool_req *req)
{
#ifdef CONFIG_CRASH_RESERVE
	if (mk_ranges_overlap(req->base, req->size, crashk_res.start,
			      resource_size(&crashk_res)) ||
	    mk_ranges_overlap(req->base, req->size, crashk_low_res.start,
			      resource_size(&crashk_low_res)))
		return "overlaps the crashkernel= reservation";
#endif
	if (!memblock_is_region_memory(req->base, req->size))
		return "range is not all RAM";
	if (memblock_is_region_reserved(req->base, req->size))
		return "range overlaps memory already in use";
	return NULL;
}

/**
 * multikernel_reserve_pool() - reserve the pool named by multikernel=
 *
 * Called by setup_arch() once memblock knows the RAM and after the
 * crashkernel= reservation, so the two can be kept apart. Without an
 * address the pool goes below 4 GiB when it fits there (instances then
 * need no bounce buffers), anywhere otherwise.
 *
 * Context: Early boot, memblock active, single-threaded.
 */
void __init multikernel_reserve_pool(void)
{
	const char *arg = mk_pool_arg ? mk_pool_arg : "";
	struct mk_pool_req req;
	const char *why = NULL;
	phys_addr_t addr;

	if (!mk_pool_given)
		return;
	if (mk_pool_handed) {
		pr_info("ignoring multikernel=%s: the pool is the one the old host handed over\n",
			arg);
		return;
	}

	if (mk_pool_parse(mk_pool_arg, memblock_phys_mem_size(), &req, &why))
		goto fail;

	if (req.fixed) {
		why = mk_pool_fixed_conflict(&req);
		if (why)
			goto fail;
		addr = memblock_phys_alloc_range(req.size, MULTIKERNEL_POOL_ALIGN,
						 req.base, req.base + req.size);
	} else {
		addr = memblock_phys_alloc_range(req.size, MULTIKERNEL_POOL_ALIGN,
						 SZ_16M, SZ_4G);
		if (!addr)
			addr = memblock_phys_alloc_range(req.size,
							 MULTIKERNEL_POOL_ALIGN, SZ_4G,
							 MEMBLOCK_ALLOC_ACCESSIBLE);
	}
	if (!addr) {
		why = "no free range of that size";
		goto fail;
	}

	/*
	 * memblock hands kmemleak what it allocates, to be scanned for
	 * pointers. The pool is not the host's memory: it holds instances,
	 * and a running instance's part is unmapped from the direct map
	 * (where a scan faults). Keep kmemleak out of it.
	 */
	kmemleak_ignore_phys(addr);
	mk_pool_res.start = addr;
	mk_pool_res.end = addr + req.size - 1;
	pr_info("reserved %llu MiB at [mem %#018llx-%#018llx] for the instance pool\n",
		req.size >> 20, (u64)mk_pool_res.start, (u64)mk_pool_res.end);
	return;

fail:
	pr_err("ignoring multikernel=%s: %s; no pool reserved\n", arg, why);
}

/* Whether any resource nested in @ram overlaps [@start, @end]. */
static bool mk_res_child_overlaps(const struct resource *ram,
				  resource_size_t start, resource_size_t end)
{
	const struct resource *c;

	for (c = ram->child; c; c = c->sibling)
		if (c->start <= end && c->end >= start)
			return true;
	return false;
}

/**
 * mk_pool_lift() - list the pool beside System RAM instead of inside it
 * @root:	the resource tree: &iomem_resource, or a test's own
 * @pool:	the pool's resource, not in any tree yet
 * @above:	an unused resource, for the System RAM above the pool
 *
 * Tools that read /proc/iomem take every range named "System RAM" for the
 * kernel's own memory. kexec-tools builds the memory list of a crash dump
 * loaded with kexec_load(2) that way, leaving out only the crashkernel=
 * reservation: with the pool nested inside System RAM, the memory of every
 * instance would be written into the host's vmcore. So the System RAM range
 * that holds the pool is cut in two around it, and the pool is inserted
 * between the two pieces under its own name. Resources nested in that range
 * (the kernel's text and data, crashkernel=) move with the piece they lie
 * in. The pool keeps the flags of system RAM, so to the kernel it stays
 * RAM: page_is_ram(), the STRICT_DEVMEM refusal of /dev/mem, memremap()
 * through the direct map and the exclusion from a kexec_file_load(2) crash
 * dump (multikernel_crash_exclude()) work as before.
 *
 * @pool is inserted in every case: at the top level when no resource holds
 * it, nested as before when no System RAM range holds all of it or the
 * range cannot be cut.
 *
 * Context: Boot, before anything else reads or changes the tree: the range
 * is briefly out of the tree, and the nested resources are looked at
 * without resource_lock (which is private to kernel/resource.c).
 * Return: 0 when the pool is a top-level resource; -EBUSY when it was nested
 * because no one System RAM range holds all of it; -ERANGE when it was
 * nested because it is all of that range or a nested resource overlaps it.
 */
int mk_pool_lift(struct resource *root, struct resource *pool,
		 struct resource *above)
{
	struct resource *ram;

	ram = request_resource_conflict(root, pool);
	if (!ram)
		return 0;
	if ((ram->flags & IORESOURCE_SYSTEM_RAM) != IORESOURCE_SYSTEM_RAM ||
	    ram->start > pool->start || ram->end < pool->end) {
		insert_resource(root, pool);
		return -EBUSY;
	}
	if ((ram->start == pool->start && ram->end == pool->end) ||
	    mk_res_child_overlaps(ram, pool->start, pool->end)) {
		insert_resource(root, pool);
		return -ERANGE;
	}

	/* The nested resources go up one level, and come back below. */
	remove_resource(ram);
	ram->child = NULL;
	*above = (struct resource) {
		.name	= ram->name,
		.start	= pool->end + 1,
		.end	= ram->end,
		.flags	= ram->flags,
		.desc	= ram->desc,
	};
	if (ram->start == pool->start) {
		/* Nothing below the pool: @ram is the piece above it. */
		ram->start = pool->end + 1;
	} else {
		ram->end = pool->start - 1;
		if (above->start <= above->end)
			insert_resource(root, above);
	}
	insert_resource(root, ram);
	insert_resource(root, pool);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_lift);

/**
 * multikernel_kexec_avoid() - memory a kernel that replaces this one avoids
 * @start:	set to the first byte of the pool
 * @end:	set to its last byte
 *
 * kexec_file places the segments of a kernel that will replace this one
 * outside of this range: they are copied into place at kexec time, when
 * instances may still run in the pool.
 *
 * Context: Any context.
 * Return: true and the range when there is a pool, false otherwise.
 */
bool multikernel_kexec_avoid(phys_addr_t *start, phys_addr_t *end)
{
	if (!mk_host_pool.size)
		return false;
	*start = mk_host_pool.base;
	*end = mk_host_pool.base + mk_host_pool.size - 1;
	return true;
}

/* Publish the boot reservation in /proc/iomem and hand it to the allocator. */
static int __init mk_pool_publish(void)
{
	u64 size = resource_size(&mk_pool_res);
	int ret;

	if (!mk_pool_res.end)
		return 0;

	ret = mk_pool_lift(&iomem_resource, &mk_pool_res, &mk_pool_ram_above);
	if (ret)
		pr_warn("the pool stays inside System RAM in /proc/iomem (%d): a crash dump loaded with kexec_load(2) includes it\n",
			ret);
	ret = mk_pool_init(&mk_host_pool, mk_pool_res.start, size);
	if (ret)
		pr_err("cannot track the %llu MiB pool (%d); it stays unused\n",
		       size >> 20, ret);
	return 0;
}
early_initcall(mk_pool_publish);

#ifdef CONFIG_CRASH_DUMP
/**
 * multikernel_crash_exclude() - keep the pool out of the host's crash dump
 * @cmem:	the memory ranges a crash kernel loaded by kexec_file will dump
 *
 * The pool is never the host's memory: it holds the instances' kernels
 * and data, and their regions shared with the host. A dump of the host
 * leaves it out, so that the instances' memory does not end up in the
 * host's vmcore (and a crash kernel does not read gigabytes it has no
 * use for). Called by the architecture when it prepares the ELF headers;
 * the caller leaves room for one more range.
 *
 * Context: Process context.
 * Return: 0, or the error of crash_exclude_mem_range().
 */
int multikernel_crash_exclude(struct crash_mem *cmem)
{
	if (!mk_pool_res.end)
		return 0;
	return crash_exclude_mem_range(cmem, mk_pool_res.start, mk_pool_res.end);
}
#endif

/**
 * mk_pool_init() - set up an allocator over a physical range
 * @pool:	the pool to initialise
 * @base:	physical start, a multiple of MULTIKERNEL_POOL_ALIGN
 * @size:	bytes, a non-zero multiple of MULTIKERNEL_POOL_ALIGN
 *
 * The memory itself is not touched: the allocator keeps a bitmap of
 * MULTIKERNEL_POOL_ALIGN granules in kernel memory, so this also works on
 * ranges that are not mapped.
 *
 * Context: Process context, may sleep.
 * Return: 0 on success, -EINVAL for a misaligned or empty range, -ENOMEM.
 */
int mk_pool_init(struct mk_pool *pool, phys_addr_t base, u64 size)
{
	unsigned long granules = size / MULTIKERNEL_POOL_ALIGN;

	if (!size || !IS_ALIGNED(base, MULTIKERNEL_POOL_ALIGN) ||
	    !IS_ALIGNED(size, MULTIKERNEL_POOL_ALIGN) || base + size < base)
		return -EINVAL;

	pool->map = bitmap_zalloc(granules, GFP_KERNEL);
	if (!pool->map)
		return -ENOMEM;
	spin_lock_init(&pool->lock);
	pool->granules = granules;
	pool->nr_free = granules;
	pool->base = base;
	pool->size = size;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_init);

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
/**
 * mk_pool_destroy() - tear down an allocator set up by mk_pool_init()
 * @pool:	the pool; what was carved from it is forgotten
 *
 * Context: Process context.
 */
void mk_pool_destroy(struct mk_pool *pool)
{
	bitmap_free(pool->map);
	pool->map = NULL;
	pool->granules = 0;
	pool->nr_free = 0;
	pool->base = 0;
	pool->size = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_destroy);
#endif

/* Whether [@addr, @addr + @size) is a non-empty aligned range inside @pool. */
static bool mk_pool_range_ok(const struct mk_pool *pool, phys_addr_t addr,
			     u64 size)
{
	return pool->map && size && IS_ALIGNED(addr | size, MULTIKERNEL_POOL_ALIGN) &&
	       addr >= pool->base && size <= pool->size &&
	       addr - pool->base <= pool->size - size;
}

/**
 * mk_pool_carve() - take a contiguous range out of the pool
 * @pool:	the pool
 * @size:	bytes, a non-zero multiple of MULTIKERNEL_POOL_ALIGN
 * @addr:	set to the physical start of the range on success
 *
 * First fit from the low end. The range is not zeroed here: whoever maps
 * it for an instance clears it.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL for a bad size, -ENOSPC when no free
 * range of @size exists (including when there is no pool at all).
 */
int mk_pool_carve(struct mk_pool *pool, u64 size, phys_addr_t *addr)
{
	unsigned long n, idx;

	if (!size || !IS_ALIGNED(size, MULTIKERNEL_POOL_ALIGN))
		return -EINVAL;
	if (!pool->map || size > pool->size)
		return -ENOSPC;

	n = size / MULTIKERNEL_POOL_ALIGN;
	spin_lock(&pool->lock);
	idx = bitmap_find_next_zero_area(pool->map, pool->granules, 0, n, 0);
	if (idx >= pool->granules) {
		spin_unlock(&pool->lock);
		return -ENOSPC;
	}
	bitmap_set(pool->map, idx, n);
	pool->nr_free -= n;
	spin_unlock(&pool->lock);

	*addr = pool->base + (u64)idx * MULTIKERNEL_POOL_ALIGN;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_carve);

/*
 * Carve (@carve) or return the granules of [@addr, @addr + @size). All of
 * them must be in the other state, else nothing changes: -EBUSY. -EINVAL
 * for a range that is misaligned, empty or not inside the pool.
 */
static int mk_pool_flip(struct mk_pool *pool, phys_addr_t addr, u64 size,
			bool carve)
{
	unsigned long n, idx, odd;

	if (!mk_pool_range_ok(pool, addr, size))
		return -EINVAL;

	idx = (addr - pool->base) / MULTIKERNEL_POOL_ALIGN;
	n = size / MULTIKERNEL_POOL_ALIGN;
	spin_lock(&pool->lock);
	odd = carve ? find_next_bit(pool->map, idx + n, idx) :
		      find_next_zero_bit(pool->map, idx + n, idx);
	if (odd < idx + n) {
		spin_unlock(&pool->lock);
		return -EBUSY;
	}
	if (carve) {
		bitmap_set(pool->map, idx, n);
		pool->nr_free -= n;
	} else {
		bitmap_clear(pool->map, idx, n);
		pool->nr_free += n;
	}
	spin_unlock(&pool->lock);
	return 0;
}

/**
 * mk_pool_carve_at() - take a given range out of the pool
 * @pool:	the pool
 * @addr:	physical start of the range
 * @size:	bytes, a non-zero multiple of MULTIKERNEL_POOL_ALIGN
 *
 * Takes exactly [@addr, @addr + @size), for an owner that had this range
 * before and returned it (a stopped instance that starts again). As with
 * mk_pool_carve(), the range is not zeroed here.
 *
 * Context: Any context.
 * Return: 0 on success; -EINVAL when the range is misaligned, empty or
 * not inside the pool (also when there is no pool); -EADDRINUSE when
 * some of it is carved out (nothing is taken then).
 */
int mk_pool_carve_at(struct mk_pool *pool, phys_addr_t addr, u64 size)
{
	int ret = mk_pool_flip(pool, addr, size, true);

	return ret == -EBUSY ? -EADDRINUSE : ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_carve_at);

/**
 * mk_pool_return() - give a carved range back to the pool
 * @pool:	the pool it was carved from
 * @addr:	physical start returned by mk_pool_carve()
 * @size:	the size passed to mk_pool_carve()
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL when the range is not inside the pool,
 * not aligned, or not wholly carved out (nothing is freed then).
 */
int mk_pool_return(struct mk_pool *pool, phys_addr_t addr, u64 size)
{
	int ret = mk_pool_flip(pool, addr, size, false);

	return ret == -EBUSY ? -EINVAL : ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_return);

/**
 * mk_pool_free_bytes() - bytes of the pool not carved out
 * @pool:	the pool
 *
 * Context: Any context.
 * Return: free bytes; 0 when there is no pool.
 */
u64 mk_pool_free_bytes(const struct mk_pool *pool)
{
	return (u64)READ_ONCE(pool->nr_free) * MULTIKERNEL_POOL_ALIGN;
}
EXPORT_SYMBOL_IF_KUNIT(mk_pool_free_bytes);
