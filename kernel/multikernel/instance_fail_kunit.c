// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the ways an instance's lifecycle goes wrong: the
 * instance crashes or powers off by itself, a CPU does not respond, a
 * start or load fails, a report comes late or an operation comes in the
 * wrong state. Same fixture as instance_kunit.c.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "instance_kunit.h"

static void mk_lc_crash_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	mk_lc_report(lc, MK_CRASHED, "Kernel panic - not syncing: test");
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_CRASHED);
	KUNIT_EXPECT_STREQ(test, lc->inst->crash_reason,
			   "Kernel panic - not syncing: test");
	/* The CPU and memory stay with the instance until a stop. */
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, true);
	KUNIT_EXPECT_EQ(test, mk_instance_destroy(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), -EBUSY);

	/* A crashed instance is not asked, it is reset. */
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, false, 10000), 0);
	KUNIT_EXPECT_EQ(test, lc->nr_shutdown, 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_STREQ(test, lc->inst->crash_reason, "");
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);

	/* And it can run again. */
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
}

static void mk_lc_crash_kept_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	/* A later report neither hides the crash nor its reason. */
	mk_instance_report(lc->inst, lc->inst->boot, MK_CRASHED, "first");
	mk_instance_report(lc->inst, lc->inst->boot, MK_RUNNING, NULL);
	flush_work(&lc->inst->report_work);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_CRASHED);
	KUNIT_EXPECT_STREQ(test, lc->inst->crash_reason, "first");
}

static void mk_lc_power_off_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	/* The instance powered itself off: the host takes its CPU back. */
	mk_lc_report(lc, MK_STOPPED, NULL);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);
}

static void mk_lc_reset_fails_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	lc->force_ret = -ETIMEDOUT;
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_CRASHED);
	KUNIT_EXPECT_NOT_NULL(test, strstr(lc->inst->crash_reason, "INIT"));
	/* A CPU that did not respond may still use the CPU and memory. */
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, true);

	lc->force_ret = 0;
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
}

static void mk_lc_start_fails_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	lc->start_ret = -EIO;
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EIO);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_LOADED);
	/* The CPU was reset before the rest was undone. */
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
	KUNIT_EXPECT_EQ(test, lc->nr_release, 1);
	/* Held since create, so still held. */
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, true);
}

/*
 * A CPU that took neither the start IPIs nor the INIT may run from the
 * instance's memory: the instance is crashed and keeps CPU and memory
 * until a stop resets the CPU.
 */
static void mk_lc_start_wedged_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	lc->start_ret = -EIO;
	lc->force_ret = -ETIMEDOUT;
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EIO);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_CRASHED);
	KUNIT_EXPECT_NOT_NULL(test, strstr(lc->inst->crash_reason, "INIT"));
	KUNIT_EXPECT_EQ(test, lc->nr_release, 0);
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, true);
	KUNIT_EXPECT_EQ(test, mk_instance_destroy(lc->inst), -EBUSY);

	lc->force_ret = 0;
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_release, 1);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);
}

/* A report about an earlier boot does not touch the current one. */
static void mk_lc_stale_report_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;
	u32 first;

	mk_lc_run(test, lc);
	first = lc->inst->boot;
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_NE(test, lc->inst->boot, first);

	mk_instance_report(lc->inst, first, MK_CRASHED, "from the first boot");
	flush_work(&lc->inst->report_work);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
	mk_instance_report(lc->inst, first, MK_STOPPED, NULL);
	flush_work(&lc->inst->report_work);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));

	/* The current boot's reports count. */
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_RUNNING);
}

static void mk_lc_restart_fails_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	lc->start_ret = -EIO;
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EIO);
	/* Back to stopped, and the CPU and memory the start took are back too. */
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_FALSE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);
}

static void mk_lc_wrong_state_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 0);

	/* Reports that make no sense in the state are ignored. */
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_EMPTY);
	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	mk_lc_report(lc, MK_STOPPED, NULL);
	mk_lc_report(lc, MK_CRASHED, "bogus");
	mk_lc_report(lc, MK_LOADED, NULL);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_LOADED);
	KUNIT_EXPECT_EQ(test, lc->nr_force, 0);
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_taken);
}

static void mk_lc_failed_reload_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	lc->load_ret = -ENOEXEC;
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), -ENOEXEC);
	KUNIT_EXPECT_NULL(test, lc->inst->image);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_EMPTY);
}

static struct kunit_suite mk_lifecycle_fail_suite = {
	.name = "multikernel_lifecycle_fail",
	.init = mk_lc_init,
	.exit = mk_lc_exit,
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE(mk_lc_crash_test),
		KUNIT_CASE(mk_lc_crash_kept_test),
		KUNIT_CASE(mk_lc_power_off_test),
		KUNIT_CASE(mk_lc_reset_fails_test),
		KUNIT_CASE(mk_lc_start_fails_test),
		KUNIT_CASE(mk_lc_start_wedged_test),
		KUNIT_CASE(mk_lc_stale_report_test),
		KUNIT_CASE(mk_lc_restart_fails_test),
		KUNIT_CASE(mk_lc_wrong_state_test),
		KUNIT_CASE(mk_lc_failed_reload_test),
		{}
	},
};

kunit_test_suite(mk_lifecycle_fail_suite);
