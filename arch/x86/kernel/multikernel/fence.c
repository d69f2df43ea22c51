// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fence an instance's RAM out of the host's direct map while the instance
 * may run on it.
 *
 * The host never touches an instance's RAM between writing the image in
 * and clearing it after the CPUs were reset: everything the two kernels
 * say to each other goes through the shared region, which stays mapped.
 * Unmapped, the range cannot be hit by a stray host pointer (it faults
 * instead), and /proc/kcore reads zeros there. The pool is carved in
 * 2 MiB-aligned pieces, so the direct map keeps its large pages.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <asm/set_memory.h>

#include "mk_x86.h"

static int mk_fence_set(const struct mk_x86_layout *l, bool present)
{
	unsigned long va = (unsigned long)phys_to_virt(l->ram_base);
	int pages = l->ram_size >> PAGE_SHIFT;

	return present ? set_memory_p(va, pages) : set_memory_np(va, pages);
}

/**
 * mk_fence_ram() - unmap an instance's RAM from the host's direct map
 * @l:		the instance's memory layout
 * @ns:		set to how long it took
 *
 * Context: Process context, may sleep.
 * Return: 0, or the error of set_memory_np(); then the range is mapped
 * again.
 */
int mk_fence_ram(const struct mk_x86_layout *l, u64 *ns)
{
	u64 t0 = ktime_get_ns();
	int ret;

	ret = mk_fence_set(l, false);
	if (ret) {
		pr_err("cannot unmap instance RAM at %#llx from the direct map: %d\n",
		       l->ram_base, ret);
		mk_fence_set(l, true);
	}
	*ns = ktime_get_ns() - t0;
	return ret;
}

/**
 * mk_unfence_ram() - map an instance's RAM into the host's direct map again
 * @l:		the instance's memory layout
 * @ns:		set to how long it took
 *
 * Called once no CPU can run the instance any more, before its memory is
 * cleared and given back to the pool.
 *
 * Context: Process context, may sleep.
 */
void mk_unfence_ram(const struct mk_x86_layout *l, u64 *ns)
{
	u64 t0 = ktime_get_ns();
	int ret;

	ret = mk_fence_set(l, true);
	/* The pool would hand out memory nobody can clear. */
	if (ret)
		pr_crit("cannot map instance RAM at %#llx back: %d\n",
			l->ram_base, ret);
	*ns = ktime_get_ns() - t0;
}
