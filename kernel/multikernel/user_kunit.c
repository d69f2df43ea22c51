// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the user datagram devices: header checks, inbox limits,
 * per-source inboxes, forwarding on the host, sending, receiving and
 * removal, on hubs of their own around a fake messaging link. No device
 * node is registered.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "user.h"

#define HOST	MULTIKERNEL_HOST_ID
#define HDR	sizeof(struct multikernel_user_hdr)
/* Only a guard against hanging: no test asserts how long anything takes. */
#define WAIT	(30 * HZ)

/* The fake link: what it was asked to send last, and what it answers. */
struct mk_user_test {
	struct mk_user_hub hub;
	u32 self;
	bool connected;
	int send_ret;
	unsigned int sends;
	u32 sent_to;
	u16 sent_channel;
	unsigned int sent_flags;
	size_t sent_len;
	u8 sent[HDR + 64];
};

/* KUnit runs the cases of a suite one after the other. */
static struct mk_user_test *mk_cur;

static u32 mk_fake_self_id(void)
{
	return mk_cur->self;
}

/* Keeps what fits into t->sent of the payload, @head first, then @from. */
static int mk_fake_send_iter(u32 id, u16 channel, const void *head,
			     size_t head_len, struct iov_iter *from,
			     unsigned int flags)
{
	struct mk_user_test *t = mk_cur;
	size_t rest = from ? iov_iter_count(from) : 0;
	size_t first = min(head_len, sizeof(t->sent));

	t->sends++;
	t->sent_to = id;
	t->sent_channel = channel;
	t->sent_flags = flags;
	t->sent_len = head_len + rest;
	memcpy(t->sent, head, first);
	if (rest) {
		size_t n = min(rest, sizeof(t->sent) - first);

		if (copy_from_iter(t->sent + first, n, from) != n)
			return -EFAULT;
		iov_iter_advance(from, rest - n);
	}
	return t->send_ret;
}

static bool mk_fake_connected(u32 id)
{
	return mk_cur->connected;
}

static const struct mk_user_link_ops mk_fake_link = {
	.self_id = mk_fake_self_id,
	.send_iter = mk_fake_send_iter,
	.connected = mk_fake_connected,
};

static int mk_user_test_init(struct kunit *test)
{
	struct mk_user_test *t;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	mk_user_hub_init(&t->hub, &mk_fake_link);
	t->connected = true;
	mk_cur = t;
	test->priv = t;
	return 0;
}

static void mk_user_test_exit(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev;
	unsigned long id;

	xa_for_each(&t->hub.devs, id, dev)
		mk_udev_remove(&t->hub, id);
	xa_destroy(&t->hub.devs);
	mk_cur = NULL;
}

/* A device for @peer in the test's hub; the hub holds the only reference. */
static struct mk_udev *mk_test_dev(struct kunit *test, u32 peer)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev;

	dev = mk_udev_alloc(&t->hub, peer, "kunit");
	KUNIT_ASSERT_NOT_NULL(test, dev);
	KUNIT_ASSERT_EQ(test, mk_udev_add(dev), 0);
	mk_udev_put(dev);
	return dev;
}

/* A datagram with header {src, dst} and @len bytes of @fill, to kvfree(). */
static u8 *mk_test_dgram(struct kunit *test, u32 src, u32 dst, u32 len, u8 fill)
{
	struct multikernel_user_hdr *hdr;
	u8 *buf;

	buf = kvmalloc(HDR + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	hdr = (struct multikernel_user_hdr *)buf;
	hdr->src = src;
	hdr->dst = dst;
	memset(buf + HDR, fill, len);
	return buf;
}

/* Deliver a datagram with header {src, dst} and @len bytes of @fill. */
static void mk_test_deliver(struct kunit *test, u32 from, u32 src, u32 dst,
			    u32 len, u8 fill)
{
	struct mk_user_test *t = test->priv;
	u8 *buf = mk_test_dgram(test, src, dst, len, fill);

	mk_user_hub_deliver(&t->hub, from, buf, HDR + len);
	kvfree(buf);
}

/*
 * The same through the doorbell's way, with interrupts off as in the
 * doorbell interrupt; what mk_user_hub_deliver_fast() returned.
 */
static bool mk_test_deliver_fast(struct kunit *test, u32 from, u32 src,
				 u32 dst, u32 len, u8 fill)
{
	struct mk_user_test *t = test->priv;
	u8 *buf = mk_test_dgram(test, src, dst, len, fill);
	unsigned long flags;
	bool taken;

	local_irq_save(flags);
	taken = mk_user_hub_deliver_fast(&t->hub, from, buf, HDR + len);
	local_irq_restore(flags);
	kvfree(buf);
	return taken;
}

static ssize_t mk_test_recv_wait(struct mk_ufile *uf, void *buf, size_t size,
				 bool nonblock)
{
	struct kvec kv = { .iov_base = buf, .iov_len = size };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &kv, 1, size);
	return mk_ufile_recv(uf, &iter, nonblock);
}

/* Receive into a kernel buffer of @size bytes, without waiting. */
static ssize_t mk_test_recv(struct mk_ufile *uf, void *buf, size_t size)
{
	return mk_test_recv_wait(uf, buf, size, true);
}

/* A reader blocked in mk_ufile_recv() while the test goes on. */
struct mk_reader {
	struct mk_ufile *uf;
	struct completion started;
	struct completion done;
	u8 buf[16];
	ssize_t ret;
};

static int mk_reader_fn(void *arg)
{
	struct mk_reader *r = arg;

	complete(&r->started);
	r->ret = mk_test_recv_wait(r->uf, r->buf, sizeof(r->buf), false);
	complete(&r->done);
	return 0;
}

static void mk_reader_start(struct kunit *test, struct mk_reader *r,
			    struct mk_ufile *uf)
{
	struct task_struct *task;

	r->uf = uf;
	r->ret = 1234;
	init_completion(&r->started);
	init_completion(&r->done);
	task = kthread_run(mk_reader_fn, r, "mk_user_reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->started, WAIT), 0);
	/* Give it time to block; the test holds either way. */
	msleep(50);
}

static ssize_t mk_test_send(struct mk_ufile *uf, const void *buf, size_t len,
			    bool nonblock)
{
	struct kvec kv = { .iov_base = (void *)buf, .iov_len = len };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_SOURCE, &kv, 1, len);
	return mk_ufile_send(uf, &iter, nonblock);
}

struct mk_hdr_case {
	const char *what;
	u32 self, from, len, src, dst;
	int want;
};

static const struct mk_hdr_case mk_hdr_cases[] = {
	{ "host: for the host", HOST, 3, HDR + 1, 3, HOST, MK_USER_LOCAL },
	{ "host: for another instance", HOST, 3, HDR + 1, 3, 4, MK_USER_FORWARD },
	{ "host: largest payload", HOST, 3, HDR + MULTIKERNEL_USER_MAX, 3, HOST,
	  MK_USER_LOCAL },
	{ "host: payload too long", HOST, 3, HDR + MULTIKERNEL_USER_MAX + 1, 3,
	  HOST, -EBADMSG },
	{ "host: empty", HOST, 3, HDR, 3, HOST, -EBADMSG },
	{ "host: shorter than the header", HOST, 3, HDR - 1, 3, HOST, -EBADMSG },
	{ "host: nothing", HOST, 3, 0, 3, HOST, -EBADMSG },
	{ "host: forged source", HOST, 3, HDR + 1, 4, HOST, -EBADMSG },
	{ "host: source the host", HOST, 3, HDR + 1, HOST, 4, -EBADMSG },
	{ "host: to its sender", HOST, 3, HDR + 1, 3, 3, -EBADMSG },
	{ "instance: from the host", 5, HOST, HDR + 1, HOST, 5, MK_USER_LOCAL },
	{ "instance: forwarded", 5, HOST, HDR + 1, 7, 5, MK_USER_LOCAL },
	{ "instance: not for it", 5, HOST, HDR + 1, HOST, 6, -EBADMSG },
	{ "instance: for the host", 5, HOST, HDR + 1, HOST, HOST, -EBADMSG },
	{ "instance: from itself", 5, HOST, HDR + 1, 5, 5, -EBADMSG },
	{ "instance: not from the link to the host", 5, 7, HDR + 1, 7, 5,
	  -EBADMSG },
	{ "instance: too long", 5, HOST, HDR + MULTIKERNEL_USER_MAX + 1, HOST,
	  5, -EBADMSG },
	{ "instance: empty", 5, HOST, HDR, HOST, 5, -EBADMSG },
};

static void mk_user_hdr_test(struct kunit *test)
{
	struct multikernel_user_hdr in, out;
	const struct mk_hdr_case *c;
	const char *why;
	u8 *buf;
	int ret;

	buf = kunit_kzalloc(test, HDR + MULTIKERNEL_USER_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (c = mk_hdr_cases; c < mk_hdr_cases + ARRAY_SIZE(mk_hdr_cases);
	     c++) {
		in.src = c->src;
		in.dst = c->dst;
		memcpy(buf, &in, HDR);
		memset(&out, 0xff, sizeof(out));
		why = NULL;
		ret = mk_user_hdr_check(c->self, c->from, buf, c->len, &out,
					&why);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->want, "%s", c->what);
		if (ret < 0) {
			KUNIT_EXPECT_NOT_NULL_MSG(test, why, "%s", c->what);
		} else {
			KUNIT_EXPECT_EQ_MSG(test, out.src, c->src, "%s", c->what);
			KUNIT_EXPECT_EQ_MSG(test, out.dst, c->dst, "%s", c->what);
		}
	}
}

/* An inbox takes MK_USER_QUEUE_LEN datagrams, and not more bytes than allowed. */
static void mk_user_inbox_limit_test(struct kunit *test)
{
	struct mk_uinbox box = { .queue = LIST_HEAD_INIT(box.queue) };
	struct mk_udgram small = { .len = 1 }, *d, *tmp;
	struct mk_udgram big = { .len = MK_USER_QUEUE_BYTES };
	struct mk_udgram *many;
	unsigned int i;

	many = kunit_kcalloc(test, MK_USER_QUEUE_LEN + 1, sizeof(*many),
			     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0; i < MK_USER_QUEUE_LEN; i++) {
		many[i].len = 10;
		KUNIT_EXPECT_EQ(test, mk_uinbox_push(&box, &many[i]), 0);
	}
	many[i].len = 1;
	KUNIT_EXPECT_EQ(test, mk_uinbox_push(&box, &many[i]), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, box.count, MK_USER_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, box.bytes, 10 * MK_USER_QUEUE_LEN);

	/* Bytes: a full megabyte fits an empty inbox, then not one more byte. */
	INIT_LIST_HEAD(&box.queue);
	box.count = 0;
	box.bytes = 0;
	KUNIT_EXPECT_EQ(test, mk_uinbox_push(&box, &big), 0);
	KUNIT_EXPECT_EQ(test, mk_uinbox_push(&box, &small), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, box.count, 1);
	list_for_each_entry_safe(d, tmp, &box.queue, node)
		list_del(&d->node);
}

/* Through the device: overflow is dropped and counted, reading makes room. */
static void mk_user_queue_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev = mk_test_dev(test, 3);
	unsigned int i, fit;
	struct mk_ufile uf;
	u8 *buf;

	buf = kunit_kzalloc(test, MULTIKERNEL_USER_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);

	KUNIT_EXPECT_EQ(test, mk_user_hub_unread(&t->hub), 0);
	for (i = 0; i < MK_USER_QUEUE_LEN + 5; i++)
		mk_test_deliver(test, 3, 3, HOST, 4, i);
	/* What a host kexec would take with it: the queued, not the dropped. */
	KUNIT_EXPECT_EQ(test, mk_user_hub_unread(&t->hub), MK_USER_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_datagrams, MK_USER_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_bytes, 4 * MK_USER_QUEUE_LEN);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 5);

	/* The oldest come out first. */
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), 4);
	KUNIT_EXPECT_EQ(test, buf[0], 0);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), 4);
	KUNIT_EXPECT_EQ(test, buf[0], 1);
	mk_test_deliver(test, 3, 3, HOST, 4, 0xaa);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 5);
	for (i = 2; i < MK_USER_QUEUE_LEN; i++) {
		KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), 4);
		KUNIT_EXPECT_EQ(test, buf[3], (u8)i);
	}
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), 4);
	KUNIT_EXPECT_EQ(test, buf[0], 0xaa);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), -EAGAIN);
	KUNIT_EXPECT_EQ(test, mk_user_hub_unread(&t->hub), 0);

	/* Large datagrams hit the byte limit first. */
	fit = MK_USER_QUEUE_BYTES / MULTIKERNEL_USER_MAX;
	for (i = 0; i < fit + 1; i++)
		mk_test_deliver(test, 3, 3, HOST, MULTIKERNEL_USER_MAX, i);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 6);
	for (i = 0; i < fit; i++)
		KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, MULTIKERNEL_USER_MAX),
				MULTIKERNEL_USER_MAX);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 16), -EAGAIN);
	mk_ufile_release(&uf);
}

/* Too small a buffer: -EMSGSIZE, and the datagram is still there. */
static void mk_user_recv_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev = mk_test_dev(test, 3);
	struct mk_ufile uf;
	u8 buf[32];

	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), -EAGAIN);
	mk_test_deliver(test, 3, 3, HOST, 20, 0x5a);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 19), -EMSGSIZE);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, 20), 20);
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[19], 0x5a);
	KUNIT_EXPECT_EQ(test, buf[20], 0);

	/* Queued datagrams are read after the link went down; then ENOTCONN. */
	mk_test_deliver(test, 3, 3, HOST, 1, 1);
	t->connected = false;
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), -ENOTCONN);
	mk_ufile_release(&uf);
}

/* A blocked reader wakes for a datagram, and for the link going down. */
static void mk_user_blocking_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev = mk_test_dev(test, 3);
	struct mk_reader *r;
	struct mk_ufile uf;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);

	mk_reader_start(test, r, &uf);
	KUNIT_EXPECT_FALSE(test, completion_done(&r->done));
	mk_test_deliver(test, 3, 3, HOST, 3, 0x33);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, r->ret, 3);
	KUNIT_EXPECT_EQ(test, r->buf[2], 0x33);

	/* The link goes down: the waiting reader gets ENOTCONN. */
	mk_reader_start(test, r, &uf);
	KUNIT_EXPECT_FALSE(test, completion_done(&r->done));
	t->connected = false;
	mk_user_hub_link_changed(&t->hub, 3);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, r->ret, -ENOTCONN);

	/* The device goes: ENODEV. */
	t->connected = true;
	mk_reader_start(test, r, &uf);
	KUNIT_EXPECT_FALSE(test, completion_done(&r->done));
	mk_udev_remove(&t->hub, 3);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&r->done, WAIT), 0);
	KUNIT_EXPECT_EQ(test, r->ret, -ENODEV);
	mk_ufile_release(&uf);
}

/* In an instance, reads return only datagrams from the connected peer. */
static void mk_user_filter_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev;
	struct mk_ufile host, seven, other;
	u8 buf[16];

	t->self = 5;
	dev = mk_test_dev(test, HOST);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&host, dev), 0);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&seven, dev), 0);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&other, dev), 0);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&seven, 7), 0);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&seven, 7), 0);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&other, 5), -EINVAL);

	mk_test_deliver(test, HOST, HOST, 5, 1, 0x10);
	mk_test_deliver(test, HOST, 7, 5, 2, 0x70);
	mk_test_deliver(test, HOST, 9, 5, 3, 0x90);	/* nobody connected to 9 */
	mk_test_deliver(test, HOST, 5, 5, 4, 0x50);	/* from itself */
	mk_test_deliver(test, HOST, 7, 6, 5, 0x60);	/* for instance 6 */
	KUNIT_EXPECT_EQ(test, dev->stats.rx_datagrams, 2);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 1);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_invalid, 2);

	KUNIT_EXPECT_EQ(test, mk_test_recv(&seven, buf, sizeof(buf)), 2);
	KUNIT_EXPECT_EQ(test, buf[0], 0x70);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&seven, buf, sizeof(buf)), -EAGAIN);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&host, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 0x10);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&other, buf, sizeof(buf)), -EAGAIN);

	/* Leaving an inbox nobody else uses drops what it still holds. */
	mk_test_deliver(test, HOST, 7, 5, 1, 0x71);
	mk_test_deliver(test, HOST, 7, 5, 1, 0x72);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&seven, HOST), 0);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 3);
	mk_test_deliver(test, HOST, 7, 5, 1, 0x73);
	KUNIT_EXPECT_EQ(test, dev->stats.rx_dropped, 4);

	/* Two files connected to one peer share its inbox. */
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&seven, 7), 0);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&other, 7), 0);
	mk_test_deliver(test, HOST, 7, 5, 1, 0x74);
	mk_ufile_release(&seven);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&other, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 0x74);
	mk_ufile_release(&other);
	mk_ufile_release(&host);
}

/* The host forwards between instances and checks the source. */
static void mk_user_forward_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct multikernel_user_hdr hdr;
	struct mk_udev *a = mk_test_dev(test, 3);
	struct mk_udev *b = mk_test_dev(test, 4);

	t->self = HOST;
	mk_test_deliver(test, 3, 3, 4, 6, 0x34);
	KUNIT_EXPECT_EQ(test, t->sends, 1);
	KUNIT_EXPECT_EQ(test, t->sent_to, 4);
	KUNIT_EXPECT_EQ(test, t->sent_channel, MULTIKERNEL_CHAN_USER);
	KUNIT_EXPECT_EQ(test, t->sent_flags, MK_MSG_NONBLOCK);
	KUNIT_EXPECT_EQ(test, t->sent_len, HDR + 6);
	memcpy(&hdr, t->sent, HDR);
	KUNIT_EXPECT_EQ(test, hdr.src, 3);
	KUNIT_EXPECT_EQ(test, hdr.dst, 4);
	KUNIT_EXPECT_EQ(test, t->sent[HDR + 5], 0x34);
	KUNIT_EXPECT_EQ(test, a->stats.forwarded, 1);

	/* Not deliverable (ring full, no link): dropped, counted. */
	t->send_ret = -EAGAIN;
	mk_test_deliver(test, 3, 3, 4, 1, 0);
	t->send_ret = -ENOTCONN;
	mk_test_deliver(test, 3, 3, 9, 1, 0);
	KUNIT_EXPECT_EQ(test, a->stats.forward_dropped, 2);

	/* A forged source is neither forwarded nor queued. */
	t->send_ret = 0;
	mk_test_deliver(test, 3, 4, HOST, 1, 0);
	mk_test_deliver(test, 3, 4, 4, 1, 0);
	KUNIT_EXPECT_EQ(test, t->sends, 3);
	KUNIT_EXPECT_EQ(test, a->stats.rx_invalid, 2);
	KUNIT_EXPECT_EQ(test, b->stats.rx_datagrams, 0);

	/* For the host: queued on the sender's device. */
	mk_test_deliver(test, 4, 4, HOST, 1, 0);
	KUNIT_EXPECT_EQ(test, b->stats.rx_datagrams, 1);
	KUNIT_EXPECT_EQ(test, a->stats.rx_datagrams, 0);

	/* From a kernel without a device. */
	mk_test_deliver(test, 8, 8, HOST, 1, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hub.unroutable), 1);
}

/*
 * The doorbell's way queues what is for a reader here and leaves the rest
 * (forwarding, bad headers, no device) to mk_user_hub_deliver().
 */
static void mk_user_fast_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *a = mk_test_dev(test, 3);
	struct mk_ufile uf;
	unsigned int i;
	u8 buf[16];

	t->self = HOST;
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, a), 0);
	KUNIT_EXPECT_TRUE(test, mk_test_deliver_fast(test, 3, 3, HOST, 5, 0x5a));
	KUNIT_EXPECT_EQ(test, a->stats.rx_datagrams, 1);
	KUNIT_EXPECT_EQ(test, a->stats.rx_bytes, 5);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), 5);
	KUNIT_EXPECT_EQ(test, buf[4], 0x5a);

	/* Declined: to be forwarded, forged, or from a kernel without a device. */
	KUNIT_EXPECT_FALSE(test, mk_test_deliver_fast(test, 3, 3, 4, 1, 0));
	KUNIT_EXPECT_FALSE(test, mk_test_deliver_fast(test, 3, 4, HOST, 1, 0));
	KUNIT_EXPECT_FALSE(test, mk_test_deliver_fast(test, 8, 8, HOST, 1, 0));
	KUNIT_EXPECT_EQ(test, t->sends, 0);
	KUNIT_EXPECT_EQ(test, a->stats.rx_invalid, 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->hub.unroutable), 0);
	KUNIT_EXPECT_EQ(test, a->stats.rx_datagrams, 1);

	/* A full inbox drops it, as the other way does, and says it is taken. */
	for (i = 0; i < MK_USER_QUEUE_LEN; i++)
		KUNIT_EXPECT_TRUE(test, mk_test_deliver_fast(test, 3, 3, HOST, 1, i));
	KUNIT_EXPECT_TRUE(test, mk_test_deliver_fast(test, 3, 3, HOST, 1, 0));
	KUNIT_EXPECT_EQ(test, a->stats.rx_dropped, 1);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), 1);
	KUNIT_EXPECT_EQ(test, buf[0], 0);
	mk_ufile_release(&uf);
}

static void mk_user_send_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct multikernel_user_hdr hdr;
	struct mk_udev *dev;
	struct mk_ufile uf;
	u8 *big;

	big = kunit_kzalloc(test, MULTIKERNEL_USER_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);

	/* Host to instance 3. */
	t->self = HOST;
	dev = mk_test_dev(test, 3);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "hello", 5, false), 5);
	KUNIT_EXPECT_EQ(test, t->sent_to, 3);
	KUNIT_EXPECT_EQ(test, t->sent_channel, MULTIKERNEL_CHAN_USER);
	KUNIT_EXPECT_EQ(test, t->sent_flags, 0);
	KUNIT_EXPECT_EQ(test, t->sent_len, HDR + 5);
	memcpy(&hdr, t->sent, HDR);
	KUNIT_EXPECT_EQ(test, hdr.src, HOST);
	KUNIT_EXPECT_EQ(test, hdr.dst, 3);
	KUNIT_EXPECT_MEMEQ(test, t->sent + HDR, "hello", 5);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "x", 1, true), 1);
	KUNIT_EXPECT_EQ(test, t->sent_flags, MK_MSG_NONBLOCK);
	KUNIT_EXPECT_EQ(test, dev->stats.tx_datagrams, 2);
	KUNIT_EXPECT_EQ(test, dev->stats.tx_bytes, 6);

	/* Sizes are checked before anything is sent. */
	t->sends = 0;
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, big, 0, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, big, MULTIKERNEL_USER_MAX + 1,
					   false), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, t->sends, 0);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, big, MULTIKERNEL_USER_MAX,
					   false), MULTIKERNEL_USER_MAX);

	/* Link errors reach the writer; a broken peer reads as not connected. */
	t->send_ret = -ENOTCONN;
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "x", 1, false), -ENOTCONN);
	t->send_ret = -EPIPE;
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "x", 1, false), -ENOTCONN);
	t->send_ret = -EAGAIN;
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "x", 1, true), -EAGAIN);
	KUNIT_EXPECT_EQ(test, dev->stats.tx_datagrams, 3);
	/* On the host, a device talks to its own instance only. */
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, HOST), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, 3), 0);
	mk_ufile_release(&uf);
}

/* In instance 5, a file connected to instance 7 sends to the host for 7. */
static void mk_user_send_instance_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct multikernel_user_hdr hdr;
	struct mk_udev *dev;
	struct mk_ufile uf;

	t->self = 5;
	dev = mk_test_dev(test, HOST);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "ab", 2, false), 2);
	memcpy(&hdr, t->sent, HDR);
	KUNIT_EXPECT_EQ(test, t->sent_to, HOST);
	KUNIT_EXPECT_EQ(test, hdr.src, 5);
	KUNIT_EXPECT_EQ(test, hdr.dst, HOST);

	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, 7), 0);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "cd", 2, false), 2);
	memcpy(&hdr, t->sent, HDR);
	KUNIT_EXPECT_EQ(test, t->sent_to, HOST);
	KUNIT_EXPECT_EQ(test, hdr.src, 5);
	KUNIT_EXPECT_EQ(test, hdr.dst, 7);
	mk_ufile_release(&uf);
}

/* Removing a device with open files: they fail, nothing is used after free. */
static void mk_user_remove_test(struct kunit *test)
{
	struct mk_user_test *t = test->priv;
	struct mk_udev *dev;
	struct mk_ufile uf, late;
	u8 buf[8];

	t->self = 5;
	dev = mk_test_dev(test, HOST);
	KUNIT_ASSERT_EQ(test, mk_ufile_init(&uf, dev), 0);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, 7), 0);
	mk_test_deliver(test, HOST, 7, 5, 4, 1);
	mk_test_deliver(test, HOST, HOST, 5, 4, 2);

	mk_udev_remove(&t->hub, HOST);
	KUNIT_EXPECT_NULL(test, xa_load(&t->hub.devs, HOST));
	/* The file's reference keeps the device. */
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kref), 1);
	KUNIT_EXPECT_EQ(test, mk_test_recv(&uf, buf, sizeof(buf)), -ENODEV);
	KUNIT_EXPECT_EQ(test, mk_test_send(&uf, "x", 1, false), -ENODEV);
	KUNIT_EXPECT_EQ(test, mk_ufile_connect(&uf, HOST), -ENODEV);
	KUNIT_EXPECT_EQ(test, mk_ufile_init(&late, dev), -ENODEV);
	/* Frees the device and both inboxes with what they hold. */
	mk_ufile_release(&uf);
}

static struct kunit_case mk_user_cases[] = {
	KUNIT_CASE(mk_user_hdr_test),
	KUNIT_CASE(mk_user_inbox_limit_test),
	KUNIT_CASE(mk_user_queue_test),
	KUNIT_CASE(mk_user_recv_test),
	KUNIT_CASE(mk_user_blocking_test),
	KUNIT_CASE(mk_user_filter_test),
	KUNIT_CASE(mk_user_forward_test),
	KUNIT_CASE(mk_user_fast_test),
	KUNIT_CASE(mk_user_send_test),
	KUNIT_CASE(mk_user_send_instance_test),
	KUNIT_CASE(mk_user_remove_test),
	{}
};

static struct kunit_suite mk_user_suite = {
	.name = "multikernel_user",
	.init = mk_user_test_init,
	.exit = mk_user_test_exit,
	.test_cases = mk_user_cases,
};

kunit_test_suite(mk_user_suite);

MODULE_DESCRIPTION("KUnit tests for multikernel user datagram devices");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
