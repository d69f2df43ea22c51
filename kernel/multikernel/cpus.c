// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUs of multikernel instances.
 *
 * Userspace names an instance's CPUs by the host's logical numbers, as a
 * list ("2-3", "2,3") or a bitmap. The host takes them offline with
 * remove_cpu() and brings them back with add_cpu(), the way
 * drivers/virt/nitro_enclaves does. While an instance holds a CPU, a
 * CPU-hotplug prepare callback refuses to bring it online, so writing 1 to
 * /sys/devices/system/cpu/cpuN/online fails with EBUSY.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/ctype.h>
#include <linux/init.h>
#include <linux/lockdep.h>
#include <linux/multikernel.h>
#include <linux/sched/smt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "internal.h"

/*
 * CPUs offline in the host because an instance holds them. Bits change
 * with atomic bit operations under the owning instance's lock and are read
 * locklessly by the hotplug callback and multikernel_owns_cpus(); a bit is
 * set before remove_cpu() and cleared before add_cpu(), so the hotplug
 * locks taken inside those order it against the callback.
 */
static struct cpumask mk_taken_cpus;

/*
 * Whether @buf keeps to the list grammar of the user ABI, which is
 * stricter than bitmap_parselist(): that also takes blanks and a newline,
 * empty items and leading or trailing commas, "all", "N" for the last bit
 * and the ":used/group" suffix. Numbers and ranges are left to it.
 */
static bool mk_cpulist_plain(const char *buf, size_t len)
{
	size_t i;

	if (!len || !isdigit(buf[0]) || !isdigit(buf[len - 1]))
		return false;
	for (i = 0; i < len; i++) {
		if (isdigit(buf[i]) || buf[i] == '-')
			continue;
		/* Not the last byte, which is a digit. */
		if (buf[i] != ',' || buf[i + 1] == ',')
			return false;
	}
	return true;
}

/**
 * mk_cpulist_parse() - parse a CPU list such as "2-3" or "1,3,5-7"
 * @buf:	the text, not necessarily NUL-terminated
 * @len:	bytes at @buf
 * @bits:	bitmap of @nbits bits; cleared, then the listed CPUs are set
 * @nbits:	CPU numbers must be below this
 *
 * The grammar is item[,item]... where an item is a decimal CPU number or
 * a range first-last with first <= last. No blanks, signs, empty items,
 * trailing separators or other syntax of bitmap_parselist() are accepted;
 * what is left is parsed by bitmap_parselist() on a NUL-terminated copy.
 *
 * Context: Process context; may sleep (allocates the copy).
 * Return: 0 on success, -EINVAL for an empty or malformed list, -ERANGE
 * for a CPU number of @nbits or more, -ENOMEM; @bits is left empty on
 * failure.
 */
int mk_cpulist_parse(const char *buf, size_t len, unsigned long *bits,
		     unsigned int nbits)
{
	char *list;
	int ret;

	bitmap_zero(bits, nbits);
	if (!mk_cpulist_plain(buf, len))
		return -EINVAL;

	list = kmemdup_nul(buf, len, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ret = bitmap_parselist(list, bits, nbits);
	kfree(list);
	if (!ret)
		return 0;

	/* It may have set the items before the bad one. */
	bitmap_zero(bits, nbits);
	/* A number too large for an int is past the last CPU too. */
	return ret == -EOVERFLOW ? -ERANGE : ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_cpulist_parse);

/**
 * mk_cpus_check() - whether a set of CPUs may be given to a new instance
 * @want:	the CPUs asked for
 * @claimed:	CPUs that belong to existing instances
 * @present:	CPUs present in the machine (cpu_present_mask)
 * @online:	CPUs online in the host (cpu_online_mask)
 *
 * Context: Any context; pure. The caller holds mk_lock for @claimed.
 * Return: 0 when they may; -EINVAL for an empty set, CPU 0 (the host
 * always keeps its boot CPU) or a CPU that is not present; -EBUSY for a
 * CPU of another instance or a set that contains every CPU the host has
 * online.
 */
int mk_cpus_check(const struct cpumask *want, const struct cpumask *claimed,
		  const struct cpumask *present, const struct cpumask *online)
{
	if (cpumask_empty(want) || cpumask_test_cpu(0, want) ||
	    !cpumask_subset(want, present))
		return -EINVAL;
	if (cpumask_intersects(want, claimed) || cpumask_subset(online, want))
		return -EBUSY;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_cpus_check);

/**
 * mk_cpus_warn_split_cores() - warn when an instance gets part of a core
 * @inst:	the instance, before its CPUs are taken from the host
 *
 * SMT siblings share a core's caches, buffers and execution units: a
 * kernel on one sibling disturbs, and may observe through timing, what
 * runs on the other. An instance that gets part of a core shares it with
 * the host (or another instance), which the threat model leaves to the
 * administrator, so it is allowed but said. Siblings are what the host
 * sees online: a core already split with another instance was warned
 * about when that instance was created.
 *
 * Context: Process context.
 */
void mk_cpus_warn_split_cores(const struct mk_instance *inst)
{
	cpumask_var_t outside;
	unsigned int cpu;

	if (!zalloc_cpumask_var(&outside, GFP_KERNEL))
		return;
	cpus_read_lock();
	for_each_cpu(cpu, inst->cpus)
		cpumask_or(outside, outside, topology_sibling_cpumask(cpu));
	cpus_read_unlock();
	cpumask_andnot(outside, outside, inst->cpus);
	if (!cpumask_empty(outside))
		pr_warn("instance %s: CPUs %*pbl share cores with CPUs %*pbl outside it\n",
			inst->name, cpumask_pr_args(inst->cpus),
			cpumask_pr_args(outside));
	free_cpumask_var(outside);
}

/**
 * mk_cpus_take() - take an instance's CPUs offline in the host
 * @inst:	the instance
 *
 * Marks the CPUs as held, so that nothing else brings them online, then
 * offlines each with remove_cpu(). CPUs that were already offline are
 * kept as they are. On failure the CPUs this call offlined are brought
 * back and nothing stays held.
 *
 * Context: Process context, @inst->lock held; sleeps in CPU hotplug.
 * Return: 0 on success or when the CPUs are already held, -ENOMEM, or the
 * error of remove_cpu() (-EBUSY for the host's last CPU).
 */
int mk_cpus_take(struct mk_instance *inst)
{
	cpumask_var_t done;
	unsigned int cpu;
	int ret = 0;

	lockdep_assert_held(&inst->lock);
	if (inst->cpus_taken)
		return 0;
	if (!zalloc_cpumask_var(&done, GFP_KERNEL))
		return -ENOMEM;

	for_each_cpu(cpu, inst->cpus)
		cpumask_set_cpu(cpu, &mk_taken_cpus);

	for_each_cpu(cpu, inst->cpus) {
		ret = remove_cpu(cpu);
		if (ret < 0) {
			pr_warn_ratelimited("instance %s: cannot take CPU %u offline: %d\n",
					    inst->name, cpu, ret);
			goto online_cpus;
		}
		/* remove_cpu() returns 1 for a CPU that was offline already. */
		if (!ret)
			cpumask_set_cpu(cpu, done);
	}
	inst->cpus_taken = true;
	free_cpumask_var(done);
	/* Broadcast IPI shorthands must now stay off; see multikernel_owns_cpus(). */
	arch_smt_update();
	return 0;

online_cpus:
	for_each_cpu(cpu, inst->cpus) {
		cpumask_clear_cpu(cpu, &mk_taken_cpus);
		if (cpumask_test_cpu(cpu, done) && add_cpu(cpu) < 0)
			pr_err("instance %s: CPU %u did not come back online\n",
			       inst->name, cpu);
	}
	free_cpumask_var(done);
	arch_smt_update();
	return ret;
}

/**
 * mk_cpus_give_back() - bring an instance's CPUs back online in the host
 * @inst:	the instance; its CPUs must not run instance code any more
 *
 * A CPU that does not come back is logged and stays offline, owned by no
 * one, so the host can try again through sysfs.
 *
 * Context: Process context, @inst->lock held; sleeps in CPU hotplug.
 */
void mk_cpus_give_back(struct mk_instance *inst)
{
	unsigned int cpu;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (!inst->cpus_taken)
		return;

	for_each_cpu(cpu, inst->cpus) {
		cpumask_clear_cpu(cpu, &mk_taken_cpus);
		ret = add_cpu(cpu);
		if (ret < 0)
			pr_err("instance %s: CPU %u did not come back online: %d\n",
			       inst->name, cpu, ret);
	}
	inst->cpus_taken = false;
	arch_smt_update();
}

/**
 * multikernel_owns_cpus() - whether instances hold CPUs of this kernel
 *
 * Architecture code asks before using broadcast IPI shorthands, which
 * would reach the CPUs of instances too.
 *
 * Context: Any context.
 * Return: true while some CPU is offline in the host for an instance.
 */
bool multikernel_owns_cpus(void)
{
	return !cpumask_empty(&mk_taken_cpus);
}
EXPORT_SYMBOL_IF_KUNIT(multikernel_owns_cpus);

/**
 * mk_cpus_held() - the CPUs held for instances
 * @out:	filled with them
 *
 * Context: Any context; a snapshot.
 */
void mk_cpus_held(struct cpumask *out)
{
	cpumask_copy(out, &mk_taken_cpus);
}

/* CPUHP prepare callback: refuse to bring up a CPU an instance holds. */
static int mk_cpu_prepare(unsigned int cpu)
{
	if (cpumask_test_cpu(cpu, &mk_taken_cpus)) {
		pr_info_ratelimited("CPU %u belongs to a multikernel instance, not onlining it\n",
				    cpu);
		return -EBUSY;
	}
	return 0;
}

/*
 * Install the CPU-hotplug veto before SMP bring-up, holding the CPUs an
 * old host's instances run on when it kexec'd into this kernel with a
 * handover: smp_init() then never starts them. They stay held until the
 * instance adopted there stops (mk_handover_adopt()), or, for one that
 * could not be adopted, until the next reboot.
 */
static int mk_cpus_veto = -EAGAIN;

static int __init mk_cpus_init(void)
{
	struct mk_handed_over ho;
	int ret;

	if (mk_arch_handed_over(&mk_taken_cpus, &ho)) {
		/* A handover without a usable record adopts nothing. */
		mk_handover_record_take(&ho, &mk_taken_cpus);
		pr_info("holding CPUs %*pbl for instances an old host left running\n",
			cpumask_pr_args(&mk_taken_cpus));
	}
	ret = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "multikernel:veto",
					mk_cpu_prepare, NULL);
	if (ret < 0) {
		pr_err("cannot install the CPU-hotplug veto: %d\n", ret);
		mk_cpus_veto = ret;
		return ret;
	}
	mk_cpus_veto = 0;
	return 0;
}
early_initcall(mk_cpus_init);

/**
 * mk_cpus_ready() - is the CPU-hotplug veto in place?
 *
 * Context: Process context, boot, after early initcalls.
 * Return: 0, or the error that kept it out.
 */
int __init mk_cpus_ready(void)
{
	return mk_cpus_veto;
}
