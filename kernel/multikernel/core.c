// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel instance lifecycle.
 *
 * An instance is created with CPUs and memory, gets a kernel image loaded,
 * is started, runs, and is stopped (gracefully or by force) and started
 * again, until it is destroyed. Its state moves along
 *
 *	empty -> loaded -> starting -> running -> stopping -> stopped
 *
 * plus crashed, with the transitions listed in mk_state_transition_ok()
 * and the operations userspace may ask for in each state in
 * mk_state_op_check(). An instance holds its CPUs and its memory in
 * every state but stopped: the CPUs are claimed and taken from the host
 * at create, the memory is carved from the pool and cleared. A stop gives
 * both up: the CPUs come back online in the host and may be given to
 * another instance, the memory is cleared and goes back to the pool. A
 * load or start of a stopped instance takes the same CPUs and the same
 * range back, or fails with -EBUSY or -EADDRINUSE when another instance
 * has some of them now. The lock order is written down in internal.h.
 *
 * This file keeps the instances: their creation and destruction, lookup
 * by name, the CPUs they claim, and whether any may run (for a host kexec
 * or suspend). The rules are in state.c, the operations in lifecycle.c.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/idr.h>
#include <linux/init.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Protects mk_instances, mk_ids and every ->node/->published. */
static DEFINE_MUTEX(mk_lock);
static LIST_HEAD(mk_instances);
static DEFINE_IDA(mk_ids);
/* CPUs named by some instance, whether currently taken from the host or not. */
static struct cpumask mk_claimed_cpus;
/*
 * Protects mk_claimed_cpus and every ->cpus_claimed; innermost, taken
 * under mk_lock (create) or an instance's lock (stop, load, start).
 */
static DEFINE_SPINLOCK(mk_claim_lock);

/*
 * Instances whose kernel may be on their CPUs, and whether a host kexec
 * or suspend holds further starts off: see mk_instances_freeze().
 */
static DEFINE_SPINLOCK(mk_busy_lock);
static unsigned int mk_nr_busy;		/* protected by mk_busy_lock */
static unsigned int mk_nr_frozen;	/* protected by mk_busy_lock */

static void mk_instance_release(struct kref *kref)
{
	struct mk_instance *inst = container_of(kref, struct mk_instance, kref);

	mk_console_buf_free(inst);
	free_cpumask_var(inst->cpus);
	kfree(inst);
}

/**
 * mk_instance_put() - drop a reference to an instance
 * @inst:	the instance
 *
 * Context: Any context but NMI; the instance is freed with the last one.
 */
void mk_instance_put(struct mk_instance *inst)
{
	kref_put(&inst->kref, mk_instance_release);
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_put);

/**
 * mk_busy_enter() - count a starting instance
 *
 * Context: Any context but NMI.
 * Return: 0, or -EBUSY while a host kexec or suspend is under way.
 */
int mk_busy_enter(void)
{
	int ret = 0;

	spin_lock(&mk_busy_lock);
	if (mk_nr_frozen)
		ret = -EBUSY;
	else
		mk_nr_busy++;
	spin_unlock(&mk_busy_lock);
	return ret;
}

/**
 * mk_busy_leave() - an instance counted by mk_busy_enter() left its CPUs
 *
 * Context: Any context but NMI.
 */
void mk_busy_leave(void)
{
	spin_lock(&mk_busy_lock);
	if (!WARN_ON_ONCE(!mk_nr_busy))
		mk_nr_busy--;
	spin_unlock(&mk_busy_lock);
}

/* Give up the claim on @inst's CPUs: another instance may be given them. */
static void mk_cpus_unclaim(struct mk_instance *inst)
{
	spin_lock(&mk_claim_lock);
	if (inst->cpus_claimed)
		cpumask_andnot(&mk_claimed_cpus, &mk_claimed_cpus, inst->cpus);
	inst->cpus_claimed = false;
	spin_unlock(&mk_claim_lock);
}

/*
 * Claim @inst's CPUs again after a stop gave them up, unless another
 * instance was given some of them meanwhile.
 */
static int mk_cpus_claim_back(struct mk_instance *inst)
{
	int ret = 0;

	lockdep_assert_held(&inst->lock);
	spin_lock(&mk_claim_lock);
	if (inst->cpus_claimed)
		goto unlock;
	if (cpumask_intersects(&mk_claimed_cpus, inst->cpus)) {
		ret = -EBUSY;
		goto unlock;
	}
	cpumask_or(&mk_claimed_cpus, &mk_claimed_cpus, inst->cpus);
	inst->cpus_claimed = true;
unlock:
	spin_unlock(&mk_claim_lock);
	if (ret)
		pr_warn_ratelimited("instance %s: its CPUs %*pbl were given to another instance while it was stopped\n",
				    inst->name, cpumask_pr_args(inst->cpus));
	return ret;
}

/**
 * mk_instance_take_back() - claim a stopped instance's CPUs and memory again
 * @inst:	the instance
 *
 * A stopped instance holds neither CPUs nor memory: take back the claim
 * on the same CPUs and the same range, for a load or a start.
 *
 * Context: Process context, inst->lock held.
 * Return: 0; -EBUSY or -EADDRINUSE when another instance has some of them.
 */
int mk_instance_take_back(struct mk_instance *inst)
{
	int ret;

	lockdep_assert_held(&inst->lock);
	ret = mk_cpus_claim_back(inst);
	if (ret)
		return ret;
	ret = mk_mem_retake(inst);
	if (ret)
		mk_cpus_unclaim(inst);
	return ret;
}

/**
 * mk_instance_let_go() - give up what a stopped instance does not hold
 * @inst:	the instance, whose CPUs were reset
 *
 * Context: Process context, inst->lock held; sleeps (CPU hotplug).
 */
void mk_instance_let_go(struct mk_instance *inst)
{
	lockdep_assert_held(&inst->lock);
	mk_cpus_give_back(inst);
	mk_cpus_unclaim(inst);
	mk_mem_free(inst);
}

/* Find an instance by name, published or not. */
static struct mk_instance *mk_find_locked(const char *name)
{
	struct mk_instance *inst;

	lockdep_assert_held(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node)
		if (!strcmp(inst->name, name))
			return inst;
	return NULL;
}

/**
 * mk_instance_get() - look an instance up by name
 * @name:	NUL-terminated name
 *
 * Context: Process context; takes mk_lock.
 * Return: the instance with a reference the caller drops with
 * mk_instance_put(), or NULL when no complete instance has that name.
 */
struct mk_instance *mk_instance_get(const char *name)
{
	struct mk_instance *inst;

	mutex_lock(&mk_lock);
	inst = mk_find_locked(name);
	if (inst && inst->published)
		kref_get(&inst->kref);
	else
		inst = NULL;
	mutex_unlock(&mk_lock);
	return inst;
}

static struct mk_instance *mk_instance_alloc(const struct mk_create_args *args)
{
	struct mk_instance *inst;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return NULL;
	if (!zalloc_cpumask_var(&inst->cpus, GFP_KERNEL)) {
		kfree(inst);
		return NULL;
	}
	if (mk_console_buf_alloc(inst)) {
		free_cpumask_var(inst->cpus);
		kfree(inst);
		return NULL;
	}
	kref_init(&inst->kref);
	mutex_init(&inst->lock);
	strscpy(inst->name, args->name, sizeof(inst->name));
	inst->state = MK_EMPTY;
	cpumask_copy(inst->cpus, args->cpus);
	INIT_LIST_HEAD(&inst->node);
	init_waitqueue_head(&inst->state_wq);
	spin_lock_init(&inst->report_lock);
	INIT_WORK(&inst->report_work, mk_instance_report_work);
	return inst;
}

/* Undo the part of create done under mk_lock. */
static void mk_instance_unlist(struct mk_instance *inst)
{
	mutex_lock(&mk_lock);
	list_del_init(&inst->node);
	mk_cpus_unclaim(inst);
	ida_free(&mk_ids, inst->id);
	mutex_unlock(&mk_lock);
}

/**
 * mk_instance_create() - create an instance
 * @args:	validated name, CPUs and memory size
 *
 * Claims the CPUs and carves the memory under mk_lock, then, with the
 * instance not yet visible, clears the memory, takes the CPUs from the
 * host and adds the sysfs directory. Every step is undone on failure.
 *
 * Context: Process context, may sleep for long (CPU hotplug, clearing).
 * Return: the instance with a reference for the caller, or an ERR_PTR():
 * -EEXIST for a name in use, -EINVAL or -EBUSY for CPUs that cannot be
 * given (see mk_cpus_check()), -ENOSPC when the pool has no room,
 * -ENOMEM, or the error of taking a CPU offline.
 */
struct mk_instance *mk_instance_create(const struct mk_create_args *args)
{
	struct mk_instance *inst;
	int ret;

	inst = mk_instance_alloc(args);
	if (!inst)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&mk_lock);
	if (mk_find_locked(inst->name)) {
		ret = -EEXIST;
		goto unlock;
	}
	spin_lock(&mk_claim_lock);
	ret = mk_cpus_check(inst->cpus, &mk_claimed_cpus, cpu_present_mask,
			    cpu_online_mask);
	if (!ret) {
		cpumask_or(&mk_claimed_cpus, &mk_claimed_cpus, inst->cpus);
		inst->cpus_claimed = true;
	}
	spin_unlock(&mk_claim_lock);
	if (ret) {
		pr_info_ratelimited("cannot give CPUs %*pbl to instance %s: %s\n",
				    cpumask_pr_args(inst->cpus), inst->name,
				    ret == -EBUSY ? "another instance or the host needs them" :
				    "CPU 0 or a CPU that is not present");
		goto unlock;
	}
	/* Id 0 is MULTIKERNEL_HOST_ID: it names the host in messages. */
	ret = ida_alloc_min(&mk_ids, 1, GFP_KERNEL);
	if (ret < 0)
		goto unclaim;
	inst->id = ret;
	ret = mk_mem_alloc(inst, args->mem_size);
	if (ret)
		goto free_id;
	list_add_tail(&inst->node, &mk_instances);
	mutex_unlock(&mk_lock);

	mk_mem_clear(inst);
	mk_cpus_warn_split_cores(inst);

	mutex_lock(&inst->lock);
	ret = mk_cpus_take(inst);
	mutex_unlock(&inst->lock);
	if (ret)
		goto unlist;

	ret = mk_sysfs_instance_add(inst);
	if (ret)
		goto give_back_cpus;
	ret = mk_user_instance_add(inst);
	if (ret)
		goto del_sysfs;

	mutex_lock(&mk_lock);
	inst->published = true;
	kref_get(&inst->kref);
	mutex_unlock(&mk_lock);
	pr_info("instance %s created: id %d, CPUs %*pbl, %llu MiB at %pa\n",
		inst->name, inst->id, cpumask_pr_args(inst->cpus),
		inst->mem_size >> 20, &inst->mem_base);
	return inst;

del_sysfs:
	mk_sysfs_instance_del(inst);
give_back_cpus:
	mutex_lock(&inst->lock);
	mk_cpus_give_back(inst);
	mutex_unlock(&inst->lock);
unlist:
	mk_instance_unlist(inst);
	mk_mem_free(inst);
	mk_instance_put(inst);
	return ERR_PTR(ret);

free_id:
	ida_free(&mk_ids, inst->id);
unclaim:
	mk_cpus_unclaim(inst);
unlock:
	mutex_unlock(&mk_lock);
	mk_instance_put(inst);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_create);

/**
 * mk_instance_adopt() - re-create an instance the replaced host left running
 * @ri:		its entry in the handover record, checked
 *		(mk_handover_record_take())
 * @cpus:	its CPUs, which this kernel held offline since boot
 *
 * The instance keeps its id, name, boot number, CPUs and memory, enters
 * the running state without a start, and gets its link back on the rings
 * it used with the old host (mk_link_adopt()). On failure it is not
 * listed, and its CPUs stay held: its kernel still runs there.
 *
 * Context: Process context, boot, before userspace.
 * Return: 0; -ENXIO when its memory is not in this kernel's pool (the
 * old host's pool could not be taken over); -EEXIST when its name or id
 * is taken; -EBUSY when another instance claims its CPUs; -ENOMEM; or
 * the error of mk_arch_adopt(),
 * mk_link_adopt(), sysfs or the datagram device.
 */
int __init mk_instance_adopt(const struct multikernel_record_instance *ri,
			     const struct cpumask *cpus)
{
	struct mk_create_args args = {
		.name = ri->name,
		.cpus = cpus,
		.mem_size = ri->mem_size,
	};
	struct mk_arch_link where = {};
	struct mk_instance *inst;
	int ret;

	/* mk_handover_keep_pool() carved it out of the pool this kernel took. */
	if (!mk_host_pool.size || ri->mem_base < mk_host_pool.base ||
	    ri->mem_size > mk_host_pool.base + mk_host_pool.size - ri->mem_base)
		return -ENXIO;
	inst = mk_instance_alloc(&args);
	if (!inst)
		return -ENOMEM;
	inst->mem_base = ri->mem_base;
	inst->mem_range = ri->mem_size;
	inst->mem_size = ri->mem_size;
	inst->boot = ri->boot;

	mutex_lock(&mk_lock);
	ret = -EEXIST;
	if (mk_find_locked(inst->name))
		goto unlock;
	ret = ida_alloc_range(&mk_ids, ri->id, ri->id, GFP_KERNEL);
	if (ret < 0) {
		ret = ret == -ENOSPC ? -EEXIST : ret;
		goto unlock;
	}
	inst->id = ret;
	ret = 0;
	spin_lock(&mk_claim_lock);
	if (cpumask_intersects(&mk_claimed_cpus, inst->cpus)) {
		ret = -EBUSY;
	} else {
		cpumask_or(&mk_claimed_cpus, &mk_claimed_cpus, inst->cpus);
		inst->cpus_claimed = true;
	}
	spin_unlock(&mk_claim_lock);
	if (ret) {
		ida_free(&mk_ids, inst->id);
		goto unlock;
	}
	list_add_tail(&inst->node, &mk_instances);
	mutex_unlock(&mk_lock);

	/* No kexec or suspend runs this early: counting cannot fail. */
	ret = mk_busy_enter();
	if (ret)
		goto unlist;
	/*
	 * Its device before its link: the link takes in at once what the
	 * instance sent during the switch, datagrams for the device among it.
	 */
	ret = mk_user_instance_add(inst);
	if (ret)
		goto leave_busy;
	mutex_lock(&inst->lock);
	/* Held since boot (mk_cpus_init()); a stop gives them to this host. */
	inst->cpus_taken = true;
	ret = mk_arch_adopt(inst, ri->shared_phys,
			    ri->low_size ? ri->low_base : 0, &where);
	if (!ret) {
		inst->early_log = where.early_log;
		ret = mk_link_adopt(inst, &where);
		if (ret) {
			inst->early_log = NULL;
			mk_arch_release(inst);
		}
	}
	if (!ret) {
		inst->started_ns = ktime_get_boottime_ns();
		WRITE_ONCE(inst->state, MK_RUNNING);
	}
	mutex_unlock(&inst->lock);
	if (ret)
		goto del_user;

	ret = mk_sysfs_instance_add(inst);
	if (ret)
		goto close;

	mutex_lock(&mk_lock);
	inst->published = true;
	kref_get(&inst->kref);
	mutex_unlock(&mk_lock);
	mk_instance_put(inst);
	return 0;

close:
	mutex_lock(&inst->lock);
	mk_link_close(inst);
	inst->early_log = NULL;
	mk_arch_release(inst);
	inst->state = MK_EMPTY;
	mutex_unlock(&inst->lock);
del_user:
	mk_user_instance_del(inst);
leave_busy:
	mk_busy_leave();
unlist:
	/* Its kernel runs on: the CPUs stay held, the memory carved out. */
	inst->cpus_taken = false;
	inst->mem_size = 0;
	mk_instance_unlist(inst);
	mk_instance_put(inst);
	return ret;

unlock:
	mutex_unlock(&mk_lock);
	mk_instance_put(inst);
	return ret;
}

/**
 * mk_instance_destroy() - destroy an instance that does not run
 * @inst:	the instance, with a reference held by the caller
 *
 * Drops the image, gives the CPUs back if the instance holds them, removes
 * the sysfs directory, and returns the memory, cleared, to the pool. The
 * caller's reference stays valid until it drops it.
 *
 * Context: Process context, may sleep for long (CPU hotplug, clearing).
 * Return: 0 on success, -ENOENT when another destroy got there first,
 * -EBUSY while the instance runs or has crashed (stop it first).
 */
int mk_instance_destroy(struct mk_instance *inst)
{
	int ret;

	mutex_lock(&inst->lock);
	if (inst->dead) {
		ret = -ENOENT;
		goto unlock;
	}
	ret = mk_state_op_check(MK_OP_DESTROY, inst->state);
	if (ret)
		goto unlock;
	/* Paired with the READ_ONCE() in mk_instance_list(). */
	WRITE_ONCE(inst->dead, true);
	mk_console_hangup(inst);
	if (inst->image)
		mk_call_free_image(inst);
	mk_cpus_give_back(inst);
	mutex_unlock(&inst->lock);

	/* A report still queued from the last run no longer matters. */
	if (cancel_work_sync(&inst->report_work))
		mk_instance_put(inst);
	mk_user_instance_del(inst);
	mk_sysfs_instance_del(inst);
	mk_instance_unlist(inst);
	mk_mem_free(inst);
	pr_info("instance %s destroyed\n", inst->name);
	/* The reference of the instance list. */
	mk_instance_put(inst);
	return 0;

unlock:
	mutex_unlock(&inst->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_destroy);

/**
 * mk_instance_list() - names of the instances in order of creation
 * @names:	room for @room names of MULTIKERNEL_NAME_LEN bytes each
 * @room:	number of entries at @names
 * @count:	set to the number of instances
 *
 * Context: Process context; takes mk_lock.
 * Return: 0, or -EMSGSIZE when there are more than @room instances (the
 * first @room are filled in).
 */
int mk_instance_list(char *names, unsigned int room, unsigned int *count)
{
	struct mk_instance *inst;
	unsigned int n = 0;

	mutex_lock(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		if (!inst->published || READ_ONCE(inst->dead))
			continue;
		if (n < room)
			strscpy_pad(names + n * MULTIKERNEL_NAME_LEN, inst->name,
				    MULTIKERNEL_NAME_LEN);
		n++;
	}
	mutex_unlock(&mk_lock);
	*count = n;
	return n > room ? -EMSGSIZE : 0;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
/**
 * mk_instances_busy() - whether any instance kernel may be on its CPUs
 *
 * Context: Process context; takes mk_lock.
 * Return: true when some instance is starting, running, stopping or
 * crashed (see mk_state_cpus_in_use()).
 */
bool mk_instances_busy(void)
{
	struct mk_instance *inst;
	bool busy = false;

	mutex_lock(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		if (mk_state_cpus_in_use(READ_ONCE(inst->state))) {
			busy = true;
			break;
		}
	}
	mutex_unlock(&mk_lock);
	return busy;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instances_busy);
#endif

/**
 * mk_instances_freeze() - hold instance starts off, unless one runs
 *
 * For host transitions that would pull CPUs and memory from under an
 * instance kernel (kexec, suspend): either some instance kernel may be on
 * its CPUs (starting, running, stopping, crashed) and the caller must
 * refuse, or none is and none can start until mk_instances_thaw(). Stops
 * and everything else still work meanwhile.
 *
 * Context: Any context but NMI.
 * Return: 0 when frozen; -EBUSY when an instance runs (not frozen then).
 */
int mk_instances_freeze(void)
{
	int ret = 0;

	spin_lock(&mk_busy_lock);
	if (mk_nr_busy)
		ret = -EBUSY;
	else
		mk_nr_frozen++;
	spin_unlock(&mk_busy_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instances_freeze);

/**
 * mk_instances_hold() - hold instance starts off, running ones or not
 *
 * For a host kexec that hands the running instances over (live update):
 * the set it describes to the new kernel must not grow while it goes.
 * Undone by mk_instances_thaw().
 *
 * Context: Any context but NMI.
 */
void mk_instances_hold(void)
{
	spin_lock(&mk_busy_lock);
	mk_nr_frozen++;
	spin_unlock(&mk_busy_lock);
}

/**
 * mk_instances_thaw() - undo mk_instances_hold() or mk_instances_freeze()
 *
 * Context: Any context but NMI.
 */
void mk_instances_thaw(void)
{
	spin_lock(&mk_busy_lock);
	if (!WARN_ON_ONCE(!mk_nr_frozen))
		mk_nr_frozen--;
	spin_unlock(&mk_busy_lock);
}
EXPORT_SYMBOL_IF_KUNIT(mk_instances_thaw);

/* One instance's stop when the host goes down, run beside the others. */
struct mk_down_stop {
	struct work_struct work;
	struct mk_instance *inst;
	unsigned int timeout_ms;
	int ret;
};

static void mk_down_stop_fn(struct work_struct *work)
{
	struct mk_down_stop *s = container_of(work, struct mk_down_stop, work);

	s->ret = mk_instance_stop(s->inst, false, s->timeout_ms);
}

/**
 * mk_instances_stop_all() - stop every instance: the host goes down
 * @timeout_ms:	how long the instances have to shut down, all at once
 *
 * From here on no instance starts: the host does not come back. Every
 * instance whose kernel may be on its CPUs is asked to shut down, all of
 * them at the same time; those that have not stopped after @timeout_ms
 * are reset, as a crashed one is at once.
 *
 * Context: Process context, from the host's reboot notifier; sleeps up
 * to @timeout_ms and in CPU hotplug.
 * Return: how many instances were stopped.
 */
unsigned int mk_instances_stop_all(unsigned int timeout_ms)
{
	struct mk_down_stop *stops;
	struct mk_instance *inst;
	unsigned int n = 0, i;
	u64 t0 = ktime_get_ns();

	spin_lock(&mk_busy_lock);
	mk_nr_frozen++;		/* never thawed */
	spin_unlock(&mk_busy_lock);

	mutex_lock(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node)
		n++;
	stops = kcalloc(n, sizeof(*stops), GFP_KERNEL);
	n = 0;
	list_for_each_entry(inst, &mk_instances, node) {
		if (!stops || !mk_state_cpus_in_use(READ_ONCE(inst->state)))
			continue;
		kref_get(&inst->kref);
		stops[n].inst = inst;
		stops[n].timeout_ms = timeout_ms;
		INIT_WORK(&stops[n].work, mk_down_stop_fn);
		n++;
	}
	mutex_unlock(&mk_lock);
	if (!n)
		goto out;

	pr_info("the host goes down: stopping %u instances, resetting them after %u ms\n",
		n, timeout_ms);
	/* Unbound: each waits for its instance, and stops bring CPUs online. */
	for (i = 0; i < n; i++)
		queue_work(system_unbound_wq, &stops[i].work);
	for (i = 0; i < n; i++) {
		flush_work(&stops[i].work);
		if (stops[i].ret)
			pr_warn("instance %s: stop failed (%d)\n",
				stops[i].inst->name, stops[i].ret);
		mk_instance_put(stops[i].inst);
	}
	pr_info("%u instances stopped in %llu ms\n", n,
		div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
out:
	kfree(stops);
	return n;
}

/**
 * mk_instances_unsettled() - an instance a host kexec must not leave behind
 * @name:	set to its name
 * @len:	room in @name
 * @state:	set to its state
 *
 * An instance that is starting or stopping is half way between two
 * states, and a crashed one waits for its stop: a kexec that leaves the
 * instances running waits for neither.
 *
 * Context: Process context; takes mk_lock.
 * Return: true and the first such instance, false when there is none.
 */
bool mk_instances_unsettled(char *name, size_t len, enum mk_state *state)
{
	struct mk_instance *inst;
	bool found = false;
	enum mk_state s;

	mutex_lock(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		s = READ_ONCE(inst->state);
		if (s == MK_STARTING || s == MK_STOPPING || s == MK_CRASHED) {
			strscpy(name, inst->name, len);
			*state = s;
			found = true;
			break;
		}
	}
	mutex_unlock(&mk_lock);
	return found;
}

/**
 * mk_instances_record() - describe the instances that hold CPUs
 * @out:	room for @max entries of the handover record
 * @max:	how many
 *
 * For the handover record of a host kexec that leaves them running.
 *
 * Context: Process context; takes mk_lock, then each instance's lock.
 * Return: how many entries were filled; -E2BIG when more instances or
 * CPUs than the record has room for, -ENOMEM.
 */
int mk_instances_record(struct multikernel_record_instance *out,
			unsigned int max)
{
	struct mk_instance **all, *inst;
	unsigned int n = 0, i, cpu, c;
	int ret = 0;

	all = kcalloc(max, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	mutex_lock(&mk_lock);
	list_for_each_entry(inst, &mk_instances, node) {
		if (!inst->published || !inst->cpus_taken)
			continue;
		if (n == max) {
			ret = -E2BIG;
			break;
		}
		kref_get(&inst->kref);
		all[n++] = inst;
	}
	mutex_unlock(&mk_lock);

	for (i = 0; i < n; i++) {
		struct multikernel_record_instance *ri = &out[i];

		inst = all[i];
		mutex_lock(&inst->lock);
		ri->id = inst->id;
		ri->boot = inst->boot;
		ri->state = inst->state;
		strscpy(ri->name, inst->name, sizeof(ri->name));
		ri->mem_base = inst->mem_base;
		ri->mem_size = inst->mem_range;
		/* Zero, like all of @out, for an instance never started. */
		mk_arch_shared_region(inst, &ri->shared_phys, &ri->shared_size);
		mk_arch_low_window(inst, &ri->low_base, &ri->low_size);
		c = 0;
		for_each_cpu(cpu, inst->cpus) {
			if (c == MULTIKERNEL_RECORD_CPUS) {
				ret = -E2BIG;
				break;
			}
			ri->hw_ids[c++] = mk_arch_cpu_hw_id(cpu);
		}
		ri->nr_cpus = c;
		mutex_unlock(&inst->lock);
		mk_instance_put(inst);
	}
	kfree(all);
	return ret ? ret : n;
}

static int __init mk_init(void)
{
	int ret;

	/* Before anything can carve from a pool an old host handed over. */
	mk_handover_keep_pool();
	/* Without the hotplug veto, instances could lose their CPUs: no device. */
	ret = mk_cpus_ready();
	if (ret)
		goto fail;
	ret = mk_pm_init();
	if (ret)
		goto fail;
	ret = mk_dev_init();
	if (ret)
		goto fail;
	mk_handover_adopt();
	return 0;

fail:
	pr_err("cannot set up /dev/multikernel: %d\n", ret);
	return ret;
}
device_initcall(mk_init);
