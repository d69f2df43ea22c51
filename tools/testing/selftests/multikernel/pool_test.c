// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace view of the multikernel pool: /sys/kernel/multikernel/pool_size
 * and pool_free, checked against /proc/iomem and the boot command line.
 *
 * The expectation follows the boot: with a valid multikernel=<size> the
 * pool must be that size; with MK_EXPECT=nopool in the environment (the
 * harness boots a bad multikernel= value that way) no pool may exist and
 * the kernel log must say why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/multikernel.h>

#include "../kselftest_harness.h"

#define MK_SYSFS	"/sys/kernel/multikernel"
#define POOL_SIZE	MK_SYSFS "/pool_size"
#define POOL_FREE	MK_SYSFS "/pool_free"

static int read_u64(const char *path, unsigned long long *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENODATA;
	buf[n] = '\0';
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end != '\n')
		return -EINVAL;
	return 0;
}

/* The pool's range from /proc/iomem; returns how many pool lines there are. */
static int iomem_pool(unsigned long long *start, unsigned long long *end)
{
	char line[256];
	int found = 0;
	FILE *f;

	f = fopen("/proc/iomem", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, ": Multikernel pool"))
			continue;
		if (sscanf(line, " %llx-%llx", start, end) == 2)
			found++;
	}
	fclose(f);
	return found;
}

/* The size requested with multikernel= on the command line, 0 if none. */
static unsigned long long cmdline_pool_size(void)
{
	char buf[4096], *p, *end;
	unsigned long long size;
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "multikernel=");
	if (!p || (p != buf && p[-1] != ' '))
		return 0;
	size = strtoull(p + strlen("multikernel="), &end, 0);
	switch (*end) {
	case 'G': case 'g':
		size <<= 10;
		/* fallthrough */
	case 'M': case 'm':
		size <<= 10;
		/* fallthrough */
	case 'K': case 'k':
		size <<= 10;
	}
	return size;
}

static int expect_no_pool(void)
{
	const char *e = getenv("MK_EXPECT");

	return e && !strcmp(e, "nopool");
}

TEST(sysfs_files_are_read_only)
{
	const char *files[] = { POOL_SIZE, POOL_FREE };
	struct stat st;
	unsigned int i;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, stat(files[i], &st)) TH_LOG("%s: %s", files[i], strerror(errno));
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s mode %o", files[i], st.st_mode & 07777);
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
	if (expect_no_pool())
		SKIP(return, "this boot has a bad multikernel= value");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(want, size);
	/* Nothing runs yet, so all of it is free. */
	EXPECT_EQ(size, avail);
}

TEST(bad_param_reserves_nothing)
{
	unsigned long long size, avail, start, end;
	int len, found = 0;
	char *log, *line;

	if (!expect_no_pool())
		SKIP(return, "this boot has no bad multikernel= value");

	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(0, size);
	EXPECT_EQ(0, avail);
	EXPECT_EQ(0, iomem_pool(&start, &end));

	/* One clear line in the kernel log names the value and the reason. */
	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	ASSERT_LT(0, len);
	log = calloc(1, len + 1);
	ASSERT_NE(NULL, log);
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	ASSERT_LT(0, len);
	for (line = strtok(log, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "multikernel: ignoring multikernel=") &&
		    strstr(line, "no pool reserved")) {
			TH_LOG("%s", line);
			found++;
		}
	}
	free(log);
	EXPECT_EQ(1, found);
}

TEST_HARNESS_MAIN
