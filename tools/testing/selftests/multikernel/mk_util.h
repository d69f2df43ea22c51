/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the multikernel selftests: sysfs numbers, the pool's
 * /proc/iomem entry, boot parameters and the kernel log.
 */
#ifndef MK_UTIL_H
#define MK_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#define MK_SYSFS	"/sys/kernel/multikernel"
#define POOL_SIZE	MK_SYSFS "/pool_size"
#define POOL_FREE	MK_SYSFS "/pool_free"

/* Read one decimal number followed by a newline from a sysfs file. */
static inline int read_u64(const char *path, unsigned long long *val)
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
static inline int iomem_pool(unsigned long long *start, unsigned long long *end)
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

/*
 * Copy the value of boot parameter @name ("name=value") from /proc/cmdline
 * into @val. Returns 0, or -ENOENT when the parameter is absent.
 */
static inline int cmdline_param(const char *name, char *val, size_t len)
{
	char buf[4096], *tok, *save;
	size_t nlen = strlen(name);
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = '\0';
	/* The command line ends with a newline; make it one more separator. */
	if (buf[n - 1] == '\n')
		buf[n - 1] = ' ';
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, name, nlen) && tok[nlen] == '=') {
			snprintf(val, len, "%s", tok + nlen + 1);
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * Count the kernel log lines containing both @a and @b; print each one.
 * Returns the count or -errno.
 */
/* The kernel log, NUL-terminated, to be freed; NULL on failure. */
static inline char *klog_all(void)
{
	char *log;
	int len;

	len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	if (len <= 0)
		return NULL;
	log = calloc(1, len + 1);
	if (!log)
		return NULL;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, len);
	if (len < 0) {
		free(log);
		return NULL;
	}
	return log;
}

static inline int klog_count(const char *a, const char *b)
{
	char *log, *line, *save;
	int found = 0;

	log = klog_all();
	if (!log)
		return -ENOMEM;
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strstr(line, a) && strstr(line, b)) {
			printf("# log: %s\n", line);
			found++;
		}
	}
	free(log);
	return found;
}

#endif /* MK_UTIL_H */
