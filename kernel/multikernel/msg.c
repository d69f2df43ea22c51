// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messages: numbered channels over the messaging rings.
 *
 * A peer is the connection to one other kernel (an instance, seen from
 * the host, or the host, seen from an instance) through one shared
 * region. Senders put typed messages on the ring we produce on; a
 * doorbell from the peer queues rx_work on the subsystem's own workqueue;
 * it drains the ring we consume and hands each message to the handler
 * registered for its channel, in process context, at most MK_RX_BUDGET
 * messages a run, so that a flooding peer cannot hold a worker. Handlers
 * never wait: a send from a handler fails with -EAGAIN instead of waiting
 * for room, and a request from one fails with -EDEADLK (its response
 * would be handled by the very work item that waits for it). A request
 * carries a cookie; its response, matched by the cookie, wakes the
 * requester.
 *
 * The messages someone waits for take a shorter way: responses, and
 * those of channels with a fast handler (user datagrams, echo), are
 * taken off the ring in the doorbell interrupt itself, at most
 * MK_RX_FAST_BUDGET messages or MK_RX_FAST_BYTES bytes a doorbell, and
 * their reader is woken from there: a round trip then wakes no worker on
 * either side. The doorbell stops at the first message that is not of
 * that kind, or that a fast handler declines, and leaves the rest to the
 * receive work; while that runs, the doorbell takes nothing, so every
 * channel sees its messages in the order they were sent.
 *
 * A peer that breaks the ring protocol is disconnected: pending requests
 * and blocked senders fail with -EPIPE, nothing more is sent or
 * received, and the owner hears about it through ops->broken().
 *
 * This file has the peer, its channels and the receiving side;
 * msg_send.c the sending side.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/completion.h>
#include <linux/container_of.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "msg.h"

/* Messages one run of the receive work handles before it makes room. */
#define MK_RX_BUDGET	64

/* What one doorbell interrupt takes off the ring at most. */
#define MK_RX_FAST_BUDGET	16
#define MK_RX_FAST_BYTES	SZ_64K

/* Runs the receive work of every peer; see mk_msg_init(). */
static struct workqueue_struct *mk_rx_wq;

/* Fail everything waiting on @peer and refuse anything new. */
static void mk_peer_kill(struct mk_peer *peer)
{
	WRITE_ONCE(peer->dead, true);
	mk_peer_close_tx(peer);
}

/**
 * mk_peer_broken() - disconnect a peer that broke the ring protocol
 * @peer:	the peer; its ring end says why (-EPROTO)
 *
 * Tells the owner through ops->broken(), once.
 *
 * Context: Any context.
 */
void mk_peer_broken(struct mk_peer *peer)
{
	if (xchg(&peer->dead, true))
		return;
	mk_peer_kill(peer);
	if (peer->ops->broken)
		peer->ops->broken(peer, peer->end.broken);
}

/**
 * mk_peer_disconnect() - stop talking to a peer
 * @peer:	the peer
 *
 * Pending requests and blocked senders fail with -EPIPE, later sends fail
 * with -EPIPE, and received messages are no longer handled. For a peer
 * that stopped or crashed; the region may be reused after
 * mk_peer_destroy().
 *
 * Context: Any context.
 */
void mk_peer_disconnect(struct mk_peer *peer)
{
	mk_peer_kill(peer);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_disconnect);

/**
 * mk_peer_log_rx() - log where the ring a peer sends on stands
 * @peer:	the peer
 * @name:	the peer's name, for the log line
 *
 * For a peer that went silent, this tells its two possible causes apart:
 * messages waiting behind our tail (we stopped taking them) or none sent
 * (the peer stopped). The producer's head comes from shared memory and is
 * only printed.
 *
 * Context: Any context; @peer is attached.
 */
void mk_peer_log_rx(struct mk_peer *peer, const char *name)
{
	const struct mk_ring *r = &peer->end.rx;
	/* data_race(): a receive work may move these; a log line can live with it. */
	u32 taken = data_race(r->pos);
	/* data_race(): as above. */
	u64 msgs = data_race(peer->end.stats.rx_msgs);
	/* data_race(): as above. */
	u64 runs = data_race(peer->rx_runs);
	/* data_race(): the watchdog's own poll may move it. */
	u64 polls = data_race(peer->rx_polls);

	pr_warn("%s: receive ring: taken up to %u, producer at %u, doorbell %s; %llu messages in %llu receive runs, %llu without a doorbell\n",
		name, taken, READ_ONCE(r->ctrl->head),
		READ_ONCE(r->ctrl->doorbell_wanted) ? "wanted" : "not wanted",
		msgs, runs, polls);
}

/**
 * mk_peer_log_rings() - say where both rings of a peer stand
 * @peer:	the peer
 * @what:	what just happened to it
 *
 * For a handover (mk_peer_pause(), mk_peer_resume()): the old host's
 * last line and the new host's first must agree.
 *
 * Context: Any context; @peer is attached and takes nothing in.
 */
void mk_peer_log_rings(struct mk_peer *peer, const char *what)
{
	const struct mk_ring *rx = &peer->end.rx, *tx = &peer->end.tx;

	pr_info("%s: %s: receive ring taken up to %u, producer at %u; send ring produced up to %u, taken up to %u\n",
		peer->end.name, what, rx->pos, READ_ONCE(rx->ctrl->head),
		tx->pos, READ_ONCE(tx->ctrl->tail));
}

/**
 * mk_peer_poll() - take in what a peer sent if no doorbell announced it
 * @peer:	the peer
 *
 * Called now and then (the host's watchdog, the instance's heartbeat).
 * Messages that wait in the ring we consume, while neither the peer's
 * producer index nor our consumer index moved since the last call, are
 * waiting for a doorbell that did not come: schedule the receive work for
 * them, count it and say so. Also wakes senders waiting for room. A lost
 * doorbell then costs a delay of one period, never a silent link. A peer
 * that stopped hearing doorbells (its client unregistered) was told to
 * take nothing in, and is left alone.
 *
 * Context: Process context; calls on one peer are serialized.
 * Return: true when it scheduled the receive work for such messages.
 */
bool mk_peer_poll(struct mk_peer *peer)
{
	const struct mk_ring *r = &peer->end.rx;
	u32 head, taken;
	bool stuck;

	if (READ_ONCE(peer->dead) || !READ_ONCE(peer->doorbell.registered))
		return false;
	wake_up(&peer->tx_wait);
	if (READ_ONCE(peer->paused))
		return false;
	/* Only compared with our own records, never used as an index. */
	head = READ_ONCE(r->ctrl->head);
	/* data_race(): the receive work moves it; a stale value waits a call. */
	taken = data_race(r->pos);
	stuck = head != taken && head == peer->poll_head &&
		taken == peer->poll_taken;
	peer->poll_head = head;
	peer->poll_taken = taken;
	if (!stuck || !queue_work(mk_rx_wq, &peer->rx_work))
		return false;
	peer->rx_polls++;
	pr_warn_ratelimited("%s: took in messages no doorbell announced (%llu times)\n",
			    peer->end.name, peer->rx_polls);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_poll);

static void mk_peer_kick(struct mk_ring_end *end)
{
	struct mk_peer *peer = container_of(end, struct mk_peer, end);

	peer->ops->kick(peer);
}

/* The message described by @info, its payload in @peer's rx_buf. */
static struct mk_msg mk_msg_of(struct mk_peer *peer,
			       const struct mk_msg_info *info)
{
	return (struct mk_msg) {
		.channel = info->channel,
		.type = info->type,
		.cookie = info->cookie,
		.len = info->len,
		.data = peer->rx_buf,
	};
}

/* Would a fast handler take this message? Under peer->rx_lock. */
static bool mk_msg_fast_wanted(struct mk_peer *peer,
			       const struct mk_msg_info *info)
{
	if (info->type == MULTIKERNEL_MSG_RESPONSE)
		return true;
	return info->channel < MK_MSG_CHANNELS && peer->chan[info->channel].fast;
}

/*
 * Hand a message to its fast handler; false when there is none (any more)
 * or it declined. Under peer->rx_lock, @rx_buf holding the payload.
 */
static bool mk_msg_dispatch_fast(struct mk_peer *peer,
				 const struct mk_msg_info *info)
{
	struct mk_msg msg = mk_msg_of(peer, info);
	struct mk_msg_chan *chan;

	if (msg.type == MULTIKERNEL_MSG_RESPONSE) {
		mk_msg_complete(peer, &msg);
		return true;
	}
	/* What was taken may differ from what was looked at: look again. */
	if (msg.channel >= MK_MSG_CHANNELS)
		return false;
	chan = &peer->chan[msg.channel];
	if (!chan->fast || !chan->fast(peer, &msg, chan->priv))
		return false;
	chan->rx_msgs++;
	chan->rx_bytes += msg.len;
	return true;
}

/**
 * mk_peer_rx_fast() - take in, from the doorbell, what fast handlers want
 * @peer:	the peer
 *
 * Takes messages off the ring we consume while the one at its tail is a
 * response or for a channel with a fast handler, and hands them over; at
 * most MK_RX_FAST_BUDGET of them and about MK_RX_FAST_BYTES. Takes
 * nothing while the receive work runs or has a message to hand on. A
 * message that a fast handler declines (or that turned out to be of
 * another kind when it was taken: the peer may rewrite the slot) is
 * stashed for the receive work, which hands it to the channel's handler
 * before anything else.
 *
 * Context: Any context, the doorbell interrupt usually.
 * Return: true when the ring is empty now and nothing is stashed, so
 * that the receive work has nothing to do; false to have it run.
 */
static bool mk_peer_rx_fast(struct mk_peer *peer)
{
	struct mk_msg_info info;
	unsigned int n, bytes = 0;
	unsigned long flags;
	bool empty = false;
	int ret;

	if (!READ_ONCE(peer->nr_fast) || READ_ONCE(peer->closing))
		return false;
	/* Whoever holds it takes the messages in: let the work do it. */
	if (!spin_trylock_irqsave(&peer->rx_lock, flags))
		return false;
	/* Under the lock: mk_peer_pause() waits for it. */
	if (peer->rx_busy || READ_ONCE(peer->paused))
		goto out;
	for (n = 0; n < MK_RX_FAST_BUDGET && bytes < MK_RX_FAST_BYTES; n++) {
		ret = mk_ring_peek(&peer->end, &info);
		if (ret == -EAGAIN) {
			empty = true;
			break;
		}
		/* A broken ring is reported by the receive work. */
		if (ret || !mk_msg_fast_wanted(peer, &info))
			break;
		ret = mk_ring_recv(&peer->end, &info, peer->rx_buf,
				   MULTIKERNEL_MSG_MAX);
		if (ret)
			break;
		bytes += info.len;
		if (!mk_msg_dispatch_fast(peer, &info)) {
			peer->stash = info;
			peer->stashed = true;
			peer->rx_busy = true;
			break;
		}
		peer->rx_fast++;
	}
out:
	spin_unlock_irqrestore(&peer->rx_lock, flags);
	return empty;
}

/**
 * mk_peer_doorbell() - the peer rang our doorbell
 * @peer:	the peer
 *
 * Takes in what fast handlers want (mk_peer_rx_fast()), schedules the
 * draining of the rest of the ring we consume, and wakes senders that
 * wait for room in the ring we produce on. Called for every peer on every
 * doorbell: a doorbell does not say who rang, and an extra call costs a
 * look at the ring.
 *
 * Context: Any context, including hard interrupt context.
 */
VISIBLE_IF_KUNIT void mk_peer_doorbell(struct mk_peer *peer)
{
	if (READ_ONCE(peer->dead))
		return;
	if (!READ_ONCE(peer->paused) && !mk_peer_rx_fast(peer))
		queue_work(mk_rx_wq, &peer->rx_work);
	wake_up(&peer->tx_wait);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_doorbell);

static void mk_peer_doorbell_handle(struct mk_doorbell_client *client)
{
	mk_peer_doorbell(container_of(client, struct mk_peer, doorbell));
}

static void mk_msg_dispatch(struct mk_peer *peer, const struct mk_msg_info *info)
{
	struct mk_msg msg = mk_msg_of(peer, info);
	struct mk_msg_chan *chan;

	if (msg.type == MULTIKERNEL_MSG_RESPONSE) {
		mk_msg_complete(peer, &msg);
		return;
	}
	if (msg.channel >= MK_MSG_CHANNELS) {
		peer->unknown++;
		return;
	}
	chan = &peer->chan[msg.channel];
	mutex_lock(&peer->chan_lock);
	if (chan->handler) {
		chan->rx_msgs++;
		chan->rx_bytes += msg.len;
		chan->handler(peer, &msg, chan->priv);
	} else {
		chan->drops++;
	}
	mutex_unlock(&peer->chan_lock);
}

static void mk_peer_rx_work(struct work_struct *work)
{
	struct mk_peer *peer = container_of(work, struct mk_peer, rx_work);
	/*
	 * A closing peer's kernel is stopped: what is in the ring is all
	 * there will be, at most one message a slot. Take all of it.
	 */
	bool closing = READ_ONCE(peer->closing);
	u32 budget = closing ? peer->end.slot_count : MK_RX_BUDGET;
	struct mk_msg_info info;
	bool stashed;
	int ret;

	/* The doorbell takes nothing off the ring until this run ends. */
	spin_lock_irq(&peer->rx_lock);
	peer->rx_busy = true;
	stashed = peer->stashed;
	info = peer->stash;
	peer->stashed = false;
	spin_unlock_irq(&peer->rx_lock);

	peer->rx_runs++;
	/* What a fast handler declined comes first: it was first in line. */
	if (stashed && !READ_ONCE(peer->dead))
		mk_msg_dispatch(peer, &info);
	/* Drain until -EAGAIN: only that arms the doorbell again. */
	while (!READ_ONCE(peer->dead) && !READ_ONCE(peer->paused)) {
		if (!budget--) {
			if (closing)
				break;
			/* More to come: let other work run first. */
			peer->rx_yields++;
			queue_work(mk_rx_wq, &peer->rx_work);
			break;
		}
		ret = mk_ring_recv(&peer->end, &info, peer->rx_buf,
				   MULTIKERNEL_MSG_MAX);
		if (ret == -EAGAIN)
			break;
		if (ret) {
			/* -EPROTO; -ENOBUFS cannot happen with a full buffer. */
			mk_peer_broken(peer);
			break;
		}
		mk_msg_dispatch(peer, &info);
		cond_resched();
	}

	spin_lock_irq(&peer->rx_lock);
	peer->rx_busy = false;
	spin_unlock_irq(&peer->rx_lock);
}

/**
 * mk_msg_in_handler() - does the caller run a message handler?
 *
 * Then it must not wait for a peer: the messages it would wait for are
 * taken in by the very interrupt or work item it runs in.
 *
 * Context: Any context.
 * Return: true in a fast handler's interrupt or in the receive work.
 */
bool mk_msg_in_handler(void)
{
	struct work_struct *work = current_work();

	/* A fast handler runs in an interrupt, where nothing may wait. */
	return !in_task() || irqs_disabled() ||
	       (work && work->func == mk_peer_rx_work);
}

/**
 * mk_peer_listen() - start taking in what a resumed peer sends
 * @peer:	a peer set up by mk_peer_resume(), its handlers registered
 *
 * Hears its doorbells from now on and takes in what waits in the ring.
 * mk_peer_init() does this itself: its rings start empty.
 *
 * Context: Process context; sleeps.
 */
void mk_peer_listen(struct mk_peer *peer)
{
	mk_doorbell_register(&peer->doorbell);
	/* Messages may have arrived before we listened. */
	mk_peer_doorbell(peer);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_listen);

/**
 * mk_peer_pause() - stop taking in what a peer sends, and leave it there
 * @peer:	the peer
 *
 * For a host kexec that hands the peer over to the next kernel: what the
 * peer sends from now on waits in the ring for that kernel's
 * mk_peer_resume(), and nothing is left half taken, so it is neither lost
 * nor handled twice. What was taken before is handled before this
 * returns. Sending, and the doorbells that wake senders waiting for room,
 * go on.
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 */
void mk_peer_pause(struct mk_peer *peer)
{
	WRITE_ONCE(peer->paused, true);
	/* A fast path that read the flag as clear ends before we go on. */
	spin_lock_irq(&peer->rx_lock);
	spin_unlock_irq(&peer->rx_lock);
	/* A run that began before sees the flag at its next message. */
	flush_work(&peer->rx_work);
	mk_peer_log_rings(peer, "paused");
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_pause);

/**
 * mk_peer_unpause() - take in what a paused peer sends again
 * @peer:	a peer paused with mk_peer_pause()
 *
 * Takes in what waited meanwhile.
 *
 * Context: Any context but NMI.
 */
void mk_peer_unpause(struct mk_peer *peer)
{
	WRITE_ONCE(peer->paused, false);
	mk_peer_doorbell(peer);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_unpause);

/* mk_peer_init() and mk_peer_resume(). */
static int mk_peer_setup(struct mk_peer *peer, void *region, size_t size,
			 enum mk_ring_side side, const char *name,
			 const struct mk_peer_ops *ops, bool resume)
{
	int ret;

	if (!mk_rx_wq)
		return -ENOMEM;
	memset(peer, 0, sizeof(*peer));
	peer->ops = ops;
	spin_lock_init(&peer->tx_lock);
	init_waitqueue_head(&peer->tx_wait);
	INIT_WORK(&peer->rx_work, mk_peer_rx_work);
	spin_lock_init(&peer->rx_lock);
	mutex_init(&peer->chan_lock);
	spin_lock_init(&peer->req_lock);
	INIT_LIST_HEAD(&peer->requests);
	peer->next_cookie = 1;

	peer->rx_buf = kvmalloc(MULTIKERNEL_MSG_MAX, GFP_KERNEL);
	if (!peer->rx_buf)
		return -ENOMEM;
	if (resume)
		ret = mk_ring_resume(&peer->end, region, size, side, name,
				     mk_peer_kick);
	else
		ret = mk_ring_attach(&peer->end, region, size, side, name,
				     mk_peer_kick);
	if (ret)
		goto free_rx_buf;

	peer->doorbell.handle = mk_peer_doorbell_handle;
	if (!resume)
		mk_peer_listen(peer);
	return 0;

free_rx_buf:
	kvfree(peer->rx_buf);
	peer->rx_buf = NULL;
	return ret;
}

/**
 * mk_peer_init() - connect to the kernel at the other end of a region
 * @peer:	the peer to set up
 * @region:	the formatted messaging region, mapped writable
 * @size:	bytes of @region, from a trusted source
 * @side:	which end of the region this kernel is
 * @name:	the peer's name, for log lines; must outlive @peer
 * @ops:	how to ring the peer and whom to tell when it breaks
 *
 * Context: Process context; sleeps.
 * Return: 0 on success, -ENOMEM, or an error of mk_ring_attach().
 */
int mk_peer_init(struct mk_peer *peer, void *region, size_t size,
		 enum mk_ring_side side, const char *name,
		 const struct mk_peer_ops *ops)
{
	return mk_peer_setup(peer, region, size, side, name, ops, false);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_init);

/**
 * mk_peer_resume() - connect to a peer on rings another kernel used
 * @peer:	as for mk_peer_init()
 * @region:	as for mk_peer_init()
 * @size:	as for mk_peer_init()
 * @side:	as for mk_peer_init()
 * @name:	as for mk_peer_init()
 * @ops:	as for mk_peer_init()
 *
 * For a host that takes over the rings of an instance from the host it
 * replaced: see mk_ring_resume(). Nothing is taken in until the caller,
 * its handlers registered, calls mk_peer_listen(): what the peer sent
 * meanwhile must not be dropped for want of a handler.
 *
 * Context: Process context; sleeps.
 * Return: as for mk_peer_init().
 */
int mk_peer_resume(struct mk_peer *peer, void *region, size_t size,
		   enum mk_ring_side side, const char *name,
		   const struct mk_peer_ops *ops)
{
	return mk_peer_setup(peer, region, size, side, name, ops, true);
}

/**
 * mk_peer_drain() - take in the last messages of a stopped peer
 * @peer:	a peer whose kernel no longer runs
 *
 * Sends fail with -EPIPE from now on, and requests and senders waiting
 * on @peer fail at once. Then what is left in the ring is handled, once:
 * at most one message a slot, since nothing adds to it any more. For a
 * peer that still runs the bound holds as well, but the last messages
 * may be missed.
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 */
void mk_peer_drain(struct mk_peer *peer)
{
	mk_peer_close_tx(peer);
	WRITE_ONCE(peer->closing, true);
	/*
	 * The run queued here (or already queued and not yet started) sees
	 * @closing and queues no other; a run that started before may try
	 * to, but finds this one pending.
	 */
	queue_work(mk_rx_wq, &peer->rx_work);
	flush_work(&peer->rx_work);
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_drain);

/**
 * mk_peer_destroy() - disconnect a peer and release what it holds
 * @peer:	a peer set up by mk_peer_init()
 *
 * When this returns, no handler of @peer runs, nobody waits on it, and
 * the region is no longer touched.
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 */
void mk_peer_destroy(struct mk_peer *peer)
{
	mk_doorbell_unregister(&peer->doorbell);
	mk_peer_kill(peer);
	cancel_work_sync(&peer->rx_work);
	kvfree(peer->rx_buf);
	peer->rx_buf = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_peer_destroy);

/**
 * mk_msg_register() - receive the messages of a channel
 * @peer:	the peer they come from
 * @channel:	channel number, below MK_MSG_CHANNELS
 * @handler:	called for each data message and request on @channel
 * @priv:	passed to @handler
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 * Return: 0 on success, -EINVAL for a bad @channel or no @handler,
 * -EBUSY if the channel has a handler already.
 */
int mk_msg_register(struct mk_peer *peer, u16 channel,
		    mk_msg_handler_t handler, void *priv)
{
	struct mk_msg_chan *chan;
	int ret = 0;

	if (channel >= MK_MSG_CHANNELS || !handler)
		return -EINVAL;
	chan = &peer->chan[channel];
	mutex_lock(&peer->chan_lock);
	if (chan->handler) {
		ret = -EBUSY;
	} else {
		chan->handler = handler;
		chan->priv = priv;
	}
	mutex_unlock(&peer->chan_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_register);

/**
 * mk_msg_unregister() - stop receiving the messages of a channel
 * @peer:	the peer
 * @channel:	a channel registered with mk_msg_register()
 *
 * When this returns the handler does not run any more; later messages on
 * @channel are dropped and counted.
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 */
void mk_msg_unregister(struct mk_peer *peer, u16 channel)
{
	if (channel >= MK_MSG_CHANNELS)
		return;
	mutex_lock(&peer->chan_lock);
	spin_lock_irq(&peer->rx_lock);
	if (peer->chan[channel].fast)
		peer->nr_fast--;
	peer->chan[channel].fast = NULL;
	peer->chan[channel].handler = NULL;
	peer->chan[channel].priv = NULL;
	spin_unlock_irq(&peer->rx_lock);
	mutex_unlock(&peer->chan_lock);
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_unregister);

/**
 * mk_msg_set_fast() - take a channel's messages in the doorbell interrupt
 * @peer:	the peer
 * @channel:	a channel registered with mk_msg_register()
 * @fast:	its fast handler (&typedef mk_msg_fast_t), or NULL for none
 *
 * The fast handler gets the priv the channel was registered with. What it
 * declines goes to the channel's handler. mk_msg_unregister() removes it
 * with the handler.
 *
 * Context: Process context; sleeps. Not from a handler of @peer.
 * Return: 0, or -EINVAL when @channel has no handler.
 */
int mk_msg_set_fast(struct mk_peer *peer, u16 channel, mk_msg_fast_t fast)
{
	struct mk_msg_chan *chan;
	int ret = 0;

	if (channel >= MK_MSG_CHANNELS)
		return -EINVAL;
	chan = &peer->chan[channel];
	mutex_lock(&peer->chan_lock);
	spin_lock_irq(&peer->rx_lock);
	if (!chan->handler) {
		ret = -EINVAL;
	} else {
		if (chan->fast)
			peer->nr_fast--;
		if (fast)
			peer->nr_fast++;
		chan->fast = fast;
	}
	spin_unlock_irq(&peer->rx_lock);
	mutex_unlock(&peer->chan_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_set_fast);

/*
 * Receive work gets a workqueue of its own: high priority, so that the
 * control channel keeps up under load, and apart from system_wq, so that
 * a peer that floods delays nothing else.
 */
static int __init mk_msg_init(void)
{
	mk_rx_wq = alloc_workqueue("multikernel_rx", WQ_HIGHPRI, 0);
	return mk_rx_wq ? 0 : -ENOMEM;
}
core_initcall(mk_msg_init);
