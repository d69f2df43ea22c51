// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel= parser, the pool's place in the resource
 * tree and the pool allocator.
 */
#include <kunit/test.h>
#include <linux/multikernel.h>
#include <linux/sizes.h>

#include "internal.h"

#define RAM_2G	SZ_2G

struct mk_parse_case {
	const char *desc;
	const char *arg;
	int err;
	u64 size;
	u64 base;
	bool fixed;
};

static const struct mk_parse_case mk_parse_cases[] = {
	{ "size only", "64M", 0, SZ_64M, 0, false },
	{ "size in bytes", "4194304", 0, SZ_4M, 0, false },
	{ "size and address", "128M@0x10000000", 0, SZ_128M, 0x10000000, true },
	{ "address with suffix", "256M@1G", 0, SZ_256M, SZ_1G, true },
	{ "address zero", "2M@0", 0, SZ_2M, 0, true },
	{ "no value", NULL, -EINVAL },
	{ "empty value", "", -EINVAL },
	{ "garbage", "lots", -EINVAL },
	{ "negative", "-64M", -EINVAL },
	{ "unknown suffix", "64MB", -EINVAL },
	{ "trailing text", "64M,foo", -EINVAL },
	{ "no address after @", "64M@", -EINVAL },
	{ "garbage address", "64M@here", -EINVAL },
	{ "garbage after address", "64M@16Mx", -EINVAL },
	{ "zero", "0", -EINVAL },
	{ "zero with address", "0@16M", -EINVAL },
	{ "size not 2M multiple", "3M", -EINVAL },
	{ "size of one page", "4K", -EINVAL },
	{ "address not 2M aligned", "64M@0x100000", -EINVAL },
	{ "address off by a page", "64M@0x10001000", -EINVAL },
	{ "wraps around", "64M@0xfffffffffe000000", -EINVAL },
	{ "larger than RAM", "4G", -E2BIG },
	{ "equal to RAM", "2G", -E2BIG },
	{ "larger than RAM, fixed", "3G@1G", -E2BIG },
};

static void mk_parse_case_desc(const struct mk_parse_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_parse, mk_parse_cases, mk_parse_case_desc);

static void mk_pool_parse_test(struct kunit *test)
{
	const struct mk_parse_case *c = test->param_value;
	struct mk_pool_req req = { };
	const char *why = NULL;
	int ret;

	ret = mk_pool_parse(c->arg, RAM_2G, &req, &why);
	KUNIT_EXPECT_EQ(test, ret, c->err);
	if (c->err) {
		/* Every refusal must say why in the boot log. */
		KUNIT_EXPECT_NOT_NULL(test, why);
		return;
	}
	KUNIT_EXPECT_EQ(test, req.size, c->size);
	KUNIT_EXPECT_EQ(test, req.base, c->base);
	KUNIT_EXPECT_EQ(test, req.fixed, c->fixed);
}

struct mk_overlap_case {
	const char *desc;
	u64 a, alen, b, blen;
	bool overlap;
};

static const struct mk_overlap_case mk_overlap_cases[] = {
	{ "disjoint", 0, SZ_16M, SZ_32M, SZ_16M, false },
	{ "adjacent below", 0, SZ_16M, SZ_16M, SZ_16M, false },
	{ "adjacent above", SZ_16M, SZ_16M, 0, SZ_16M, false },
	{ "last byte shared", 0, SZ_16M + 1, SZ_16M, SZ_16M, true },
	{ "contained", SZ_16M, SZ_2M, 0, SZ_64M, true },
	{ "containing", 0, SZ_64M, SZ_16M, SZ_2M, true },
	{ "identical", SZ_16M, SZ_16M, SZ_16M, SZ_16M, true },
	{ "empty first", SZ_16M, 0, 0, SZ_64M, false },
	{ "empty second", 0, SZ_64M, SZ_16M, 0, false },
	{ "up to the top", U64_MAX - SZ_2M + 1, SZ_2M, U64_MAX, 1, true },
};

static void mk_overlap_case_desc(const struct mk_overlap_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_overlap, mk_overlap_cases, mk_overlap_case_desc);

static void mk_ranges_overlap_test(struct kunit *test)
{
	const struct mk_overlap_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mk_ranges_overlap(c->a, c->alen, c->b, c->blen),
			c->overlap);
	/* Overlap is symmetric. */
	KUNIT_EXPECT_EQ(test, mk_ranges_overlap(c->b, c->blen, c->a, c->alen),
			c->overlap);
}

/*
 * mk_pool_lift() on a tree of its own, shaped like /proc/iomem: System RAM
 * at 1-9 MiB holding the kernel's code at 2-3 MiB and a crashkernel=
 * reservation at 7-8 MiB, and a device window at 10-11 MiB.
 */
struct mk_lift_case {
	const char *desc;
	u64 start, end;		/* the pool */
	int ret;
	const char *tree;	/* the tree afterwards, as mk_lift_show() puts it */
};

static const struct mk_lift_case mk_lift_cases[] = {
	{ "in the middle", 0x400000, 0x5fffff, 0,
	  "System RAM 100000-3fffff [Kernel code 200000-2fffff]; "
	  "Multikernel pool 400000-5fffff; "
	  "System RAM 600000-8fffff [Crash kernel 700000-7fffff]; "
	  "PCI Bus a00000-afffff" },
	{ "at the bottom", 0x100000, 0x1fffff, 0,
	  "Multikernel pool 100000-1fffff; "
	  "System RAM 200000-8fffff [Kernel code 200000-2fffff, Crash kernel 700000-7fffff]; "
	  "PCI Bus a00000-afffff" },
	{ "at the top", 0x800000, 0x8fffff, 0,
	  "System RAM 100000-7fffff [Kernel code 200000-2fffff, Crash kernel 700000-7fffff]; "
	  "Multikernel pool 800000-8fffff; "
	  "PCI Bus a00000-afffff" },
	{ "outside any RAM", 0xc00000, 0xcfffff, 0,
	  "System RAM 100000-8fffff [Kernel code 200000-2fffff, Crash kernel 700000-7fffff]; "
	  "PCI Bus a00000-afffff; "
	  "Multikernel pool c00000-cfffff" },
	{ "holding a nested resource", 0x600000, 0x7fffff, -ERANGE,
	  "System RAM 100000-8fffff [Kernel code 200000-2fffff, Multikernel pool 600000-7fffff]; "
	  "PCI Bus a00000-afffff" },
	/* insert_resource() puts the larger-or-equal new one above. */
	{ "all of the RAM", 0x100000, 0x8fffff, -ERANGE,
	  "Multikernel pool 100000-8fffff [System RAM 100000-8fffff]; "
	  "PCI Bus a00000-afffff" },
	{ "across the end of RAM", 0x800000, 0x9fffff, -EBUSY,
	  "System RAM 100000-8fffff [Kernel code 200000-2fffff, Crash kernel 700000-7fffff]; "
	  "PCI Bus a00000-afffff" },
	{ "inside a device window", 0xa00000, 0xa1ffff, -EBUSY,
	  "System RAM 100000-8fffff [Kernel code 200000-2fffff, Crash kernel 700000-7fffff]; "
	  "PCI Bus a00000-afffff [Multikernel pool a00000-a1ffff]" },
};

static void mk_lift_case_desc(const struct mk_lift_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_lift, mk_lift_cases, mk_lift_case_desc);

/* The top level of @root, each with what is nested one level below it. */
static void mk_lift_show(const struct resource *root, char *buf, size_t len)
{
	const struct resource *r, *c;
	size_t n = 0;

	buf[0] = '\0';
	for (r = root->child; r; r = r->sibling) {
		n += scnprintf(buf + n, len - n, "%s%s %llx-%llx", n ? "; " : "",
			       r->name, (u64)r->start, (u64)r->end);
		for (c = r->child; c; c = c->sibling)
			n += scnprintf(buf + n, len - n, "%s%s %llx-%llx",
				       c == r->child ? " [" : ", ", c->name,
				       (u64)c->start, (u64)c->end);
		if (r->child)
			n += scnprintf(buf + n, len - n, "]");
	}
}

#define MK_RES(n, s, e, f) ((struct resource) {				\
	.name = (n), .start = (s), .end = (e), .flags = (f) })

static void mk_pool_lift_test(struct kunit *test)
{
	const struct mk_lift_case *c = test->param_value;
	const unsigned long ram = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY;
	struct resource *r = kunit_kcalloc(test, 7, sizeof(*r), GFP_KERNEL);
	struct resource *root = &r[0], *pool = &r[5], *above = &r[6];
	char *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	*root = MK_RES("test iomem", 0, 0xffffffff, IORESOURCE_MEM);
	r[1] = MK_RES("System RAM", 0x100000, 0x8fffff, ram);
	r[2] = MK_RES("Kernel code", 0x200000, 0x2fffff, ram);
	r[3] = MK_RES("Crash kernel", 0x700000, 0x7fffff, ram);
	r[4] = MK_RES("PCI Bus", 0xa00000, 0xafffff, IORESOURCE_MEM);
	*pool = MK_RES("Multikernel pool", c->start, c->end, ram);
	KUNIT_ASSERT_EQ(test, request_resource(root, &r[1]), 0);
	KUNIT_ASSERT_EQ(test, request_resource(&r[1], &r[2]), 0);
	KUNIT_ASSERT_EQ(test, request_resource(&r[1], &r[3]), 0);
	KUNIT_ASSERT_EQ(test, request_resource(root, &r[4]), 0);

	ret = mk_pool_lift(root, pool, above);
	KUNIT_EXPECT_EQ(test, ret, c->ret);
	mk_lift_show(root, buf, 512);
	KUNIT_EXPECT_STREQ(test, buf, c->tree);
	/* The piece above the pool is a new resource only when both are left. */
	if (above->parent)
		KUNIT_EXPECT_PTR_EQ(test, above->parent, root);
	/* Every piece keeps the flags of system RAM. */
	for (r = root->child; r; r = r->sibling)
		if (!strcmp(r->name, "System RAM"))
			KUNIT_EXPECT_EQ(test, r->flags, ram);
}

static struct kunit_suite mk_pool_param_suite = {
	.name = "multikernel_pool_param",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE_PARAM(mk_pool_parse_test, mk_parse_gen_params),
		KUNIT_CASE_PARAM(mk_ranges_overlap_test, mk_overlap_gen_params),
		KUNIT_CASE_PARAM(mk_pool_lift_test, mk_lift_gen_params),
		{}
	},
};

/*
 * The allocator never touches the memory it hands out, so the tests use
 * an address range that need not exist.
 */
#define TEST_BASE	(16ULL << 30)
#define TEST_SIZE	SZ_16M

static int mk_pool_test_init(struct kunit *test)
{
	struct mk_pool *pool;

	pool = kunit_kzalloc(test, sizeof(*pool), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pool);
	KUNIT_ASSERT_EQ(test, mk_pool_init(pool, TEST_BASE, TEST_SIZE), 0);
	test->priv = pool;
	return 0;
}

static void mk_pool_test_exit(struct kunit *test)
{
	mk_pool_destroy(test->priv);
}

static void mk_pool_carve_return_test(struct kunit *test)
{
	struct mk_pool *pool = test->priv;
	phys_addr_t a, b;

	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &a), 0);
	KUNIT_EXPECT_EQ(test, a, TEST_BASE);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_8M, &b), 0);
	KUNIT_EXPECT_EQ(test, b, TEST_BASE + SZ_4M);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), SZ_4M);

	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), SZ_8M);
	/* First fit reuses the hole at the bottom. */
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_2M, &a), 0);
	KUNIT_EXPECT_EQ(test, a, TEST_BASE);

	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, b, SZ_8M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
}

static void mk_pool_exhaust_test(struct kunit *test)
{
	struct mk_pool *pool = test->priv;
	phys_addr_t a, b, c;

	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, TEST_SIZE, &a), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, SZ_2M, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, TEST_SIZE), 0);

	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, TEST_SIZE + SZ_2M, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);

	/* 8M free in two 4M holes is not 8M contiguous. */
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &a), 0);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_8M, &b), 0);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &c), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, c, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), SZ_8M);
	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, SZ_8M, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, b, SZ_8M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
}

static void mk_pool_bad_input_test(struct kunit *test)
{
	struct mk_pool *pool = test->priv;
	phys_addr_t a;

	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, 0, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, SZ_1M, &a), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve(pool, SZ_2M + SZ_4K, &a), -EINVAL);

	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &a), 0);
	/* Not carved, outside, misaligned, partly outside: all refused. */
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a + SZ_4M, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, TEST_BASE - SZ_2M, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, TEST_BASE + TEST_SIZE, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a + SZ_4K, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_8M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, TEST_BASE + SZ_8M, SZ_16M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE - SZ_4M);

	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_4M), 0);
	/* A second return of the same range is refused, not double counted. */
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_4M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
}

static void mk_pool_carve_at_test(struct kunit *test)
{
	struct mk_pool *pool = test->priv;
	phys_addr_t a, b;

	/* A range given back is taken again at the same address. */
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &a), 0);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_4M, &b), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, b, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, b, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE - SZ_8M);

	/* Taken already, wholly or in part: refused, nothing taken. */
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, b, SZ_4M), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, b + SZ_2M, SZ_4M), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, a, SZ_16M), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE - SZ_8M);

	/* Someone else got the hole first: the old owner cannot have it. */
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, a, SZ_4M), 0);
	KUNIT_ASSERT_EQ(test, mk_pool_carve(pool, SZ_2M, &a), 0);
	KUNIT_EXPECT_EQ(test, a, TEST_BASE);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE, SZ_4M), -EADDRINUSE);
	/* The free part next to it is still there to take. */
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE + SZ_2M, SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, TEST_BASE, SZ_4M), 0);

	/* The top end of the pool. */
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE + TEST_SIZE - SZ_2M,
					       SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, TEST_BASE + TEST_SIZE - SZ_2M,
					     SZ_2M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_return(pool, b, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
}

static void mk_pool_carve_at_bad_input_test(struct kunit *test)
{
	struct mk_pool *pool = test->priv;
	struct mk_pool none = { };

	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE, SZ_1M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE + SZ_4K, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE - SZ_2M, SZ_2M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE - SZ_2M, SZ_4M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE + TEST_SIZE, SZ_2M),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE + SZ_8M, SZ_16M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(pool, TEST_BASE, TEST_SIZE + SZ_2M),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(pool), TEST_SIZE);
	/* No pool at all. */
	KUNIT_EXPECT_EQ(test, mk_pool_carve_at(&none, TEST_BASE, SZ_2M), -EINVAL);
}

static void mk_pool_init_test(struct kunit *test)
{
	struct mk_pool pool = { };
	phys_addr_t a;

	KUNIT_EXPECT_EQ(test, mk_pool_init(&pool, TEST_BASE, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_init(&pool, TEST_BASE + SZ_1M, SZ_4M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_init(&pool, TEST_BASE, SZ_4M + SZ_4K), -EINVAL);

	/* No pool at all: nothing free, nothing to carve. */
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&pool), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_carve(&pool, SZ_2M, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_pool_return(&pool, TEST_BASE, SZ_2M), -EINVAL);
}

static struct kunit_suite mk_pool_suite = {
	.name = "multikernel_pool",
	.init = mk_pool_test_init,
	.exit = mk_pool_test_exit,
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE(mk_pool_carve_return_test),
		KUNIT_CASE(mk_pool_exhaust_test),
		KUNIT_CASE(mk_pool_bad_input_test),
		KUNIT_CASE(mk_pool_carve_at_test),
		KUNIT_CASE(mk_pool_carve_at_bad_input_test),
		KUNIT_CASE(mk_pool_init_test),
		{}
	},
};

kunit_test_suites(&mk_pool_param_suite, &mk_pool_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel pool");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
