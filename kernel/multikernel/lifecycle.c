// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading, starting and stopping an instance, and the reports through
 * which a running instance changes its own state. Every change of state
 * goes through mk_instance_set_state(), which checks it against the table
 * in state.c. The lock order is written down in internal.h.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"

/* Graceful stop timeout when userspace passes 0. */
#define MK_STOP_DEFAULT_MS	30000

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
/* Set only by the lifecycle KUnit suite; see struct mk_arch_ops. */
const struct mk_arch_ops *mk_test_arch;
EXPORT_SYMBOL_IF_KUNIT(mk_test_arch);

static bool mk_testing(void)
{
	return READ_ONCE(mk_test_arch);
}
#else
/* No stand-ins: the calls below go straight to the real functions. */
static const struct mk_arch_ops *const mk_test_arch;

static bool mk_testing(void)
{
	return false;
}
#endif

static int mk_call_load_image(struct mk_instance *inst, int kernel_fd,
			      int initrd_fd, const char *cmdline,
			      unsigned long cmdline_len)
{
	if (mk_testing())
		return mk_test_arch->load_image(inst, kernel_fd, initrd_fd,
						cmdline, cmdline_len);
	return mk_load_image(inst, kernel_fd, initrd_fd, cmdline, cmdline_len);
}

/**
 * mk_call_free_image() - drop an instance's image
 * @inst:	the instance
 *
 * mk_free_image(), or its stand-in under the lifecycle KUnit suite.
 *
 * Context: Process context, inst->lock held.
 */
void mk_call_free_image(struct mk_instance *inst)
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
	return mk_link_open(inst, link);
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

/**
 * mk_instance_report_work() - apply the report an instance left pending
 * @work:	the instance's report_work
 *
 * Context: Process context.
 */
void mk_instance_report_work(struct work_struct *work)
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
		mk_instance_put(inst);
}
EXPORT_SYMBOL_IF_KUNIT(mk_instance_report);

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
