// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for multikernel channels: a host peer and an instance peer
 * in this kernel, attached to the two ends of one region, each ringing
 * the other directly instead of by IPI.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/multikernel.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "msg.h"

/* Only a guard against hanging: no test asserts how long anything takes. */
#define WAIT		(30 * HZ)
#define SLOT		256
#define SLOTS		16

/* A thread blocked in a send or a request while the test goes on. */
struct mk_waiter {
	struct mk_peer *peer;
	struct completion done;
	bool started;
	ssize_t ret;
};

struct mk_msg_test {
	void *region;
	struct mk_peer host;
	struct mk_peer inst;
	bool host_paused;	/* the instance's doorbell does not reach the host */
	bool inst_paused;	/* the host's doorbell does not reach the instance */
	atomic_t broken;	/* ops->broken() calls */
	const char *why;	/* last reason given to ops->broken() */
	/* What the instance's handler saw. */
	struct completion got;
	atomic_t received;
	u32 last_len;
	u8 last[64];
	/* What a handler's own send and request returned. */
	int handler_send;
	ssize_t handler_request;
	struct mk_waiter waiter;
	bool host_up;		/* mk_peer_init() succeeded */
	bool inst_up;
	/* First bytes of what the instance took, in order, and by whom. */
	char order[16];
	char fast[16];
	char slow[16];
};

static struct mk_msg_test *mk_test_of(struct mk_peer *peer, bool *is_host)
{
	/* The host produces on the H2I ring. */
	*is_host = peer->end.tx.ctrl ==
		   &peer->end.hdr->ring[MULTIKERNEL_RING_H2I];
	if (*is_host)
		return container_of(peer, struct mk_msg_test, host);
	return container_of(peer, struct mk_msg_test, inst);
}

/* Ring the other peer, unless the test holds its doorbell back. */
static void mk_test_kick(struct mk_peer *peer)
{
	bool is_host;
	struct mk_msg_test *t = mk_test_of(peer, &is_host);

	if (is_host && !READ_ONCE(t->inst_paused))
		mk_peer_doorbell(&t->inst);
	else if (!is_host && !READ_ONCE(t->host_paused))
		mk_peer_doorbell(&t->host);
}

static void mk_test_broken(struct mk_peer *peer, const char *why)
{
	bool is_host;
	struct mk_msg_test *t = mk_test_of(peer, &is_host);

	WRITE_ONCE(t->why, why);
	atomic_inc(&t->broken);
}

static const struct mk_peer_ops mk_test_ops = {
	.kick = mk_test_kick,
	.broken = mk_test_broken,
};

static int mk_msg_test_init(struct kunit *test)
{
	struct mk_ring_geometry geo = {
		.slot_size = SLOT,
		.slot_count = SLOTS,
		.first_index = U32_MAX - 7,
	};
	size_t size = mk_ring_region_size(SLOT, SLOTS);
	struct mk_msg_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	init_completion(&t->got);
	t->region = vzalloc(size);
	KUNIT_ASSERT_NOT_NULL(test, t->region);
	KUNIT_ASSERT_EQ(test, mk_ring_format(t->region, size, &geo), 0);
	KUNIT_ASSERT_EQ(test, mk_peer_init(&t->host, t->region, size,
					   MK_RING_HOST, "test host",
					   &mk_test_ops), 0);
	t->host_up = true;
	KUNIT_ASSERT_EQ(test, mk_peer_init(&t->inst, t->region, size,
					   MK_RING_INSTANCE, "test instance",
					   &mk_test_ops), 0);
	t->inst_up = true;
	/* Both looked at their empty rings once; start from quiet. */
	flush_work(&t->host.rx_work);
	flush_work(&t->inst.rx_work);
	return 0;
}

static void mk_msg_test_exit(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	if (!t)
		return;
	/* No more doorbells between the two once either is going. */
	WRITE_ONCE(t->host_paused, true);
	WRITE_ONCE(t->inst_paused, true);
	if (t->host_up) {
		/* Let a waiting thread go before its peer disappears. */
		mk_peer_disconnect(&t->host);
		if (t->waiter.started)
			wait_for_completion(&t->waiter.done);
		mk_peer_destroy(&t->host);
	}
	if (t->inst_up)
		mk_peer_destroy(&t->inst);
	vfree(t->region);
}

/* Instance handler: remember the message and count it. */
static void mk_test_record(struct mk_peer *peer, const struct mk_msg *msg,
			   void *priv)
{
	struct mk_msg_test *t = priv;

	t->last_len = msg->len;
	memcpy(t->last, msg->data, min_t(u32, msg->len, sizeof(t->last)));
	atomic_inc(&t->received);
	complete(&t->got);
}

/* Instance handler: answer a request with its payload reversed. */
static void mk_test_reverse(struct mk_peer *peer, const struct mk_msg *msg,
			    void *priv)
{
	const u8 *in = msg->data;
	u8 out[64];
	u32 i, n = min_t(u32, msg->len, sizeof(out));

	for (i = 0; i < n; i++)
		out[i] = in[n - 1 - i];
	mk_msg_reply(peer, msg, out, n, 0);
}

static void mk_msg_data_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_record, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "hello", 5, 0), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, t->last_len, 5);
	KUNIT_EXPECT_MEMEQ(test, t->last, "hello", 5);
	KUNIT_EXPECT_EQ(test, t->host.chan[3].tx_msgs, 1);
	KUNIT_EXPECT_EQ(test, t->host.chan[3].tx_bytes, 5);
	KUNIT_EXPECT_EQ(test, t->inst.chan[3].rx_msgs, 1);
	KUNIT_EXPECT_EQ(test, t->inst.chan[3].rx_bytes, 5);

	/* An empty message is a message too. */
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, NULL, 0, 0), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, t->last_len, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

static void mk_msg_register_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, mk_msg_register(&t->inst, MK_MSG_CHANNELS,
					      mk_test_record, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_register(&t->inst, 1, NULL, t), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_register(&t->inst, 1, mk_test_record, t), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_register(&t->inst, 1, mk_test_reverse, t),
			-EBUSY);
	mk_msg_unregister(&t->inst, 1);
	KUNIT_EXPECT_EQ(test, mk_msg_register(&t->inst, 1, mk_test_reverse, t), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 1, "x", 1, 0x2), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 1, NULL,
					  t->host.end.max_payload + 1, 0),
			-EMSGSIZE);
}

static void mk_msg_drop_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	/* Nobody listens on 5; 1000 is beyond the channel table. */
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 5, "a", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 1000, "b", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 6, mk_test_record, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 6, "c", 1, 0), 0);
	/* Messages are handled in order: once 6 arrived, 5 and 1000 were seen. */
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, t->inst.chan[5].drops, 1);
	KUNIT_EXPECT_EQ(test, t->inst.unknown, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 1);
	KUNIT_EXPECT_EQ(test, t->last[0], 'c');

	/* Unregistered: dropped from now on. */
	mk_msg_unregister(&t->inst, 6);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 6, "d", 1, 0), 0);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_EQ(test, t->inst.chan[6].drops, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/* One-slot messages that fill the ring (256-byte slots, 32-byte header). */
#define SMALL	(SLOT - 32)

static int mk_test_fill(struct mk_msg_test *t)
{
	static const u8 zero[SMALL];
	int n = 0;

	while (mk_msg_send(&t->host, 2, zero, SMALL, MK_MSG_NONBLOCK) == 0)
		if (++n > SLOTS)
			break;
	return n;
}

static void mk_msg_nonblock_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	int i;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 2, mk_test_record, t), 0);
	WRITE_ONCE(t->inst_paused, true);
	KUNIT_EXPECT_EQ(test, mk_test_fill(t), SLOTS);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 2, "x", 1, MK_MSG_NONBLOCK),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 0);

	/* Let the doorbell through: everything arrives. */
	WRITE_ONCE(t->inst_paused, false);
	mk_peer_doorbell(&t->inst);
	for (i = 0; i < SLOTS; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), SLOTS);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 2, "x", 1, MK_MSG_NONBLOCK), 0);
}

static int mk_test_sender(void *arg)
{
	struct mk_waiter *w = arg;

	w->ret = mk_msg_send(w->peer, 2, "late", 4, 0);
	/* For the test and for the exit, which both wait. */
	complete_all(&w->done);
	return 0;
}

static int mk_test_requester(void *arg)
{
	struct mk_waiter *w = arg;
	char resp[8];

	w->ret = mk_msg_request(w->peer, 9, "?", 1, resp, sizeof(resp), WAIT);
	/* For the test and for the exit, which both wait. */
	complete_all(&w->done);
	return 0;
}

/* Start @fn in a thread that blocks on the host peer. */
static struct mk_waiter *mk_test_wait_in(struct kunit *test,
					 struct mk_msg_test *t,
					 int (*fn)(void *))
{
	struct mk_waiter *w = &t->waiter;
	struct task_struct *task;

	w->peer = &t->host;
	init_completion(&w->done);
	task = kthread_run(fn, w, "mk_msg_waiter");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	w->started = true;
	/* It stays blocked while nothing changes. */
	KUNIT_EXPECT_EQ(test, wait_for_completion_timeout(&w->done, HZ / 10), 0);
	return w;
}

/*
 * Fill the host's ring while the instance hears nothing, and start a
 * sender that blocks on it.
 */
static struct mk_waiter *mk_test_block_sender(struct kunit *test,
					      struct mk_msg_test *t)
{
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 2, mk_test_record, t), 0);
	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_test_fill(t), SLOTS);
	/* The ring stays full while the instance hears nothing. */
	return mk_test_wait_in(test, t, mk_test_sender);
}

static void mk_msg_blocking_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct mk_waiter *w = mk_test_block_sender(test, t);
	s64 rechecks;
	int i;

	/* The instance drains; its space doorbell wakes the sender. */
	rechecks = atomic64_read(&t->host.tx_rechecks);
	WRITE_ONCE(t->inst_paused, false);
	mk_peer_doorbell(&t->inst);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&w->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, w->ret, 0);
	for (i = 0; i < SLOTS + 1; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, t->last_len, 4);
	KUNIT_EXPECT_MEMEQ(test, t->last, "late", 4);
	/*
	 * Unless the sender, looking again on its own meanwhile, took the
	 * room before the ring was half drained: then no doorbell is due. On
	 * a busy machine that happens; the lost-doorbell test covers it.
	 */
	if (atomic64_read(&t->host.tx_rechecks) == rechecks)
		KUNIT_EXPECT_GE(test, t->inst.end.stats.space_doorbells, 1);
}

/*
 * A doorbell from the instance that never reaches the host: the sender
 * still gets its room, by looking again on its own.
 */
static void mk_msg_lost_space_doorbell_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct mk_waiter *w = mk_test_block_sender(test, t);
	int i;

	/* The instance drains, but its space doorbell is lost. */
	WRITE_ONCE(t->host_paused, true);
	mk_peer_doorbell(&t->inst);
	for (i = 0; i < SLOTS; i++)
		KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&w->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, w->ret, 0);
}

/*
 * Messages whose doorbell was lost: the first poll only notes where the
 * ring stands, the second finds that nothing moved and takes them in.
 */
static void mk_msg_poll_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 2, mk_test_record, t), 0);
	/* Nothing waits: nothing to do. */
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));

	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 2, "lost", 4, 0), 0);
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 0);
	KUNIT_EXPECT_TRUE(test, mk_peer_poll(&t->inst));
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_MEMEQ(test, t->last, "lost", 4);
	KUNIT_EXPECT_EQ(test, t->inst.rx_polls, 1);

	/* Taken in: the next polls find nothing waiting. */
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	KUNIT_EXPECT_EQ(test, t->inst.rx_polls, 1);
}

static void mk_msg_request_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct mk_msg data = { .type = MULTIKERNEL_MSG_DATA };
	char resp[16] = { };

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 7, mk_test_reverse, t), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 7, "abc", 3, resp,
					     sizeof(resp), WAIT), 3);
	KUNIT_EXPECT_MEMEQ(test, resp, "cba", 3);

	/* Two in a row get their own answers. */
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 7, "12345", 5, resp,
					     sizeof(resp), WAIT), 5);
	KUNIT_EXPECT_MEMEQ(test, resp, "54321", 5);

	/* An answer bigger than the buffer is refused, not truncated. */
	memset(resp, 0, sizeof(resp));
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 7, "abcdef", 6, resp, 2,
					     WAIT), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, resp[0], 0);

	/* Nobody answers on 8: the request times out, and no answer leaks. */
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 8, "?", 1, resp,
					     sizeof(resp), HZ / 10), -ETIMEDOUT);
	KUNIT_EXPECT_TRUE(test, list_empty(&t->host.requests));

	/* A reply to something that is not a request is refused. */
	KUNIT_EXPECT_EQ(test, mk_msg_reply(&t->inst, &data, "x", 1, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

static void mk_msg_broken_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct multikernel_ring_header *hdr = t->region;
	struct mk_waiter *w;

	/* A request nobody answers, pending while the ring breaks. */
	w = mk_test_wait_in(test, t, mk_test_requester);
	/* The instance dropped it and is idle. */
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_EQ(test, t->inst.chan[9].drops, 1);

	/* The instance scribbles over the region header. */
	hdr->magic = 0;
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 1, "x", 1, 0), -EPIPE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 1);
	KUNIT_EXPECT_STREQ(test, READ_ONCE(t->why), "region header overwritten");

	/* The pending request fails at once instead of timing out. */
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&w->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, w->ret, -EPIPE);
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 9, "?", 1, NULL, 0, WAIT),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->host, 1, "x", 1, 0), -EPIPE);
	/* Reported once. */
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 1);
}

static void mk_msg_corrupt_rx_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct multikernel_ring_header *hdr = t->region;
	struct multikernel_msg_header *m;
	u32 idx = hdr->ring[MULTIKERNEL_RING_H2I].head;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 4, mk_test_record, t), 0);
	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 4, "ok", 2, 0), 0);

	/* The host corrupts the message's length before the instance reads it. */
	m = t->region + hdr->slots_offset + (idx % SLOTS) * SLOT;
	m->length = 100000;
	m->check = mk_msg_check(m);
	WRITE_ONCE(t->inst_paused, false);
	mk_peer_doorbell(&t->inst);
	flush_work(&t->inst.rx_work);

	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 1);
	KUNIT_EXPECT_STREQ(test, READ_ONCE(t->why),
			   "message longer than the maximum");
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->inst, 4, "x", 1, 0), -EPIPE);
}

static void mk_msg_disconnect_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	struct mk_waiter *w;

	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_test_fill(t), SLOTS);
	w = mk_test_wait_in(test, t, mk_test_sender);

	/* The instance is gone: the blocked sender is let go. */
	mk_peer_disconnect(&t->host);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&w->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, w->ret, -EPIPE);
	/* A disconnect is not a protocol error. */
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/*
 * Instance handler: a blocking send into a ring nobody drains, then a
 * request. Waiting for either would hold up every message behind this
 * one, and the request's own answer.
 */
static void mk_test_send_back(struct mk_peer *peer, const struct mk_msg *msg,
			      void *priv)
{
	struct mk_msg_test *t = priv;
	char resp[4];

	t->handler_send = mk_msg_send(peer, 2, "back", 4, 0);
	t->handler_request = mk_msg_request(peer, 9, "?", 1, resp, sizeof(resp),
					    WAIT);
	complete(&t->got);
}

static void mk_msg_handler_never_waits_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	static const u8 zero[SMALL];
	int n = 0;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_send_back, t),
			0);
	/* The host hears nothing: the instance's ring fills up. */
	WRITE_ONCE(t->host_paused, true);
	while (n <= SLOTS &&
	       mk_msg_send(&t->inst, 2, zero, SMALL, MK_MSG_NONBLOCK) == 0)
		n++;
	KUNIT_ASSERT_EQ(test, n, SLOTS);

	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "go", 2, 0), 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);
	KUNIT_EXPECT_EQ(test, t->handler_send, -EAGAIN);
	KUNIT_EXPECT_EQ(test, t->handler_request, -EDEADLK);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/*
 * The host stopped: what it left in the instance's ring is taken in, and
 * nothing can be sent to it or asked of it any more.
 */
static void mk_msg_drain_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 2, mk_test_record, t), 0);
	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_test_fill(t), SLOTS);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), 0);

	mk_peer_drain(&t->inst);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->received), SLOTS);
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->inst, 2, "x", 1, 0), -EPIPE);
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->inst, 2, "x", 1, NULL, 0, WAIT),
			-EPIPE);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/* Append @c to @str, a string of the test's (handlers of a peer do not overlap). */
static void mk_test_note(char *str, size_t size, char c)
{
	size_t n = strnlen(str, size);

	if (n < size - 1)
		str[n] = c;
}

static char mk_test_first(const struct mk_msg *msg)
{
	return msg->len ? ((const char *)msg->data)[0] : '0';
}

/* Instance handler: note the message in the order it came. */
static void mk_test_order_slow(struct mk_peer *peer, const struct mk_msg *msg,
			       void *priv)
{
	struct mk_msg_test *t = priv;

	mk_test_note(t->order, sizeof(t->order), mk_test_first(msg));
	mk_test_note(t->slow, sizeof(t->slow), mk_test_first(msg));
}

/* Fast handler: the same, but it declines messages that start with 'd'. */
static bool mk_test_order_fast(struct mk_peer *peer, const struct mk_msg *msg,
			       void *priv)
{
	struct mk_msg_test *t = priv;

	if (mk_test_first(msg) == 'd')
		return false;
	mk_test_note(t->order, sizeof(t->order), mk_test_first(msg));
	mk_test_note(t->fast, sizeof(t->fast), mk_test_first(msg));
	return true;
}

/* A fast handler gets its messages from the doorbell, no work item run. */
static void mk_msg_fast_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	u64 runs = t->inst.rx_runs;

	KUNIT_EXPECT_EQ(test, mk_msg_set_fast(&t->inst, 3, mk_test_order_fast),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_set_fast(&t->inst, MK_MSG_CHANNELS,
					      mk_test_order_fast), -EINVAL);
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_order_slow, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_set_fast(&t->inst, 3, mk_test_order_fast), 0);
	KUNIT_EXPECT_EQ(test, t->inst.nr_fast, 1);

	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "a", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "b", 1, 0), 0);
	/* Taken in the doorbell the send rang: before any work could run. */
	KUNIT_EXPECT_STREQ(test, t->fast, "ab");
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "ab");
	KUNIT_EXPECT_STREQ(test, t->slow, "");
	KUNIT_EXPECT_EQ(test, t->inst.rx_fast, 2);
	KUNIT_EXPECT_EQ(test, t->inst.rx_runs, runs);
	KUNIT_EXPECT_EQ(test, t->inst.chan[3].rx_msgs, 2);

	/* Unregistered, the fast handler goes with the handler. */
	mk_msg_unregister(&t->inst, 3);
	KUNIT_EXPECT_EQ(test, t->inst.nr_fast, 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "c", 1, 0), 0);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "ab");
	KUNIT_EXPECT_EQ(test, t->inst.chan[3].drops, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/*
 * What a fast handler declines goes to the channel's handler, and nothing
 * sent after it overtakes it.
 */
static void mk_msg_fast_declined_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_order_slow, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_set_fast(&t->inst, 3, mk_test_order_fast), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "a", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "d", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "e", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "f", 1, 0), 0);
	flush_work(&t->inst.rx_work);
	/* e and f may come either way, depending on when the work ran. */
	KUNIT_EXPECT_STREQ(test, t->order, "adef");
	KUNIT_EXPECT_EQ(test, t->fast[0], 'a');
	KUNIT_EXPECT_EQ(test, t->slow[0], 'd');
	KUNIT_EXPECT_EQ(test, strlen(t->fast) + strlen(t->slow), 4);
	KUNIT_EXPECT_FALSE(test, t->inst.stashed);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/* A message for a handler in process context holds back those after it. */
static void mk_msg_fast_waits_its_turn_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_order_slow, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_set_fast(&t->inst, 3, mk_test_order_fast), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 4, mk_test_order_slow, t), 0);

	WRITE_ONCE(t->inst_paused, true);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 4, "s", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "a", 1, 0), 0);
	WRITE_ONCE(t->inst_paused, false);
	mk_peer_doorbell(&t->inst);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "sa");
	KUNIT_EXPECT_STREQ(test, t->fast, "");
	KUNIT_EXPECT_EQ(test, t->inst.rx_fast, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/* With a fast channel, responses are taken in the doorbell too. */
static void mk_msg_fast_response_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;
	char resp[16] = { };

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->host, 9, mk_test_order_slow, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_set_fast(&t->host, 9, mk_test_order_fast), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 7, mk_test_reverse, t), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_request(&t->host, 7, "abc", 3, resp,
					     sizeof(resp), WAIT), 3);
	KUNIT_EXPECT_MEMEQ(test, resp, "cba", 3);
	KUNIT_EXPECT_EQ(test, t->host.rx_fast, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

/*
 * A paused peer (a host kexec hands it over) takes nothing in, by doorbell,
 * receive work or poll, and leaves what comes in the ring; it still sends.
 * Unpaused, it takes that in, once and in order.
 */
static void mk_msg_pause_test(struct kunit *test)
{
	struct mk_msg_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->inst, 3, mk_test_order_slow, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_set_fast(&t->inst, 3, mk_test_order_fast), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_register(&t->host, 2, mk_test_record, t), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "a", 1, 0), 0);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "a");

	mk_peer_pause(&t->inst);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "b", 1, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_msg_send(&t->host, 3, "d", 1, 0), 0);
	/* The doorbells rang; twice a poll would see a ring that did not move. */
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	KUNIT_EXPECT_FALSE(test, mk_peer_poll(&t->inst));
	queue_work(system_wq, &t->inst.rx_work);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "a");
	KUNIT_EXPECT_EQ(test, mk_ring_peek(&t->inst.end, &(struct mk_msg_info){}), 0);
	/* Sending goes on. */
	KUNIT_EXPECT_EQ(test, mk_msg_send(&t->inst, 2, "up", 2, 0), 0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&t->got, WAIT), 0);

	mk_peer_unpause(&t->inst);
	flush_work(&t->inst.rx_work);
	KUNIT_EXPECT_STREQ(test, t->order, "abd");
	KUNIT_EXPECT_STREQ(test, t->slow, "d");
	KUNIT_EXPECT_EQ(test, mk_ring_peek(&t->inst.end, &(struct mk_msg_info){}),
			-EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->broken), 0);
}

static struct kunit_case mk_msg_cases[] = {
	KUNIT_CASE(mk_msg_data_test),
	KUNIT_CASE(mk_msg_register_test),
	KUNIT_CASE(mk_msg_drop_test),
	KUNIT_CASE(mk_msg_nonblock_test),
	KUNIT_CASE(mk_msg_blocking_test),
	KUNIT_CASE(mk_msg_lost_space_doorbell_test),
	KUNIT_CASE(mk_msg_poll_test),
	KUNIT_CASE(mk_msg_request_test),
	KUNIT_CASE(mk_msg_broken_test),
	KUNIT_CASE(mk_msg_corrupt_rx_test),
	KUNIT_CASE(mk_msg_disconnect_test),
	KUNIT_CASE(mk_msg_handler_never_waits_test),
	KUNIT_CASE(mk_msg_drain_test),
	KUNIT_CASE(mk_msg_pause_test),
	KUNIT_CASE(mk_msg_fast_test),
	KUNIT_CASE(mk_msg_fast_declined_test),
	KUNIT_CASE(mk_msg_fast_waits_its_turn_test),
	KUNIT_CASE(mk_msg_fast_response_test),
	{}
};

static struct kunit_suite mk_msg_suite = {
	.name = "multikernel_msg",
	.init = mk_msg_test_init,
	.exit = mk_msg_test_exit,
	.test_cases = mk_msg_cases,
};

kunit_test_suite(mk_msg_suite);

MODULE_DESCRIPTION("KUnit tests for multikernel channels");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
