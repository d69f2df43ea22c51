// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only faults an instance can put on its side of the link to the
 * host, so that tests can show what a hostile or broken peer does (and
 * does not do) to the host. Root in the instance writes a command to
 * /sys/kernel/debug/multikernel-peer-faults:
 *
 *   stall		stop taking in the host's messages
 *   flood N		send N echo requests, as fast as the ring takes them
 *   bad-head		move the instance's producer index past the ring and
 *			fall silent
 *   bogus-ctl		send malformed and out-of-place control messages
 *   garble SEED N	write N random bytes at random places of the whole
 *			messaging region, ringing the host after each
 *
 * Nothing here is built without CONFIG_MULTIKERNEL_PEER_FAULTS.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/multikernel.h>
#include <linux/prandom.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "msg.h"

/* Most operations one command may ask for. */
#define MK_FAULT_MAX_COUNT	100000000ULL

static int mk_fault_stall(struct mk_peer *peer)
{
	/* No doorbell reaches the receive work any more; it runs out. */
	mk_doorbell_unregister(&peer->doorbell);
	cancel_work_sync(&peer->rx_work);
	pr_info("peer fault: no longer taking in the host's messages\n");
	return 0;
}

/* Put a raw message on our ring, past the checks of mk_msg_send(). */
static int mk_fault_post(struct mk_peer *peer, const struct mk_msg_info *info,
			 const void *data)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&peer->tx_lock, flags);
	ret = mk_ring_send(&peer->end, info, data);
	spin_unlock_irqrestore(&peer->tx_lock, flags);
	return ret;
}

static int mk_fault_flood(struct mk_peer *peer, u64 count)
{
	static const u8 payload[64];
	struct mk_msg_info info = {
		.len = sizeof(payload),
		.channel = MULTIKERNEL_CHAN_ECHO,
		.type = MULTIKERNEL_MSG_REQUEST,
	};
	u64 sent = 0, full = 0;
	int ret = 0;

	pr_info("peer fault: flooding the host with %llu echo requests\n",
		count);
	while (sent < count && !fatal_signal_pending(current)) {
		info.cookie = (u32)sent + 1;
		ret = mk_fault_post(peer, &info, payload);
		if (ret == -EAGAIN) {
			full++;
			cond_resched();
			continue;
		}
		if (ret)
			break;
		sent++;
		if (!(sent & 255))
			cond_resched();
	}
	pr_info("peer fault: flood sent %llu requests, found the ring full %llu times (%d)\n",
		sent, full, ret);
	return ret == -EAGAIN ? 0 : ret;
}

static int mk_fault_bad_head(struct mk_peer *peer)
{
	struct multikernel_ring_ctrl *ctrl = peer->end.tx.ctrl;

	/* Send nothing more: the next message would write a good head. */
	mk_peer_disconnect(peer);
	WRITE_ONCE(ctrl->head, READ_ONCE(ctrl->tail) + peer->end.slot_count + 1);
	peer->ops->kick(peer);
	pr_info("peer fault: moved the producer index past the ring\n");
	return 0;
}

static int mk_fault_bogus_ctl(struct mk_peer *peer)
{
	struct multikernel_ctl ctl = { .op = 0xdead };
	struct mk_msg_info info = {
		.channel = MULTIKERNEL_CHAN_CONTROL,
		.type = MULTIKERNEL_MSG_DATA,
	};
	int ret;

	/* An unknown operation, a short one, a second hello, a bad stop. */
	info.len = sizeof(ctl);
	ret = mk_fault_post(peer, &info, &ctl);
	info.len = sizeof(ctl) / 2;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	info.len = sizeof(ctl);
	ctl.op = MULTIKERNEL_CTL_HELLO;
	ctl.arg = MULTIKERNEL_CTL_VERSION;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	ctl.op = MULTIKERNEL_CTL_STOPPED;
	ctl.arg = 0xbad;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	/* A response to a request the host never sent. */
	info.type = MULTIKERNEL_MSG_RESPONSE;
	info.cookie = 0xbadc0de;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	pr_info("peer fault: sent bogus control messages (%d)\n", ret);
	return ret;
}

static int mk_fault_garble(struct mk_peer *peer, u64 seed, u64 count)
{
	struct mk_ring_end *end = &peer->end;
	u64 size = mk_ring_region_size(1U << end->slot_shift, end->slot_count);
	struct rnd_state rnd;
	u8 *region = (u8 *)end->hdr;
	u64 i;

	prandom_seed_state(&rnd, seed);
	pr_info("peer fault: garbling the messaging region, seed %llu, %llu bytes\n",
		seed, count);
	for (i = 0; i < count && !fatal_signal_pending(current); i++) {
		/* Half of them where the indices and headers are. */
		u32 room = (prandom_u32_state(&rnd) & 1) ? PAGE_SIZE : size;

		WRITE_ONCE(region[prandom_u32_state(&rnd) % room],
			   (u8)prandom_u32_state(&rnd));
		peer->ops->kick(peer);
		if (!(i & 63))
			cond_resched();
	}
	return 0;
}

static ssize_t mk_fault_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct mk_peer *peer = mk_link_host_peer();
	char buf[64], cmd[16];
	u64 a = 0, b = 0;
	int n, ret;

	if (!peer)
		return -ENOTCONN;
	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = sscanf(buf, "%15s %llu %llu", cmd, &a, &b);
	if (n < 1 || a > MK_FAULT_MAX_COUNT || b > MK_FAULT_MAX_COUNT)
		return -EINVAL;

	if (!strcmp(cmd, "stall") && n == 1)
		ret = mk_fault_stall(peer);
	else if (!strcmp(cmd, "flood") && n == 2)
		ret = mk_fault_flood(peer, a);
	else if (!strcmp(cmd, "bad-head") && n == 1)
		ret = mk_fault_bad_head(peer);
	else if (!strcmp(cmd, "bogus-ctl") && n == 1)
		ret = mk_fault_bogus_ctl(peer);
	else if (!strcmp(cmd, "garble") && n == 3)
		ret = mk_fault_garble(peer, a, b);
	else
		ret = -EINVAL;
	return ret ?: len;
}

static const struct file_operations mk_fault_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= mk_fault_write,
	.llseek	= noop_llseek,
};

static int __init mk_fault_init(void)
{
	if (!mk_link_host_peer())
		return 0;
	debugfs_create_file("multikernel-peer-faults", 0200, NULL, NULL,
			    &mk_fault_fops);
	return 0;
}
late_initcall(mk_fault_init);
