// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the instance kernel loader: the check that keeps every
 * segment kexec_file placed inside the instance's memory.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "image.h"

#define LO	0x40000000ULL
#define HI	(LO + SZ_64M)

/**
 * struct mk_fits_case - one segment and whether it fits [LO, HI)
 * @desc:	what the case checks
 * @mem:	where the segment starts
 * @memsz:	its memory size
 * @bufsz:	its file size
 * @fits:	the expected answer
 */
struct mk_fits_case {
	const char *desc;
	phys_addr_t mem;
	size_t memsz;
	size_t bufsz;
	bool fits;
};

static const struct mk_fits_case mk_fits_cases[] = {
	{ "inside", LO + SZ_1M, SZ_1M, SZ_4K, true },
	{ "the whole range", LO, SZ_64M, SZ_64M, true },
	{ "ends at the top", HI - SZ_4K, SZ_4K, 0, true },
	{ "one byte past the top", HI - SZ_4K, SZ_4K + 1, 0, false },
	{ "below the range", LO - SZ_4K, SZ_4K, 0, false },
	/* hi - mem wraps around when mem > hi: must not pass as huge room. */
	{ "above the range", HI + SZ_4K, SZ_4K, 0, false },
	{ "far above the range", (phys_addr_t)-SZ_4K, SZ_4K, 0, false },
	{ "size wraps around", LO + SZ_1M, SIZE_MAX, 0, false },
	{ "more file than memory", LO, SZ_4K, SZ_4K + 1, false },
};

static void mk_fits_desc(const struct mk_fits_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_fits, mk_fits_cases, mk_fits_desc);

static void mk_loader_segment_fits(struct kunit *test)
{
	const struct mk_fits_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mk_segment_fits(c->mem, c->memsz, c->bufsz,
					      LO, HI), c->fits);
}

static struct kunit_case mk_loader_cases[] = {
	KUNIT_CASE_PARAM(mk_loader_segment_fits, mk_fits_gen_params),
	{}
};

static struct kunit_suite mk_loader_suite = {
	.name = "multikernel_loader",
	.test_cases = mk_loader_cases,
};

kunit_test_suite(mk_loader_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel instance loader");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
