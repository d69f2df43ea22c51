// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the byte log ring that holds the host's copy of a console.
 */
#include <kunit/test.h>
#include <linux/multikernel.h>
#include <linux/string.h>

#include "internal.h"

#define RING	16

struct mk_ring_fixture {
	u64 head;
	u8 ring[RING];
};

static size_t read_all(struct mk_ring_fixture *f, u64 *pos, char *buf,
		       size_t len)
{
	return mk_logring_read(&f->head, f->ring, RING, pos, buf, len);
}

static void mk_logring_empty(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING];
	u64 pos = 0;

	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, pos, 0);
}

static void mk_logring_simple(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;

	mk_logring_write(&f.head, f.ring, RING, "hello", 5);
	KUNIT_EXPECT_EQ(test, f.head, 5);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), 5);
	KUNIT_EXPECT_STREQ(test, buf, "hello");
	KUNIT_EXPECT_EQ(test, pos, 5);
	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, RING), 0);
}

static void mk_logring_wrap(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;

	mk_logring_write(&f.head, f.ring, RING, "0123456789ab", 12);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), 12);
	mk_logring_write(&f.head, f.ring, RING, "cdefghij", 8);
	memset(buf, 0, sizeof(buf));
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), 8);
	KUNIT_EXPECT_STREQ(test, buf, "cdefghij");
	KUNIT_EXPECT_EQ(test, pos, 20);
}

static void mk_logring_lapped(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;

	/* 26 bytes into 16: the reader gets the last 16 and skips ahead. */
	mk_logring_write(&f.head, f.ring, RING, "abcdefghijklm", 13);
	mk_logring_write(&f.head, f.ring, RING, "nopqrstuvwxyz", 13);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), RING);
	KUNIT_EXPECT_STREQ(test, buf, "klmnopqrstuvwxyz");
	KUNIT_EXPECT_EQ(test, pos, 26);
}

static void mk_logring_huge_write(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;

	mk_logring_write(&f.head, f.ring, RING, "0123456789abcdefXYZ", 19);
	KUNIT_EXPECT_EQ(test, f.head, 19);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), RING);
	KUNIT_EXPECT_STREQ(test, buf, "3456789abcdefXYZ");
}

static void mk_logring_small_buffer(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[4] = {};
	u64 pos = 0;

	mk_logring_write(&f.head, f.ring, RING, "abcdefgh", 8);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, 3), 3);
	KUNIT_EXPECT_MEMEQ(test, buf, "abc", 3);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, 3), 3);
	KUNIT_EXPECT_MEMEQ(test, buf, "def", 3);
	KUNIT_EXPECT_EQ(test, pos, 6);
}

static void mk_logring_corrupt_head(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING];
	u64 pos = 100;

	/* A head behind the reader (a restarted or lying writer). */
	f.head = 5;
	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_EQ(test, pos, 5);
	/* A huge head: still never more than a ring's worth. */
	f.head = U64_MAX;
	pos = 0;
	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, sizeof(buf)), RING);
	KUNIT_EXPECT_EQ(test, pos, U64_MAX);
}

static struct kunit_case mk_logring_cases[] = {
	KUNIT_CASE(mk_logring_empty),
	KUNIT_CASE(mk_logring_simple),
	KUNIT_CASE(mk_logring_wrap),
	KUNIT_CASE(mk_logring_lapped),
	KUNIT_CASE(mk_logring_huge_write),
	KUNIT_CASE(mk_logring_small_buffer),
	KUNIT_CASE(mk_logring_corrupt_head),
	{}
};

static struct kunit_suite mk_logring_suite = {
	.name = "multikernel_logring",
	.test_cases = mk_logring_cases,
};

kunit_test_suite(mk_logring_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel console log ring");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
