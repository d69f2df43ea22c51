// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the multikernel messaging rings: both ends of a region
 * attached to one buffer, messages sent and received through them. The
 * peer's misbehaviour is in ring_corrupt_kunit.c.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "ring_kunit.h"

static void mk_test_host_doorbell(struct mk_ring_end *end)
{
	container_of(end, struct mk_ring_test, host)->host_rang++;
}

static void mk_test_inst_doorbell(struct mk_ring_end *end)
{
	container_of(end, struct mk_ring_test, inst)->inst_rang++;
}

KUNIT_DEFINE_ACTION_WRAPPER(mk_test_vfree, vfree, const void *);

/**
 * mk_ring_test_alloc() - zeroed memory freed when the test ends
 * @test:	the test
 * @size:	bytes
 *
 * Context: Process context.
 * Return: the memory; fails the test when there is none.
 */
void *mk_ring_test_alloc(struct kunit *test, size_t size)
{
	void *p = vzalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, mk_test_vfree, p), 0);
	return p;
}

/**
 * mk_ring_test_setup() - a formatted region with both ends attached
 * @test:	the test
 * @slot_size:	bytes per slot
 * @slot_count:	slots per ring
 * @first:	first index of both rings
 *
 * Context: Process context.
 * Return: the region and its ends, freed when the test ends.
 */
struct mk_ring_test *mk_ring_test_setup(struct kunit *test, u32 slot_size,
					u32 slot_count, u32 first)
{
	struct mk_ring_geometry geo = {
		.slot_size = slot_size,
		.slot_count = slot_count,
		.first_index = first,
	};
	struct mk_ring_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->size = mk_ring_region_size(slot_size, slot_count);
	KUNIT_ASSERT_NE(test, t->size, 0);
	t->hdr = mk_ring_test_alloc(test, t->size);
	KUNIT_ASSERT_EQ(test, mk_ring_format(t->hdr, t->size, &geo), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_attach(&t->host, t->hdr, t->size,
					     MK_RING_HOST, "test host",
					     mk_test_host_doorbell), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_attach(&t->inst, t->hdr, t->size,
					     MK_RING_INSTANCE, "test instance",
					     mk_test_inst_doorbell), 0);
	t->out = mk_ring_test_alloc(test, BUF_SIZE);
	t->in = mk_ring_test_alloc(test, BUF_SIZE);
	return t;
}

/**
 * mk_ring_test_msg() - the header of a message in the region
 * @t:		the region
 * @ring:	MULTIKERNEL_RING_H2I or MULTIKERNEL_RING_I2H
 * @idx:	the message's index
 *
 * Context: Any context.
 * Return: the header, in the region.
 */
struct multikernel_msg_header *mk_ring_test_msg(struct mk_ring_test *t,
						int ring, u32 idx)
{
	u8 *slots = (u8 *)t->hdr + t->hdr->slots_offset +
		    ring * t->hdr->slot_size * t->hdr->slot_count;

	return (void *)(slots + (idx & (t->hdr->slot_count - 1)) *
			t->hdr->slot_size);
}

static void mk_test_fill(u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7 + (i >> 8);
}

static bool mk_test_match(const u8 *buf, u32 len, u32 seed)
{
	u32 i;

	for (i = 0; i < len; i++)
		if (buf[i] != (u8)(seed + i * 7 + (i >> 8)))
			return false;
	return true;
}

/**
 * mk_ring_test_send() - send pattern bytes
 * @t:		the region
 * @from:	the sending end
 * @len:	payload bytes
 * @seed:	the pattern, and the channel
 *
 * Context: Any context.
 * Return: what mk_ring_send() returns.
 */
int mk_ring_test_send(struct mk_ring_test *t, struct mk_ring_end *from,
		      u32 len, u32 seed)
{
	struct mk_msg_info info = {
		.len = len,
		.channel = seed & 0xffff,
		.type = MULTIKERNEL_MSG_DATA,
	};

	mk_test_fill(t->out, min(len, BUF_SIZE), seed);
	return mk_ring_send(from, &info, t->out);
}

/**
 * mk_ring_test_expect() - receive one message and expect pattern bytes
 * @test:	the test
 * @t:		the region
 * @to:		the receiving end
 * @len:	payload bytes expected
 * @seed:	the pattern, and the channel, mk_ring_test_send() was given
 *
 * Context: Process context.
 */
void mk_ring_test_expect(struct kunit *test, struct mk_ring_test *t,
			 struct mk_ring_end *to, u32 len, u32 seed)
{
	struct mk_msg_info info = { };

	memset(t->in, 0xa5, len + 64);
	KUNIT_ASSERT_EQ(test, mk_ring_recv(to, &info, t->in, len + 32), 0);
	KUNIT_EXPECT_EQ(test, info.len, len);
	KUNIT_EXPECT_EQ(test, info.channel, seed & 0xffff);
	KUNIT_EXPECT_EQ(test, info.type, MULTIKERNEL_MSG_DATA);
	KUNIT_EXPECT_TRUE(test, mk_test_match(t->in, len, seed));
	/* Nothing written past the payload. */
	KUNIT_EXPECT_EQ(test, t->in[len], 0xa5);
	KUNIT_EXPECT_EQ(test, t->in[len + 63], 0xa5);
}

/* Expect the ring @to consumes to be empty. */
static void mk_test_expect_empty(struct kunit *test, struct mk_ring_test *t,
				 struct mk_ring_end *to)
{
	struct mk_msg_info info;

	KUNIT_EXPECT_EQ(test, mk_ring_recv(to, &info, t->in, BUF_SIZE), -EAGAIN);
}

struct mk_geo_case {
	const char *desc;
	u32 slot_size;
	u32 slot_count;
	u64 size;		/* expected mk_ring_region_size(), 0 if refused */
};

static const struct mk_geo_case mk_geo_cases[] = {
	{ "smallest", 64, 2, 320 + 256 },
	{ "typical", 256, 1024, 320 + SZ_512K },
	{ "largest", 4096, 65536, 320 + SZ_512M },
	{ "slot too small", 32, 8, 0 },
	{ "slot too large", 8192, 8, 0 },
	{ "slot not a power of two", 96, 8, 0 },
	{ "one slot", 64, 1, 0 },
	{ "no slots", 64, 0, 0 },
	{ "count not a power of two", 64, 12, 0 },
	{ "too many slots", 64, 131072, 0 },
};

KUNIT_ARRAY_PARAM_DESC(mk_geo, mk_geo_cases, desc);

static void mk_ring_geometry_test(struct kunit *test)
{
	const struct mk_geo_case *c = test->param_value;
	struct mk_ring_geometry geo = {
		.slot_size = c->slot_size,
		.slot_count = c->slot_count,
	};
	static u8 small[1024];

	KUNIT_EXPECT_EQ(test, mk_ring_region_size(c->slot_size, c->slot_count),
			c->size);
	if (!c->size) {
		KUNIT_EXPECT_EQ(test, mk_ring_format(small, sizeof(small), &geo),
				-EINVAL);
		return;
	}
	/*
	 * One byte short is refused before anything is written (so @small
	 * may be smaller than the size claimed).
	 */
	memset(small, 0x5a, sizeof(small));
	KUNIT_EXPECT_EQ(test, mk_ring_format(small, c->size - 1, &geo), -ENOSPC);
	KUNIT_EXPECT_EQ(test, small[0], 0x5a);
}

struct mk_attach_case {
	const char *desc;
	void (*corrupt)(struct multikernel_ring_header *h);
	size_t size;		/* bytes to attach with, 0 for the whole region */
	int err;
	const char *why;	/* the reason attach gives */
};

#define UNSUPPORTED	"unsupported region version"
#define BAD_GEO		"slot size or count not allowed"
#define TOO_BIG		"region larger than the memory given"
#define BAD_SLOTS_AT	"slot arrays overlap the header or are misaligned"

/* The region of mk_ring_attach_test(): 64 slots of 64 bytes per ring. */
#define ATTACH_REGION	(320 + 2 * 64 * 64)

static void mk_bad_magic(struct multikernel_ring_header *h)
{
	h->magic++;
}

static void mk_new_version(struct multikernel_ring_header *h)
{
	h->version++;
}

static void mk_no_version(struct multikernel_ring_header *h)
{
	h->version = 0;
}

static void mk_unknown_flag(struct multikernel_ring_header *h)
{
	h->flags = 4;
}

static void mk_short_header(struct multikernel_ring_header *h)
{
	h->header_size = 64;
}

static void mk_reserved(struct multikernel_ring_header *h)
{
	h->reserved[8] = 1;
}

static void mk_odd_slot(struct multikernel_ring_header *h)
{
	h->slot_size = 96;
}

static void mk_many_slots(struct multikernel_ring_header *h)
{
	h->slot_count = 1U << 17;
}

static void mk_big_region(struct multikernel_ring_header *h)
{
	h->region_size++;
}

static void mk_slots_misaligned(struct multikernel_ring_header *h)
{
	h->slots_offset += 8;
}

static void mk_slots_in_header(struct multikernel_ring_header *h)
{
	h->slots_offset = 256;
}

static void mk_slots_past_end(struct multikernel_ring_header *h)
{
	h->slot_count *= 2;
}

static void mk_not_empty(struct multikernel_ring_header *h)
{
	h->ring[1].head++;
}

static const struct mk_attach_case mk_attach_cases[] = {
	{ "intact", NULL, 0, 0 },
	{ "intact, more memory given", NULL, ATTACH_REGION + 4096, 0 },
	{ "bad magic", mk_bad_magic, 0, -EPROTO, "bad magic" },
	{ "newer version", mk_new_version, 0, -EPROTONOSUPPORT, UNSUPPORTED },
	{ "version zero", mk_no_version, 0, -EPROTONOSUPPORT, UNSUPPORTED },
	{ "unknown flag", mk_unknown_flag, 0, -EPROTONOSUPPORT, UNSUPPORTED },
	{ "header size too small", mk_short_header, 0, -EPROTO,
	  "header size too small" },
	{ "reserved word set", mk_reserved, 0, -EPROTO,
	  "reserved header field set" },
	{ "slot size not a power of two", mk_odd_slot, 0, -EPROTO, BAD_GEO },
	{ "too many slots", mk_many_slots, 0, -EPROTO, BAD_GEO },
	{ "region larger than given", mk_big_region, 0, -EPROTO, TOO_BIG },
	{ "region cut short", NULL, ATTACH_REGION - 1, -EPROTO, TOO_BIG },
	{ "smaller than the header", NULL, 100, -EPROTO,
	  "region smaller than its header" },
	{ "slots misaligned", mk_slots_misaligned, 0, -EPROTO, BAD_SLOTS_AT },
	{ "slots inside the header", mk_slots_in_header, 0, -EPROTO,
	  BAD_SLOTS_AT },
	{ "slots past the region", mk_slots_past_end, 0, -EPROTO,
	  "slot arrays end past the region" },
	{ "ring not empty", mk_not_empty, 0, -EPROTO, "ring not empty at attach" },
};

KUNIT_ARRAY_PARAM_DESC(mk_attach, mk_attach_cases, desc);

static void mk_ring_attach_test(struct kunit *test)
{
	const struct mk_attach_case *c = test->param_value;
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 64, 0);
	struct mk_ring_end end;
	size_t size = c->size ?: t->size;

	KUNIT_ASSERT_EQ(test, t->size, ATTACH_REGION);
	if (c->corrupt)
		c->corrupt(t->hdr);
	KUNIT_EXPECT_EQ(test, mk_ring_attach(&end, t->hdr, size,
					     MK_RING_INSTANCE, "test", NULL),
			c->err);
	if (c->err) {
		KUNIT_ASSERT_NOT_NULL(test, end.broken);
		KUNIT_EXPECT_STREQ(test, end.broken, c->why);
	} else {
		KUNIT_EXPECT_EQ(test, end.max_payload, 64 * 64 - HDR);
	}
}

static void mk_ring_empty_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, 0);
	struct mk_msg_info info;
	u8 buf[64];

	KUNIT_EXPECT_EQ(test, mk_ring_recv(&t->inst, &info, buf, sizeof(buf)),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, mk_ring_recv(&t->host, &info, buf, sizeof(buf)),
			-EAGAIN);
	/* Finding the ring empty asks for a doorbell; nobody rang. */
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].doorbell_wanted, 1);
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_I2H].doorbell_wanted, 1);
	KUNIT_EXPECT_EQ(test, t->host_rang + t->inst_rang, 0);
	KUNIT_EXPECT_NULL(test, t->host.broken);
	KUNIT_EXPECT_NULL(test, t->inst.broken);
}

static void mk_ring_roundtrip_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, 0);
	struct mk_msg_info req = {
		.len = 100,
		.channel = 0xfffe,
		.type = MULTIKERNEL_MSG_REQUEST,
		.cookie = 0xdeadbeef,
	};
	struct mk_msg_info info = { };
	u8 out[100], in[128];

	mk_test_fill(out, sizeof(out), 3);
	KUNIT_ASSERT_EQ(test, mk_ring_send(&t->host, &req, out), 0);
	/* 32 + 100 bytes take three 64-byte slots. */
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].head, 3);
	KUNIT_ASSERT_EQ(test, mk_ring_recv(&t->inst, &info, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, info.len, req.len);
	KUNIT_EXPECT_EQ(test, info.channel, req.channel);
	KUNIT_EXPECT_EQ(test, info.type, req.type);
	KUNIT_EXPECT_EQ(test, info.cookie, req.cookie);
	KUNIT_EXPECT_TRUE(test, mk_test_match(in, req.len, 3));
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].tail, 3);

	/* The answer travels on the other ring. */
	req.type = MULTIKERNEL_MSG_RESPONSE;
	req.len = 0;
	KUNIT_ASSERT_EQ(test, mk_ring_send(&t->inst, &req, NULL), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_recv(&t->host, &info, in, sizeof(in)), 0);
	KUNIT_EXPECT_EQ(test, info.len, 0);
	KUNIT_EXPECT_EQ(test, info.type, MULTIKERNEL_MSG_RESPONSE);
	KUNIT_EXPECT_EQ(test, info.cookie, req.cookie);

	KUNIT_EXPECT_EQ(test, t->host.stats.tx_msgs, 1);
	KUNIT_EXPECT_EQ(test, t->host.stats.tx_bytes, 100);
	KUNIT_EXPECT_EQ(test, t->inst.stats.rx_msgs, 1);
	KUNIT_EXPECT_EQ(test, t->inst.stats.rx_bytes, 100);
	KUNIT_EXPECT_EQ(test, t->host.stats.rx_msgs, 1);

	/* A type the ABI does not know is refused before anything is written. */
	req.type = 0;
	KUNIT_EXPECT_EQ(test, mk_ring_send(&t->host, &req, out), -EINVAL);
	req.type = MULTIKERNEL_MSG_RESPONSE + 1;
	KUNIT_EXPECT_EQ(test, mk_ring_send(&t->host, &req, out), -EINVAL);
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].head, 3);
}

static void mk_ring_full_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, 0);
	struct multikernel_ring_ctrl *h2i = &t->hdr->ring[MULTIKERNEL_RING_H2I];
	int i;

	/* Eight one-slot messages fill eight slots; the ninth does not fit. */
	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 32, i), 0);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 0, 8), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h2i->head, 8);
	/* A full ring asks the consumer for a doorbell when it frees room. */
	KUNIT_EXPECT_EQ(test, h2i->space_wanted, 1);

	mk_ring_test_expect(test, t, &t->inst, 32, 0);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 0, 8), 0);
	KUNIT_EXPECT_EQ(test, h2i->space_wanted, 0);

	/* One slot free, a two-slot message: refused, nothing written. */
	mk_ring_test_expect(test, t, &t->inst, 32, 1);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 33, 9), -EAGAIN);
	KUNIT_EXPECT_EQ(test, h2i->head, 9);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 32, 9), 0);

	for (i = 2; i < 8; i++)
		mk_ring_test_expect(test, t, &t->inst, 32, i);
	mk_ring_test_expect(test, t, &t->inst, 0, 8);
	mk_ring_test_expect(test, t, &t->inst, 32, 9);
	mk_test_expect_empty(test, t, &t->inst);
	KUNIT_EXPECT_NULL(test, t->host.broken);
	KUNIT_EXPECT_NULL(test, t->inst.broken);
}

struct mk_wrap_case {
	const char *desc;
	u32 first;
};

static const struct mk_wrap_case mk_wrap_cases[] = {
	{ "from zero", 0 },
	{ "from U32_MAX", U32_MAX },
	{ "from U32_MAX - 5", U32_MAX - 5 },
	{ "one ring below U32_MAX", U32_MAX - 15 },
	{ "from 2^31 - 1", S32_MAX },
};

KUNIT_ARRAY_PARAM_DESC(mk_wrap, mk_wrap_cases, desc);

static void mk_ring_wrap_test(struct kunit *test)
{
	const struct mk_wrap_case *c = test->param_value;
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 16, c->first);
	u32 slots = 0, seed = 0, i, j;

	/* Bursts of one to three messages of 0..159 bytes, many laps. */
	for (i = 0; i < 300; i++) {
		u32 burst = i % 3 + 1;
		u32 lens[3];

		for (j = 0; j < burst; j++) {
			lens[j] = (i * 97 + j * 31) % 160;
			KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->inst,
								lens[j], seed + j), 0);
			slots += DIV_ROUND_UP(HDR + lens[j], 64);
		}
		for (j = 0; j < burst; j++)
			mk_ring_test_expect(test, t, &t->host, lens[j], seed + j);
		seed += burst;
	}
	/* The free-running indices went once around 2^32 or not at all. */
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_I2H].head,
			c->first + slots);
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_I2H].tail,
			c->first + slots);
	KUNIT_EXPECT_NULL(test, t->host.broken);
	KUNIT_EXPECT_NULL(test, t->inst.broken);
}

struct mk_size_case {
	const char *desc;
	u32 len;
};

static const struct mk_size_case mk_size_cases[] = {
	{ "empty", 0 },
	{ "one byte", 1 },
	{ "fills the first slot", 256 - 32 },
	{ "one byte into the second slot", 256 - 32 + 1 },
	{ "4 KiB", SZ_4K },
	{ "maximum less one", MULTIKERNEL_MSG_MAX - 1 },
	{ "maximum", MULTIKERNEL_MSG_MAX },
};

KUNIT_ARRAY_PARAM_DESC(mk_size, mk_size_cases, desc);

static void mk_ring_sizes_test(struct kunit *test)
{
	const struct mk_size_case *c = test->param_value;
	/* Slot 411 of 512: the largest messages wrap to slot 0. */
	struct mk_ring_test *t = mk_ring_test_setup(test, 256, 512, U32_MAX - 100);
	u32 slots = DIV_ROUND_UP(HDR + c->len, 256);
	int i;

	KUNIT_EXPECT_EQ(test, t->host.max_payload, MULTIKERNEL_MSG_MAX);
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, c->len, i), 0);
		KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].head,
				U32_MAX - 100 + (i + 1) * slots);
		mk_ring_test_expect(test, t, &t->inst, c->len, i);
	}
}

static void mk_ring_too_big_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 256, 512, 0);
	struct mk_ring_test *s = mk_ring_test_setup(test, 64, 8, 0);
	struct mk_msg_info info = { };
	u8 buf[64];

	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host,
						MULTIKERNEL_MSG_MAX + 1, 0), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, t->hdr->ring[MULTIKERNEL_RING_H2I].head, 0);

	/* A ring smaller than the maximum carries what fits in all slots. */
	KUNIT_EXPECT_EQ(test, s->inst.max_payload, 8 * 64 - HDR);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(s, &s->inst, 8 * 64 - HDR + 1, 0),
			-EMSGSIZE);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(s, &s->inst, 8 * 64 - HDR, 1), 0);

	/* A receive buffer too small leaves the message where it is. */
	memset(buf, 0xa5, sizeof(buf));
	KUNIT_EXPECT_EQ(test, mk_ring_recv(&s->host, &info, buf, sizeof(buf)),
			-ENOBUFS);
	KUNIT_EXPECT_EQ(test, info.len, 8 * 64 - HDR);
	KUNIT_EXPECT_EQ(test, buf[0], 0xa5);
	KUNIT_EXPECT_EQ(test, s->hdr->ring[MULTIKERNEL_RING_I2H].tail, 0);
	mk_ring_test_expect(test, s, &s->host, 8 * 64 - HDR, 1);
}

static void mk_ring_doorbell_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 16, U32_MAX - 3);
	int i;

	/* A consumer that never found the ring empty is not rung. */
	for (i = 0; i < 3; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 8, i), 0);
	KUNIT_EXPECT_EQ(test, t->host_rang, 0);
	KUNIT_EXPECT_EQ(test, t->host.stats.suppressed, 3);

	for (i = 0; i < 3; i++)
		mk_ring_test_expect(test, t, &t->inst, 8, i);
	mk_test_expect_empty(test, t, &t->inst);

	/* It is idle now: the first message rings, the rest of the burst not. */
	for (i = 0; i < 5; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 8, i), 0);
	KUNIT_EXPECT_EQ(test, t->host_rang, 1);
	KUNIT_EXPECT_EQ(test, t->host.stats.doorbells, 1);
	KUNIT_EXPECT_EQ(test, t->host.stats.suppressed, 7);

	/* While it drains, more messages do not interrupt it. */
	mk_ring_test_expect(test, t, &t->inst, 8, 0);
	for (i = 5; i < 9; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 8, i), 0);
	KUNIT_EXPECT_EQ(test, t->host_rang, 1);
	for (i = 1; i < 9; i++)
		mk_ring_test_expect(test, t, &t->inst, 8, i);
	mk_test_expect_empty(test, t, &t->inst);

	/* Idle again: the next message rings again. */
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 8, 9), 0);
	KUNIT_EXPECT_EQ(test, t->host_rang, 2);
	mk_ring_test_expect(test, t, &t->inst, 8, 9);

	/* The other direction is independent. */
	KUNIT_EXPECT_EQ(test, t->inst_rang, 0);
	mk_test_expect_empty(test, t, &t->host);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->inst, 8, 0), 0);
	KUNIT_EXPECT_EQ(test, t->inst_rang, 1);
	KUNIT_EXPECT_EQ(test, t->host_rang, 2);
}

static void mk_ring_space_doorbell_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, U32_MAX - 3);
	int i;

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 0, i), 0);
	/* Draining a full ring nobody waits for rings nobody. */
	for (i = 0; i < 8; i++)
		mk_ring_test_expect(test, t, &t->inst, 0, i);
	KUNIT_EXPECT_EQ(test, t->inst_rang, 0);

	for (i = 0; i < 8; i++)
		KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 0, i), 0);
	KUNIT_EXPECT_EQ(test, mk_ring_test_send(t, &t->host, 0, 8), -EAGAIN);
	/* The producer waits: ring it at half full and at empty, no more. */
	for (i = 0; i < 4; i++)
		mk_ring_test_expect(test, t, &t->inst, 0, i);
	KUNIT_EXPECT_EQ(test, t->inst_rang, 1);
	for (; i < 8; i++)
		mk_ring_test_expect(test, t, &t->inst, 0, i);
	KUNIT_EXPECT_EQ(test, t->inst_rang, 2);
	KUNIT_EXPECT_EQ(test, t->inst.stats.space_doorbells, 2);

	/* Once it sent, it no longer waits: draining rings nobody. */
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 0, 8), 0);
	mk_ring_test_expect(test, t, &t->inst, 0, 8);
	KUNIT_EXPECT_EQ(test, t->inst_rang, 2);
}

/*
 * A new host resumes the rings of the host it replaced: the instance's
 * messages that the old host left waiting are taken in first, in order,
 * and the new host's messages follow the old host's on the other ring.
 */
static void mk_ring_resume_test(struct kunit *test)
{
	struct mk_ring_test *t = mk_ring_test_setup(test, 64, 8, 5);
	struct multikernel_ring_ctrl *i2h = &t->hdr->ring[MULTIKERNEL_RING_I2H];
	struct mk_ring_end *again;

	/* The old host sent two, the instance took one; it sent three. */
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 10, 1), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->host, 10, 2), 0);
	mk_ring_test_expect(test, t, &t->inst, 10, 1);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->inst, 20, 3), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->inst, 20, 4), 0);
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, &t->inst, 20, 5), 0);
	/* It took in the first before it went away. */
	mk_ring_test_expect(test, t, &t->host, 20, 3);

	again = kunit_kzalloc(test, sizeof(*again), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	/* A first attach wants empty rings; a resume does not. */
	KUNIT_EXPECT_EQ(test, mk_ring_attach(again, t->hdr, t->size, MK_RING_HOST,
					     "new host", mk_test_host_doorbell),
			-EPROTO);
	KUNIT_ASSERT_EQ(test, mk_ring_resume(again, t->hdr, t->size, MK_RING_HOST,
					     "new host", mk_test_host_doorbell), 0);
	mk_ring_test_expect(test, t, again, 20, 4);
	mk_ring_test_expect(test, t, again, 20, 5);
	mk_test_expect_empty(test, t, again);

	/* Its first message comes after the old host's second. */
	KUNIT_ASSERT_EQ(test, mk_ring_test_send(t, again, 30, 6), 0);
	mk_ring_test_expect(test, t, &t->inst, 10, 2);
	mk_ring_test_expect(test, t, &t->inst, 30, 6);
	KUNIT_EXPECT_NULL(test, again->broken);

	/* Indices further apart than the ring has slots: refused. */
	WRITE_ONCE(i2h->head, i2h->tail + 9);
	KUNIT_EXPECT_EQ(test, mk_ring_resume(again, t->hdr, t->size, MK_RING_HOST,
					     "new host", mk_test_host_doorbell),
			-EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, again->broken);
}

static struct kunit_case mk_ring_cases[] = {
	KUNIT_CASE_PARAM(mk_ring_geometry_test, mk_geo_gen_params),
	KUNIT_CASE_PARAM(mk_ring_attach_test, mk_attach_gen_params),
	KUNIT_CASE(mk_ring_empty_test),
	KUNIT_CASE(mk_ring_roundtrip_test),
	KUNIT_CASE(mk_ring_full_test),
	KUNIT_CASE_PARAM(mk_ring_wrap_test, mk_wrap_gen_params),
	KUNIT_CASE_PARAM(mk_ring_sizes_test, mk_size_gen_params),
	KUNIT_CASE(mk_ring_too_big_test),
	KUNIT_CASE(mk_ring_doorbell_test),
	KUNIT_CASE(mk_ring_space_doorbell_test),
	KUNIT_CASE(mk_ring_resume_test),
	{}
};

static struct kunit_suite mk_ring_suite = {
	.name = "multikernel_ring",
	.test_cases = mk_ring_cases,
};

kunit_test_suite(mk_ring_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel messaging rings");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
