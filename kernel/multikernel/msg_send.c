// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messages, the sending side: data messages, requests and
 * their responses on a peer (msg.c has the peer and the receiving side).
 *
 * A sender puts its message on the ring we produce on under tx_lock and
 * rings the peer. When the ring is full it waits for the peer's doorbell
 * that says it freed room, looking again now and then without one; a
 * handler never waits (it gets -EAGAIN). A request carries a cookie and
 * waits on its stack, in peer->requests, until the response with that
 * cookie completes it (mk_msg_complete(), from the receiving side), its
 * timeout passes, or the peer is disconnected (mk_peer_close_tx()).
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/multikernel.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include "internal.h"
#include "msg.h"

/* How often a sender waiting for room looks again without a doorbell. */
#define MK_TX_RECHECK	(HZ / 10)

/* A request waiting for its response; lives on the requester's stack. */
struct mk_msg_pending {
	struct list_head node;
	struct completion done;
	u32 cookie;
	u16 channel;
	void *buf;
	size_t size;
	ssize_t result;		/* response length or -errno */
};

/**
 * mk_peer_close_tx() - fail every request and sender waiting on a peer
 * @peer:	the peer
 *
 * They fail with -EPIPE, and so do later sends and requests.
 *
 * Context: Any context.
 */
void mk_peer_close_tx(struct mk_peer *peer)
{
	struct mk_msg_pending *p, *tmp;
	unsigned long flags;

	WRITE_ONCE(peer->tx_closed, true);
	spin_lock_irqsave(&peer->req_lock, flags);
	list_for_each_entry_safe(p, tmp, &peer->requests, node) {
		list_del_init(&p->node);
		p->result = -EPIPE;
		complete(&p->done);
	}
	spin_unlock_irqrestore(&peer->req_lock, flags);
	wake_up_all(&peer->tx_wait);
}

/**
 * mk_msg_complete() - hand a response to the request waiting for it
 * @peer:	the peer it came from
 * @msg:	the response, matched to its request by channel and cookie
 *
 * A response no request waits for (it timed out, or the peer made it up)
 * is counted in peer->stale.
 *
 * Context: Any context; the receiving side, under peer->rx_lock.
 */
void mk_msg_complete(struct mk_peer *peer, const struct mk_msg *msg)
{
	struct mk_msg_pending *p, *found = NULL;
	unsigned long flags;

	spin_lock_irqsave(&peer->req_lock, flags);
	list_for_each_entry(p, &peer->requests, node) {
		if (p->cookie == msg->cookie && p->channel == msg->channel) {
			list_del_init(&p->node);
			found = p;
			break;
		}
	}
	spin_unlock_irqrestore(&peer->req_lock, flags);

	if (!found) {
		/* Its requester gave up, or the peer made it up. */
		peer->stale++;
		return;
	}
	/* Off the list: the requester waits for this completion now. */
	if (msg->len > found->size) {
		found->result = -EMSGSIZE;
	} else {
		memcpy(found->buf, msg->data, msg->len);
		found->result = msg->len;
	}
	complete(&found->done);
}

static int mk_msg_try_send(struct mk_peer *peer, const struct mk_msg_info *info,
			   const struct mk_msg_src *src, unsigned int how)
{
	unsigned long flags;
	int ret;

	if (READ_ONCE(peer->tx_closed))
		return -EPIPE;
	if (how & MK_MSG_TRYLOCK) {
		if (!spin_trylock_irqsave(&peer->tx_lock, flags))
			return -EAGAIN;
	} else {
		spin_lock_irqsave(&peer->tx_lock, flags);
	}
	ret = mk_ring_send_src(&peer->end, info, src);
	if (!ret && info->channel < MK_MSG_CHANNELS) {
		peer->chan[info->channel].tx_msgs++;
		peer->chan[info->channel].tx_bytes += info->len;
	}
	spin_unlock_irqrestore(&peer->tx_lock, flags);
	if (ret == -EPROTO) {
		mk_peer_broken(peer);
		ret = -EPIPE;
	}
	return ret;
}

/* Try once; whether that was the end of it, with its result in @ret. */
static bool mk_msg_sent(struct mk_peer *peer, const struct mk_msg_info *info,
			const struct mk_msg_src *src, unsigned int flags,
			int *ret)
{
	*ret = mk_msg_try_send(peer, info, src, flags);
	return *ret != -EAGAIN;
}

static int mk_msg_xmit(struct mk_peer *peer, const struct mk_msg_info *info,
		       const struct mk_msg_src *src, unsigned int flags)
{
	long left;
	int ret;

	if (flags & ~(MK_MSG_NONBLOCK | MK_MSG_TRYLOCK) ||
	    ((flags & MK_MSG_TRYLOCK) && !(flags & MK_MSG_NONBLOCK)))
		return -EINVAL;
	ret = mk_msg_try_send(peer, info, src, flags);
	/* A handler that waited would hold up everything behind it. */
	if (ret != -EAGAIN || (flags & MK_MSG_NONBLOCK) || mk_msg_in_handler())
		return ret;
	/*
	 * The consumer rings us when it frees room (mk_peer_doorbell()). Look
	 * again now and then without one: a doorbell lost on its way must not
	 * keep a sender waiting for good, least of all a kernel thread,
	 * which no signal ends.
	 */
	do {
		unsigned long start = jiffies;

		left = wait_event_interruptible_timeout(peer->tx_wait,
							mk_msg_sent(peer, info, src, flags, &ret),
							MK_TX_RECHECK);
		/* Counted also when the look after the timeout found room. */
		if (time_after_eq(jiffies, start + MK_TX_RECHECK))
			atomic64_inc(&peer->tx_rechecks);
	} while (!left);
	return left < 0 ? left : ret;
}

/**
 * mk_msg_send() - send a data message on a channel
 * @peer:	the kernel to send to
 * @channel:	channel number
 * @data:	@len bytes of payload
 * @len:	payload bytes, at most the ring's maximum (64 KiB for rings
 *		that can hold it)
 * @flags:	0 to wait for room, MK_MSG_NONBLOCK to fail instead, with
 *		MK_MSG_TRYLOCK also when another sender holds the ring
 *
 * Context: Process context, or any context with MK_MSG_NONBLOCK. From a
 * message handler a send never waits: it behaves as with MK_MSG_NONBLOCK.
 * Return: 0 on success; -EMSGSIZE if @len is too big; -EAGAIN if the ring
 * is full and MK_MSG_NONBLOCK is set (or the caller is a handler);
 * -ERESTARTSYS if a signal came while waiting; -EPIPE if the peer is
 * disconnected; -EINVAL for unknown @flags.
 */
int mk_msg_send(struct mk_peer *peer, u16 channel, const void *data,
		size_t len, unsigned int flags)
{
	return mk_msg_send_iter(peer, channel, data, len, NULL, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_send);

/**
 * mk_msg_send_iter() - send a data message whose payload is in two parts
 * @peer:	the kernel to send to
 * @channel:	channel number
 * @head:	@head_len bytes of kernel memory, the start of the payload
 * @head_len:	bytes at @head
 * @from:	the rest of the payload, all of what is left in it, or NULL;
 *		copied straight into the ring
 * @flags:	as for mk_msg_send()
 *
 * A user buffer is copied with page faults disabled, so a page of it that
 * is not present fails the send with -EFAULT and leaves @from as it was:
 * fault it in (fault_in_iov_iter_readable()) and send again.
 *
 * Context: As for mk_msg_send().
 * Return: as for mk_msg_send(); also -EFAULT, see above.
 */
int mk_msg_send_iter(struct mk_peer *peer, u16 channel, const void *head,
		     size_t head_len, struct iov_iter *from, unsigned int flags)
{
	size_t len = head_len + (from ? iov_iter_count(from) : 0);
	struct mk_msg_src src = {
		.head = head,
		.head_len = head_len,
		.from = from,
	};
	struct mk_msg_info info = {
		.len = len,
		.channel = channel,
		.type = MULTIKERNEL_MSG_DATA,
	};

	if (len > peer->end.max_payload)
		return -EMSGSIZE;
	return mk_msg_xmit(peer, &info, &src, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_send_iter);

/**
 * mk_msg_reply() - answer a request
 * @peer:	the peer the request came from
 * @req:	the request, as given to the handler
 * @data:	@len bytes of response payload
 * @len:	payload bytes
 * @flags:	as for mk_msg_send()
 *
 * Context: As for mk_msg_send(); usually the channel's handler.
 * Return: as for mk_msg_send(); -EINVAL if @req is not a request.
 */
int mk_msg_reply(struct mk_peer *peer, const struct mk_msg *req,
		 const void *data, size_t len, unsigned int flags)
{
	struct mk_msg_src src = { .head = data, .head_len = len };
	struct mk_msg_info info = {
		.len = len,
		.channel = req->channel,
		.type = MULTIKERNEL_MSG_RESPONSE,
		.cookie = req->cookie,
	};

	if (req->type != MULTIKERNEL_MSG_REQUEST)
		return -EINVAL;
	if (len > peer->end.max_payload)
		return -EMSGSIZE;
	return mk_msg_xmit(peer, &info, &src, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_reply);

/**
 * mk_msg_request() - send a request and wait for its response
 * @peer:	the kernel to ask
 * @channel:	channel number; the peer's handler answers with
 *		mk_msg_reply()
 * @req:	@req_len bytes of request payload
 * @req_len:	request payload bytes
 * @resp:	where the response payload goes
 * @resp_size:	bytes at @resp
 * @timeout:	jiffies to wait for the response, after sending
 *
 * Context: Process context; sleeps. Not from a message handler.
 * Return: the length of the response on success; -ETIMEDOUT if none came
 * in time; -EMSGSIZE if the request or the response is too big;
 * -ERESTARTSYS if a signal came; -EPIPE if the peer is disconnected;
 * -EDEADLK from a message handler, which would wait for itself.
 */
ssize_t mk_msg_request(struct mk_peer *peer, u16 channel, const void *req,
		       size_t req_len, void *resp, size_t resp_size,
		       long timeout)
{
	struct mk_msg_pending p = {
		.channel = channel,
		.buf = resp,
		.size = resp_size,
	};
	struct mk_msg_src src = { .head = req, .head_len = req_len };
	struct mk_msg_info info = {
		.len = req_len,
		.channel = channel,
		.type = MULTIKERNEL_MSG_REQUEST,
	};
	unsigned long flags;
	long left;
	int ret;

	if (mk_msg_in_handler())
		return -EDEADLK;
	if (req_len > peer->end.max_payload)
		return -EMSGSIZE;
	init_completion(&p.done);

	spin_lock_irqsave(&peer->req_lock, flags);
	if (READ_ONCE(peer->tx_closed)) {
		spin_unlock_irqrestore(&peer->req_lock, flags);
		return -EPIPE;
	}
	p.cookie = peer->next_cookie++;
	if (!peer->next_cookie)
		peer->next_cookie = 1;
	info.cookie = p.cookie;
	list_add_tail(&p.node, &peer->requests);
	spin_unlock_irqrestore(&peer->req_lock, flags);

	ret = mk_msg_xmit(peer, &info, &src, 0);
	left = ret ? ret : wait_for_completion_interruptible_timeout(&p.done,
								    timeout);
	if (left > 0)
		return p.result;

	spin_lock_irqsave(&peer->req_lock, flags);
	if (!list_empty(&p.node)) {
		list_del(&p.node);
		spin_unlock_irqrestore(&peer->req_lock, flags);
		return left ? left : -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&peer->req_lock, flags);
	/* Taken off the list by a response or a disconnect: it completes. */
	wait_for_completion(&p.done);
	return p.result;
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_request);
