// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for whole instance lifecycles: the real core, CPU hotplug
 * and pool, with the loader and arch code stood in for (mk_test_arch), so
 * that start, reports from the instance, graceful and forced stop, crash
 * and respawn run before an instance kernel can. Needs a kernel booted
 * with multikernel= and a second online CPU; skips otherwise.
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

/* The stand-ins run in the test thread and in the report worker. */
static struct mk_lc *mk_lc_cur;
static char mk_fake_image;

static int mk_lc_load_image(struct mk_instance *inst, int kernel_fd,
			    int initrd_fd, const char *cmdline,
			    unsigned long cmdline_len)
{
	if (mk_lc_cur->load_ret) {
		inst->image = NULL;
		return mk_lc_cur->load_ret;
	}
	inst->image = (struct mk_image *)&mk_fake_image;
	return 0;
}

static void mk_lc_free_image(struct mk_instance *inst)
{
	inst->image = NULL;
}

/* Fill or check the instance's whole range, @mem_size or not. */
static bool mk_lc_mem(struct mk_instance *inst, u8 val, bool fill)
{
	u64 off, i;
	u8 *p;

	for (off = 0; off < inst->mem_range; off += SZ_2M) {
		p = memremap(inst->mem_base + off, SZ_2M, MEMREMAP_WB);
		if (!p)
			return false;
		if (fill)
			memset(p, val, SZ_2M);
		for (i = 0; !fill && i < SZ_2M; i++) {
			if (p[i] != val) {
				memunmap(p);
				return false;
			}
		}
		memunmap(p);
	}
	return true;
}

static int mk_lc_prepare(struct mk_instance *inst, struct mk_arch_link *link)
{
	return 0;
}

/* A started kernel writes all over its memory. */
static int mk_lc_start(struct mk_instance *inst)
{
	mk_lc_cur->nr_start++;
	/* Also when the IPIs were not accepted: the CPU may have run. */
	mk_lc_cur->cpu_runs = true;
	if (inst->mem_size == inst->mem_range)
		mk_lc_mem(inst, 0xa5, true);
	return mk_lc_cur->start_ret;
}

static int mk_lc_force_stop(struct mk_instance *inst)
{
	mk_lc_cur->nr_force++;
	if (!mk_lc_cur->force_ret)
		mk_lc_cur->cpu_runs = false;
	return mk_lc_cur->force_ret;
}

/* Nothing the instance holds may go while its CPU may run. */
static void mk_lc_release(struct mk_instance *inst)
{
	mk_lc_cur->nr_release++;
	if (mk_lc_cur->cpu_runs)
		mk_lc_cur->released_running++;
}

static int mk_lc_request_shutdown(struct mk_instance *inst)
{
	mk_lc_cur->nr_shutdown++;
	if (mk_lc_cur->shutdown_reports)
		mk_instance_report(inst, inst->boot, MK_STOPPED, NULL);
	return mk_lc_cur->shutdown_ret;
}

static const struct mk_arch_ops mk_lc_ops = {
	.load_image = mk_lc_load_image,
	.free_image = mk_lc_free_image,
	.prepare = mk_lc_prepare,
	.start = mk_lc_start,
	.force_stop = mk_lc_force_stop,
	.release = mk_lc_release,
	.request_shutdown = mk_lc_request_shutdown,
};

/**
 * mk_lc_init() - create the instance under test, with the stand-ins on
 * @test:	the test
 *
 * Context: Process context.
 * Return: 0; skips the test without a pool or a second CPU.
 */
int mk_lc_init(struct kunit *test)
{
	struct mk_create_args args = { .name = "kunit-lc", .mem_size = SZ_4M };
	struct cpumask *cpus;
	struct mk_lc *lc;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second online CPU");
	if (mk_pool_free_bytes(&mk_host_pool) < SZ_4M)
		kunit_skip(test, "no pool with 4 MiB free (boot with multikernel=)");

	lc = kunit_kzalloc(test, sizeof(*lc), GFP_KERNEL);
	cpus = kunit_kzalloc(test, cpumask_size(), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lc);
	KUNIT_ASSERT_NOT_NULL(test, cpus);
	lc->cpu = cpumask_last(cpu_online_mask);
	lc->pool_free = mk_pool_free_bytes(&mk_host_pool);
	cpumask_set_cpu(lc->cpu, cpus);
	args.cpus = cpus;

	mk_lc_cur = lc;
	WRITE_ONCE(mk_test_arch, &mk_lc_ops);
	test->priv = lc;

	lc->inst = mk_instance_create(&args);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(lc->inst), "create: %ld",
			       PTR_ERR(lc->inst));
	KUNIT_ASSERT_FALSE(test, cpu_online(lc->cpu));
	return 0;
}

/**
 * mk_lc_exit() - stop and destroy the instance, and check nothing leaked
 * @test:	the test
 *
 * Context: Process context.
 */
void mk_lc_exit(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	if (lc && !IS_ERR_OR_NULL(lc->inst)) {
		lc->force_ret = 0;
		mk_instance_stop(lc->inst, true, 0);
		KUNIT_EXPECT_EQ(test, mk_instance_destroy(lc->inst), 0);
		mk_instance_put(lc->inst);
		/* Nothing leaked: pool and CPU are as before. */
		KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), lc->pool_free);
		KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
		KUNIT_EXPECT_FALSE(test, multikernel_owns_cpus());
		KUNIT_EXPECT_EQ_MSG(test, lc->released_running, 0,
				    "released while its CPU may run");
	}
	WRITE_ONCE(mk_test_arch, NULL);
	mk_lc_cur = NULL;
}

/**
 * mk_lc_run() - load and start; the instance is then starting on its CPU
 * @test:	the test
 * @lc:		its instance
 *
 * Context: Process context.
 */
void mk_lc_run(struct kunit *test, struct mk_lc *lc)
{
	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, lc->inst->state, MK_LOADED);
	KUNIT_ASSERT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_ASSERT_EQ(test, lc->inst->state, MK_STARTING);
	KUNIT_ASSERT_FALSE(test, cpu_online(lc->cpu));
}

/**
 * mk_lc_expect_mem() - expect whether the instance holds its memory
 * @test:	the test
 * @lc:		its instance
 * @held:	true: taken from the pool and assigned; false: back in the
 *		pool and cleared
 *
 * Context: Process context.
 */
void mk_lc_expect_mem(struct kunit *test, struct mk_lc *lc, bool held)
{
	struct mk_instance *inst = lc->inst;

	if (held) {
		KUNIT_EXPECT_EQ(test, inst->mem_size, SZ_4M);
		KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool),
				lc->pool_free - SZ_4M);
		return;
	}
	KUNIT_EXPECT_EQ(test, inst->mem_size, 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), lc->pool_free);
	KUNIT_EXPECT_TRUE_MSG(test, mk_lc_mem(inst, 0, false),
			      "memory given back to the pool is not cleared");
}

/**
 * mk_lc_report() - report a state as the instance would, and wait for it
 * @lc:		the instance under test
 * @state:	the state reported
 * @why:	the reason, or NULL
 *
 * Context: Process context.
 */
void mk_lc_report(struct mk_lc *lc, enum mk_state state, const char *why)
{
	mk_instance_report(lc->inst, lc->inst->boot, state, why);
	flush_work(&lc->inst->report_work);
}

static void mk_lc_graceful_stop_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_RUNNING);

	lc->shutdown_reports = true;
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, false, 10000), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_shutdown, 1);
	/* The CPU is reset before it comes back, also after a graceful stop. */
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	KUNIT_EXPECT_FALSE(test, lc->inst->cpus_taken);
	mk_lc_expect_mem(test, lc, false);
}

static void mk_lc_respawn_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	phys_addr_t base;

	mk_lc_run(test, lc);
	mk_lc_expect_mem(test, lc, true);
	base = lc->inst->mem_base;
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_ASSERT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);

	/* Start again from the same image: CPU and memory are taken again. */
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	KUNIT_EXPECT_EQ(test, lc->nr_start, 2);
	KUNIT_EXPECT_EQ(test, lc->inst->mem_base, base);
	mk_lc_expect_mem(test, lc, true);
}

/* Another instance got the range of a stopped one: start and load fail. */
static void mk_lc_memory_taken_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;
	phys_addr_t other = lc->inst->mem_base + SZ_2M;

	mk_lc_run(test, lc);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_pool_carve_at(&mk_host_pool, other, SZ_2M), 0);

	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 1);
	KUNIT_EXPECT_FALSE(test, lc->inst->cpus_taken);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	KUNIT_EXPECT_EQ(test, lc->inst->mem_size, 0);
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool),
			lc->pool_free - SZ_2M);

	/* Free again: the instance starts where it was. */
	KUNIT_ASSERT_EQ(test, mk_pool_return(&mk_host_pool, other, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
	mk_lc_expect_mem(test, lc, true);
}

/*
 * A stopped instance holds no CPUs either: another instance may be given
 * them, and then loading or starting the stopped one fails with -EBUSY
 * and takes nothing.
 */
static void mk_lc_cpus_taken_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;
	struct mk_create_args args = { .name = "kunit-lc2", .mem_size = SZ_2M };
	struct mk_instance *other;

	mk_lc_run(test, lc);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_FALSE(test, lc->inst->cpus_claimed);

	args.cpus = lc->inst->cpus;
	other = mk_instance_create(&args);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(other), "create on the CPU: %ld",
			       PTR_ERR(other));
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));

	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), -EBUSY);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 1);
	KUNIT_EXPECT_FALSE(test, lc->inst->cpus_claimed);
	KUNIT_EXPECT_EQ(test, lc->inst->mem_size, 0);

	/* Once the other one is gone, the stopped instance starts again. */
	KUNIT_EXPECT_EQ(test, mk_instance_destroy(other), 0);
	mk_instance_put(other);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STARTING);
	KUNIT_EXPECT_TRUE(test, lc->inst->cpus_claimed);
	KUNIT_EXPECT_FALSE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, true);
}

/* Loading a stopped instance takes its memory back, a failed load not. */
static void mk_lc_reload_stopped_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	mk_lc_expect_mem(test, lc, false);

	lc->load_ret = -ENOEXEC;
	/* The stand-in drops the image: the instance is empty, with memory. */
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), -ENOEXEC);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_EMPTY);
	mk_lc_expect_mem(test, lc, true);

	lc->load_ret = 0;
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_LOADED);
	mk_lc_expect_mem(test, lc, true);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);

	/* Loaded again from stopped: holds the memory until the next stop. */
	KUNIT_EXPECT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_LOADED);
	mk_lc_expect_mem(test, lc, true);
}

/* A host kexec or suspend is refused while one runs, and holds starts off. */
static void mk_lc_freeze_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	/* Created and loaded only: nothing runs. */
	KUNIT_ASSERT_EQ(test, mk_instance_load(lc->inst, 0, -1, NULL, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_instances_freeze(), 0);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_LOADED);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 0);
	mk_instances_thaw();

	KUNIT_ASSERT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, mk_instances_freeze(), -EBUSY);
	mk_lc_report(lc, MK_CRASHED, "test");
	KUNIT_EXPECT_EQ(test, mk_instances_freeze(), -EBUSY);
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);

	/* Stopped, its memory back in the pool: nothing stands in the way. */
	KUNIT_ASSERT_EQ(test, mk_instances_freeze(), 0);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
	mk_lc_expect_mem(test, lc, false);
	mk_instances_thaw();
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);

	/* A failed start leaves the count as it was. */
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	lc->start_ret = -EIO;
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EIO);
	KUNIT_EXPECT_EQ(test, mk_instances_freeze(), 0);
	mk_instances_thaw();
}

/* A live update kexec holds starts off while an instance runs. */
static void mk_lc_hold_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;
	int ret;

	mk_lc_run(test, lc);
	/* No assertion until the hold is undone: it would outlive the test. */
	mk_instances_hold();
	/* Held: a stop still works, a start does not. */
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 1);
	/* Held twice (a hold and a freeze): both must be undone. */
	ret = mk_instances_freeze();
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret)
		mk_instances_thaw();
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), -EBUSY);
	mk_instances_thaw();
	KUNIT_EXPECT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_EQ(test, lc->nr_start, 2);
}

static void mk_lc_graceful_timeout_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	/* Asked, but never answers: reset after the timeout. */
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, false, 50), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_shutdown, 1);
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
}

static void mk_lc_cannot_ask_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	lc->shutdown_ret = -EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, false, 10000), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
}

static void mk_lc_force_stop_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_EQ(test, lc->inst->state, MK_STOPPED);
	KUNIT_EXPECT_EQ(test, lc->nr_shutdown, 0);
	KUNIT_EXPECT_EQ(test, lc->nr_force, 1);
	KUNIT_EXPECT_TRUE(test, cpu_online(lc->cpu));
}

/* What x86 asks before it uses broadcast IPI shorthands. */
static void mk_lc_owns_cpus_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	KUNIT_EXPECT_TRUE(test, multikernel_owns_cpus());
	mk_lc_run(test, lc);
	KUNIT_EXPECT_TRUE(test, multikernel_owns_cpus());
	KUNIT_ASSERT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	/* The only instance gave its CPU back. */
	KUNIT_EXPECT_FALSE(test, multikernel_owns_cpus());
	KUNIT_ASSERT_EQ(test, mk_instance_start(lc->inst), 0);
	KUNIT_EXPECT_TRUE(test, multikernel_owns_cpus());
}

static void mk_lc_destroy_running_test(struct kunit *test)
{
	struct mk_lc *lc = test->priv;

	mk_lc_run(test, lc);
	mk_lc_report(lc, MK_RUNNING, NULL);
	KUNIT_EXPECT_EQ(test, mk_instance_destroy(lc->inst), -EBUSY);
	KUNIT_EXPECT_TRUE(test, mk_instances_busy());
	KUNIT_EXPECT_EQ(test, mk_instance_stop(lc->inst, true, 0), 0);
	KUNIT_EXPECT_FALSE(test, mk_instances_busy());
}

static struct kunit_suite mk_lifecycle_suite = {
	.name = "multikernel_lifecycle",
	.init = mk_lc_init,
	.exit = mk_lc_exit,
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE(mk_lc_graceful_stop_test),
		KUNIT_CASE(mk_lc_respawn_test),
		KUNIT_CASE(mk_lc_memory_taken_test),
		KUNIT_CASE(mk_lc_cpus_taken_test),
		KUNIT_CASE(mk_lc_reload_stopped_test),
		KUNIT_CASE(mk_lc_freeze_test),
		KUNIT_CASE(mk_lc_hold_test),
		KUNIT_CASE(mk_lc_graceful_timeout_test),
		KUNIT_CASE(mk_lc_cannot_ask_test),
		KUNIT_CASE(mk_lc_force_stop_test),
		KUNIT_CASE(mk_lc_destroy_running_test),
		KUNIT_CASE(mk_lc_owns_cpus_test),
		{}
	},
};

kunit_test_suite(mk_lifecycle_suite);

MODULE_DESCRIPTION("KUnit tests for multikernel instance lifecycles");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
