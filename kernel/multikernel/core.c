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
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/bits.h>
#include <linux/idr.h>
#include <linux/init.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

static_assert((int)MK_EMPTY == (int)MULTIKERNEL_STATE_EMPTY);
static_assert((int)MK_LOADED == (int)MULTIKERNEL_STATE_LOADED);
static_assert((int)MK_STARTING == (int)MULTIKERNEL_STATE_STARTING);
static_assert((int)MK_RUNNING == (int)MULTIKERNEL_STATE_RUNNING);
static_assert((int)MK_STOPPING == (int)MULTIKERNEL_STATE_STOPPING);
static_assert((int)MK_STOPPED == (int)MULTIKERNEL_STATE_STOPPED);
static_assert((int)MK_CRASHED == (int)MULTIKERNEL_STATE_CRASHED);

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

/* Graceful stop timeout when userspace passes 0. */
#define MK_STOP_DEFAULT_MS	30000

/*
 * The state machine. Each entry lists the states its state may move to:
 * by a user operation (load, start, stop), by a failed one rolling back
 * (start back to loaded or stopped, a failed load dropping the image), or
 * by a report of the instance (running, stopped, crashed).
 */
static const u8 mk_transitions[MK_NR_STATES] = {
	[MK_EMPTY]	= BIT(MK_LOADED),
	[MK_LOADED]	= BIT(MK_LOADED) | BIT(MK_EMPTY) | BIT(MK_STARTING),
	[MK_STARTING]	= BIT(MK_RUNNING) | BIT(MK_STOPPING) | BIT(MK_STOPPED) |
			  BIT(MK_CRASHED) | BIT(MK_LOADED),
	[MK_RUNNING]	= BIT(MK_STOPPING) | BIT(MK_STOPPED) | BIT(MK_CRASHED),
	[MK_STOPPING]	= BIT(MK_STOPPED) | BIT(MK_CRASHED),
	[MK_STOPPED]	= BIT(MK_STARTING) | BIT(MK_LOADED) | BIT(MK_EMPTY),
	[MK_CRASHED]	= BIT(MK_STOPPING),
};

static_assert(sizeof(mk_transitions[0]) * BITS_PER_BYTE >= MK_NR_STATES);

/**
 * mk_state_transition_ok() - whether an instance may move between two states
 * @from:	the current state
 * @to:		the next state
 *
 * Context: Any context; pure.
 * Return: true when the transition is allowed.
 */
bool mk_state_transition_ok(enum mk_state from, enum mk_state to)
{
	if (from >= MK_NR_STATES || to >= MK_NR_STATES)
		return false;
	return mk_transitions[from] & BIT(to);
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_transition_ok);

/**
 * mk_state_op_check() - whether userspace may ask for an operation in a state
 * @op:		the operation
 * @state:	the instance's state
 *
 * Context: Any context; pure.
 * Return: 0 when allowed; -EBUSY when the instance must stop first (load,
 * start or destroy of a running or crashed instance); -EINVAL when the
 * operation does not apply (start without a loaded kernel, stop of an
 * instance that does not run).
 */
int mk_state_op_check(enum mk_op op, enum mk_state state)
{
	bool runs;

	if (state >= MK_NR_STATES)
		return -EINVAL;
	runs = mk_state_cpus_in_use(state);

	switch (op) {
	case MK_OP_LOAD:
	case MK_OP_DESTROY:
		return runs ? -EBUSY : 0;
	case MK_OP_START:
		if (runs)
			return -EBUSY;
		return state == MK_EMPTY ? -EINVAL : 0;
	case MK_OP_STOP:
		return runs ? 0 : -EINVAL;
	}
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_op_check);

/**
 * mk_state_cpus_in_use() - whether instance code may be on the CPUs
 * @state:	the instance's state
 *
 * Context: Any context; pure.
 * Return: true for starting, running, stopping and crashed: the instance's
 * CPUs run or are parked in its kernel, and only a stop gets them back.
 */
bool mk_state_cpus_in_use(enum mk_state state)
{
	return state == MK_STARTING || state == MK_RUNNING ||
	       state == MK_STOPPING || state == MK_CRASHED;
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_cpus_in_use);

static const char * const mk_state_names[MK_NR_STATES] = {
	[MK_EMPTY]	= "empty",
	[MK_LOADED]	= "loaded",
	[MK_STARTING]	= "starting",
	[MK_RUNNING]	= "running",
	[MK_STOPPING]	= "stopping",
	[MK_STOPPED]	= "stopped",
	[MK_CRASHED]	= "crashed",
};

/**
 * mk_state_name() - the name of a state as sysfs shows it
 * @state:	the state
 *
 * Context: Any context; pure.
 * Return: a lower-case name, "unknown" for a value out of range.
 */
const char *mk_state_name(enum mk_state state)
{
	if (state >= MK_NR_STATES)
		return "unknown";
	return mk_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(mk_state_name);

/**
 * mk_name_check() - validate an instance name
 * @name:	the characters, not necessarily NUL-terminated
 * @len:	number of characters
 *
 * Context: Any context; pure.
 * Return: 0 when @name is 1 to MULTIKERNEL_NAME_MAX characters of
 * [a-z0-9_-], -EINVAL otherwise.
 */
int mk_name_check(const char *name, size_t len)
{
	size_t i;

	if (!len || len > MULTIKERNEL_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_name_check);

/* Set only by the lifecycle KUnit suite; see struct mk_arch_ops. */
const struct mk_arch_ops *mk_test_arch;
EXPORT_SYMBOL_IF_KUNIT(mk_test_arch);

static bool mk_testing(void)
{
	return IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST) && READ_ONCE(mk_test_arch);
}

static int mk_call_load_image(struct mk_instance *inst, int kernel_fd,
			      int initrd_fd, const char *cmdline,
			      unsigned long cmdline_len)
{
	if (mk_testing())
		return mk_test_arch->load_image(inst, kernel_fd, initrd_fd,
						cmdline, cmdline_len);
	return mk_load_image(inst, kernel_fd, initrd_fd, cmdline, cmdline_len);
}

static void mk_call_free_image(struct mk_instance *inst)
{
	if (mk_testing())
		mk_test_arch->free_image(inst);
	else
		mk_free_image(inst);
}

static int mk_call_arch_prepare(struct mk_instance *inst,
				struct mk_arch_link *link)
{
	if (mk_testing())
		return mk_test_arch->prepare(inst, link);
	return mk_arch_prepare(inst, link);
}

static int mk_call_arch_start(struct mk_instance *inst)
{
	if (mk_testing())
		return mk_test_arch->start(inst);
	return mk_arch_start(inst);
}

static int mk_call_force_stop(struct mk_instance *inst)
{
	if (mk_testing())
		return mk_test_arch->force_stop(inst);
	return mk_arch_force_stop(inst);
}

static void mk_call_arch_release(struct mk_instance *inst)
{
	if (mk_testing())
		mk_test_arch->release(inst);
	else
		mk_arch_release(inst);
}

/* The stand-ins report states themselves: no link with them. */
static int mk_call_link_open(struct mk_instance *inst,
			     const struct mk_arch_link *link)
{
	if (mk_testing())
		return 0;
	inst->early_log = link->early_log;
	return mk_link_open(inst, link->region, link->size, link->hw_id);
}

static void mk_call_link_close(struct mk_instance *inst)
{
	if (!mk_testing())
		mk_link_close(inst);
	inst->early_log = NULL;
}

static int mk_call_request_shutdown(struct mk_instance *inst)
{
	if (mk_testing())
		return mk_test_arch->request_shutdown(inst);
	return mk_link_request_shutdown(inst);
}

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

/* Count a starting instance, unless a host kexec or suspend is under way. */
static int mk_busy_enter(void)
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

static void mk_busy_leave(void)
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

/*
 * A stopped instance holds neither CPUs nor memory: take back the claim
 * on the same CPUs and the same range, for a load or a start.
 */
static int mk_instance_take_back(struct mk_instance *inst)
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

/* Give up what a stopped instance does not hold. */
static void mk_instance_let_go(struct mk_instance *inst)
{
	lockdep_assert_held(&inst->lock);
	mk_cpus_give_back(inst);
	mk_cpus_unclaim(inst);
	mk_mem_free(inst);
}

/* Move @inst to @to; every change of state goes through here. */
static void mk_instance_set_state(struct mk_instance *inst, enum mk_state to)
{
	enum mk_state from = inst->state;

	lockdep_assert_held(&inst->lock);
	/* Callers check first: a refusal here is a bug in this file. */
	if (WARN_ON_ONCE(!mk_state_transition_ok(from, to)))
		return;

	if (to == MK_STARTING) {
		inst->started_ns = ktime_get_boottime_ns();
		/* Reports about earlier boots are void from here on. */
		inst->boot++;
	}
	/* Entering is counted by mk_busy_enter() before the start. */
	if (mk_state_cpus_in_use(from) && !mk_state_cpus_in_use(to))
		mk_busy_leave();
	if (to != MK_CRASHED)
		inst->crash_reason[0] = '\0';
	/* Paired with the READ_ONCE() of waiters and sysfs readers. */
	WRITE_ONCE(inst->state, to);
	pr_debug("instance %s: %s -> %s\n", inst->name, mk_state_name(from),
		 mk_state_name(to));
	mk_sysfs_notify_state(inst);
	wake_up_all(&inst->state_wq);
}

static void mk_instance_set_crashed(struct mk_instance *inst, const char *reason)
{
	lockdep_assert_held(&inst->lock);
	mk_instance_set_state(inst, MK_CRASHED);
	strscpy(inst->crash_reason, reason && *reason ? reason : "unknown",
		sizeof(inst->crash_reason));
	pr_err("instance %s crashed: %s\n", inst->name, inst->crash_reason);
}

/*
 * Bring an instance whose CPUs may run instance code to STOPPED: reset
 * the CPUs, take in the instance's last messages and close its link, give
 * the CPUs back to the host, clear the memory and give it back to the
 * pool. The CPUs are reset first, so nothing the instance does can hold
 * up the rest. When a CPU does not respond the instance is marked crashed
 * and keeps its link, CPUs and memory. The memory goes only once the
 * CPUs are parked and the arch code let go of the shared region
 * (mk_arch_release()), and under @inst->lock, which console readers hold
 * too.
 */
static int mk_instance_finish_stop(struct mk_instance *inst)
{
	int ret;

	lockdep_assert_held(&inst->lock);
	if (inst->state != MK_STOPPING)
		mk_instance_set_state(inst, MK_STOPPING);

	ret = mk_call_force_stop(inst);
	if (ret) {
		char why[MK_REASON_LEN];

		snprintf(why, sizeof(why),
			 "stop: CPUs did not respond to INIT (%d)", ret);
		mk_instance_set_crashed(inst, why);
		return ret;
	}
	mk_call_link_close(inst);
	mk_call_arch_release(inst);
	mk_instance_let_go(inst);
	mk_instance_set_state(inst, MK_STOPPED);
	pr_info("instance %s stopped, its CPUs are back in the host and its memory in the pool\n",
		inst->name);
	return 0;
}

/* Apply what the instance reported. */
static void mk_instance_apply_report(struct mk_instance *inst, enum mk_state to,
				     const char *reason)
{
	enum mk_state from = inst->state;

	lockdep_assert_held(&inst->lock);
	if ((to != MK_RUNNING && to != MK_STOPPED && to != MK_CRASHED) ||
	    !mk_state_transition_ok(from, to)) {
		pr_warn_ratelimited("instance %s: ignoring report of state %s in state %s\n",
				    inst->name, mk_state_name(to),
				    mk_state_name(from));
		return;
	}

	switch (to) {
	case MK_RUNNING:
		mk_instance_set_state(inst, MK_RUNNING);
		pr_info("instance %s is running\n", inst->name);
		break;
	case MK_STOPPED:
		mk_instance_finish_stop(inst);
		break;
	default:
		mk_instance_set_crashed(inst, reason);
		break;
	}
}

static void mk_instance_report_work(struct work_struct *work)
{
	struct mk_instance *inst = container_of(work, struct mk_instance,
						report_work);
	char reason[MK_REASON_LEN];
	enum mk_state to;
	bool pending;
	u32 boot;

	spin_lock_irq(&inst->report_lock);
	pending = inst->report_pending;
	boot = inst->report_boot;
	to = inst->report_state;
	strscpy(reason, inst->report_reason, sizeof(reason));
	inst->report_pending = false;
	spin_unlock_irq(&inst->report_lock);

	mutex_lock(&inst->lock);
	if (pending && !inst->dead && boot != inst->boot)
		pr_info_ratelimited("instance %s: ignoring a report of state %s about an earlier boot\n",
				    inst->name, mk_state_name(to));
	else if (pending && !inst->dead)
		mk_instance_apply_report(inst, to, reason);
	mutex_unlock(&inst->lock);
	/* The reference mk_instance_report() took for this run. */
	mk_instance_put(inst);
}

/**
 * mk_instance_report() - the instance reached a state by itself
 * @inst:	the instance
 * @boot:	the boot of the instance the report is about (@inst->boot when
 *		its link was opened); a report about an earlier boot is
 *		dropped
 * @new_state:	%MK_RUNNING (it booted), %MK_STOPPED (it powered off or
 *		halted) or %MK_CRASHED (it panicked, or stopped answering)
 * @reason:	for %MK_CRASHED the panic message or another cause, may be
 *		NULL; ignored otherwise
 *
 * Called by the arch code when it sees the instance's status change. The
 * report is applied later in process context: a stopped instance gets its
 * CPUs reset and given back to the host, a crashed one keeps them until it
 * is stopped. Reports that make no sense in the current state are ignored.
 * A pending crash report is not overwritten by a later report about the
 * same boot, so that its reason is not lost. The caller must hold a reference on @inst.
 *
 * Context: Any context but NMI.
 */
void mk_instance_report(struct mk_instance *inst, u32 boot,
			enum mk_state new_state, const char *reason)
{
	unsigned long flags;

	spin_lock_irqsave(&inst->report_lock, flags);
	if (!inst->report_pending || inst->report_boot != boot ||
	    inst->report_state != MK_CRASHED) {
		inst->report_boot = boot;
		inst->report_state = new_state;
		strscpy(inst->report_reason, reason ? reason : "",
			sizeof(inst->report_reason));
		inst->report_pending = true;
	}
	spin_unlock_irqrestore(&inst->report_lock, flags);

	kref_get(&inst->kref);
	/* Already queued: that run applies this report and owns a reference. */
	/* Unbound: applying a report may bring CPUs online. */
	if (!queue_work(system_unbound_wq, &inst->report_work))
		kref_put(&inst->kref, mk_instance_release);
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_report);

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
 * mk_instance_load() - load a kernel image into an instance
 * @inst:	the instance
 * @kernel_fd:	file descriptor of the kernel image
 * @initrd_fd:	file descriptor of the initramfs, or -1
 * @cmdline:	kernel command line, NUL-terminated, or NULL
 * @cmdline_len: bytes of @cmdline including the NUL, 0 without one
 *
 * A stopped instance takes its memory range back from the pool first (the
 * image is laid out for it) and keeps it once it is loaded; when the load
 * fails and it stays stopped, the memory goes back again.
 *
 * Context: Process context, may sleep for long (clearing).
 * Return: 0 on success; -ENOENT for a destroyed instance; -EBUSY while it
 * runs; -EADDRINUSE when its memory range was given to another instance
 * while it was stopped; otherwise the error of mk_load_image().
 */
int mk_instance_load(struct mk_instance *inst, int kernel_fd, int initrd_fd,
		     const char *cmdline, unsigned long cmdline_len)
{
	int ret;

	mutex_lock(&inst->lock);
	if (inst->dead) {
		ret = -ENOENT;
		goto unlock;
	}
	ret = mk_state_op_check(MK_OP_LOAD, inst->state);
	if (ret)
		goto unlock;
	if (inst->state == MK_STOPPED) {
		ret = mk_instance_take_back(inst);
		if (ret)
			goto unlock;
	}

	ret = mk_call_load_image(inst, kernel_fd, initrd_fd, cmdline, cmdline_len);
	if (!ret)
		mk_instance_set_state(inst, MK_LOADED);
	else if (!inst->image && inst->state != MK_EMPTY)
		/* The failed load dropped the image loaded before. */
		mk_instance_set_state(inst, MK_EMPTY);
	if (inst->state == MK_STOPPED)
		mk_instance_let_go(inst);
unlock:
	mutex_unlock(&inst->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_load);

/*
 * Prepare the instance's memory, open its link and start its first CPU.
 * A failure leaves nothing behind, and the CPU, which may have run some
 * of the start code although it did not accept the start IPIs, is reset
 * first; when it does not respond to that either, *@wedged is set and
 * everything stays as it is.
 */
static int mk_instance_launch(struct mk_instance *inst, bool *wedged)
{
	struct mk_arch_link link = {};
	int ret;

	lockdep_assert_held(&inst->lock);
	ret = mk_call_arch_prepare(inst, &link);
	if (ret)
		return ret;
	ret = mk_call_link_open(inst, &link);
	if (ret)
		goto release;
	ret = mk_call_arch_start(inst);
	if (!ret)
		return 0;
	if (mk_call_force_stop(inst)) {
		*wedged = true;
		return ret;
	}
	mk_call_link_close(inst);
release:
	mk_call_arch_release(inst);
	return ret;
}

/**
 * mk_instance_start() - start the loaded kernel of an instance
 * @inst:	the instance
 *
 * Takes the memory range back from the pool and the CPUs from the host
 * when a stop gave them back, moves to starting and has the arch code
 * start the first CPU. On failure the instance returns to its previous
 * state, CPU and memory ownership; only when the first CPU accepted
 * neither the start IPIs nor the INIT that would reset it, it becomes
 * crashed and keeps its CPUs and memory, which that CPU may still use.
 *
 * Context: Process context, may sleep for long (CPU hotplug, clearing).
 * Return: 0 once the first CPU was started; -ENOENT for a destroyed
 * instance; -EINVAL without a loaded image; -EBUSY while it runs or while
 * a host kexec or suspend is under way; -EADDRINUSE when its memory range
 * was given to another instance while it was stopped; the error of taking
 * a CPU offline, of mk_arch_prepare(), mk_link_open() or mk_arch_start().
 */
int mk_instance_start(struct mk_instance *inst)
{
	bool took = false, wedged = false;
	enum mk_state prev;
	int ret;

	mutex_lock(&inst->lock);
	if (inst->dead) {
		ret = -ENOENT;
		goto unlock;
	}
	ret = mk_state_op_check(MK_OP_START, inst->state);
	if (!ret && !inst->image)
		ret = -EINVAL;
	if (ret)
		goto unlock;

	ret = mk_busy_enter();
	if (ret) {
		pr_info_ratelimited("instance %s: not started, a host kexec or suspend is under way\n",
				    inst->name);
		goto unlock;
	}
	prev = inst->state;
	if (prev == MK_STOPPED) {
		ret = mk_instance_take_back(inst);
		if (ret)
			goto leave_busy;
	}
	if (!inst->cpus_taken) {
		ret = mk_cpus_take(inst);
		if (ret)
			goto let_go;
		took = true;
	}
	mk_instance_set_state(inst, MK_STARTING);
	ret = mk_instance_launch(inst, &wedged);
	if (ret && wedged) {
		char why[MK_REASON_LEN];

		/* It may run from its memory: it keeps CPUs and memory. */
		snprintf(why, sizeof(why),
			 "start: the CPU took no start IPI and no INIT (%d)", ret);
		mk_instance_set_crashed(inst, why);
		goto unlock;
	}
	if (ret) {
		pr_err_ratelimited("instance %s: start failed: %d\n", inst->name, ret);
		/* Leaving starting ends the count of mk_busy_enter(). */
		mk_instance_set_state(inst, prev);
		if (prev == MK_STOPPED)
			mk_instance_let_go(inst);
		else if (took)
			mk_cpus_give_back(inst);
		goto unlock;
	}
	pr_info("instance %s starting on CPUs %*pbl\n", inst->name,
		cpumask_pr_args(inst->cpus));
	goto unlock;

let_go:
	if (prev == MK_STOPPED)
		mk_instance_let_go(inst);
leave_busy:
	mk_busy_leave();
unlock:
	mutex_unlock(&inst->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_start);

static bool mk_instance_left_stopping(struct mk_instance *inst)
{
	return READ_ONCE(inst->state) != MK_STOPPING;
}

/**
 * mk_instance_stop() - stop an instance
 * @inst:	the instance
 * @force:	reset the CPUs at once instead of asking the instance first
 * @timeout_ms:	how long a graceful stop may take, 0 for the default
 *
 * A graceful stop asks the instance to shut down and waits, without the
 * instance lock, until it reports that it stopped; the report's work item
 * then resets and gives back the CPUs. When the instance does not stop in
 * time, when it cannot be asked, when it crashed, or with @force, the
 * CPUs are reset here. A stop that finds another one waiting joins it.
 *
 * Context: Process context, sleeps up to @timeout_ms and in CPU hotplug.
 * Return: 0 once the instance is stopped; -ENOENT for a destroyed
 * instance; -EINVAL when it does not run; -EINTR when a signal ended the
 * wait (the instance stays stopping); the error of mk_arch_force_stop(),
 * after which the instance is crashed.
 */
int mk_instance_stop(struct mk_instance *inst, bool force,
		     unsigned int timeout_ms)
{
	long left;
	int ret;

	mutex_lock(&inst->lock);
	if (inst->dead) {
		ret = -ENOENT;
		goto unlock;
	}
	ret = mk_state_op_check(MK_OP_STOP, inst->state);
	if (ret)
		goto unlock;
	if (force || inst->state == MK_CRASHED)
		goto force;

	if (inst->state != MK_STOPPING) {
		mk_instance_set_state(inst, MK_STOPPING);
		ret = mk_call_request_shutdown(inst);
		if (ret) {
			pr_info_ratelimited("instance %s: cannot ask for a shutdown (%d), resetting it\n",
					    inst->name, ret);
			goto force;
		}
	}
	mutex_unlock(&inst->lock);

	if (!timeout_ms)
		timeout_ms = MK_STOP_DEFAULT_MS;
	left = wait_event_interruptible_timeout(inst->state_wq,
						mk_instance_left_stopping(inst),
						msecs_to_jiffies(timeout_ms));

	mutex_lock(&inst->lock);
	/* Whatever happened, it stopped or someone else is handling it. */
	if (inst->dead || (inst->state != MK_STOPPING &&
			   inst->state != MK_CRASHED)) {
		ret = 0;
		goto unlock;
	}
	if (left < 0 && inst->state == MK_STOPPING) {
		ret = -EINTR;
		goto unlock;
	}
	if (inst->state == MK_STOPPING)
		pr_info("instance %s did not shut down within %u ms, resetting it\n",
			inst->name, timeout_ms);
force:
	ret = mk_instance_finish_stop(inst);
unlock:
	mutex_unlock(&inst->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_stop);

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
 * mk_instances_thaw() - undo a successful mk_instances_freeze()
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

static int __init mk_init(void)
{
	int ret;

	/* Without the hotplug veto, instances could lose their CPUs: no device. */
	ret = mk_cpus_init();
	if (ret)
		goto fail;
	ret = mk_pm_init();
	if (ret)
		goto fail;
	ret = mk_dev_init();
	if (ret)
		goto fail;
	return 0;

fail:
	pr_err("cannot set up /dev/multikernel: %d\n", ret);
	return ret;
}
device_initcall(mk_init);
