// SPDX-License-Identifier: GPL-2.0-only
/*
 * User datagram devices: programs in different kernels exchange
 * datagrams through character devices. This file routes them: it checks
 * what arrives on MULTIKERNEL_CHAN_USER, queues it in the inboxes of the
 * device for its source or forwards it to another instance, and keeps the
 * devices of a hub. user_file.c holds what one open file does,
 * user_dev.c the character devices, their sysfs files and this kernel's
 * hub.
 *
 * On the host every instance has a device, /dev/mkmsg/<name>, created
 * with the instance and removed when it is destroyed. An instance has
 * one, /dev/mkmsg/host, created once its link to the host is up. A
 * write() sends one datagram over the messaging link (channel
 * MULTIKERNEL_CHAN_USER), preceded by a struct multikernel_user_hdr that
 * names the sending and the receiving kernel; a read() returns one.
 *
 * Instances reach each other through the host: a file in an instance can
 * be connected to another instance id (MULTIKERNEL_USER_CONNECT), and the
 * host forwards what it sends. Received datagrams wait in inboxes, one
 * per source kernel, each bounded; what does not fit is dropped and
 * counted. Documentation/multikernel/messaging.rst ("User datagrams")
 * gives the rules and the reasons.
 *
 * Everything that arrives is untrusted: the header is checked against
 * the kernel the link says the message came from before it is used.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "user.h"

/* ---- checks and queues (pure) ---- */

/**
 * mk_user_hdr_check() - check a message received on MULTIKERNEL_CHAN_USER
 * @self:	id of this kernel: MULTIKERNEL_HOST_ID on the host
 * @from:	id of the kernel the link received it from
 * @data:	the message: header and payload, untrusted
 * @len:	bytes at @data
 * @hdr:	where to put the header once it passed
 * @why:	on failure, why, for a log line
 *
 * On the host a message must come with its sender's own id as source,
 * and is for the host or, to be forwarded, for another instance. In an
 * instance a message comes from the host only, is for this instance, and
 * may name the host or another instance as source (the host forwarded
 * it). The payload holds 1 to MULTIKERNEL_USER_MAX bytes.
 *
 * Context: Any context.
 * Return: MK_USER_LOCAL or MK_USER_FORWARD (&enum mk_user_route) for a
 * valid message, -EBADMSG otherwise.
 */
VISIBLE_IF_KUNIT int mk_user_hdr_check(u32 self, u32 from, const void *data,
				       u32 len, struct multikernel_user_hdr *hdr,
				       const char **why)
{
	if (len < sizeof(*hdr)) {
		*why = "shorter than its header";
		return -EBADMSG;
	}
	if (len == sizeof(*hdr)) {
		*why = "empty";
		return -EBADMSG;
	}
	if (len - sizeof(*hdr) > MULTIKERNEL_USER_MAX) {
		*why = "longer than MULTIKERNEL_USER_MAX";
		return -EBADMSG;
	}
	memcpy(hdr, data, sizeof(*hdr));

	if (self == MULTIKERNEL_HOST_ID) {
		if (hdr->src != from) {
			*why = "source is not its sender";
			return -EBADMSG;
		}
		if (hdr->dst == from) {
			*why = "addressed to its sender";
			return -EBADMSG;
		}
		return hdr->dst == MULTIKERNEL_HOST_ID ? MK_USER_LOCAL :
							 MK_USER_FORWARD;
	}

	if (from != MULTIKERNEL_HOST_ID) {
		*why = "not from the host";
		return -EBADMSG;
	}
	if (hdr->dst != self) {
		*why = "not addressed to this kernel";
		return -EBADMSG;
	}
	if (hdr->src == self) {
		*why = "claims to come from this kernel";
		return -EBADMSG;
	}
	return MK_USER_LOCAL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hdr_check);

/**
 * mk_uinbox_push() - queue a datagram unless its inbox is full
 * @box:	the inbox
 * @d:		the datagram; the inbox owns it when this succeeds
 *
 * Context: Any context; the caller holds the lock of the inbox's device.
 * Return: 0, or -ENOBUFS when @box holds MK_USER_QUEUE_LEN datagrams
 * already or @d would take it over MK_USER_QUEUE_BYTES.
 */
VISIBLE_IF_KUNIT int mk_uinbox_push(struct mk_uinbox *box, struct mk_udgram *d)
{
	if (box->count >= MK_USER_QUEUE_LEN ||
	    d->len > MK_USER_QUEUE_BYTES - box->bytes)
		return -ENOBUFS;
	list_add_tail(&d->node, &box->queue);
	box->count++;
	box->bytes += d->len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_uinbox_push);

/**
 * mk_uinbox_init() - set up an empty inbox
 * @box:	the inbox
 * @src:	the kernel whose datagrams it holds
 *
 * Context: Any context.
 */
void mk_uinbox_init(struct mk_uinbox *box, u32 src)
{
	INIT_LIST_HEAD(&box->node);
	INIT_LIST_HEAD(&box->queue);
	box->src = src;
	box->count = 0;
	box->bytes = 0;
	box->users = 0;
}

/**
 * mk_uinbox_take_all() - empty an inbox
 * @box:	the inbox, its device's lock held
 * @list:	where its datagrams go
 *
 * Context: Any context.
 * Return: how many datagrams moved to @list.
 */
unsigned int mk_uinbox_take_all(struct mk_uinbox *box, struct list_head *list)
{
	unsigned int n = box->count;

	list_splice_tail_init(&box->queue, list);
	box->count = 0;
	box->bytes = 0;
	return n;
}

/**
 * mk_udgram_free_list() - free datagrams
 * @list:	the datagrams, taken off every inbox
 *
 * Context: Process context.
 */
void mk_udgram_free_list(struct list_head *list)
{
	struct mk_udgram *d, *tmp;

	list_for_each_entry_safe(d, tmp, list, node) {
		list_del(&d->node);
		kvfree(d);
	}
}

/* ---- devices ---- */

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
/**
 * mk_user_hub_init() - set up an empty hub
 * @hub:	the hub
 * @link:	the link its devices send through
 *
 * Context: Any context.
 */
void mk_user_hub_init(struct mk_user_hub *hub,
		      const struct mk_user_link_ops *link)
{
	hub->link = link;
	xa_init_flags(&hub->devs, XA_FLAGS_LOCK_IRQ);
	atomic64_set(&hub->unroutable, 0);
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hub_init);
#endif

/**
 * mk_udev_connected() - is the link to a device's peer up?
 * @dev:	the device
 *
 * Context: Process context.
 * Return: what the hub's link says.
 */
bool mk_udev_connected(struct mk_udev *dev)
{
	return dev->hub->link->connected(dev->peer);
}

/* The device for peer @id with a reference, or NULL. */
static struct mk_udev *mk_user_hub_get(struct mk_user_hub *hub, u32 id)
{
	struct mk_udev *dev;
	unsigned long flags;

	xa_lock_irqsave(&hub->devs, flags);
	dev = xa_load(&hub->devs, id);
	if (dev)
		kref_get(&dev->kref);
	xa_unlock_irqrestore(&hub->devs, flags);
	return dev;
}

static void mk_udev_release(struct kref *kref)
{
	struct mk_udev *dev = container_of(kref, struct mk_udev, kref);
	struct mk_uinbox *box, *tmp;
	LIST_HEAD(list);

	/* Files detach their inboxes before they drop their reference. */
	list_for_each_entry_safe(box, tmp, &dev->inboxes, node) {
		mk_uinbox_take_all(box, &list);
		list_del(&box->node);
		kfree(box);
	}
	mk_uinbox_take_all(&dev->inbox, &list);
	mk_udgram_free_list(&list);
	kfree(dev);
}

/**
 * mk_udev_put() - drop a reference to a datagram device
 * @dev:	the device
 *
 * Context: Process context; the device and what is queued in it are
 * freed with the last reference.
 */
void mk_udev_put(struct mk_udev *dev)
{
	kref_put(&dev->kref, mk_udev_release);
}
EXPORT_SYMBOL_IF_KUNIT(mk_udev_put);

/**
 * mk_udev_alloc() - a new datagram device, not yet visible
 * @hub:	the hub it will belong to
 * @peer:	id of the kernel at the other end of its link
 * @name:	that kernel's name: an instance name, or "host"
 *
 * Context: Process context.
 * Return: the device with one reference, or NULL without memory.
 */
struct mk_udev *mk_udev_alloc(struct mk_user_hub *hub, u32 peer,
			      const char *name)
{
	struct mk_udev *dev;

	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return NULL;
	kref_init(&dev->kref);
	dev->hub = hub;
	dev->peer = peer;
	snprintf(dev->name, sizeof(dev->name), "mkmsg-%s", name);
	snprintf(dev->nodename, sizeof(dev->nodename), "mkmsg/%s", name);
	init_rwsem(&dev->send_sem);
	mutex_init(&dev->read_lock);
	spin_lock_init(&dev->lock);
	init_waitqueue_head(&dev->wq);
	mk_uinbox_init(&dev->inbox, peer);
	INIT_LIST_HEAD(&dev->inboxes);
	return dev;
}
EXPORT_SYMBOL_IF_KUNIT(mk_udev_alloc);

/**
 * mk_udev_add() - make a device reachable for messages from its peer
 * @dev:	the device; its hub takes a reference
 *
 * Context: Process context.
 * Return: 0, -EBUSY when the hub has a device for that peer already, or
 * -ENOMEM.
 */
int mk_udev_add(struct mk_udev *dev)
{
	int ret;

	kref_get(&dev->kref);
	ret = xa_insert_irq(&dev->hub->devs, dev->peer, dev, GFP_KERNEL);
	if (ret)
		kref_put(&dev->kref, mk_udev_release);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_udev_add);

/* Fail every file operation from now on, and wait for sends in flight. */
static void mk_udev_kill(struct mk_udev *dev)
{
	spin_lock_irq(&dev->lock);
	dev->dead = true;
	spin_unlock_irq(&dev->lock);
	wake_up_interruptible_all(&dev->wq);
	/*
	 * A send that saw the device alive finishes before the peer id can
	 * be given to another instance. The link has failed it or will fail
	 * it quickly: the peer was stopped before it could be destroyed.
	 */
	down_write(&dev->send_sem);
	up_write(&dev->send_sem);
	if (dev->registered)
		misc_deregister(&dev->misc);
}

/**
 * mk_udev_remove() - remove the device of a peer
 * @hub:	the hub
 * @peer:	the peer kernel's id
 *
 * Takes the device out of the hub, makes every open file of it fail with
 * -ENODEV, removes its device node, and drops the hub's reference. Does
 * nothing when there is no device for @peer.
 *
 * Context: Process context.
 */
void mk_udev_remove(struct mk_user_hub *hub, u32 peer)
{
	struct mk_udev *dev;

	dev = xa_erase_irq(&hub->devs, peer);
	if (!dev)
		return;
	mk_udev_kill(dev);
	mk_udev_put(dev);
}
EXPORT_SYMBOL_IF_KUNIT(mk_udev_remove);

/* The inbox for datagrams from @src, NULL when nobody waits for them. */
/**
 * mk_udev_inbox() - the inbox of a device for one source kernel
 * @dev:	the device, its lock held
 * @src:	the source kernel
 *
 * Context: Any context.
 * Return: the inbox, or NULL when no file of @dev listens to @src.
 */
struct mk_uinbox *mk_udev_inbox(struct mk_udev *dev, u32 src)
{
	struct mk_uinbox *box;

	lockdep_assert_held(&dev->lock);
	if (src == dev->inbox.src)
		return &dev->inbox;
	list_for_each_entry(box, &dev->inboxes, node)
		if (box->src == src)
			return box;
	return NULL;
}

/*
 * Queue @d, a valid datagram from @src, for @dev's readers, or count it
 * dropped (@d NULL: no memory for it). Under @dev->lock.
 * Return: whether @d was queued; the caller frees it otherwise.
 */
static bool mk_udev_push_locked(struct mk_udev *dev, u32 src,
				struct mk_udgram *d)
{
	struct mk_uinbox *box;

	lockdep_assert_held(&dev->lock);
	box = dev->dead ? NULL : mk_udev_inbox(dev, src);
	if (d && box && !mk_uinbox_push(box, d)) {
		dev->stats.rx_datagrams++;
		dev->stats.rx_bytes += d->len;
		return true;
	}
	dev->stats.rx_dropped++;
	return false;
}

/* Queue a copy of a valid datagram from @src for @dev's readers. */
static void mk_udev_queue(struct mk_udev *dev, u32 src, const void *payload,
			  u32 len)
{
	struct mk_udgram *d;
	bool queued;

	d = kvmalloc(struct_size(d, data, len), GFP_KERNEL);
	if (d) {
		d->len = len;
		memcpy(d->data, payload, len);
	}

	spin_lock_irq(&dev->lock);
	queued = mk_udev_push_locked(dev, src, d);
	spin_unlock_irq(&dev->lock);

	if (queued)
		wake_up_interruptible_poll(&dev->wq, EPOLLIN | EPOLLRDNORM);
	else
		kvfree(d);
}

/**
 * mk_user_hub_deliver_fast() - queue a datagram for this kernel at once
 * @hub:	the hub
 * @from:	id of the kernel the link received it from
 * @data:	header and payload, untrusted
 * @len:	bytes at @data
 *
 * The doorbell's way: a valid datagram for a reader in this kernel is
 * queued and its reader woken without waiting for the receive work. Its
 * copy is allocated without sleeping; when that fails, and for what must
 * be forwarded, logged or counted as unroutable, it declines, and
 * mk_user_hub_deliver() gets the message in process context.
 *
 * Context: Any context but NMI.
 * Return: true when the datagram was queued or dropped (its inbox full,
 * or nobody listens to its source), false when it declined.
 */
bool mk_user_hub_deliver_fast(struct mk_user_hub *hub, u32 from,
			      const void *data, u32 len)
{
	struct multikernel_user_hdr hdr;
	struct mk_udgram *d;
	struct mk_udev *dev;
	unsigned long flags;
	const char *why;
	bool queued;
	u32 plen;

	if (mk_user_hdr_check(hub->link->self_id(), from, data, len, &hdr,
			      &why) != MK_USER_LOCAL)
		return false;
	plen = len - sizeof(hdr);
	d = kmalloc(struct_size(d, data, plen), GFP_ATOMIC | __GFP_NOWARN);
	if (!d)
		return false;
	d->len = plen;
	memcpy(d->data, (const u8 *)data + sizeof(hdr), plen);

	/* The entry's reference keeps the device while the lock is held. */
	xa_lock_irqsave(&hub->devs, flags);
	dev = xa_load(&hub->devs, from);
	if (!dev) {
		xa_unlock_irqrestore(&hub->devs, flags);
		kfree(d);
		return false;
	}
	spin_lock(&dev->lock);
	queued = mk_udev_push_locked(dev, hdr.src, d);
	spin_unlock(&dev->lock);
	if (queued)
		wake_up_interruptible_poll(&dev->wq, EPOLLIN | EPOLLRDNORM);
	xa_unlock_irqrestore(&hub->devs, flags);
	if (!queued)
		kfree(d);
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hub_deliver_fast);

/**
 * mk_user_hub_unread() - datagrams received and not read yet
 * @hub:	the hub
 *
 * What waits in the inboxes of all of @hub's devices: for a host kexec
 * that hands the instances over, what goes with this kernel.
 *
 * Context: Any context but NMI.
 * Return: how many datagrams.
 */
unsigned int mk_user_hub_unread(struct mk_user_hub *hub)
{
	struct mk_uinbox *box;
	struct mk_udev *dev;
	unsigned int n = 0;
	unsigned long flags, id;

	/* The entries' references keep the devices while the lock is held. */
	xa_lock_irqsave(&hub->devs, flags);
	xa_for_each(&hub->devs, id, dev) {
		spin_lock(&dev->lock);
		n += dev->inbox.count;
		list_for_each_entry(box, &dev->inboxes, node)
			n += box->count;
		spin_unlock(&dev->lock);
	}
	xa_unlock_irqrestore(&hub->devs, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hub_unread);

/**
 * mk_user_hub_deliver() - take a message received on MULTIKERNEL_CHAN_USER
 * @hub:	the hub
 * @from:	id of the kernel the link received it from
 * @data:	header and payload, untrusted
 * @len:	bytes at @data
 *
 * Checks the message with mk_user_hdr_check(), then queues it for the
 * device of @from or, on the host, forwards it to the instance it is
 * for, without waiting for room in that instance's ring. A message that
 * fails the checks is dropped, counted in the device's rx_invalid and
 * logged (ratelimited).
 *
 * Context: Process context.
 */
void mk_user_hub_deliver(struct mk_user_hub *hub, u32 from, const void *data,
			 u32 len)
{
	struct multikernel_user_hdr hdr;
	struct mk_udev *dev;
	const char *why;
	int route, ret;

	/*
	 * The device of the kernel it came from: the instance's own on the
	 * host, the host's in an instance. Both are indexed by that id.
	 */
	dev = mk_user_hub_get(hub, from);
	route = mk_user_hdr_check(hub->link->self_id(), from, data, len, &hdr,
				  &why);
	if (route < 0) {
		pr_warn_ratelimited("user datagram from kernel %u dropped: %s\n",
				    from, why);
		if (dev) {
			spin_lock_irq(&dev->lock);
			dev->stats.rx_invalid++;
			spin_unlock_irq(&dev->lock);
		}
		goto put;
	}

	if (route == MK_USER_FORWARD) {
		ret = hub->link->send_iter(hdr.dst, MULTIKERNEL_CHAN_USER,
					   data, len, NULL, MK_MSG_NONBLOCK);
		if (dev) {
			spin_lock_irq(&dev->lock);
			if (ret)
				dev->stats.forward_dropped++;
			else
				dev->stats.forwarded++;
			spin_unlock_irq(&dev->lock);
		}
		goto put;
	}

	if (!dev) {
		atomic64_inc(&hub->unroutable);
		return;
	}
	mk_udev_queue(dev, hdr.src, (const u8 *)data + sizeof(hdr),
		      len - sizeof(hdr));
put:
	if (dev)
		mk_udev_put(dev);
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hub_deliver);

/**
 * mk_user_hub_link_changed() - wake the files of a peer's device
 * @hub:	the hub
 * @id:		the peer whose link came up or went down
 *
 * Readers waiting for a datagram and pollers ask the link again; a reader
 * finds -ENOTCONN when it is down.
 *
 * Context: Any context but NMI.
 */
void mk_user_hub_link_changed(struct mk_user_hub *hub, u32 id)
{
	struct mk_udev *dev;
	unsigned long flags;

	/* The entry's reference keeps the device while the lock is held. */
	xa_lock_irqsave(&hub->devs, flags);
	dev = xa_load(&hub->devs, id);
	if (dev) {
		atomic_inc(&dev->link_changes);
		wake_up_interruptible_all(&dev->wq);
	}
	xa_unlock_irqrestore(&hub->devs, flags);
}
EXPORT_SYMBOL_IF_KUNIT(mk_user_hub_link_changed);
