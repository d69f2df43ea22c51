// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handover record: what a host that kexecs into a new kernel with
 * instances running tells that kernel about them (live-update.rst).
 *
 * The old host. When it loads a kernel with a handover (arch code), it
 * carves one pool granule for the record, and the handover names it. The
 * pool is reserved in the new kernel, so the record lies where nothing
 * else writes. It is written at kexec time, when the instances are what
 * the new kernel will find: for every instance that holds CPUs, its id,
 * name, boot, state, memory range, shared region, low-memory window and
 * processors, under a CRC32.
 *
 * The new host. Before SMP bring-up it checks the record against the
 * handover: a record that fails any check is ignored, and the new host
 * holds every CPU the handover names; a good one narrows what it holds to
 * the CPUs of instances whose kernels may run. Nothing adopts them yet:
 * each is named in the log, with what adoption will need.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/cpumask.h>
#include <linux/crc32.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/multikernel/wire.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

#define MK_RECORD_MAX	MULTIKERNEL_RECORD_MAX_BYTES
static_assert(MK_RECORD_MAX <= MULTIKERNEL_POOL_ALIGN);

/* The old host: the granule that holds the record, 0 for none (kexec lock). */
static phys_addr_t mk_record_phys;

/*
 * multikernel_test_handover_corrupt (CONFIG_MULTIKERNEL_TEST_HANDOVER):
 * the old host damages the record after its checksum, so that the test
 * can see the new host refuse it.
 */
#ifdef CONFIG_MULTIKERNEL_TEST_HANDOVER
static bool mk_test_record_corrupt;

static int __init mk_test_record_corrupt_setup(char *arg)
{
	mk_test_record_corrupt = true;
	return 0;
}
early_param("multikernel_test_handover_corrupt", mk_test_record_corrupt_setup);
#else
#define mk_test_record_corrupt	false
#endif

/**
 * multikernel_handover_record_reserve() - room for the record, in the pool
 * @phys:	set to its physical address
 * @size:	set to its size
 *
 * The granule is carved at the first load with a handover and kept for
 * later ones.
 *
 * Context: Process context, kexec lock held.
 * Return: 0, or -ENOSPC when the pool has no free granule.
 */
int multikernel_handover_record_reserve(u64 *phys, u64 *size)
{
	phys_addr_t pa;
	int ret;

	if (!mk_record_phys) {
		ret = mk_pool_carve(&mk_host_pool, MULTIKERNEL_POOL_ALIGN, &pa);
		if (ret)
			return ret;
		mk_record_phys = pa;
	}
	*phys = mk_record_phys;
	*size = MULTIKERNEL_POOL_ALIGN;
	return 0;
}

/*
 * The record's CRC32: over its @size bytes, with its crc field taken as 0.
 * @rec is only read: it may be a mapping of the record itself.
 */
static u32 mk_record_crc(const struct multikernel_record *rec)
{
	const size_t at = offsetof(struct multikernel_record, crc);
	const u32 zero = 0;
	u32 crc;

	crc = crc32_le(~0, (const u8 *)rec, at);
	crc = crc32_le(crc, (const u8 *)&zero, sizeof(zero));
	return crc32_le(crc, (const u8 *)rec + at + sizeof(zero),
			rec->size - at - sizeof(zero));
}

/* Whether @rec has a known layout and passes its checksum. */
static const char *mk_record_frame_error(const struct multikernel_record *rec)
{
	if (rec->magic != MULTIKERNEL_RECORD_MAGIC)
		return "bad magic";
	if (rec->version != MULTIKERNEL_RECORD_VERSION)
		return "unknown version";
	if (rec->nr_instances > MULTIKERNEL_RECORD_INSTANCES ||
	    rec->size != struct_size(rec, inst, rec->nr_instances))
		return "bad size";
	if (mk_record_crc(rec) != rec->crc)
		return "checksum mismatch";
	return NULL;
}

/**
 * multikernel_record_intact() - may a new host take the old host's pool?
 * @rec:	the handover record, mapped; MULTIKERNEL_RECORD_MAX_BYTES
 *
 * Early boot decides whether the pool becomes this kernel's RAM before
 * the record is checked in full (mk_handover_record_take()): only when
 * the record's layout and checksum are sound. Otherwise the pool stays
 * reserved, not RAM, and nothing of it is used.
 *
 * Context: Early boot.
 * Return: true when the record passes these checks.
 */
bool __init multikernel_record_intact(const void *rec)
{
	const char *bad = mk_record_frame_error(rec);

	if (bad)
		pr_err("handover record: %s; the old host's pool stays reserved\n", bad);
	return !bad;
}

/**
 * mk_handover_record_write() - describe the instances for the new host
 *
 * Context: Process context, from the kexec, kexec lock held.
 * Return: 0, -ENOENT when no granule was reserved, -E2BIG for too many
 * instances or CPUs, -ENOMEM.
 */
int mk_handover_record_write(void)
{
	struct multikernel_record *rec;
	int n;

	if (!mk_record_phys)
		return -ENOENT;
	rec = memremap(mk_record_phys, MK_RECORD_MAX, MEMREMAP_WB);
	if (!rec)
		return -ENOMEM;
	memset(rec, 0, MK_RECORD_MAX);
	n = mk_instances_record(rec->inst, MULTIKERNEL_RECORD_INSTANCES);
	if (n < 0) {
		memunmap(rec);
		return n;
	}
	rec->magic = MULTIKERNEL_RECORD_MAGIC;
	rec->version = MULTIKERNEL_RECORD_VERSION;
	rec->nr_instances = n;
	rec->size = struct_size(rec, inst, n);
	rec->crc = mk_record_crc(rec);
	if (mk_test_record_corrupt && n) {
		rec->inst[0].mem_base ^= MULTIKERNEL_POOL_ALIGN;
		pr_warn("test: the handover record is damaged after its checksum (multikernel_test_handover_corrupt)\n");
	}
	memunmap(rec);
	pr_info("handover record: %d instances\n", n);
	return 0;
}

/* The logical CPU with hardware id @hw_id, nr_cpu_ids for none. */
static unsigned int __init mk_cpu_of_hw_id(u32 hw_id)
{
	unsigned int cpu;

	for_each_present_cpu(cpu)
		if (mk_arch_cpu_hw_id(cpu) == hw_id)
			return cpu;
	return nr_cpu_ids;
}

/*
 * Check one instance of the record; add the CPUs its kernel may run on to
 * @runs. Its processors must be ones the handover kept off (@kept).
 */
static const char *__init mk_record_instance_check(const struct multikernel_record_instance *ri,
						   const struct mk_handed_over *ho,
						   const struct cpumask *kept,
						   struct cpumask *runs)
{
	u64 pool_end = ho->pool_phys + ho->pool_size, mem_end;
	unsigned int i, cpu;

	if (!ri->nr_cpus || ri->nr_cpus > MULTIKERNEL_RECORD_CPUS)
		return "an instance with a bad number of CPUs";
	if (!memchr(ri->name, '\0', sizeof(ri->name)) || !ri->name[0])
		return "an instance without a name";
	if (ri->state > MULTIKERNEL_STATE_CRASHED)
		return "an instance in an unknown state";
	if (!ri->mem_size || ri->mem_base < ho->pool_phys || ri->mem_base >= pool_end ||
	    ri->mem_size > pool_end - ri->mem_base)
		return "an instance's memory outside the pool";
	mem_end = ri->mem_base + ri->mem_size;
	if (ri->shared_phys && (ri->shared_phys < ri->mem_base || ri->shared_phys >= mem_end ||
				ri->shared_size > mem_end - ri->shared_phys))
		return "an instance's shared region outside its memory";
	/* Where exactly is the arch's to check, when it keeps the window. */
	if (ri->low_size && (ri->low_base + ri->low_size < ri->low_base ||
			     (ri->low_base < pool_end &&
			      ri->low_base + ri->low_size > ho->pool_phys)))
		return "an instance's low-memory window wraps or meets the pool";
	for (i = 0; i < ri->nr_cpus; i++) {
		cpu = mk_cpu_of_hw_id(ri->hw_ids[i]);
		if (cpu >= nr_cpu_ids || !cpumask_test_cpu(cpu, kept))
			return "an instance on a CPU the handover did not keep off";
		if (mk_state_cpus_in_use((enum mk_state)ri->state))
			cpumask_set_cpu(cpu, runs);
	}
	return NULL;
}

/* Check @rec, a private copy of MK_RECORD_MAX bytes; fill @runs. */
static const char *__init mk_record_check(struct multikernel_record *rec,
					  const struct mk_handed_over *ho,
					  const struct cpumask *kept, struct cpumask *runs)
{
	unsigned int i;
	const char *bad;

	bad = mk_record_frame_error(rec);
	if (bad)
		return bad;
	for (i = 0; i < rec->nr_instances; i++) {
		bad = mk_record_instance_check(&rec->inst[i], ho, kept, runs);
		if (bad)
			return bad;
	}
	return NULL;
}

/* The checked record, from mk_handover_record_take() to mk_handover_adopt(). */
static struct multikernel_record *mk_adopt_rec __initdata;
/* A handover came, but no record that can be trusted. */
static bool mk_adopt_refused __initdata;

/**
 * mk_handover_keep_pool() - keep what the old host's instances use out of the pool
 *
 * The pool this kernel took over (multikernel_pool_handed_over()) still
 * holds the instances the old host left, running or not. Before anything
 * can carve from it, the memory of every recorded instance whose kernel
 * may run is carved out; with a record that was refused, all of the pool
 * is, since nothing says which parts are in use.
 *
 * Context: Process context, boot, before userspace.
 */
void __init mk_handover_keep_pool(void)
{
	const struct multikernel_record_instance *ri;
	unsigned int i;
	int ret;

	if (!mk_host_pool.size)
		return;
	if (mk_adopt_refused) {
		ret = mk_pool_carve_at(&mk_host_pool, mk_host_pool.base,
				       mk_host_pool.size);
		pr_warn("the pool stays in use (%d): the record of the old host's instances was refused\n",
			ret);
		return;
	}
	if (!mk_adopt_rec)
		return;
	for (i = 0; i < mk_adopt_rec->nr_instances; i++) {
		ri = &mk_adopt_rec->inst[i];
		if (!mk_state_cpus_in_use((enum mk_state)ri->state))
			continue;
		ret = mk_pool_carve_at(&mk_host_pool, ri->mem_base, ri->mem_size);
		if (ret)
			pr_err("cannot keep instance %s's memory out of the pool: %d\n",
			       ri->name, ret);
	}
}

/**
 * mk_handover_adopt() - adopt the running instances of the handover record
 *
 * Each instance the old host left running is re-created here, with its
 * link (mk_instance_adopt()). One that is not stays on its CPUs, which
 * this kernel then holds until it reboots, and says why. An instance in
 * another state (loaded, stopped) ran no kernel: its CPUs were not held.
 *
 * Context: Process context, boot, after /dev/multikernel is set up.
 */
void __init mk_handover_adopt(void)
{
	struct multikernel_record *rec = mk_adopt_rec;
	const struct multikernel_record_instance *ri;
	cpumask_var_t cpus;
	unsigned int i, j;
	int ret;

	if (!rec)
		return;
	mk_adopt_rec = NULL;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		pr_err("no memory to adopt the old host's instances; holding their CPUs\n");
		kfree(rec);
		return;
	}
	for (i = 0; i < rec->nr_instances; i++) {
		ri = &rec->inst[i];
		if (ri->state != MULTIKERNEL_STATE_RUNNING)
			continue;
		cpumask_clear(cpus);
		for (j = 0; j < ri->nr_cpus; j++)
			cpumask_set_cpu(mk_cpu_of_hw_id(ri->hw_ids[j]), cpus);
		ret = mk_instance_adopt(ri, cpus);
		if (ret)
			pr_err("cannot adopt instance %s: %d; it runs on, and CPUs %*pbl stay held\n",
			       ri->name, ret, cpumask_pr_args(cpus));
		else
			pr_info("adopted instance %s (id %u) running on CPUs %*pbl\n",
				ri->name, ri->id, cpumask_pr_args(cpus));
	}
	free_cpumask_var(cpus);
	kfree(rec);
}

/**
 * mk_handover_record_take() - read the old host's record, narrow what to hold
 * @ho:		where the handover says the pool and the record are
 * @held:	the CPUs the handover keeps off; narrowed to those of the
 *		recorded instances whose kernels may run, if the record is good
 *
 * Context: Process context, boot, before SMP bring-up.
 */
void __init mk_handover_record_take(const struct mk_handed_over *ho,
				    struct cpumask *held)
{
	struct multikernel_record *rec = NULL;
	const struct multikernel_record_instance *ri;
	void *mapped;
	cpumask_var_t runs, cpus;
	const char *bad = NULL;
	unsigned int i, j;

	if (!zalloc_cpumask_var(&runs, GFP_KERNEL))
		goto no_mem;
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		free_cpumask_var(runs);
		goto no_mem;
	}
	if (!ho->record_phys || ho->record_size < MK_RECORD_MAX)
		bad = "the handover names none";
	else if (ho->record_phys < ho->pool_phys ||
		 ho->record_phys + ho->record_size > ho->pool_phys + ho->pool_size)
		bad = "it is outside the pool";
	if (!bad) {
		/*
		 * One copy, checked and used: the instances still run and can
		 * write anywhere, the record included.
		 */
		mapped = memremap(ho->record_phys, MK_RECORD_MAX, MEMREMAP_WB);
		if (mapped) {
			rec = kmemdup(mapped, MK_RECORD_MAX, GFP_KERNEL);
			memunmap(mapped);
		}
		if (!mapped)
			bad = "cannot map it";
		else if (!rec)
			bad = "no memory to check it";
		else
			bad = mk_record_check(rec, ho, held, runs);
	}
	if (bad) {
		pr_err("bad handover record (%s): adopting nothing, holding CPUs %*pbl\n",
		       bad, cpumask_pr_args(held));
		mk_adopt_refused = true;
		goto out;
	}

	for (i = 0; i < rec->nr_instances; i++) {
		ri = &rec->inst[i];
		cpumask_clear(cpus);
		for (j = 0; j < ri->nr_cpus; j++)
			cpumask_set_cpu(mk_cpu_of_hw_id(ri->hw_ids[j]), cpus);
		pr_info("the old host left instance %s (id %u, boot %u, state %u) on CPUs %*pbl, %llu MiB at %#llx, shared region at %#llx, low-memory window at %#llx\n",
			ri->name, ri->id, ri->boot, ri->state, cpumask_pr_args(cpus),
			ri->mem_size >> 20, ri->mem_base, ri->shared_phys,
			ri->low_base);
	}
	/* Kept for mk_handover_adopt(), once devices can be created. */
	mk_adopt_rec = rec;
	rec = NULL;
	if (!cpumask_equal(held, runs)) {
		cpumask_andnot(cpus, held, runs);
		pr_info("handover record: CPUs %*pbl run no instance, the host may use them\n",
			cpumask_pr_args(cpus));
	}
	cpumask_copy(held, runs);
out:
	kfree(rec);
	free_cpumask_var(cpus);
	free_cpumask_var(runs);
	return;
no_mem:
	pr_err("no memory to read the handover record: adopting nothing, holding CPUs %*pbl\n",
	       cpumask_pr_args(held));
	mk_adopt_refused = true;
}
