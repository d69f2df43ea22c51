// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the instance kernel loader: the check that keeps every
 * segment kexec_file placed inside the instance's memory, and the check
 * that a kernel file kept for later starts holds what was verified.
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/shmem_fs.h>
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

/* Bytes of the test file: more than one chunk of the loader's check. */
#define MK_FILE_SIZE	(SZ_128K + 100)

/*
 * A shmem file of MK_FILE_SIZE bytes of a pattern, with the same bytes in
 * a buffer, both released when the test ends.
 */
static struct file *mk_test_file(struct kunit *test, u8 **bytes)
{
	struct file *file;
	loff_t pos = 0;
	size_t i;
	u8 *b;

	b = kunit_kzalloc(test, MK_FILE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	for (i = 0; i < MK_FILE_SIZE; i++)
		b[i] = i * 7 + (i >> 8);
	file = shmem_file_setup("mk-loader-kunit", MK_FILE_SIZE, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kernel_write(file, b, MK_FILE_SIZE, &pos),
			(ssize_t)MK_FILE_SIZE);
	KUNIT_ASSERT_EQ(test, deny_write_access(file), 0);
	*bytes = b;
	return file;
}

static void mk_test_file_put(struct file *file)
{
	allow_write_access(file);
	fput(file);
}

static int mk_writecount(struct file *file)
{
	return atomic_read(&file_inode(file)->i_writecount);
}

/* The file holds what was verified: the segment keeps it, writers out. */
static void mk_loader_file_kept(struct kunit *test)
{
	struct mk_segment s = { .bufsz = MK_FILE_SIZE - 4096 };
	struct file *file;
	u8 *b;

	file = mk_test_file(test, &b);
	KUNIT_EXPECT_EQ(test, mk_segment_from_file(&s, file, 4096, b + 4096), 0);
	KUNIT_EXPECT_PTR_EQ(test, s.file, file);
	KUNIT_EXPECT_EQ(test, s.pos, 4096);
	/* Its own denial, beside the one the caller holds. */
	KUNIT_EXPECT_EQ(test, mk_writecount(file), -2);
	if (s.file) {
		allow_write_access(s.file);
		fput(s.file);
	}
	KUNIT_EXPECT_EQ(test, mk_writecount(file), -1);
	mk_test_file_put(file);
}

/* One byte differs, in the second chunk: refused, nothing kept. */
static void mk_loader_file_changed(struct kunit *test)
{
	struct mk_segment s = { .bufsz = MK_FILE_SIZE };
	struct file *file;
	u8 *b;

	file = mk_test_file(test, &b);
	b[SZ_64K + 1] ^= 1;
	KUNIT_EXPECT_EQ(test, mk_segment_from_file(&s, file, 0, b), -ESTALE);
	KUNIT_EXPECT_NULL(test, s.file);
	KUNIT_EXPECT_EQ(test, mk_writecount(file), -1);
	mk_test_file_put(file);
}

/* The segment reaches past the end of the file: refused, nothing kept. */
static void mk_loader_file_short(struct kunit *test)
{
	struct mk_segment s = { .bufsz = 8192 };
	struct file *file;
	u8 *b;

	file = mk_test_file(test, &b);
	KUNIT_EXPECT_EQ(test, mk_segment_from_file(&s, file, MK_FILE_SIZE - 4096,
						   b + MK_FILE_SIZE - 8192), -EIO);
	KUNIT_EXPECT_NULL(test, s.file);
	KUNIT_EXPECT_EQ(test, mk_writecount(file), -1);
	mk_test_file_put(file);
}

static struct kunit_case mk_loader_cases[] = {
	KUNIT_CASE_PARAM(mk_loader_segment_fits, mk_fits_gen_params),
	KUNIT_CASE(mk_loader_file_kept),
	KUNIT_CASE(mk_loader_file_changed),
	KUNIT_CASE(mk_loader_file_short),
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
