// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test for the low-memory windows of x86 multikernel instances:
 * a window is handed out clear, whatever its last user left in it.
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

static struct kunit_case mk_lowmem_test_cases[] = {
	KUNIT_CASE(mk_low_window_cleared),
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
