// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel booted with a multikernel= value it cannot honour must reserve
 * nothing, boot normally and say why in one log line. The harness boots
 * such kernels (garbage, a pool overlapping crashkernel=) and runs this
 * program there; it is not in the default run list because on any other
 * boot it must fail. MK_EXPECT_WHY in the environment names a word the
 * logged reason must contain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "mk_util.h"

TEST(nothing_reserved)
{
	unsigned long long size = 0, avail = 0, start, end;
	char val[256];

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");
	ASSERT_EQ(0, cmdline_param("multikernel", val, sizeof(val)))
		TH_LOG("boot this test with a bad multikernel= value");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(0, size);
	EXPECT_EQ(0, avail);
	EXPECT_EQ(0, iomem_pool(&start, &end));
}

TEST(one_log_line_names_value)
{
	char val[256], want[300];
	const char *why;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");
	ASSERT_EQ(0, cmdline_param("multikernel", val, sizeof(val)))
		TH_LOG("boot this test with a bad multikernel= value");

	snprintf(want, sizeof(want), "multikernel: ignoring multikernel=%s: ", val);
	EXPECT_EQ(1, klog_count(want, "; no pool reserved"));
	/* The harness may name a word the reason must contain. */
	why = getenv("MK_EXPECT_WHY");
	if (why)
		EXPECT_EQ(1, klog_count(want, why));
}

TEST_HARNESS_MAIN
