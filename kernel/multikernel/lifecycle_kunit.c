// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the instance lifecycle: the state machine, instance
 * names, CPU lists and CPU checks (all pure), and the clearing of
 * instance memory carved from the boot-time pool.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "internal.h"

/* Every allowed transition; all others must be refused. */
static const struct {
	enum mk_state from, to;
} mk_allowed[] = {
	{ MK_EMPTY, MK_LOADED },
	{ MK_LOADED, MK_LOADED },	/* reload */
	{ MK_LOADED, MK_EMPTY },	/* a failed reload dropped the image */
	{ MK_LOADED, MK_STARTING },
	{ MK_STARTING, MK_RUNNING },
	{ MK_STARTING, MK_STOPPING },
	{ MK_STARTING, MK_STOPPED },	/* powered off while booting */
	{ MK_STARTING, MK_CRASHED },
	{ MK_STARTING, MK_LOADED },	/* start failed, back to loaded */
	{ MK_RUNNING, MK_STOPPING },
	{ MK_RUNNING, MK_STOPPED },	/* powered off by itself */
	{ MK_RUNNING, MK_CRASHED },
	{ MK_STOPPING, MK_STOPPED },
	{ MK_STOPPING, MK_CRASHED },	/* panic while stopping, or no INIT */
	{ MK_STOPPED, MK_STARTING },	/* respawn */
	{ MK_STOPPED, MK_LOADED },	/* reload */
	{ MK_STOPPED, MK_EMPTY },	/* a failed reload dropped the image */
	{ MK_CRASHED, MK_STOPPING },
};

static bool mk_expect_allowed(enum mk_state from, enum mk_state to)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mk_allowed); i++)
		if (mk_allowed[i].from == from && mk_allowed[i].to == to)
			return true;
	return false;
}

static void mk_transition_table_test(struct kunit *test)
{
	enum mk_state from, to;

	for (from = 0; from < MK_NR_STATES; from++)
		for (to = 0; to < MK_NR_STATES; to++)
			KUNIT_EXPECT_EQ_MSG(test, mk_state_transition_ok(from, to),
					    mk_expect_allowed(from, to),
					    "%s -> %s", mk_state_name(from),
					    mk_state_name(to));
}

static void mk_transition_range_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, mk_state_transition_ok(MK_NR_STATES, MK_EMPTY));
	KUNIT_EXPECT_FALSE(test, mk_state_transition_ok(MK_EMPTY, MK_NR_STATES));
	KUNIT_EXPECT_FALSE(test, mk_state_transition_ok(-1, MK_LOADED));
	KUNIT_EXPECT_STREQ(test, mk_state_name(MK_NR_STATES), "unknown");
}

/* Every state can be left again: nothing gets stuck. */
static void mk_transition_no_dead_end_test(struct kunit *test)
{
	enum mk_state from, to;

	for (from = 0; from < MK_NR_STATES; from++) {
		bool out = false;

		for (to = 0; to < MK_NR_STATES; to++)
			if (to != from && mk_state_transition_ok(from, to))
				out = true;
		KUNIT_EXPECT_TRUE_MSG(test, out, "%s is a dead end",
				      mk_state_name(from));
	}
}

static void mk_state_names_test(struct kunit *test)
{
	static const char * const names[] = {
		"empty", "loaded", "starting", "running", "stopping",
		"stopped", "crashed",
	};
	enum mk_state s;

	KUNIT_ASSERT_EQ(test, ARRAY_SIZE(names), MK_NR_STATES);
	for (s = 0; s < MK_NR_STATES; s++)
		KUNIT_EXPECT_STREQ(test, mk_state_name(s), names[s]);
}

struct mk_op_case {
	enum mk_op op;
	int err[MK_NR_STATES];	/* indexed by state */
};

/*       empty    loaded   starting running  stopping stopped  crashed */
static const struct mk_op_case mk_op_cases[] = {
	{ MK_OP_LOAD,
	  { 0,       0,       -EBUSY,  -EBUSY,  -EBUSY,  0,       -EBUSY } },
	{ MK_OP_START,
	  { -EINVAL, 0,       -EBUSY,  -EBUSY,  -EBUSY,  0,       -EBUSY } },
	{ MK_OP_STOP,
	  { -EINVAL, -EINVAL, 0,       0,       0,       -EINVAL, 0 } },
	{ MK_OP_DESTROY,
	  { 0,       0,       -EBUSY,  -EBUSY,  -EBUSY,  0,       -EBUSY } },
};

static void mk_op_check_test(struct kunit *test)
{
	enum mk_state s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mk_op_cases); i++)
		for (s = 0; s < MK_NR_STATES; s++)
			KUNIT_EXPECT_EQ_MSG(test,
					    mk_state_op_check(mk_op_cases[i].op, s),
					    mk_op_cases[i].err[s],
					    "op %d in state %s", mk_op_cases[i].op,
					    mk_state_name(s));
	KUNIT_EXPECT_EQ(test, mk_state_op_check(MK_OP_LOAD, MK_NR_STATES), -EINVAL);
}

/* An operation's target state is always reachable from where it is allowed. */
static void mk_op_matches_transitions_test(struct kunit *test)
{
	enum mk_state s;

	for (s = 0; s < MK_NR_STATES; s++) {
		if (!mk_state_op_check(MK_OP_LOAD, s))
			KUNIT_EXPECT_TRUE(test, mk_state_transition_ok(s, MK_LOADED));
		if (!mk_state_op_check(MK_OP_START, s))
			KUNIT_EXPECT_TRUE(test, mk_state_transition_ok(s, MK_STARTING));
		if (!mk_state_op_check(MK_OP_STOP, s) && s != MK_STOPPING)
			KUNIT_EXPECT_TRUE(test, mk_state_transition_ok(s, MK_STOPPING));
	}
}

static struct kunit_suite mk_state_suite = {
	.name = "multikernel_state",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE(mk_transition_table_test),
		KUNIT_CASE(mk_transition_range_test),
		KUNIT_CASE(mk_transition_no_dead_end_test),
		KUNIT_CASE(mk_state_names_test),
		KUNIT_CASE(mk_op_check_test),
		KUNIT_CASE(mk_op_matches_transitions_test),
		{}
	},
};

struct mk_name_case {
	const char *desc;
	const char *name;
	int err;
};

static const struct mk_name_case mk_name_cases[] = {
	{ "one letter", "a", 0 },
	{ "digits", "0123456789", 0 },
	{ "dash and underscore", "vm-1_b", 0 },
	{ "leading dash", "-a", 0 },
	{ "32 characters", "abcdefghijklmnopqrstuvwxyz012345", 0 },
	{ "empty", "", -EINVAL },
	{ "33 characters", "abcdefghijklmnopqrstuvwxyz0123456", -EINVAL },
	{ "upper case", "Vm1", -EINVAL },
	{ "blank", "a b", -EINVAL },
	{ "slash", "a/b", -EINVAL },
	{ "dot", "a.b", -EINVAL },
	{ "dot only", ".", -EINVAL },
	{ "newline", "a\n", -EINVAL },
	{ "non-ASCII", "caf\xc3\xa9", -EINVAL },
};

static void mk_name_case_desc(const struct mk_name_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_name, mk_name_cases, mk_name_case_desc);

static void mk_name_check_test(struct kunit *test)
{
	const struct mk_name_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mk_name_check(c->name, strlen(c->name)), c->err);
}

/* Only @len characters count: a valid prefix of a bad string is valid. */
static void mk_name_len_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, mk_name_check("ab/c", 2), 0);
	KUNIT_EXPECT_EQ(test, mk_name_check("ab", 0), -EINVAL);
}

static struct kunit_suite mk_name_suite = {
	.name = "multikernel_name",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE_PARAM(mk_name_check_test, mk_name_gen_params),
		KUNIT_CASE(mk_name_len_test),
		{}
	},
};

#define TEST_NBITS	8

struct mk_cpulist_case {
	const char *desc;
	const char *list;
	int err;
	unsigned long want;	/* bits 0..TEST_NBITS-1 */
};

static const struct mk_cpulist_case mk_cpulist_cases[] = {
	{ "one CPU", "2", 0, 0x04 },
	{ "range", "2-3", 0, 0x0c },
	{ "list", "2,3", 0, 0x0c },
	{ "mixed", "1,3,5-7", 0, 0xea },
	{ "range of one", "3-3", 0, 0x08 },
	{ "overlapping items", "2-4,3", 0, 0x1c },
	{ "last CPU", "7", 0, 0x80 },
	{ "leading zero", "03", 0, 0x08 },
	{ "empty", "", -EINVAL },
	{ "comma only", ",", -EINVAL },
	{ "trailing comma", "2,", -EINVAL },
	{ "leading comma", ",2", -EINVAL },
	{ "empty item", "2,,3", -EINVAL },
	{ "reversed range", "3-2", -EINVAL },
	{ "open range start", "-3", -EINVAL },
	{ "open range end", "2-", -EINVAL },
	{ "double range", "2-3-4", -EINVAL },
	{ "letters", "cpu2", -EINVAL },
	{ "hex", "0x2", -EINVAL },
	{ "sign", "+2", -EINVAL },
	{ "leading blank", " 2", -EINVAL },
	{ "trailing blank", "2 ", -EINVAL },
	{ "trailing newline", "2\n", -EINVAL },
	{ "stride syntax", "0-7:2/4", -EINVAL },
	{ "all keyword", "all", -EINVAL },
	{ "N for the last CPU", "2-N", -EINVAL },
	{ "CPU past the end", "8", -ERANGE },
	{ "range past the end", "6-8", -ERANGE },
	{ "overflow", "99999999999999999999999", -ERANGE },
	{ "overflow in range", "1-18446744073709551617", -ERANGE },
};

static void mk_cpulist_case_desc(const struct mk_cpulist_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_cpulist, mk_cpulist_cases, mk_cpulist_case_desc);

static void mk_cpulist_parse_test(struct kunit *test)
{
	const struct mk_cpulist_case *c = test->param_value;
	DECLARE_BITMAP(bits, TEST_NBITS);
	int ret;

	bitmap_fill(bits, TEST_NBITS);
	ret = mk_cpulist_parse(c->list, strlen(c->list), bits, TEST_NBITS);
	KUNIT_EXPECT_EQ(test, ret, c->err);
	if (!c->err)
		KUNIT_EXPECT_EQ(test, bits[0], c->want);
}

/* The length bounds the text: no NUL is needed and none is looked for. */
static void mk_cpulist_len_test(struct kunit *test)
{
	DECLARE_BITMAP(bits, TEST_NBITS);

	KUNIT_EXPECT_EQ(test, mk_cpulist_parse("2,3", 1, bits, TEST_NBITS), 0);
	KUNIT_EXPECT_EQ(test, bits[0], 0x04UL);
	KUNIT_EXPECT_EQ(test, mk_cpulist_parse("2,3", 2, bits, TEST_NBITS), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_cpulist_parse("2-3", 0, bits, TEST_NBITS), -EINVAL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, TEST_NBITS));
}

/* A list that fails part way leaves nothing set. */
static void mk_cpulist_partial_test(struct kunit *test)
{
	DECLARE_BITMAP(bits, TEST_NBITS);

	KUNIT_EXPECT_EQ(test, mk_cpulist_parse("2,3,x", 5, bits, TEST_NBITS), -EINVAL);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, TEST_NBITS));
	KUNIT_EXPECT_EQ(test, mk_cpulist_parse("2,9", 3, bits, TEST_NBITS), -ERANGE);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(bits, TEST_NBITS));
}

static struct kunit_suite mk_cpulist_suite = {
	.name = "multikernel_cpulist",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE_PARAM(mk_cpulist_parse_test, mk_cpulist_gen_params),
		KUNIT_CASE(mk_cpulist_len_test),
		KUNIT_CASE(mk_cpulist_partial_test),
		{}
	},
};

struct mk_cpus_case {
	const char *desc;
	unsigned long want, claimed, present, online;
	int err;
};

static const struct mk_cpus_case mk_cpus_cases[] = {
	{ "one free CPU", 0x04, 0x00, 0x0f, 0x0f, 0 },
	{ "two free CPUs", 0x0c, 0x02, 0x0f, 0x0f, 0 },
	{ "an offline CPU", 0x08, 0x00, 0x0f, 0x07, 0 },
	{ "all but CPU 0", 0x0e, 0x00, 0x0f, 0x0f, 0 },
	{ "empty", 0x00, 0x00, 0x0f, 0x0f, -EINVAL },
	{ "CPU 0", 0x01, 0x00, 0x0f, 0x0f, -EINVAL },
	{ "CPU 0 among others", 0x03, 0x00, 0x0f, 0x0f, -EINVAL },
	{ "not present", 0x10, 0x00, 0x0f, 0x0f, -EINVAL },
	{ "one of two not present", 0x18, 0x00, 0x0f, 0x0f, -EINVAL },
	{ "claimed", 0x04, 0x04, 0x0f, 0x0f, -EBUSY },
	{ "one of two claimed", 0x0c, 0x08, 0x0f, 0x0f, -EBUSY },
	{ "the last online CPU", 0x04, 0x00, 0x0f, 0x04, -EBUSY },
	{ "every online CPU", 0x0c, 0x00, 0x0f, 0x0c, -EBUSY },
};

static void mk_cpus_case_desc(const struct mk_cpus_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_cpus, mk_cpus_cases, mk_cpus_case_desc);

static void mk_cpus_check_test(struct kunit *test)
{
	const struct mk_cpus_case *c = test->param_value;
	struct cpumask *m;

	/* want, claimed, present, online; only the low bits matter. */
	m = kunit_kcalloc(test, 4, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	bitmap_from_arr32(cpumask_bits(&m[0]), (u32 []){ c->want }, 32);
	bitmap_from_arr32(cpumask_bits(&m[1]), (u32 []){ c->claimed }, 32);
	bitmap_from_arr32(cpumask_bits(&m[2]), (u32 []){ c->present }, 32);
	bitmap_from_arr32(cpumask_bits(&m[3]), (u32 []){ c->online }, 32);
	KUNIT_EXPECT_EQ(test, mk_cpus_check(&m[0], &m[1], &m[2], &m[3]), c->err);
}

static struct kunit_suite mk_cpus_suite = {
	.name = "multikernel_cpus",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE_PARAM(mk_cpus_check_test, mk_cpus_gen_params),
		{}
	},
};

/*
 * Instance memory comes from the real pool, so these run only on a kernel
 * booted with multikernel=; they carve the lowest free range and give it
 * back.
 */
static bool mk_mem_is(struct kunit *test, struct mk_instance *inst, u8 val)
{
	u64 off;
	u8 *p;
	bool same = true;

	for (off = 0; off < inst->mem_size && same; off += SZ_2M) {
		p = memremap(inst->mem_base + off, SZ_2M, MEMREMAP_WB);
		KUNIT_ASSERT_NOT_NULL(test, p);
		same = !memchr_inv(p, val, SZ_2M);
		memunmap(p);
	}
	return same;
}

static void mk_mem_fill(struct kunit *test, struct mk_instance *inst, u8 val)
{
	u64 off;
	u8 *p;

	for (off = 0; off < inst->mem_size; off += SZ_2M) {
		p = memremap(inst->mem_base + off, SZ_2M, MEMREMAP_WB);
		KUNIT_ASSERT_NOT_NULL(test, p);
		memset(p, val, SZ_2M);
		memunmap(p);
	}
}

static void mk_mem_cleared_test(struct kunit *test)
{
	struct mk_instance *inst;
	u64 before = mk_pool_free_bytes(&mk_host_pool);
	phys_addr_t base;

	if (before < SZ_4M)
		kunit_skip(test, "no pool with 4 MiB free (boot with multikernel=)");
	inst = kunit_kzalloc(test, sizeof(*inst), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inst);
	strscpy(inst->name, "kunit", sizeof(inst->name));

	KUNIT_ASSERT_EQ(test, mk_mem_alloc(inst, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), before - SZ_4M);
	base = inst->mem_base;

	/* Cleared when carved. */
	mk_mem_fill(test, inst, 0xa5);
	mk_mem_clear(inst);
	KUNIT_EXPECT_TRUE(test, mk_mem_is(test, inst, 0));

	/* Cleared when returned: first fit hands out the same range again. */
	mk_mem_fill(test, inst, 0x5a);
	mk_mem_free(inst);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), before);
	KUNIT_ASSERT_EQ(test, mk_mem_alloc(inst, SZ_4M), 0);
	KUNIT_EXPECT_EQ(test, inst->mem_base, base);
	KUNIT_EXPECT_TRUE(test, mk_mem_is(test, inst, 0));
	mk_mem_free(inst);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), before);
}

static void mk_mem_nospace_test(struct kunit *test)
{
	struct mk_instance *inst;
	u64 before = mk_pool_free_bytes(&mk_host_pool);

	inst = kunit_kzalloc(test, sizeof(*inst), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inst);
	KUNIT_EXPECT_EQ(test, mk_mem_alloc(inst, before + SZ_2M), -ENOSPC);
	KUNIT_EXPECT_EQ(test, mk_mem_alloc(inst, SZ_1M), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pool_free_bytes(&mk_host_pool), before);
}

static struct kunit_suite mk_mem_suite = {
	.name = "multikernel_mem",
	.test_cases = (struct kunit_case[]) {
		KUNIT_CASE(mk_mem_cleared_test),
		KUNIT_CASE(mk_mem_nospace_test),
		{}
	},
};

kunit_test_suites(&mk_state_suite, &mk_name_suite, &mk_cpulist_suite,
		  &mk_cpus_suite, &mk_mem_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel instance lifecycle");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
