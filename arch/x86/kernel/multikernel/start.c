// SPDX-License-Identifier: GPL-2.0-only
/*
 * Starting and stopping multikernel instances on x86.
 *
 * Start: copy the image into the instance's memory, turn the loader's
 * boot_params into the instance's (its e820 map, the handoff), set up the
 * shared region and the start trampoline in the instance's low window,
 * and send INIT-SIPI-SIPI to its first CPU, which the host took offline.
 * The trampoline enters the kernel's 64-bit entry point; the instance
 * starts its other CPUs itself.
 *
 * Stop: INIT every CPU of the instance and SIPI it into the park page. INIT
 * gets through whatever the CPU runs, interrupts off or not (not in SMM or
 * VMX root operation: then the CPU never reaches the park page and the
 * stop times out). A parked CPU halts until the host brings it up again.
 *
 * The core opens the link (kernel/multikernel/link.c) on the messaging
 * region that mk_arch_prepare() sets up, before mk_arch_start(), and
 * closes it after mk_arch_force_stop() and before mk_arch_release().
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/atomic.h>
#include <linux/ctype.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/multikernel/arch.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <asm/apic.h>
#include <asm/desc_defs.h>
#include <asm/msr-index.h>
#include <asm/multikernel.h>
#include <asm/processor-flags.h>
#include <asm/setup.h>
#include <asm/tsc.h>

#include "mk_x86.h"
#include "trampoline.h"

#define MK_PARK_TIMEOUT_MS	2000

/**
 * struct mk_x86_state - a started instance, from start to forced stop
 * @inst:	the instance
 * @layout:	where its memory is
 * @shared:	the shared region, mapped
 * @sipi_tsc:	time stamp counter when the first CPU was sent its IPIs
 * @lent:	the first CPU was sent its start IPIs: it may run instance
 *		code, and counts in mk_lent
 * @fence_ns:	how long fencing its RAM out of the direct map took
 * @copy_ns:	how long writing the image into its RAM took
 * @prepare_ns:	how long mk_arch_prepare() took in all
 * @entry:	where the start code enters the kernel
 * @unpacked:	the kernel was unpacked at load: @entry is its own entry
 *		point, not the bzImage decompressor's
 */
struct mk_x86_state {
	struct mk_instance *inst;
	struct mk_x86_layout layout;
	struct multikernel_shared *shared;
	u64 sipi_tsc;
	bool lent;
	u64 fence_ns;
	u64 copy_ns;
	u64 prepare_ns;
	phys_addr_t entry;
	bool unpacked;
};

static_assert(sizeof(struct multikernel_shared) <= MK_SH_LAST_WORDS);
static_assert(MK_SH_LAST_WORDS + sizeof(struct multikernel_last_words) <=
	      MK_SH_HANDOFF);
static_assert(MK_SH_EARLY_LOG + sizeof(struct multikernel_early_log) <= MK_SH_MSG);

/* CPUs the host lent out: no IPI broadcasts while there are any. */
static atomic_t mk_lent = ATOMIC_INIT(0);

/* Serializes parking: all CPUs check in at the same counter. */
static DEFINE_MUTEX(mk_park_lock);

/**
 * mk_x86_cpus_lent() - does an instance run on CPUs of this host?
 *
 * Context: Any context.
 * Return: true while any instance is started and not stopped.
 */
bool mk_x86_cpus_lent(void)
{
	return atomic_read(&mk_lent) > 0;
}

static u32 mk_apicid(unsigned int cpu)
{
	return per_cpu(x86_cpu_to_apicid, cpu);
}

/**
 * mk_arch_cpu_hw_id() - the hardware id of a host CPU
 * @cpu:	logical CPU number
 *
 * Context: Any context.
 * Return: its APIC ID, by which doorbells and the handoff name it.
 */
u32 mk_arch_cpu_hw_id(unsigned int cpu)
{
	return mk_apicid(cpu);
}

/**
 * mk_arch_shared_region() - where a started instance's shared region is
 * @inst:	the instance, its lock held
 * @phys:	set to the region's physical address
 * @size:	set to its size
 *
 * Context: Process context.
 * Return: false when the instance was not prepared for a start.
 */
bool mk_arch_shared_region(struct mk_instance *inst, u64 *phys, u64 *size)
{
	struct mk_x86_state *st = inst->arch;

	lockdep_assert_held(&inst->lock);
	if (!st)
		return false;
	*phys = st->layout.shared_base;
	*size = st->layout.shared_size;
	return true;
}

/**
 * mk_arch_low_window() - memory below the pool a started instance was given
 * @inst:	the instance, its lock held
 * @base:	set to its low-memory window's physical address
 * @size:	set to its size, 0 for none
 *
 * For the handover record: the instance's kernel brings its CPUs up
 * through this window, so the next host keeps it.
 *
 * Context: Process context.
 */
void mk_arch_low_window(struct mk_instance *inst, u64 *base, u64 *size)
{
	struct mk_x86_state *st = inst->arch;

	lockdep_assert_held(&inst->lock);
	*base = st ? st->layout.low_base : 0;
	*size = st ? st->layout.low_size : 0;
}

/* Write the ICR and wait until the local APIC sent the IPI. */
static u32 mk_icr_send(u32 low, u32 apicid)
{
	unsigned long flags;
	u32 busy;

	local_irq_save(flags);
	apic_icr_write(low, apicid);
	busy = safe_apic_wait_icr_idle();
	local_irq_restore(flags);
	return busy;
}

/*
 * INIT, then STARTUP into the page at @start: the sequence of
 * wakeup_secondary_cpu_via_init(), for a CPU the host does not own.
 * Stays on one CPU, whose APIC error register it reads.
 */
static int mk_send_init_sipi(u32 apicid, phys_addr_t start, unsigned int nr_sipi)
{
	int maxlvt = lapic_get_maxlvt();
	u32 send, accept = 0;
	unsigned int i;

	migrate_disable();
	if (maxlvt > 3)
		apic_write(APIC_ESR, 0);
	apic_read(APIC_ESR);
	send = mk_icr_send(APIC_INT_LEVELTRIG | APIC_INT_ASSERT | APIC_DM_INIT, apicid);
	send |= mk_icr_send(APIC_INT_LEVELTRIG | APIC_DM_INIT, apicid);

	for (i = 0; i < nr_sipi && !send && !accept; i++) {
		if (maxlvt > 3)
			apic_write(APIC_ESR, 0);
		apic_read(APIC_ESR);
		send = mk_icr_send(APIC_DM_STARTUP | (start >> PAGE_SHIFT), apicid);
		usleep_range(20, 40);
		if (maxlvt > 3)
			apic_write(APIC_ESR, 0);
		accept = apic_read(APIC_ESR) & 0xef;
	}
	migrate_enable();
	return send || accept ? -EIO : 0;
}

static void mk_shared_init(struct multikernel_shared *sh)
{
	memset(sh, 0, MK_SH_MSG);
	sh->magic = MULTIKERNEL_SHARED_MAGIC;
	sh->version = MULTIKERNEL_SHARED_VERSION;
	sh->size = sizeof(*sh);
	sh->msg_offset = MK_SH_MSG;
	sh->msg_size = MK_SH_MSG_SIZE;
}

static void mk_handoff_fill(struct mk_x86_state *st, struct setup_data *sd,
			    u64 next)
{
	struct mk_instance *inst = st->inst;
	struct multikernel_handoff *h = (void *)sd->data;
	unsigned int cpu, n = 0;
	unsigned long flags;

	memset(sd, 0, sizeof(*sd) + sizeof(*h));
	sd->next = next;
	sd->type = SETUP_MULTIKERNEL;
	sd->len = sizeof(*h);

	h->magic = MULTIKERNEL_HANDOFF_MAGIC;
	h->version = MULTIKERNEL_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->instance_id = inst->id;
	strscpy(h->name, inst->name, sizeof(h->name));
	h->tsc_khz = tsc_khz;
	h->apic_timer_khz = (u64)lapic_timer_period * HZ / 1000;
	h->host_apic_id = boot_cpu_physical_apicid;
	h->bsp_apic_id = boot_cpu_physical_apicid;
	h->shared_phys = st->layout.shared_base;
	h->shared_size = st->layout.shared_size;
	/* Together, so that the instance can tell the time by the TSC. */
	local_irq_save(flags);
	h->host_realtime_tsc = rdtsc_ordered();
	h->host_realtime_ns = ktime_get_real_ns();
	local_irq_restore(flags);
	h->lockdown = multikernel_lockdown_level();
	/*
	 * The instance has no clocksource to check the TSC against but the
	 * jiffies its own timer interrupts count, and a late tick makes the
	 * TSC look skewed. The host's watchdog has better references (HPET,
	 * the ACPI PM timer); while the host has not found the TSC unstable,
	 * the instance may trust it too.
	 */
	if (!check_tsc_unstable())
		h->flags |= MULTIKERNEL_HANDOFF_TSC_RELIABLE;
	for_each_cpu(cpu, inst->cpus)
		h->apic_ids[n++] = mk_apicid(cpu);
	h->nr_cpus = n;
}

/* boot_params in the instance's memory, with the handoff first in line */
static int mk_boot_params_write(struct mk_x86_state *st, const struct mk_image *img)
{
	const struct mk_segment *s = &img->seg[img->bp_seg];
	u64 handoff = st->layout.shared_base + MK_SH_HANDOFF;
	struct boot_params *bp;
	struct setup_data *sd;
	u64 next;
	int ret;

	bp = memremap(s->mem, s->bufsz, MEMREMAP_WB);
	if (!bp)
		return -ENOMEM;
	ret = mk_setup_data_filter(bp, s->bufsz, s->mem);
	if (ret)
		goto unmap;
	/* The loader's seed was drawn at load time: draw a fresh one. */
	sd = mk_setup_data_find(bp, s->bufsz, s->mem, SETUP_RNG_SEED);
	if (sd)
		get_random_bytes(sd->data, sd->len);
	/*
	 * The decompressor sets KASLR_FLAG when it chose where the kernel
	 * runs; a kernel unpacked at load learns it from the host.
	 */
	if (st->unpacked) {
		bp->hdr.loadflags &= ~KASLR_FLAG;
		if (img->unpacked_kaslr)
			bp->hdr.loadflags |= KASLR_FLAG;
	}
	next = bp->hdr.setup_data;
	ret = mk_boot_params_prepare(bp, s->bufsz, s->mem, &st->layout, handoff);
	if (ret)
		goto unmap;
	mk_handoff_fill(st, (void *)st->shared + MK_SH_HANDOFF, next);
unmap:
	memunmap(bp);
	return ret;
}

static int mk_pgtables_build(struct mk_x86_state *st, u32 *cr3, u32 *cr4)
{
	const struct mk_x86_layout *l = &st->layout;
	u64 low = l->low_base, rw = _PAGE_RW, nx;
	struct mk_pgt p = {
		.top = phys_to_virt(low + MK_LOW_TOP_PGT),
		.pool = (void *)st->shared + MK_SH_PGTABLES,
		.pool_phys = l->shared_base + MK_SH_PGTABLES,
		.pool_pages = (MK_SH_PGTABLES_END - MK_SH_PGTABLES) / PAGE_SIZE,
		.levels = pgtable_l5_enabled() ? 5 : 4,
		.gbpages = boot_cpu_has(X86_FEATURE_GBPAGES),
		.nx = __supported_pte_mask & _PAGE_NX,
	};
	int ret;

	nx = p.nx;
	mk_pgt_init(&p);
	/* BIOS data area, read by the compressed kernel */
	ret = mk_pgt_map(&p, 0, PAGE_SIZE, nx);
	/* the trampoline: code read+execute, data and CR3 page no-execute */
	ret = ret ?: mk_pgt_map(&p, low + MK_LOW_CODE, low + MK_LOW_DATA, 0);
	ret = ret ?: mk_pgt_map(&p, low + MK_LOW_DATA, low + MK_LOW_TOP_PGT + PAGE_SIZE,
				rw | nx);
	/* the rest is the instance's, like its main memory */
	ret = ret ?: mk_pgt_map(&p, low + MK_LOW_TOP_PGT + PAGE_SIZE,
				low + l->low_size, rw);
	ret = ret ?: mk_pgt_map(&p, l->ram_base, l->ram_base + l->ram_size, rw);
	ret = ret ?: mk_pgt_map(&p, l->shared_base, l->shared_base + l->shared_size,
				rw | nx);
	if (ret)
		return ret;

	*cr3 = low + MK_LOW_TOP_PGT;
	*cr4 = X86_CR4_PAE | (p.levels == 5 ? X86_CR4_LA57 : 0);
	return 0;
}

static int mk_trampoline_write(struct mk_x86_state *st, const struct mk_image *img)
{
	phys_addr_t low = st->layout.low_base;
	struct mk_tramp_data *d = phys_to_virt(low + MK_LOW_DATA);
	u8 *code = phys_to_virt(low + MK_LOW_CODE);
	u32 cr3, cr4;
	int ret;

	ret = mk_pgtables_build(st, &cr3, &cr4);
	if (ret)
		return ret;

	memset(code, 0, PAGE_SIZE);
	memcpy(code, mk_tramp_start, mk_tramp_end - mk_tramp_start);

	memset(d, 0, PAGE_SIZE);
	d->gdt[1] = (struct desc_struct)GDT_ENTRY_INIT(DESC_CODE32, 0, 0xfffff);
	d->gdt[2] = (struct desc_struct)GDT_ENTRY_INIT(DESC_CODE64, 0, 0xfffff);
	d->gdt[3] = (struct desc_struct)GDT_ENTRY_INIT(DESC_DATA64, 0, 0xfffff);
	d->gdtr.limit = sizeof(d->gdt) - 1;
	d->gdtr.base = low + MK_LOW_DATA + MK_TD_GDT;
	d->jmp32.offset = low + MK_LOW_CODE + mk_tramp_off32;
	d->jmp32.sel = MK_TR_CS32;
	d->jmp64.offset = low + MK_LOW_CODE + mk_tramp_off64;
	d->jmp64.sel = MK_TR_CS64;
	d->cr3 = cr3;
	d->cr4 = cr4;
	d->efer = EFER_LME | ((__supported_pte_mask & _PAGE_NX) ? EFER_NX : 0);
	d->entry = st->entry;
	d->boot_params = img->boot_params;
	d->tsc_out = st->layout.shared_base +
		     offsetof(struct multikernel_shared, entry_tsc);
	return 0;
}

/*
 * INIT one CPU and SIPI it into the park page; wait until it checks in at
 * its own counter, which no other CPU, late from an earlier park, counts.
 */
static int mk_park_cpu(unsigned int cpu)
{
	phys_addr_t park = mk_low_park_page();
	unsigned int slot = mk_apicid(cpu) % MK_PARK_ACK_SLOTS;
	atomic_t *ack;
	unsigned long timeout;
	int before, ret = 0;

	if (!park)
		return -ETIMEDOUT;
	ack = phys_to_virt(park + MK_PARK_ACK) + slot * sizeof(atomic_t);
	mutex_lock(&mk_park_lock);
	before = atomic_read(ack);
	if (mk_send_init_sipi(mk_apicid(cpu), park, 1)) {
		ret = -ETIMEDOUT;
		goto unlock;
	}
	timeout = jiffies + msecs_to_jiffies(MK_PARK_TIMEOUT_MS);
	while (atomic_read(ack) == before) {
		if (time_after(jiffies, timeout)) {
			ret = -ETIMEDOUT;
			break;
		}
		usleep_range(100, 200);
	}
unlock:
	mutex_unlock(&mk_park_lock);
	return ret;
}

/* Where the core finds the link of the instance @st describes. */
static void mk_link_where(struct mk_x86_state *st, struct mk_arch_link *link)
{
	link->early_log = (void *)st->shared + MK_SH_EARLY_LOG;
	link->last_words = (void *)st->shared + MK_SH_LAST_WORDS;
	link->region = (void *)st->shared + MK_SH_MSG;
	link->size = MK_SH_MSG_SIZE;
	link->hw_id = mk_apicid(cpumask_first(st->inst->cpus));
}

/**
 * mk_arch_prepare() - set up everything an instance needs to start
 * @inst:	the instance, with a loaded image; its CPUs offline in the host
 * @link:	filled in: where its messaging region is, and which hardware
 *		id hears its doorbells
 *
 * Copies the image into the instance's memory, writes its boot_params and
 * handoff, formats the shared region's head and writes the start
 * trampoline into a low-memory window. Nothing runs yet.
 *
 * Context: Process context, inst->lock held, not under cpus_read_lock().
 * Return: 0; -EINVAL without an image or CPUs; -EBUSY when the instance
 * was prepared and not released, or one of its CPUs is online in the
 * host; -ENOSPC when no low-memory window is free; -ENOMEM.
 */
int mk_arch_prepare(struct mk_instance *inst, struct mk_arch_link *link)
{
	const struct mk_image *img = inst->image;
	u64 t0 = ktime_get_ns(), t1;
	struct mk_x86_state *st;
	phys_addr_t low;
	unsigned int cpu;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (!img || cpumask_empty(inst->cpus) ||
	    cpumask_weight(inst->cpus) > MULTIKERNEL_MAX_CPUS ||
	    inst->mem_size <= MK_SHARED_SIZE)
		return -EINVAL;
	if (inst->arch)
		return -EBUSY;
	for_each_cpu(cpu, inst->cpus)
		if (cpu_online(cpu))
			return -EBUSY;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->inst = inst;
	ret = mk_low_alloc(&low);
	if (ret)
		goto free_st;
	st->layout = (struct mk_x86_layout) {
		.low_base = low,
		.low_size = MK_LOW_WINDOW_SIZE,
		.ram_base = inst->mem_base,
		.ram_size = inst->mem_size - MK_SHARED_SIZE,
		.shared_base = inst->mem_base + inst->mem_size - MK_SHARED_SIZE,
		.shared_size = MK_SHARED_SIZE,
	};
	ret = mk_layout_check(&st->layout);
	if (ret)
		goto free_low;
	st->shared = memremap(st->layout.shared_base, MK_SHARED_SIZE, MEMREMAP_WB);
	if (!st->shared) {
		ret = -ENOMEM;
		goto free_low;
	}

	/*
	 * Only the first start after a load finds the kernel unpacked: a
	 * run writes all over the memory, a later start copies the image in
	 * again. Taken here, so that a start failing from here on leaves
	 * the next one the whole copy.
	 */
	st->unpacked = img->unpacked_entry;
	st->entry = st->unpacked ? img->unpacked_entry : img->entry;
	inst->image->unpacked_entry = 0;
	t1 = ktime_get_ns();
	ret = mk_image_copy_in(img, st->unpacked);
	if (ret)
		goto unmap;
	st->copy_ns = ktime_get_ns() - t1;
	mk_shared_init(st->shared);
	ret = mk_boot_params_write(st, img);
	if (ret)
		goto unmap;
	ret = mk_trampoline_write(st, img);
	if (ret)
		goto unmap;
	/* The image is in; from here on the host has no business there. */
	ret = mk_fence_ram(&st->layout, &st->fence_ns);
	if (ret)
		goto unmap;

	st->prepare_ns = ktime_get_ns() - t0;
	inst->arch = st;
	mk_link_where(st, link);
	return 0;

unmap:
	memunmap(st->shared);
free_low:
	mk_low_free(low);
free_st:
	kfree(st);
	return ret;
}

/**
 * mk_arch_adopt() - take over an instance the host this kernel replaced ran
 * @inst:	the instance, re-created from the handover record: its memory
 *		range and CPUs, which this kernel held offline since boot
 * @shared_phys: its shared region, from the record
 * @low_base:	its low-memory window, from the record; 0 for none
 * @link:	filled in as by mk_arch_prepare()
 *
 * The instance's memory lies in the pool this kernel took over from the
 * old host: its RAM is fenced out of the direct map, as before a start,
 * and its shared region mapped. Its low-memory window, which its kernel
 * brings CPUs up through, was kept at boot (mk_low_keep()) and is its
 * own until it is released; a window that could not be kept is logged.
 * A stop parks its CPUs in this kernel's park page. No IPI broadcast
 * leaves this kernel's CPUs from here on, as after mk_arch_start().
 *
 * Context: Process context, inst->lock held.
 * Return: 0; -EINVAL when the record's shared region is not where this
 * layout puts it, or the instance was prepared already; -ENOMEM; or the
 * error of fencing its RAM.
 */
int mk_arch_adopt(struct mk_instance *inst, u64 shared_phys, u64 low_base,
		  struct mk_arch_link *link)
{
	struct mk_x86_state *st;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (inst->arch || cpumask_empty(inst->cpus) ||
	    inst->mem_size <= MK_SHARED_SIZE ||
	    shared_phys != inst->mem_base + inst->mem_size - MK_SHARED_SIZE)
		return -EINVAL;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->inst = inst;
	st->layout = (struct mk_x86_layout) {
		.ram_base = inst->mem_base,
		.ram_size = inst->mem_size - MK_SHARED_SIZE,
		.shared_base = shared_phys,
		.shared_size = MK_SHARED_SIZE,
	};
	st->shared = memremap(shared_phys, MK_SHARED_SIZE, MEMREMAP_WB);
	if (!st->shared) {
		kfree(st);
		return -ENOMEM;
	}
	ret = mk_fence_ram(&st->layout, &st->fence_ns);
	if (ret) {
		memunmap(st->shared);
		kfree(st);
		return ret;
	}
	/* Claimed last: an instance not adopted keeps its window for good. */
	if (low_base && mk_low_claim(low_base)) {
		st->layout.low_base = low_base;
		st->layout.low_size = MK_LOW_WINDOW_SIZE;
	} else if (low_base) {
		pr_warn("%s: its low-memory window at %#llx was not kept: a CPU it brings up again may fail\n",
			inst->name, low_base);
	}
	st->lent = true;
	atomic_inc(&mk_lent);
	apic_smt_update();

	inst->arch = st;
	mk_link_where(st, link);
	return 0;
}

/**
 * mk_arch_start() - start a prepared instance on its first CPU
 * @inst:	the instance, prepared by mk_arch_prepare()
 *
 * From here on no IPI broadcast leaves the host's CPUs, until
 * mk_arch_release().
 *
 * Context: Process context, inst->lock held.
 * Return: 0 once the first CPU accepted its STARTUP IPI; -EINVAL when the
 * instance was not prepared; -EBUSY when it was started already; -EIO
 * when the CPU did not accept the IPIs. The CPU may have run some of the
 * start code all the same: reset it with mk_arch_force_stop().
 */
int mk_arch_start(struct mk_instance *inst)
{
	struct mk_x86_state *st = inst->arch;
	unsigned int cpu = cpumask_first(inst->cpus);
	int ret;

	lockdep_assert_held(&inst->lock);
	if (!st)
		return -EINVAL;
	if (st->lent)
		return -EBUSY;

	/* No broadcast may reach the instance from here on. */
	st->lent = true;
	atomic_inc(&mk_lent);
	apic_smt_update();

	st->sipi_tsc = rdtsc_ordered();
	ret = mk_send_init_sipi(mk_apicid(cpu), st->layout.low_base + MK_LOW_CODE, 2);
	if (ret) {
		pr_err("%s: CPU %u did not accept the start IPIs\n", inst->name, cpu);
		return ret;
	}
	pr_info("%s: started CPU %u (APIC %#x), kernel entry %pa%s, prepared in %llu us (image %llu us, fence %llu us)\n",
		inst->name, cpu, mk_apicid(cpu), &st->entry,
		st->unpacked ? " (unpacked at load)" : "",
		div_u64(st->prepare_ns, NSEC_PER_USEC),
		div_u64(st->copy_ns, NSEC_PER_USEC),
		div_u64(st->fence_ns, NSEC_PER_USEC));
	return 0;
}

/**
 * mk_arch_force_stop() - reset every CPU of an instance
 * @inst:	the instance
 *
 * Each CPU gets INIT and a STARTUP IPI into the park page, where it
 * halts until the host brings it online again. Works whatever the CPU
 * runs, interrupts disabled or not. What mk_arch_prepare() set up stays:
 * the core reads the instance's last messages from the shared region
 * before it calls mk_arch_release().
 *
 * Context: Process context, inst->lock held.
 * Return: 0 when every CPU parked, or the instance was never started;
 * -ETIMEDOUT when one did not respond (SMM, VMX root operation): the
 * instance may still run.
 */
int mk_arch_force_stop(struct mk_instance *inst)
{
	struct mk_x86_state *st = inst->arch;
	unsigned int cpu;
	int ret = 0;

	lockdep_assert_held(&inst->lock);
	if (!st || !st->lent)
		return 0;

	for_each_cpu(cpu, inst->cpus) {
		if (mk_park_cpu(cpu)) {
			pr_err("%s: CPU %u did not respond to INIT\n", inst->name, cpu);
			ret = -ETIMEDOUT;
		}
	}
	if (!ret)
		pr_info("%s: CPUs reset\n", inst->name);
	return ret;
}

/**
 * mk_arch_release() - undo mk_arch_prepare()
 * @inst:	the instance; its CPUs parked by mk_arch_force_stop() or
 *		never started
 *
 * Releases the instance's low-memory window and the mapping of its shared
 * region, and lets IPI broadcasts go out again once no instance runs.
 * Does nothing when the instance was not prepared.
 *
 * Context: Process context, inst->lock held.
 */
void mk_arch_release(struct mk_instance *inst)
{
	struct mk_x86_state *st = inst->arch;
	u64 unfence_ns;

	lockdep_assert_held(&inst->lock);
	if (!st)
		return;
	inst->arch = NULL;
	mk_unfence_ram(&st->layout, &unfence_ns);
	pr_info("%s: RAM of %llu MiB fenced out of the direct map in %llu us, mapped back in %llu us\n",
		inst->name, st->layout.ram_size >> 20, div_u64(st->fence_ns, NSEC_PER_USEC),
		div_u64(unfence_ns, NSEC_PER_USEC));
	memunmap(st->shared);
	if (st->layout.low_size)
		mk_low_free(st->layout.low_base);
	if (st->lent)
		atomic_dec(&mk_lent);
	kfree(st);
}

/**
 * mk_arch_prepare_ns() - how long preparing a start took
 * @inst:	a started instance, whose link is open
 *
 * Writing the image, boot_params and start code into the instance's
 * memory and fencing its RAM (mk_arch_prepare()), all before the start
 * IPIs. An adopted instance was not prepared here and gives 0.
 *
 * Context: Process context; the caller keeps the instance started.
 * Return: nanoseconds, or 0 when not known.
 */
u64 mk_arch_prepare_ns(struct mk_instance *inst)
{
	struct mk_x86_state *st = READ_ONCE(inst->arch);

	return st ? st->prepare_ns : 0;
}

/**
 * mk_arch_entry_ns() - how long the start code took to enter the kernel
 * @inst:	a started instance, whose link is open
 *
 * From the start IPIs to the jump into the instance kernel (real mode to
 * long mode in the trampoline), by the time stamp counter, which the host
 * and the instance's CPUs share. The stamp is the instance's to
 * overwrite: a value before the IPIs, or absurdly late, gives 0.
 *
 * Context: Process context; the caller keeps the instance started.
 * Return: nanoseconds, or 0 when not known.
 */
u64 mk_arch_entry_ns(struct mk_instance *inst)
{
	struct mk_x86_state *st = READ_ONCE(inst->arch);
	u64 entry, khz = tsc_khz;

	if (!st || !khz)
		return 0;
	entry = READ_ONCE(st->shared->entry_tsc);
	if (entry <= st->sipi_tsc || entry - st->sipi_tsc > khz * 3600000ULL)
		return 0;
	return mul_u64_u64_div_u64(entry - st->sipi_tsc, 1000000, khz);
}
