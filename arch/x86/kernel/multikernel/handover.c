// SPDX-License-Identifier: GPL-2.0-only
/*
 * The handover: what a kernel that replaces this host through kexec while
 * instances run must keep off, and the new host's side of it.
 *
 * The old host. When kexec_file loads a kernel to replace the host and
 * that kernel accepts the handover version this one writes (kernel_info,
 * Documentation/arch/x86/boot.rst), the bzImage loader asks for room in
 * the boot_params buffer. The pool is marked reserved in the e820 map the
 * new kernel gets, so that neither its decompressor (KASLR) nor memblock
 * ever uses it, and a setup_data entry (SETUP_MULTIKERNEL_HANDOVER) names
 * the pool and the processors that were not the host's at that moment,
 * which the new kernel must never start. Both are written at load time on
 * purpose: purgatory checks a digest of every segment, so nothing can be
 * added at kexec time. At kexec the core asks mk_arch_kexec_keeps_off()
 * whether every CPU an instance holds is among those kept off.
 *
 * The new host. Before SMP bring-up the core asks mk_arch_handed_over()
 * for the processors to hold, and holds them as it holds an instance's:
 * they are never started and never sent an INIT.
 *
 * Only a host booted for the live update test writes a handover
 * (multikernel_kexec_hands_over()): until a new host adopts the instances
 * it is handed, a production host stops them before a kexec.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/memblock.h>
#include <linux/multikernel.h>
#include <linux/multikernel/arch.h>
#include <linux/multikernel/wire.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/bootparam.h>
#include <asm/e820/api.h>
#include <asm/e820/types.h>
#include <asm/early_ioremap.h>
#include <asm/multikernel.h>
#include <asm/setup.h>

#include "mk_x86.h"

static_assert(MK_X86_KERNEL_INFO_HANDOVER == MULTIKERNEL_HANDOVER_VERSION);

/*
 * The host kexec image that carries a handover, and the host's CPUs when
 * it was loaded. Written by a load, read by a kexec: both hold the kexec
 * lock. Compared with kexec_image, never dereferenced: every kexec_file
 * load of a host kernel passes through mk_x86_kexec_handover_size().
 */
static struct kimage *mk_ho_image;
static struct cpumask mk_ho_host_cpus;

/* Does @image replace this host, and does it accept our handover? */
static bool mk_ho_wanted(struct kimage *image, bool say)
{
	phys_addr_t lo, hi;
	u32 ver;

	if (image->type != KEXEC_TYPE_DEFAULT || image->place_end)
		return false;
	if (!multikernel_kexec_hands_over() || !multikernel_kexec_avoid(&lo, &hi))
		return false;
	ver = mk_kernel_info_u32(image->kernel_buf, image->kernel_buf_len,
				 MK_X86_KERNEL_INFO_HANDOVER_OFFSET);
	if (ver == MULTIKERNEL_HANDOVER_VERSION)
		return true;
	if (say)
		pr_warn("the kernel being loaded accepts handover version %u, this host writes %u: it cannot replace the host while instances run\n",
			ver, MULTIKERNEL_HANDOVER_VERSION);
	return false;
}

/**
 * mk_x86_kexec_handover_size() - room the handover takes in boot_params
 * @image:	the image the bzImage loader is loading
 *
 * Called by the bzImage loader once per load, before it sizes its
 * boot_params buffer. Forgets an earlier host image's handover.
 *
 * Context: Process context, kexec lock held.
 * Return: the bytes of the setup_data entry, 0 when @image gets none.
 */
unsigned int mk_x86_kexec_handover_size(struct kimage *image)
{
	if (image->type == KEXEC_TYPE_DEFAULT && !image->place_end)
		mk_ho_image = NULL;
	if (!mk_ho_wanted(image, true))
		return 0;
	return sizeof(struct setup_data) + sizeof(struct multikernel_handover);
}

/**
 * mk_e820_keep_off() - mark [@lo, @hi] reserved in a boot_params e820 map
 * @bp:		the boot_params
 * @lo:		first byte
 * @hi:		last byte
 *
 * Splits every RAM entry that meets the range.
 *
 * Context: Process context.
 * Return: 0, -E2BIG when the map has no room for the split, -ENOMEM.
 */
int mk_e820_keep_off(struct boot_params *bp, u64 lo, u64 hi)
{
	unsigned int i, n = 0, nr = bp->e820_entries;
	struct boot_e820_entry *out;
	int ret = 0;

	if (nr > E820_MAX_ENTRIES_ZEROPAGE)
		return -E2BIG;
	out = kcalloc(E820_MAX_ENTRIES_ZEROPAGE, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	for (i = 0; i < nr && !ret; i++) {
		struct boot_e820_entry e = bp->e820_table[i];
		u64 end = e.addr + e.size;	/* exclusive */
		struct boot_e820_entry part[3];
		unsigned int k, np = 0;

		if (e.type != E820_TYPE_RAM || !e.size || e.addr > hi || end <= lo) {
			part[np++] = e;
		} else {
			u64 a = max(e.addr, lo), b = min(end, hi + 1);

			if (e.addr < a)
				part[np++] = (struct boot_e820_entry){ e.addr, a - e.addr,
								       E820_TYPE_RAM };
			part[np++] = (struct boot_e820_entry){ a, b - a, E820_TYPE_RESERVED };
			if (b < end)
				part[np++] = (struct boot_e820_entry){ b, end - b,
								       E820_TYPE_RAM };
		}
		for (k = 0; k < np; k++) {
			if (n == E820_MAX_ENTRIES_ZEROPAGE) {
				ret = -E2BIG;
				break;
			}
			out[n++] = part[k];
		}
	}
	if (!ret) {
		memcpy(bp->e820_table, out, n * sizeof(*out));
		bp->e820_entries = n;
	}
	kfree(out);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_e820_keep_off);

/**
 * mk_x86_kexec_handover() - write the handover into a new host's boot_params
 * @image:		the image the bzImage loader is loading
 * @params:		its boot_params, e820 map and setup_data chain built
 * @params_load_addr:	where @params will be in physical memory
 * @offset:		where in @params the room mk_x86_kexec_handover_size()
 *			asked for starts
 *
 * Context: Process context, kexec lock held.
 * Return: 0 (also when @image gets no handover), or -E2BIG when the e820
 * map or the processor list has no room, -ENOMEM.
 */
int mk_x86_kexec_handover(struct kimage *image, struct boot_params *params,
			  unsigned long params_load_addr, unsigned int offset)
{
	struct setup_data *sd = (void *)params + offset;
	struct multikernel_handover *ho = (void *)sd->data;
	unsigned int cpu, n = 0;
	phys_addr_t lo, hi;
	int ret;

	if (!mk_ho_wanted(image, false))
		return 0;
	multikernel_kexec_avoid(&lo, &hi);
	ret = mk_e820_keep_off(params, lo, hi);
	if (ret) {
		pr_err("no room to reserve the pool in the new kernel's e820 map: %d\n", ret);
		return ret;
	}

	memset(sd, 0, sizeof(*sd) + sizeof(*ho));
	ho->magic = MULTIKERNEL_HANDOVER_MAGIC;
	ho->version = MULTIKERNEL_HANDOVER_VERSION;
	ho->size = sizeof(*ho);
	ho->pool_phys = lo;
	ho->pool_size = hi - lo + 1;
	ret = multikernel_handover_record_reserve(&ho->record_phys, &ho->record_size);
	if (ret) {
		pr_err("no room in the pool for the handover record: %d\n", ret);
		return ret;
	}
	cpus_read_lock();
	for_each_present_cpu(cpu) {
		if (cpu_online(cpu))
			continue;
		if (n == MULTIKERNEL_MAX_CPUS) {
			ret = -E2BIG;
			break;
		}
		ho->kept_apic_ids[n++] = mk_arch_cpu_hw_id(cpu);
	}
	cpumask_copy(&mk_ho_host_cpus, cpu_online_mask);
	cpus_read_unlock();
	if (ret)
		return ret;
	ho->nr_kept_cpus = n;

	sd->type = SETUP_MULTIKERNEL_HANDOVER;
	sd->len = sizeof(*ho);
	sd->next = params->hdr.setup_data;
	params->hdr.setup_data = params_load_addr + offset;
	mk_ho_image = image;
	pr_info("the kernel being loaded keeps off the pool %pa-%pa and %u processors the host does not run\n",
		&lo, &hi, n);
	return 0;
}

/**
 * mk_arch_kexec_keeps_off() - does the loaded host kernel keep off @cpus?
 * @cpus:	the CPUs instances hold
 * @cpu:	set to one it would start, or to nr_cpu_ids when the loaded
 *		kernel carries no handover at all
 *
 * Context: Process context, kexec lock held.
 * Return: true when kexec_image carries a handover that keeps off all of
 * @cpus.
 */
bool mk_arch_kexec_keeps_off(const struct cpumask *cpus, unsigned int *cpu)
{
	if (!kexec_image || kexec_image != mk_ho_image || !kexec_image->file_mode) {
		*cpu = nr_cpu_ids;
		return false;
	}
	*cpu = cpumask_first_and(cpus, &mk_ho_host_cpus);
	return *cpu >= nr_cpu_ids;
}

/**
 * mk_x86_take_handed_pool() - make the old host's pool this kernel's pool
 * @rec:	set to the handover record, mapped with early_memremap() for
 *		MULTIKERNEL_RECORD_MAX_BYTES, when its layout and checksum are
 *		sound (even if the pool is not taken); NULL otherwise. The
 *		caller unmaps it.
 *
 * The old host marked its pool reserved in this kernel's e820 map, so
 * that the decompressor and early boot left it alone. Here, before
 * memblock hands out memory above 1 MiB, it becomes RAM again and
 * reserved at once, and the pool code takes it as the pool: this kernel
 * adopts the instances in it, fences their memory out of its direct map
 * as any host does, and gives instances created later room in it. The
 * new host's own kexec map (e820_table_kexec) keeps the pool reserved.
 * Only the pool's place and the record's layout and checksum are checked
 * here: a record that fails them leaves the pool reserved and unused.
 * mk_arch_handed_over() and mk_handover_record_take() check the rest
 * later; what fails there leaves the pool carved out whole.
 *
 * Context: Early boot, setup_arch(), memblock limited to the first MiB.
 * Return: true when this kernel was handed a pool and took it.
 */
bool __init mk_x86_take_handed_pool(const struct multikernel_record **rec)
{
	u64 pa = boot_params.hdr.setup_data, next, base, size, rec_pa;
	struct multikernel_handover *ho;
	bool intact;
	unsigned int budget = 64;
	struct setup_data *p;
	u32 type = 0, len = 0;
	void *map;

	*rec = NULL;
	while (pa && budget--) {
		p = early_memremap(pa, sizeof(*p));
		if (!p)
			return false;
		type = p->type;
		len = p->len;
		next = p->next;
		early_memunmap(p, sizeof(*p));
		if (type == SETUP_MULTIKERNEL_HANDOVER)
			break;
		pa = next;
	}
	if (!pa || type != SETUP_MULTIKERNEL_HANDOVER ||
	    len < offsetofend(struct multikernel_handover, pool_size))
		return false;
	ho = early_memremap(pa + sizeof(*p), sizeof(*ho));
	if (!ho)
		return false;
	base = ho->magic == MULTIKERNEL_HANDOVER_MAGIC &&
	       ho->version == MULTIKERNEL_HANDOVER_VERSION ? ho->pool_phys : 0;
	size = ho->pool_size;
	rec_pa = len >= offsetofend(struct multikernel_handover, record_size) ?
		 ho->record_phys : 0;
	early_memunmap(ho, sizeof(*ho));
	if (!base || !size || !IS_ALIGNED(base | size, MULTIKERNEL_POOL_ALIGN) ||
	    base + size < base) {
		pr_err("handover from the old host names no usable pool: it stays reserved\n");
		return false;
	}
	/* Without a sound record nothing says which of it is in use. */
	if (rec_pa < base || rec_pa + MULTIKERNEL_RECORD_MAX_BYTES > base + size) {
		pr_err("handover record outside the old host's pool: the pool stays reserved\n");
		return false;
	}
	map = early_memremap(rec_pa, MULTIKERNEL_RECORD_MAX_BYTES);
	if (!map)
		return false;
	intact = multikernel_record_intact(map);
	if (!intact) {
		early_memunmap(map, MULTIKERNEL_RECORD_MAX_BYTES);
		return false;
	}
	*rec = map;
	if (e820__mapped_any(base, base + size, E820_TYPE_RAM) ||
	    !e820__mapped_all(base, base + size, E820_TYPE_RESERVED)) {
		pr_err("the handed-over pool %#llx-%#llx is not a reserved range of the memory map: it stays reserved\n",
		       base, base + size - 1);
		return false;
	}
	e820__range_update(base, size, E820_TYPE_RESERVED, E820_TYPE_RAM);
	e820__update_table(e820_table);
	memblock_add(base, size);
	memblock_reserve(base, size);
	multikernel_pool_handed_over(base, size);
	return true;
}

/* The new host: the handover from setup_data, checked; NULL if none. */
static const char *__init mk_ho_read(struct multikernel_handover *ho, bool *found)
{
	u64 pa = boot_params.hdr.setup_data;
	unsigned int budget = 64;
	struct setup_data hdr, *p;
	u32 len;

	*found = false;
	while (pa && budget--) {
		p = memremap(pa, sizeof(hdr), MEMREMAP_WB);
		if (!p)
			return NULL;
		hdr = *p;
		memunmap(p);
		if (hdr.type == SETUP_MULTIKERNEL_HANDOVER)
			break;
		pa = hdr.next;
	}
	if (!pa || hdr.type != SETUP_MULTIKERNEL_HANDOVER)
		return NULL;
	*found = true;
	len = min_t(u32, hdr.len, sizeof(*ho));
	if (len < offsetof(struct multikernel_handover, kept_apic_ids))
		return "too short";
	p = memremap(pa + sizeof(hdr), len, MEMREMAP_WB);
	if (!p)
		return "cannot map it";
	memset(ho, 0, sizeof(*ho));
	memcpy(ho, p, len);
	memunmap(p);
	if (ho->magic != MULTIKERNEL_HANDOVER_MAGIC)
		return "bad magic";
	if (ho->version != MULTIKERNEL_HANDOVER_VERSION)
		return "unknown version";
	if (ho->size > hdr.len || ho->nr_kept_cpus > MULTIKERNEL_MAX_CPUS ||
	    ho->size < offsetof(struct multikernel_handover, kept_apic_ids) +
		       ho->nr_kept_cpus * sizeof(u32))
		return "bad size";
	return NULL;
}

/**
 * mk_arch_handed_over() - the CPUs a new host must hold for the old one's instances
 * @cpus:	filled with them
 * @out:	filled with where the old host's pool and record are
 *
 * A kernel an old host kexec'd into while instances ran holds the
 * processors the handover names. A handover it cannot read makes it hold
 * every CPU but the boot CPU: it cannot tell which ones run instances.
 *
 * Context: Process context, boot, before SMP bring-up.
 * Return: true when this kernel was handed over instances.
 */
bool __init mk_arch_handed_over(struct cpumask *cpus, struct mk_handed_over *out)
{
	struct multikernel_handover *ho;
	unsigned int cpu, i;
	bool found = false;
	const char *bad;

	cpumask_clear(cpus);
	memset(out, 0, sizeof(*out));
	ho = kzalloc(sizeof(*ho), GFP_KERNEL);
	if (!ho)
		bad = "no memory to read it";
	else
		bad = mk_ho_read(ho, &found);
	if (ho && !found) {
		kfree(ho);
		return false;
	}
	if (bad) {
		cpumask_copy(cpus, cpu_present_mask);
		/* Before SMP bring-up only the boot CPU runs: no migration. */
		cpumask_clear_cpu(raw_smp_processor_id(), cpus);
		pr_err("bad handover from the old host (%s): holding every CPU but the boot CPU\n",
		       bad);
		kfree(ho);
		return true;
	}
	for_each_present_cpu(cpu)
		for (i = 0; i < ho->nr_kept_cpus; i++)
			if (mk_arch_cpu_hw_id(cpu) == ho->kept_apic_ids[i])
				cpumask_set_cpu(cpu, cpus);
	pr_info("handed over by the old host: holding CPUs %*pbl, its pool %#llx-%#llx\n",
		cpumask_pr_args(cpus), ho->pool_phys, ho->pool_phys + ho->pool_size - 1);
	out->pool_phys = ho->pool_phys;
	out->pool_size = ho->pool_size;
	if (ho->size >= offsetofend(struct multikernel_handover, record_size)) {
		out->record_phys = ho->record_phys;
		out->record_size = ho->record_size;
	}
	kfree(ho);
	return true;
}
