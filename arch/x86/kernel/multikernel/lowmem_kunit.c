// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test for the low-memory windows of x86 multikernel instances:
 * a window is handed out clear, whatever its last user left in it, and
 * one kept for an instance an old host left is that instance's alone.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/page.h>

#include "mk_x86.h"

/* A low-memory window is handed out clear, whoever had it before. */
static void mk_low_window_cleared(struct kunit *test)
{
	phys_addr_t base, again;
	const u8 *p;
	size_t i;

	if (mk_low_alloc(&base))
		kunit_skip(test, "no low-memory window (no multikernel= pool)");
	memset(phys_to_virt(base), 0xa5, MK_LOW_WINDOW_SIZE);
	mk_low_free(base);
	KUNIT_ASSERT_EQ(test, mk_low_alloc(&again), 0);
	p = phys_to_virt(again);
	for (i = 0; i < MK_LOW_WINDOW_SIZE; i++)
		if (p[i])
			break;
	mk_low_free(again);
	KUNIT_EXPECT_EQ_MSG(test, i, MK_LOW_WINDOW_SIZE,
			    "byte %zu of the window at %pa is not clear", i, &again);
}

/*
 * A window kept for an instance an old host left (live update) is not
 * handed out, is claimed by that instance once, and is free again when
 * it is released.
 */
static void mk_low_window_kept(struct kunit *test)
{
	phys_addr_t base, other;
	bool other_ok;

	if (mk_low_alloc(&base))
		kunit_skip(test, "no low-memory window (no multikernel= pool)");
	/* In use: not kept. */
	KUNIT_EXPECT_FALSE(test, mk_low_keep(base));
	mk_low_free(base);
	KUNIT_ASSERT_TRUE(test, mk_low_keep(base));
	KUNIT_EXPECT_FALSE(test, mk_low_keep(base));
	KUNIT_EXPECT_FALSE(test, mk_low_keep(base + PAGE_SIZE));

	other_ok = !mk_low_alloc(&other);
	if (other_ok) {
		KUNIT_EXPECT_NE(test, other, base);
		mk_low_free(other);
	}

	KUNIT_EXPECT_FALSE(test, mk_low_claim(base + PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, mk_low_claim(base));
	KUNIT_EXPECT_FALSE(test, mk_low_claim(base));
	/* Claimed, it is still in use until its instance lets it go. */
	KUNIT_EXPECT_FALSE(test, mk_low_keep(base));
	mk_low_free(base);
	KUNIT_EXPECT_FALSE(test, mk_low_claim(base));
	KUNIT_ASSERT_EQ(test, mk_low_alloc(&other), 0);
	mk_low_free(other);
}

static struct kunit_case mk_lowmem_test_cases[] = {
	KUNIT_CASE(mk_low_window_cleared),
	KUNIT_CASE(mk_low_window_kept),
	{}
};

static struct kunit_suite mk_lowmem_suite = {
	.name = "multikernel_x86_lowmem",
	.test_cases = mk_lowmem_test_cases,
};

kunit_test_suite(mk_lowmem_suite);

MODULE_DESCRIPTION("KUnit test for the x86 multikernel low-memory windows");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
