// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host suspend and hibernation while instances run.
 *
 * Suspend and hibernation offline every non-boot CPU and later bring up
 * those that were online; the CPUs of instances are offline in the host,
 * so the host would resume with their kernels frozen mid-flight in memory
 * it may overwrite, or never resume them at all. Refuse both while an
 * instance kernel may be on its CPUs; an instance that only has CPUs and
 * memory (empty, loaded, stopped) does not stand in the way.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/init.h>
#include <linux/notifier.h>
#include <linux/suspend.h>

#include "internal.h"

static int mk_pm_notify(struct notifier_block *nb, unsigned long action,
			void *data)
{
	if (action != PM_SUSPEND_PREPARE && action != PM_HIBERNATION_PREPARE)
		return NOTIFY_DONE;
	if (!mk_instances_busy())
		return NOTIFY_DONE;
	pr_warn("refusing to %s while multikernel instances run\n",
		action == PM_SUSPEND_PREPARE ? "suspend" : "hibernate");
	return notifier_from_errno(-EBUSY);
}

static struct notifier_block mk_pm_nb = {
	.notifier_call = mk_pm_notify,
};

/**
 * mk_pm_init() - refuse host suspend and hibernation while instances run
 *
 * Context: Process context, boot.
 * Return: 0 or the error of register_pm_notifier().
 */
int __init mk_pm_init(void)
{
	return register_pm_notifier(&mk_pm_nb);
}
