// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the byte log ring that holds the host's copy of a console.
 */
#include <kunit/test.h>
#include <linux/multikernel.h>
#include <linux/string.h>

#include "internal.h"

#define RING	16
/* The bytes before the head a reader trusts: all but one writer chunk. */
#define WINDOW	(RING - RING / 8)

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

	/* 26 bytes into 16: the reader gets the last 14 and skips ahead. */
	mk_logring_write(&f.head, f.ring, RING, "abcdefghijklm", 13);
	mk_logring_write(&f.head, f.ring, RING, "nopqrstuvwxyz", 13);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), WINDOW);
	KUNIT_EXPECT_STREQ(test, buf, "mnopqrstuvwxyz");
	KUNIT_EXPECT_EQ(test, pos, 26);
}

static void mk_logring_huge_write(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;

	mk_logring_write(&f.head, f.ring, RING, "0123456789abcdefXYZ", 19);
	KUNIT_EXPECT_EQ(test, f.head, 19);
	KUNIT_ASSERT_EQ(test, read_all(&f, &pos, buf, RING), WINDOW);
	KUNIT_EXPECT_STREQ(test, buf, "56789abcdefXYZ");
	KUNIT_EXPECT_EQ(test, pos, 19);
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
	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, sizeof(buf)), WINDOW);
	KUNIT_EXPECT_EQ(test, pos, U64_MAX);
	/* A reader already at that head gets nothing and stays. */
	KUNIT_EXPECT_EQ(test, read_all(&f, &pos, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_EQ(test, pos, U64_MAX);
}

/*
 * A reader a lap behind while the writer is in the middle of its next
 * write: the writer has copied a chunk over the oldest bytes but not yet
 * published the head. The reader must not return those new bytes in
 * place of the old ones (a torn read, bytes of two laps), only bytes
 * that are whole.
 */
static void mk_logring_lapped_write_in_flight(struct kunit *test)
{
	struct mk_ring_fixture f = {};
	char buf[RING + 1] = {};
	u64 pos = 0;
	size_t n;

	mk_logring_write(&f.head, f.ring, RING, "abcdefghijklmnop", RING);
	KUNIT_ASSERT_EQ(test, f.head, RING);
	/* What mk_logring_write() does to the ring before its head moves. */
	memcpy(f.ring, "QR", RING / 8);

	n = read_all(&f, &pos, buf, RING);
	KUNIT_EXPECT_EQ(test, n, WINDOW);
	KUNIT_EXPECT_STREQ(test, buf, "cdefghijklmnop");
	KUNIT_EXPECT_PTR_EQ(test, memchr(buf, 'Q', n), NULL);
	KUNIT_EXPECT_PTR_EQ(test, memchr(buf, 'R', n), NULL);
	KUNIT_EXPECT_EQ(test, pos, RING);
}

static struct kunit_case mk_logring_cases[] = {
	KUNIT_CASE(mk_logring_empty),
	KUNIT_CASE(mk_logring_simple),
	KUNIT_CASE(mk_logring_wrap),
	KUNIT_CASE(mk_logring_lapped),
	KUNIT_CASE(mk_logring_huge_write),
	KUNIT_CASE(mk_logring_small_buffer),
	KUNIT_CASE(mk_logring_corrupt_head),
	KUNIT_CASE(mk_logring_lapped_write_in_flight),
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
