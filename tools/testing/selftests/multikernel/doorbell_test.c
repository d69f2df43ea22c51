// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace view of the multikernel doorbell: the MKD (doorbells taken)
 * and MKU (doorbells nobody waited for) rows of /proc/interrupts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../kselftest_harness.h"
#include "mk_util.h"

#define MAX_CPUS	64

struct irq_row {
	int n;				/* per-CPU counts found */
	unsigned long long count[MAX_CPUS];
};

/*
 * Read the CPU count of the header line and the per-CPU counts of the
 * rows named @a and @b. Return 0, or -ENOENT if a row is missing.
 */
static int read_rows(int *cpus, const char *a, struct irq_row *ra,
		     const char *b, struct irq_row *rb)
{
	char line[4096], name[16];
	int found = 0;
	FILE *f;

	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -errno;
	*cpus = 0;
	if (fgets(line, sizeof(line), f)) {
		char *tok = strtok(line, " \t\n");

		for (; tok; tok = strtok(NULL, " \t\n"))
			if (!strncmp(tok, "CPU", 3))
				(*cpus)++;
	}
	while (fgets(line, sizeof(line), f)) {
		struct irq_row *r;
		char *p, *end;

		if (sscanf(line, " %15[^:]:", name) != 1)
			continue;
		if (!strcmp(name, a))
			r = ra;
		else if (!strcmp(name, b))
			r = rb;
		else
			continue;
		found++;
		p = strchr(line, ':') + 1;
		for (r->n = 0; r->n < MAX_CPUS; r->n++) {
			unsigned long long v = strtoull(p, &end, 10);

			if (end == p)
				break;
			r->count[r->n] = v;
			p = end;
		}
	}
	fclose(f);
	return found == 2 ? 0 : -ENOENT;
}

TEST(rows_present_and_consistent)
{
	struct irq_row mkd = { }, mku = { };
	int cpus = 0, i, ret;

	if (access(MK_SYSFS, F_OK))
		SKIP(return, "no " MK_SYSFS ": kernel without CONFIG_MULTIKERNEL");

	ret = read_rows(&cpus, "MKD", &mkd, "MKU", &mku);
	ASSERT_EQ(0, ret) TH_LOG("MKD or MKU missing from /proc/interrupts");
	ASSERT_GT(cpus, 0);
	if (cpus > MAX_CPUS)
		SKIP(return, "more than %d CPUs", MAX_CPUS);
	/* One count per online CPU, as for every other system vector. */
	EXPECT_EQ(cpus, mkd.n);
	EXPECT_EQ(cpus, mku.n);
	/* Unexpected doorbells are a subset of the doorbells taken. */
	for (i = 0; i < mkd.n && i < mku.n; i++)
		EXPECT_LE(mku.count[i], mkd.count[i]) TH_LOG("CPU column %d", i);
}

TEST_HARNESS_MAIN
