// SPDX-License-Identifier: GPL-2.0-only
/*
 * The link between the host and an instance: the table of open links,
 * their opening and closing, and the channel API for other kernel code.
 *
 * Each started instance shares one messaging region with the host (its
 * place is in the shared region's head, which the handoff points to). The
 * host formats it before the first CPU starts; each side attaches a peer
 * (msg.c) and registers the handlers of the fixed channels: control
 * (ctl.c), console (console.c), user datagrams (user.c) and, in test
 * kernels, echo (echo.c). Everything the instance tells the host comes
 * this way; the host reads nothing else out of the instance's memory. In
 * an instance, instance.c opens the link to the host at boot.
 *
 * Kernels are named by id: MULTIKERNEL_HOST_ID for the host, the instance
 * id for an instance.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/multikernel.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "link.h"

/* Shape of every messaging region: 2 x 2048 slots of 128 bytes. */
#define MK_LINK_SLOT_SIZE	128
#define MK_LINK_SLOT_COUNT	2048

/* Open links by the id of the other end; readers use RCU. */
static DEFINE_XARRAY(mk_links);

/* In an instance: its own id, and whether it runs as one. */
static u32 mk_self_id;
static bool mk_self_instance;

/* In an instance: the link to the host, once open. */
static struct mk_link *mk_host_link;

/*
 * Handlers other kernel code registered for a channel of every link
 * (mk_msg_register_all()); links opened later get them too.
 */
static DEFINE_MUTEX(mk_client_lock);
static struct {
	mk_msg_handler_t handler;
	void *priv;
} mk_clients[MK_MSG_CHANNELS];

/**
 * mk_link_get() - look up the open link to a kernel
 * @id:	the kernel at the other end
 *
 * Context: Any context.
 * Return: the link with a reference held, to drop with mk_link_put(); NULL
 * when there is none or it is being closed.
 */
struct mk_link *mk_link_get(u32 id)
{
	struct mk_link *link;

	rcu_read_lock();
	link = xa_load(&mk_links, id);
	if (link && !refcount_inc_not_zero(&link->refs))
		link = NULL;
	rcu_read_unlock();
	return link;
}

/**
 * mk_link_put() - drop a reference mk_link_get() took
 * @link:	the link
 *
 * Context: Any context.
 */
void mk_link_put(struct mk_link *link)
{
	if (refcount_dec_and_test(&link->refs))
		complete(&link->unused);
}

/**
 * mk_links_for_each() - call a function for every open link
 * @fn:		the function
 * @arg:	passed to @fn
 *
 * @fn runs with a reference held and outside the RCU read section, so
 * that it may sleep. The lookup and the taking of the reference are
 * inside it: mk_link_retire() waits for that section before it drops
 * the table's reference.
 *
 * Context: Process context.
 */
void mk_links_for_each(void (*fn)(struct mk_link *link, void *arg), void *arg)
{
	struct mk_link *link;
	unsigned long id;

	rcu_read_lock();
	xa_for_each(&mk_links, id, link) {
		if (!refcount_inc_not_zero(&link->refs))
			continue;
		rcu_read_unlock();
		fn(link, arg);
		mk_link_put(link);
		rcu_read_lock();
	}
	rcu_read_unlock();
}

static void mk_link_pause_one(struct mk_link *link, void *arg)
{
	if (*(bool *)arg)
		mk_peer_pause(&link->peer);
	else
		mk_peer_unpause(&link->peer);
}

/**
 * mk_links_pause() - stop, or go on, taking in messages on every link
 * @pause:	true to stop (mk_peer_pause()), false to go on
 *
 * For a host kexec that hands the instances over: what they send from
 * then on waits in their rings for the next kernel. Undone when that
 * kexec does not happen after all.
 *
 * Context: Process context; sleeps. Not from a message handler.
 */
void mk_links_pause(bool pause)
{
	mk_links_for_each(mk_link_pause_one, &pause);
}

/**
 * mk_link_is_instance() - does this kernel run as an instance?
 *
 * Context: Any context.
 * Return: true in an instance once its link to the host is open.
 */
bool mk_link_is_instance(void)
{
	return READ_ONCE(mk_self_instance);
}

/**
 * mk_link_to_host() - the link to the host
 *
 * Context: Any context.
 * Return: in an instance whose link is open, that link; else NULL. It
 * stays open as long as the instance runs.
 */
struct mk_link *mk_link_to_host(void)
{
	return READ_ONCE(mk_host_link);
}

/* The host talks to instances, an instance only to the host. */
static bool mk_link_id_ok(u32 id)
{
	bool to_host = id == MULTIKERNEL_HOST_ID;

	return mk_self_instance == to_host;
}

/* Messages may go out: in an instance at once, on the host after hello. */
static bool mk_link_ready(const struct mk_link *link)
{
	return mk_self_instance || READ_ONCE(link->hello);
}

/**
 * mk_link_self_id() - the id of this kernel
 *
 * Context: Any context.
 * Return: MULTIKERNEL_HOST_ID on the host, the instance's id in an
 * instance once its link is open.
 */
u32 mk_link_self_id(void)
{
	return READ_ONCE(mk_self_id);
}
EXPORT_SYMBOL_IF_KUNIT(mk_link_self_id);

/**
 * mk_link_connected() - can messages be sent to a kernel?
 * @id:	the kernel
 *
 * Context: Any context.
 * Return: true when the link to @id is open, not broken, and (on the
 * host) the instance said hello.
 */
bool mk_link_connected(u32 id)
{
	struct mk_link *link = mk_link_get(id);
	bool ret;

	if (!link)
		return false;
	ret = !READ_ONCE(link->peer.dead) && mk_link_ready(link);
	mk_link_put(link);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_link_connected);

/**
 * mk_link_send_to() - send a message to another kernel
 * @id:		the kernel: an instance id on the host, MULTIKERNEL_HOST_ID
 *		in an instance
 * @channel:	channel number
 * @data:	@len bytes of payload
 * @len:	payload bytes
 * @flags:	0 or MK_MSG_NONBLOCK, as for mk_msg_send()
 *
 * Context: Process context; any context with MK_MSG_NONBLOCK.
 * Return: 0 on success; -EINVAL for an id this kernel has no link kind
 * for; -ENOTCONN when the link to @id is not up; otherwise as
 * mk_msg_send().
 */
int mk_link_send_to(u32 id, u16 channel, const void *data, size_t len,
		    unsigned int flags)
{
	return mk_link_send_iter(id, channel, data, len, NULL, flags);
}

/**
 * mk_link_send_iter() - send a message in two parts to another kernel
 * @id:		as for mk_link_send_to()
 * @channel:	channel number
 * @head:	@head_len bytes of kernel memory, the start of the payload
 * @head_len:	bytes at @head
 * @from:	the rest of the payload, or NULL, as for mk_msg_send_iter()
 * @flags:	as for mk_link_send_to()
 *
 * Context: As for mk_link_send_to().
 * Return: as for mk_link_send_to(), and -EFAULT as for mk_msg_send_iter().
 */
int mk_link_send_iter(u32 id, u16 channel, const void *head, size_t head_len,
		      struct iov_iter *from, unsigned int flags)
{
	struct mk_link *link;
	int ret;

	if (!mk_link_id_ok(id))
		return -EINVAL;
	link = mk_link_get(id);
	if (!link)
		return -ENOTCONN;
	if (!mk_link_ready(link))
		ret = -ENOTCONN;
	else
		ret = mk_msg_send_iter(&link->peer, channel, head, head_len,
				       from, flags);
	mk_link_put(link);
	return ret;
}

static void mk_link_kick(struct mk_peer *peer)
{
	struct mk_link *link = container_of(peer, struct mk_link, peer);

	mk_doorbell_send(link->hw_id);
}

static void mk_link_broken(struct mk_peer *peer, const char *why)
{
	struct mk_link *link = container_of(peer, struct mk_link, peer);
	char reason[MK_REASON_LEN];

	pr_warn_ratelimited("%s broke the messaging protocol: %s\n",
			    link->name, why);
	if (!link->inst)
		return;
	snprintf(reason, sizeof(reason), "messaging protocol violation: %s", why);
	mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
}

static const struct mk_peer_ops mk_link_ops = {
	.kick	= mk_link_kick,
	.broken	= mk_link_broken,
};

static void mk_link_user(struct mk_peer *peer, const struct mk_msg *msg,
			 void *priv)
{
	struct mk_link *link = priv;

	if (msg->type == MULTIKERNEL_MSG_DATA)
		mk_user_deliver(link->id, msg->data, msg->len);
}

/* The doorbell's way to a reader; what it declines goes to mk_link_user(). */
static bool mk_link_user_fast(struct mk_peer *peer, const struct mk_msg *msg,
			      void *priv)
{
	struct mk_link *link = priv;

	if (msg->type != MULTIKERNEL_MSG_DATA)
		return true;
	return mk_user_deliver_fast(link->id, msg->data, msg->len);
}

/* --- opening and closing --- */

static struct mk_link *mk_link_alloc(u32 id, u32 hw_id, const char *name)
{
	struct mk_link *link = kzalloc(sizeof(*link), GFP_KERNEL);

	if (!link)
		return NULL;
	refcount_set(&link->refs, 1);
	init_completion(&link->unused);
	link->id = id;
	link->hw_id = hw_id;
	strscpy(link->name, name, sizeof(link->name));
	return link;
}

static int mk_link_register(struct mk_link *link, mk_msg_handler_t control)
{
	unsigned int ch;
	int ret;

	lockdep_assert_held(&mk_client_lock);
	for (ch = MK_MSG_FIRST_CLIENT_CHANNEL; ch < MK_MSG_CHANNELS; ch++) {
		if (!mk_clients[ch].handler)
			continue;
		ret = mk_msg_register(&link->peer, ch, mk_clients[ch].handler,
				      mk_clients[ch].priv);
		if (ret)
			return ret;
	}

	ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_CONTROL, control, link);
	if (!ret && link->inst)
		ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_CONSOLE,
				      mk_console_handler, link);
	if (!ret)
		ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_USER,
				      mk_link_user, link);
	if (!ret)
		ret = mk_msg_set_fast(&link->peer, MULTIKERNEL_CHAN_USER,
				      mk_link_user_fast);
	if (!ret && IS_ENABLED(CONFIG_MULTIKERNEL_TEST_ECHO))
		ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_ECHO,
				      mk_echo_handler, link);
	if (!ret && IS_ENABLED(CONFIG_MULTIKERNEL_TEST_ECHO))
		ret = mk_msg_set_fast(&link->peer, MULTIKERNEL_CHAN_ECHO,
				      mk_echo_fast);
	return ret;
}

/*
 * Take a link out of the table and wait until nobody uses it. The other
 * kernel's CPUs are reset: nothing adds to its ring any more. What it
 * left there, its last words, is taken in with a bound (mk_peer_drain()),
 * and senders and requesters fail with -EPIPE at once instead of waiting
 * for room or answers that never come.
 */
static void mk_link_retire(struct mk_link *link)
{
	xa_erase(&mk_links, link->id);
	mk_peer_drain(&link->peer);
	mk_peer_disconnect(&link->peer);
	synchronize_rcu();
	mk_link_put(link);
	wait_for_completion(&link->unused);
	mk_link_debugfs_del(link);
	mk_echo_del(link);
	mk_peer_destroy(&link->peer);
}

/* mk_link_open() and mk_link_adopt(). */
static int mk_link_setup(struct mk_instance *inst,
			 const struct mk_arch_link *where, bool adopt)
{
	struct mk_ring_geometry geo = {
		.slot_size = MK_LINK_SLOT_SIZE,
		.slot_count = MK_LINK_SLOT_COUNT,
		.first_index = 0,
	};
	struct mk_link *link;
	int ret;

	lockdep_assert_held(&inst->lock);
	if (!inst->console)
		return -EINVAL;
	if (!adopt) {
		ret = mk_ring_format(where->region, where->size, &geo);
		if (ret)
			return ret;
	}
	link = mk_link_alloc(inst->id, where->hw_id, inst->name);
	if (!link)
		return -ENOMEM;
	kref_get(&inst->kref);
	link->inst = inst;
	link->boot = inst->boot;
	/* A new boot: readers start over from the oldest byte. */
	smp_store_release(&inst->console->head, 0);
	link->opened_ns = ktime_get_ns();
	link->last_words = where->last_words;
	INIT_DELAYED_WORK(&link->watchdog, mk_ctl_watchdog);

	if (adopt) {
		/* It said hello to the old host; count its silence from now. */
		link->hello = true;
		link->hello_ns = link->opened_ns;
		link->last_beat = jiffies;
		ret = mk_peer_resume(&link->peer, where->region, where->size,
				     MK_RING_HOST, link->name, &mk_link_ops);
	} else {
		ret = mk_peer_init(&link->peer, where->region, where->size,
				   MK_RING_HOST, link->name, &mk_link_ops);
	}
	if (ret)
		goto free;
	mutex_lock(&mk_client_lock);
	ret = mk_link_register(link, mk_ctl_host);
	if (!ret)
		ret = xa_insert(&mk_links, link->id, link, GFP_KERNEL);
	mutex_unlock(&mk_client_lock);
	if (ret)
		goto destroy;
	if (adopt) {
		mk_peer_log_rings(&link->peer, "resumed");
		mk_peer_listen(&link->peer);
	}
	mk_link_debugfs_add(link);
	mk_echo_add(link);
	link->watchdog_due = jiffies + MK_WATCHDOG_PERIOD;
	schedule_delayed_work(&link->watchdog, MK_WATCHDOG_PERIOD);
	return 0;

destroy:
	mk_peer_destroy(&link->peer);
free:
	mk_instance_put(inst);
	kfree(link);
	return ret;
}

/**
 * mk_link_open() - set up the link to an instance about to start
 * @inst:	the instance
 * @where:	its messaging region, mapped, which is formatted here; the
 *		region's size; its end notice block; the hardware id of the
 *		instance CPU that hears doorbells
 *
 * Also empties the instance's console for the new boot and arms the
 * watchdog that waits for the instance's hello.
 *
 * Context: Process context, inst->lock held; sleeps.
 * Return: 0; -EBUSY when the instance has a link already; -ENOMEM;
 * -EINVAL when @size cannot hold the rings.
 */
int mk_link_open(struct mk_instance *inst, const struct mk_arch_link *where)
{
	return mk_link_setup(inst, where, false);
}

/**
 * mk_link_adopt() - take over the link an old host had to an instance
 * @inst:	the instance, re-created from the handover record
 * @where:	as for mk_link_open(); the region keeps its rings and what
 *		waits in them (mk_peer_resume())
 *
 * The instance said hello to the old host: the watchdog holds it to its
 * heartbeats from now on, and what it sent during the switch is taken in
 * at once. The console starts empty: the old host's copy is gone.
 *
 * Context: Process context, inst->lock held; sleeps.
 * Return: as for mk_link_open(); -EPROTO for rings whose indices are
 * out of range.
 */
int mk_link_adopt(struct mk_instance *inst, const struct mk_arch_link *where)
{
	return mk_link_setup(inst, where, true);
}

/**
 * mk_link_close() - tear down the link to an instance
 * @inst:	the instance, whose CPUs were reset
 *
 * What the instance left in its ring is handled, at most one ring's
 * worth; then nothing it sends is looked at any more, and senders to it
 * fail with -EPIPE or -ENOTCONN. Does nothing when there is no link.
 *
 * Context: Process context, inst->lock held; sleeps.
 */
void mk_link_close(struct mk_instance *inst)
{
	struct mk_link *link;

	lockdep_assert_held(&inst->lock);
	/* Only this function removes links, under the instance's lock. */
	link = xa_load(&mk_links, inst->id);
	if (!link)
		return;
	cancel_delayed_work_sync(&link->watchdog);
	mk_link_retire(link);
	mk_user_link_changed(inst->id);
	mk_instance_put(inst);
	kfree(link);
}

/**
 * mk_link_instance_open() - connect an instance to its host
 * @region:	the messaging region the host formatted, mapped
 * @size:	bytes of @region, from the handoff
 * @last_words:	where this instance leaves its end notice for the host,
 *		mapped; zeroed by the host
 * @host_hw_id: hardware id of the host CPU that hears doorbells
 * @self_id:	this instance's id
 *
 * Context: Process context, once, at boot; sleeps.
 * Return: 0, or an error of mk_peer_init() (a region the host got wrong).
 */
int mk_link_instance_open(void *region, size_t size,
			  struct multikernel_last_words *last_words,
			  u32 host_hw_id, u32 self_id)
{
	struct mk_link *link;
	int ret;

	link = mk_link_alloc(MULTIKERNEL_HOST_ID, host_hw_id, "host");
	if (!link)
		return -ENOMEM;
	link->last_words = last_words;
	ret = mk_peer_init(&link->peer, region, size, MK_RING_INSTANCE,
			   link->name, &mk_link_ops);
	if (ret)
		goto free;
	WRITE_ONCE(mk_self_id, self_id);
	WRITE_ONCE(mk_self_instance, true);
	mutex_lock(&mk_client_lock);
	ret = mk_link_register(link, mk_ctl_instance);
	if (!ret)
		ret = xa_insert(&mk_links, link->id, link, GFP_KERNEL);
	mutex_unlock(&mk_client_lock);
	if (ret)
		goto destroy;
	WRITE_ONCE(mk_host_link, link);
	mk_link_debugfs_add(link);
	return 0;

destroy:
	mk_peer_destroy(&link->peer);
free:
	kfree(link);
	return ret;
}

#if IS_ENABLED(CONFIG_MULTIKERNEL_PEER_FAULTS)
/**
 * mk_link_host_peer() - the connection to the host, for peer_faults.c
 *
 * Context: Any context.
 * Return: the peer in an instance whose link is open, else NULL.
 */
struct mk_peer *mk_link_host_peer(void)
{
	struct mk_link *link = READ_ONCE(mk_host_link);

	return link ? &link->peer : NULL;
}
#endif

/* --- the channel API for other kernel code --- */

static void mk_link_add_client(struct mk_link *link, void *arg)
{
	u16 channel = *(u16 *)arg;

	lockdep_assert_held(&mk_client_lock);
	mk_msg_register(&link->peer, channel, mk_clients[channel].handler,
			mk_clients[channel].priv);
}

static void mk_link_del_client(struct mk_link *link, void *arg)
{
	mk_msg_unregister(&link->peer, *(u16 *)arg);
}

/**
 * mk_msg_register_all() - receive a channel's messages from every kernel
 * @channel:	MK_MSG_FIRST_CLIENT_CHANNEL or above, below MK_MSG_CHANNELS
 * @handler:	called for each data message and request on @channel; see
 *		&typedef mk_msg_handler_t, and mk_msg_peer_id() for the sender
 * @priv:	passed to @handler
 *
 * On the host the handler hears every instance, also those started
 * later; in an instance it hears the host.
 *
 * Context: Process context; sleeps. Not from a handler.
 * Return: 0; -EINVAL for a channel the subsystem keeps or no @handler;
 * -EBUSY when the channel has a handler already.
 */
int mk_msg_register_all(u16 channel, mk_msg_handler_t handler, void *priv)
{
	int ret = 0;

	if (channel < MK_MSG_FIRST_CLIENT_CHANNEL || channel >= MK_MSG_CHANNELS ||
	    !handler)
		return -EINVAL;
	mutex_lock(&mk_client_lock);
	if (mk_clients[channel].handler) {
		ret = -EBUSY;
		goto unlock;
	}
	mk_clients[channel].handler = handler;
	mk_clients[channel].priv = priv;
	mk_links_for_each(mk_link_add_client, &channel);
unlock:
	mutex_unlock(&mk_client_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mk_msg_register_all);

/**
 * mk_msg_unregister_all() - stop receiving a channel's messages
 * @channel:	a channel registered with mk_msg_register_all()
 *
 * When this returns the handler runs nowhere any more.
 *
 * Context: Process context; sleeps. Not from a handler.
 */
void mk_msg_unregister_all(u16 channel)
{
	if (channel < MK_MSG_FIRST_CLIENT_CHANNEL || channel >= MK_MSG_CHANNELS)
		return;
	mutex_lock(&mk_client_lock);
	mk_clients[channel].handler = NULL;
	mk_clients[channel].priv = NULL;
	mk_links_for_each(mk_link_del_client, &channel);
	mutex_unlock(&mk_client_lock);
}
EXPORT_SYMBOL_GPL(mk_msg_unregister_all);

/**
 * mk_msg_peer_id() - which kernel a peer is
 * @peer:	a peer a handler was given
 *
 * Context: Any context.
 * Return: MULTIKERNEL_HOST_ID for the host, else the instance's id.
 */
u32 mk_msg_peer_id(struct mk_peer *peer)
{
	return container_of(peer, struct mk_link, peer)->id;
}
EXPORT_SYMBOL_GPL(mk_msg_peer_id);

/**
 * mk_msg_send_to() - send a data message to another kernel
 * @id:		an instance id on the host, MULTIKERNEL_HOST_ID in an instance
 * @channel:	MK_MSG_FIRST_CLIENT_CHANNEL or above
 * @data:	@len bytes of payload
 * @len:	payload bytes, at most 64 KiB
 * @flags:	0 to wait for room, MK_MSG_NONBLOCK to fail with -EAGAIN
 *
 * Context: Process context; any context with MK_MSG_NONBLOCK.
 * Return: as mk_link_send_to(), and -EINVAL for a channel the subsystem
 * keeps.
 */
int mk_msg_send_to(u32 id, u16 channel, const void *data, size_t len,
		   unsigned int flags)
{
	if (channel < MK_MSG_FIRST_CLIENT_CHANNEL)
		return -EINVAL;
	return mk_link_send_to(id, channel, data, len, flags);
}
EXPORT_SYMBOL_GPL(mk_msg_send_to);

/**
 * mk_msg_request_to() - ask another kernel and wait for the answer
 * @id:		as for mk_msg_send_to()
 * @channel:	MK_MSG_FIRST_CLIENT_CHANNEL or above
 * @req:	@req_len bytes of request payload
 * @req_len:	request payload bytes
 * @resp:	where the response payload goes
 * @resp_size:	bytes at @resp
 * @timeout:	jiffies to wait for the response
 *
 * Context: Process context; sleeps.
 * Return: the response length, or as mk_msg_request(); -ENOTCONN when
 * there is no link to @id; -EINVAL for a bad @id or channel.
 */
ssize_t mk_msg_request_to(u32 id, u16 channel, const void *req,
			  size_t req_len, void *resp, size_t resp_size,
			  long timeout)
{
	struct mk_link *link;
	ssize_t ret;

	if (channel < MK_MSG_FIRST_CLIENT_CHANNEL || !mk_link_id_ok(id))
		return -EINVAL;
	link = mk_link_get(id);
	if (!link)
		return -ENOTCONN;
	if (!mk_link_ready(link))
		ret = -ENOTCONN;
	else
		ret = mk_msg_request(&link->peer, channel, req, req_len, resp,
				     resp_size, timeout);
	mk_link_put(link);
	return ret;
}
EXPORT_SYMBOL_GPL(mk_msg_request_to);
