// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host suspend, hibernation, kexec, reboot and power-off while instances
 * run.
 *
 * Suspend and hibernation offline every non-boot CPU and later bring up
 * those that were online; the CPUs of instances are offline in the host,
 * so the host would resume with their kernels frozen mid-flight in memory
 * it may overwrite, or never resume them at all. A kexec reboot boots a
 * new kernel that knows nothing of the instances: it would use their
 * memory and bring their CPUs up under them. Refuse all three while an
 * instance kernel may be on its CPUs; an instance that only has CPUs and
 * memory (empty, loaded, stopped) does not stand in the way. Until the
 * host is back (or for good, after a kexec), no instance may start.
 *
 * A crash kexec (kdump) is never refused: see "kexec and kdump" in
 * Documentation/multikernel/admin-guide.rst for what happens then.
 *
 * A reboot, halt or power-off of the host takes the instances down with
 * the machine; they are asked to shut down first, as at a stop, and
 * reset when they do not within MK_HOST_DOWN_WAIT_MS.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/kexec.h>
#include <linux/multikernel.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/suspend.h>

#include "internal.h"

/* How long instances have to shut down when the host goes down. */
#define MK_HOST_DOWN_WAIT_MS	10000

/*
 * Live update (live-update.rst): a host kexec hands the running instances
 * over to the new kernel, which adopts them, instead of being refused
 * while they run. Off unless the boot parameter multikernel_live_update
 * or /sys/kernel/multikernel/live_update turns it on; it must be on when
 * the new kernel is loaded, which is when its handover is written.
 */
static bool mk_live_update;

/* The kexec under way hands the instances over: do not stop them. */
static bool mk_handing_over;

static int __init mk_live_update_setup(char *arg)
{
	mk_live_update = true;
	return 0;
}
early_param("multikernel_live_update", mk_live_update_setup);

/**
 * multikernel_kexec_hands_over() - does a host kexec leave instances running?
 *
 * The bzImage loader asks, to know whether a kernel it loads to replace
 * the host gets a handover.
 *
 * Context: Any context.
 * Return: true while live update is on.
 */
bool multikernel_kexec_hands_over(void)
{
	return READ_ONCE(mk_live_update);
}

/**
 * mk_live_update_set() - turn live update on or off
 * @on:	whether a host kexec hands the instances over
 *
 * Takes effect for kernels loaded from now on (and for a kexec of one
 * loaded while it was on).
 *
 * Context: Any context.
 */
void mk_live_update_set(bool on)
{
	WRITE_ONCE(mk_live_update, on);
}

/* A kexec that leaves the instances running: may the loaded kernel? */
static int mk_kexec_may_leave(void)
{
	char name[MULTIKERNEL_NAME_MAX + 1];
	enum mk_state state;
	cpumask_var_t held;
	unsigned int cpu, unread;
	bool ok;
	int ret;

	/* No start from here on may add to what the record describes. */
	mk_instances_hold();
	if (mk_instances_unsettled(name, sizeof(name), &state)) {
		pr_warn("refusing to kexec: instance %s is %s; stop it, or wait until it runs\n",
			name, mk_state_name(state));
		ret = -EBUSY;
		goto refuse;
	}
	if (!zalloc_cpumask_var(&held, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto refuse;
	}
	mk_cpus_held(held);
	ok = mk_arch_kexec_keeps_off(held, &cpu);
	free_cpumask_var(held);
	if (ok) {
		ret = mk_handover_record_write();
		if (ret) {
			pr_warn("refusing to kexec: cannot write the handover record: %d\n", ret);
			ret = -EBUSY;
			goto refuse;
		}
		/* What they send from here on is the new kernel's to take. */
		mk_links_pause(true);
		mk_handing_over = true;
		pr_info("live update: the kexec hands the instances over to the new kernel\n");
		unread = mk_user_unread();
		if (unread)
			pr_warn("live update: datagrams from instances unread here: %u; what this kernel's programs do not read before the kexec is lost\n",
				unread);
		return 0;
	}
	if (cpu >= nr_cpu_ids)
		pr_warn("refusing to kexec: the loaded kernel was given no handover (loaded with kexec_load(2), or it has no multikernel support), and instances run\n");
	else
		pr_warn("refusing to kexec: CPU %u was the host's when the kernel was loaded, and an instance holds it now; load the kernel again\n",
			cpu);
	ret = -EBUSY;
refuse:
	mk_instances_thaw();
	return ret;
}

static int mk_pm_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	switch (action) {
	case PM_SUSPEND_PREPARE:
	case PM_HIBERNATION_PREPARE:
		if (!mk_instances_freeze())
			return NOTIFY_OK;
		pr_warn("refusing to %s while multikernel instances run\n",
			action == PM_SUSPEND_PREPARE ? "suspend" : "hibernate");
		return notifier_from_errno(-EBUSY);
	case PM_POST_SUSPEND:
	case PM_POST_HIBERNATION:
		/* Only sent to us when our prepare succeeded. */
		mk_instances_thaw();
		return NOTIFY_OK;
	}
	return NOTIFY_DONE;
}

static struct notifier_block mk_pm_nb = {
	.notifier_call = mk_pm_notify,
};

/**
 * multikernel_kexec_prepare() - may the host kexec into a new kernel?
 *
 * Called by kernel_kexec() with the kexec lock held, before anything is
 * shut down. Refuses while an instance kernel may be on its CPUs;
 * otherwise no instance can start until multikernel_kexec_finish().
 * Loading a kexec image is not affected, nor is a crash kexec. With live
 * update on, goes ahead with instances running if the loaded kernel was
 * given a handover and keeps off every CPU they hold.
 *
 * Context: Process context.
 * Return: 0 to go ahead; -EBUSY while an instance is starting, running,
 * stopping or crashed (left running: when the loaded kernel would not
 * keep off them); -ENOMEM.
 */
int multikernel_kexec_prepare(void)
{
	if (READ_ONCE(mk_live_update))
		return mk_kexec_may_leave();
	if (!mk_instances_freeze())
		return 0;
	pr_warn_ratelimited("refusing to kexec while multikernel instances run; stop them first\n");
	return -EBUSY;
}

/**
 * multikernel_kexec_finish() - the host came back from a kexec jump
 *
 * Called by kernel_kexec() when a jump with KEXEC_PRESERVE_CONTEXT
 * returned (or failed on the way) after multikernel_kexec_prepare()
 * returned 0. Instances may start again.
 *
 * Context: Process context.
 */
void multikernel_kexec_finish(void)
{
	/* A handover held starts (mk_kexec_may_leave()) as a freeze does. */
	if (mk_handing_over) {
		mk_handing_over = false;
		mk_links_pause(false);
	}
	mk_instances_thaw();
}

static int mk_reboot_notify(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	if (action != SYS_RESTART && action != SYS_HALT &&
	    action != SYS_POWER_OFF)
		return NOTIFY_DONE;
	if (mk_handing_over && kexec_in_progress)
		return NOTIFY_DONE;
	mk_instances_stop_all(MK_HOST_DOWN_WAIT_MS);
	return NOTIFY_OK;
}

static struct notifier_block mk_reboot_nb = {
	.notifier_call = mk_reboot_notify,
	/* Before the others: a stop needs CPU hotplug and workqueues. */
	.priority = INT_MAX,
};

/**
 * mk_pm_init() - refuse host suspend and hibernation while instances run,
 *		  stop them before the host reboots or powers off
 *
 * Context: Process context, boot.
 * Return: 0 or the error of register_pm_notifier().
 */
int __init mk_pm_init(void)
{
	int ret;

	ret = register_pm_notifier(&mk_pm_nb);
	if (ret)
		return ret;
	ret = register_reboot_notifier(&mk_reboot_nb);
	if (ret)
		unregister_pm_notifier(&mk_pm_nb);
	return ret;
}
