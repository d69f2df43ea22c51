/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the lifecycle KUnit suites share: one instance on the real
 * core, CPU hotplug and pool, with the loader and arch code stood in for.
 */
#ifndef _KERNEL_MULTIKERNEL_INSTANCE_KUNIT_H
#define _KERNEL_MULTIKERNEL_INSTANCE_KUNIT_H

#include <kunit/test.h>

#include "internal.h"

/**
 * struct mk_lc - one test's instance and how the stand-ins behave
 * @inst:		the instance under test
 * @cpu:		its CPU
 * @pool_free:		pool bytes free before the test
 * @load_ret:		what load returns; the image is dropped on failure
 * @start_ret:		what start returns
 * @force_ret:		what force_stop returns
 * @shutdown_ret:	what request_shutdown returns
 * @shutdown_reports:	request_shutdown reports the instance stopped
 * @nr_start:		calls of start
 * @nr_force:		calls of force_stop
 * @nr_shutdown:	calls of request_shutdown
 * @nr_release:		calls of release
 * @cpu_runs:		start succeeded, or failed, and no force_stop
 *			succeeded since: the CPU may run instance code
 * @released_running:	release was called while @cpu_runs
 */
struct mk_lc {
	struct mk_instance *inst;
	unsigned int cpu;
	u64 pool_free;
	int load_ret;
	int start_ret;
	int force_ret;
	int shutdown_ret;
	bool shutdown_reports;
	int nr_start;
	int nr_force;
	int nr_shutdown;
	int nr_release;
	bool cpu_runs;
	int released_running;
};

int mk_lc_init(struct kunit *test);
void mk_lc_exit(struct kunit *test);
void mk_lc_run(struct kunit *test, struct mk_lc *lc);
void mk_lc_expect_mem(struct kunit *test, struct mk_lc *lc, bool held);
void mk_lc_report(struct mk_lc *lc, enum mk_state state, const char *why);

#endif /* _KERNEL_MULTIKERNEL_INSTANCE_KUNIT_H */
