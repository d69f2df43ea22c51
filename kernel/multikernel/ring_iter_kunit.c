// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for messages whose payload is copied into the ring straight
 * from where it is (mk_ring_send_src()): a kernel header in front of an
 * iterator over kernel or user memory, across the end of the slot array,
 * and a user page that is not present, which must fail the send without
 * publishing anything or using up the iterator.
 */
#include <kunit/test.h>
#include <linux/mman.h>
#include <linux/pagemap.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "ring_kunit.h"

#define SLOT		64
#define SLOTS		8
/* Two slots before the end: a message of three or more slots wraps. */
#define NEAR_END	(SLOTS - 2)

static const u8 mk_head[] = { 'h', 'e', 'a', 'd' };

/* Receive one message on the instance's end and expect @head, then @rest. */
static void mk_expect_parts(struct kunit *test, struct mk_ring_test *t,
			    const u8 *rest, u32 rest_len)
{
	struct mk_msg_info info = { };
	u32 len = sizeof(mk_head) + rest_len;

	KUNIT_ASSERT_EQ(test, mk_ring_recv(&t->inst, &info, t->in, BUF_SIZE), 0);
	KUNIT_EXPECT_EQ(test, info.len, len);
	KUNIT_EXPECT_EQ(test, info.channel, 7);
	KUNIT_EXPECT_MEMEQ(test, t->in, mk_head, sizeof(mk_head));
	if (rest_len)
		KUNIT_EXPECT_MEMEQ(test, t->in + sizeof(mk_head), rest, rest_len);
}

static struct mk_msg_info mk_info(u32 len)
{
	return (struct mk_msg_info){
		.len = len,
		.channel = 7,
		.type = MULTIKERNEL_MSG_DATA,
	};
}

/* A header and a kernel iterator make one payload, wrapped or not. */
static void mk_ring_src_kvec_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, SLOT, SLOTS, NEAR_END);
	u32 rest = 3 * SLOT - HDR - sizeof(mk_head);
	struct mk_msg_src src = { .head = mk_head, .head_len = sizeof(mk_head) };
	struct mk_msg_info info = mk_info(sizeof(mk_head) + rest);
	struct iov_iter from;
	struct kvec kv;
	u32 i;

	for (i = 0; i < rest; i++)
		t->out[i] = i * 7 + 1;
	kv = (struct kvec){ .iov_base = t->out, .iov_len = rest };
	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, rest);
	src.from = &from;
	/* Three slots from two before the end: the payload wraps. */
	KUNIT_ASSERT_EQ(test, mk_ring_send_src(&t->host, &info, &src), 0);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&from), 0);
	mk_expect_parts(test, t, t->out, rest);

	/* The header alone, no iterator. */
	src.from = NULL;
	info = mk_info(sizeof(mk_head));
	KUNIT_ASSERT_EQ(test, mk_ring_send_src(&t->host, &info, &src), 0);
	mk_expect_parts(test, t, NULL, 0);
}

/* Parts that do not add up to the length are refused, nothing sent. */
static void mk_ring_src_length_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, SLOT, SLOTS, 0);
	struct mk_msg_src src = { .head = mk_head, .head_len = sizeof(mk_head) };
	struct mk_msg_info info = mk_info(sizeof(mk_head) + 10);
	struct iov_iter from;
	struct kvec kv = { .iov_base = t->out, .iov_len = 9 };
	struct mk_msg_info got;

	iov_iter_kvec(&from, ITER_SOURCE, &kv, 1, 9);
	src.from = &from;
	KUNIT_EXPECT_EQ(test, mk_ring_send_src(&t->host, &info, &src), -EINVAL);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&from), 9);
	/* A head longer than the message. */
	src.from = NULL;
	info = mk_info(sizeof(mk_head) - 1);
	KUNIT_EXPECT_EQ(test, mk_ring_send_src(&t->host, &info, &src), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_ring_recv(&t->inst, &got, t->in, BUF_SIZE),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, t->host.stats.tx_msgs, 0);
}

/* Two pages of anonymous user memory in the test's own address space. */
static void __user *mk_user_pages(struct kunit *test)
{
	unsigned long addr;

	addr = kunit_vm_mmap(test, NULL, 0, 2 * PAGE_SIZE,
			     PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE,
			     0);
	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no user address space");
	KUNIT_ASSERT_LT(test, addr, (unsigned long)TASK_SIZE);
	return (void __user *)addr;
}

/*
 * User memory: a page that is not present fails the send with -EFAULT,
 * publishes nothing and leaves the iterator as it was; once faulted in,
 * the same iterator sends. A page that is present sends at once.
 */
static void mk_ring_src_user_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, SLOT, SLOTS, NEAR_END);
	u32 rest = 2 * SLOT;
	struct mk_msg_src src = { .head = mk_head, .head_len = sizeof(mk_head) };
	struct mk_msg_info info = mk_info(sizeof(mk_head) + rest);
	void __user *umem = mk_user_pages(test);
	struct mk_msg_info got;
	struct iov_iter from;
	u32 head_before;
	u32 i;

	/* Never touched: no page behind it yet. */
	iov_iter_ubuf(&from, ITER_SOURCE, umem, rest);
	src.from = &from;
	head_before = READ_ONCE(t->host.tx.ctrl->head);
	KUNIT_EXPECT_EQ(test, mk_ring_send_src(&t->host, &info, &src), -EFAULT);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&from), rest);
	KUNIT_EXPECT_EQ(test, READ_ONCE(t->host.tx.ctrl->head), head_before);
	KUNIT_EXPECT_EQ(test, mk_ring_recv(&t->inst, &got, t->in, BUF_SIZE),
			-EAGAIN);
	KUNIT_ASSERT_EQ(test, fault_in_iov_iter_readable(&from, rest), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_send_src(&t->host, &info, &src), 0);
	memset(t->out, 0, rest);
	mk_expect_parts(test, t, t->out, rest);

	/* Present and written: its bytes arrive. */
	for (i = 0; i < rest; i++)
		t->out[i] = i ^ 0x5a;
	KUNIT_ASSERT_EQ(test, copy_to_user(umem + PAGE_SIZE, t->out, rest), 0);
	iov_iter_ubuf(&from, ITER_SOURCE, umem + PAGE_SIZE, rest);
	KUNIT_ASSERT_EQ(test, mk_ring_send_src(&t->host, &info, &src), 0);
	mk_expect_parts(test, t, t->out, rest);
}

static struct kunit_case mk_ring_iter_cases[] = {
	KUNIT_CASE(mk_ring_src_kvec_test),
	KUNIT_CASE(mk_ring_src_length_test),
	KUNIT_CASE(mk_ring_src_user_test),
	{}
};

static struct kunit_suite mk_ring_iter_suite = {
	.name = "multikernel_ring_iter",
	.test_cases = mk_ring_iter_cases,
};

kunit_test_suite(mk_ring_iter_suite);
