// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace view of the multikernel pool on a kernel booted with a valid
 * multikernel=<size>: /sys/kernel/multikernel/pool_size and pool_free,
 * checked against /proc/iomem and the boot command line.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/multikernel.h>

#include "../kselftest_harness.h"
#include "mk_util.h"

/* The size requested with multikernel= on the command line, 0 if none. */
static unsigned long long cmdline_pool_size(void)
{
	static const char units[] = "KMGT";
	unsigned long long size;
	const char *unit;
	char val[64], *end;

	if (cmdline_param("multikernel", val, sizeof(val)))
		return 0;
	size = strtoull(val, &end, 0);
	unit = strchr(units, toupper((unsigned char)*end));
	if (*end && unit)
		size <<= 10 * (unit - units + 1);
	return size;
}

TEST(sysfs_files_are_read_only)
{
	static const char * const files[] = { POOL_SIZE, POOL_FREE };
	struct stat st;
	unsigned int i;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, stat(files[i], &st))
			TH_LOG("%s: %s", files[i], strerror(errno));
		EXPECT_EQ(0444, st.st_mode & 07777)
			TH_LOG("%s mode %o", files[i], st.st_mode & 07777);
		/* Even root cannot open them for writing. */
		EXPECT_EQ(-1, open(files[i], O_WRONLY));
		EXPECT_EQ(EACCES, errno);
	}
}

TEST(pool_free_within_pool_size)
{
	unsigned long long size, avail;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_LE(avail, size);
	EXPECT_EQ(0, size % MULTIKERNEL_POOL_ALIGN);
	EXPECT_EQ(0, avail % MULTIKERNEL_POOL_ALIGN);
}

TEST(pool_matches_iomem)
{
	unsigned long long size, start = 0, end = 0;
	int lines;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	lines = iomem_pool(&start, &end);
	ASSERT_LE(0, lines);
	if (!size) {
		EXPECT_EQ(0, lines);
		return;
	}
	ASSERT_EQ(1, lines);
	EXPECT_EQ(size, end - start + 1);
	EXPECT_EQ(0, start % MULTIKERNEL_POOL_ALIGN);
}

TEST(pool_matches_cmdline)
{
	unsigned long long want = cmdline_pool_size(), size, avail;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(want, size);
	/* Nothing runs yet, so all of it is free. */
	EXPECT_EQ(size, avail);
}

TEST_HARNESS_MAIN
