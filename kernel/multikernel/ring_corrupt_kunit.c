// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for a messaging ring whose peer misbehaves, simulated by
 * writing to the shared buffer directly, and for the message check word.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "ring_kunit.h"

/*
 * Corruptions of the region by a misbehaving peer. Two messages of one
 * and three slots are on the H2I ring (indices first and first + 1, and
 * the instance has consumed neither) unless @consume says the instance
 * took the first one.
 */
struct mk_corrupt_case {
	const char *desc;
	void (*corrupt)(struct mk_ring_test *t);
	const char *why;	/* the reason the victim end gives */
	bool consume;		/* instance receives the first message first */
	bool on_send;		/* the host's next send detects it */
};

#define HDR_GONE	"region header overwritten"
#define BAD_HEAD	"head moved backwards or beyond the ring"
#define BAD_TAIL	"tail moved backwards or past head"
#define BAD_LEN		"message longer than the maximum"
#define BAD_SLOTS	"message slot count does not match its length"
#define BAD_TYPE	"unknown message type"
#define BAD_FLAGS	"message flags or reserved field set"

#define FIRST	(U32_MAX - 1)

static void mk_fix_check(struct multikernel_msg_header *m)
{
	m->check = mk_msg_check(m);
}

static struct multikernel_ring_ctrl *mk_h2i(struct mk_ring_test *t)
{
	return &t->hdr->ring[MULTIKERNEL_RING_H2I];
}

static void mk_c_magic(struct mk_ring_test *t)
{
	t->hdr->magic = 0;
}

static void mk_c_version(struct mk_ring_test *t)
{
	t->hdr->version = 2;
}

static void mk_c_head_behind(struct mk_ring_test *t)
{
	mk_h2i(t)->head = mk_h2i(t)->tail - 1;
}

static void mk_c_head_far(struct mk_ring_test *t)
{
	mk_h2i(t)->head = mk_h2i(t)->tail + 8 + 1;
}

static void mk_c_head_back(struct mk_ring_test *t)
{
	/* The instance saw head at FIRST + 4; it goes back, still past tail. */
	mk_h2i(t)->head = FIRST + 2;
}

static void mk_c_tail_past(struct mk_ring_test *t)
{
	mk_h2i(t)->tail = mk_h2i(t)->head + 1;
}

static void mk_c_tail_back(struct mk_ring_test *t)
{
	mk_h2i(t)->tail = FIRST - 1;
}

static void mk_c_tail_far(struct mk_ring_test *t)
{
	mk_h2i(t)->tail = mk_h2i(t)->head - 9;
}

static void mk_c_check(struct mk_ring_test *t)
{
	mk_ring_test_msg(t, 0, FIRST)->check ^= 1;
}

static void mk_c_len_max(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->length = 8 * 64 - HDR + 1;
	m->slots = 9;
	mk_fix_check(m);
}

static void mk_c_len_huge(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->length = U32_MAX;
	mk_fix_check(m);
}

static void mk_c_slots(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->slots = 2;
	mk_fix_check(m);
}

static void mk_c_slots_zero(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->slots = 0;
	mk_fix_check(m);
}

static void mk_c_past_head(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST + 1);

	/* Consistent in itself, but four slots where three were published. */
	m->length = 4 * 64 - HDR;
	m->slots = 4;
	mk_fix_check(m);
}

static void mk_c_type_zero(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->type = 0;
	mk_fix_check(m);
}

static void mk_c_type_big(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->type = MULTIKERNEL_MSG_RESPONSE + 1;
	mk_fix_check(m);
}

static void mk_c_seq(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	/* What a message one lap earlier would have said. */
	m->seq -= 8;
	mk_fix_check(m);
}

static void mk_c_flags(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->flags = 1;
	mk_fix_check(m);
}

static void mk_c_reserved(struct mk_ring_test *t)
{
	struct multikernel_msg_header *m = mk_ring_test_msg(t, 0, FIRST);

	m->reserved = 1;
	mk_fix_check(m);
}

static const struct mk_corrupt_case mk_corrupt_cases[] = {
	{ "region magic", mk_c_magic, HDR_GONE },
	{ "region version", mk_c_version, HDR_GONE },
	{ "head behind tail", mk_c_head_behind, BAD_HEAD },
	{ "head more than a ring ahead", mk_c_head_far, BAD_HEAD },
	{ "head moved backwards", mk_c_head_back, BAD_HEAD, true },
	{ "tail past head", mk_c_tail_past, BAD_TAIL, false, true },
	{ "tail moved backwards", mk_c_tail_back, BAD_TAIL, true, true },
	{ "tail more than a ring behind", mk_c_tail_far, BAD_TAIL, false, true },
	{ "message check", mk_c_check, "message header check mismatch" },
	{ "message length over the maximum", mk_c_len_max, BAD_LEN },
	{ "message length 2^32 - 1", mk_c_len_huge, BAD_LEN },
	{ "message slot count", mk_c_slots, BAD_SLOTS },
	{ "message slot count zero", mk_c_slots_zero, BAD_SLOTS },
	{ "message past head", mk_c_past_head, "message extends past head", true },
	{ "message type zero", mk_c_type_zero, BAD_TYPE },
	{ "message type unknown", mk_c_type_big, BAD_TYPE },
	{ "message sequence", mk_c_seq, "message out of sequence" },
	{ "message flags", mk_c_flags, BAD_FLAGS },
	{ "message reserved", mk_c_reserved, BAD_FLAGS },
};

KUNIT_ARRAY_PARAM_DESC(mk_corrupt, mk_corrupt_cases, desc);

static void mk_ring_corrupt_test(struct kunit *test)
{
	const struct mk_corrupt_case *c = test->param_value;
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, FIRST);
	struct mk_ring_end *victim = c->on_send ? &t->host : &t->inst;
	struct mk_msg_info info = { };
	u8 *buf = mk_ring_test_alloc(test, 1024);

	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 0, 1), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 100, 2), 0);
	if (c->consume)
		mk_ring_test_expect(test, t, &t->inst, 0, 1);

	c->corrupt(t);
	memset(buf, 0xa5, 1024);
	if (c->on_send)
		KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 0, 3), -EPROTO);
	else
		KUNIT_EXPECT_EQ(test, mk_ring_recv(&t->inst, &info, buf, 512),
				-EPROTO);
	KUNIT_ASSERT_NOT_NULL(test, victim->broken);
	KUNIT_EXPECT_STREQ(test, victim->broken, c->why);
	/* Nothing was copied out, and the end stays broken. */
	KUNIT_EXPECT_EQ(test, buf[0], 0xa5);
	KUNIT_EXPECT_EQ(test, buf[1023], 0xa5);
	KUNIT_EXPECT_EQ(test, mk_ring_recv(victim, &info, buf, 512), -EPROTO);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, victim, 0, 4), -EPROTO);
	/* Neither end rang anybody because of it. */
	KUNIT_EXPECT_EQ(test, t->host_rang + t->inst_rang, 0);
}

static void mk_ring_check_test(struct kunit *test)
{
	struct multikernel_msg_header h = {
		.length = 1, .slots = 1, .seq = 2, .channel = 3, .type = 1,
		.cookie = 4,
	};
	u32 check = mk_msg_check(&h);
	u32 *w = (u32 *)&h;
	int i, bit;

	/* The check word itself does not count. */
	h.check = ~check;
	KUNIT_EXPECT_EQ(test, mk_msg_check(&h), check);
	/* Any single flipped bit in the seven words before it changes it. */
	for (i = 0; i < 7; i++) {
		for (bit = 0; bit < 32; bit++) {
			w[i] ^= BIT(bit);
			KUNIT_EXPECT_NE(test, mk_msg_check(&h), check);
			w[i] ^= BIT(bit);
		}
	}
}

static struct kunit_case mk_ring_corrupt_cases[] = {
	KUNIT_CASE_PARAM(mk_ring_corrupt_test, mk_corrupt_gen_params),
	KUNIT_CASE(mk_ring_check_test),
	{}
};

static struct kunit_suite mk_ring_corrupt_suite = {
	.name = "multikernel_ring_corrupt",
	.test_cases = mk_ring_corrupt_cases,
};

kunit_test_suite(mk_ring_corrupt_suite);
