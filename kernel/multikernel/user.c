// SPDX-License-Identifier: GPL-2.0-only
/*
 * User datagram devices: programs in different kernels exchange
 * datagrams through character devices.
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

#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include <asm/ioctls.h>

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
int mk_user_hdr_check(u32 self, u32 from, const void *data, u32 len,
		      struct multikernel_user_hdr *hdr, const char **why)
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
int mk_uinbox_push(struct mk_uinbox *box, struct mk_udgram *d)
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

static void mk_uinbox_init(struct mk_uinbox *box, u32 src)
{
	INIT_LIST_HEAD(&box->node);
	INIT_LIST_HEAD(&box->queue);
	box->src = src;
	box->count = 0;
	box->bytes = 0;
	box->users = 0;
}

/* Move everything queued in @box to @list; returns how many datagrams. */
static unsigned int mk_uinbox_take_all(struct mk_uinbox *box,
				       struct list_head *list)
{
	unsigned int n = box->count;

	list_splice_tail_init(&box->queue, list);
	box->count = 0;
	box->bytes = 0;
	return n;
}

static void mk_udgram_free_list(struct list_head *list)
{
	struct mk_udgram *d, *tmp;

	list_for_each_entry_safe(d, tmp, list, node) {
		list_del(&d->node);
		kvfree(d);
	}
}

/* ---- devices ---- */

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

static bool mk_udev_connected(struct mk_udev *dev)
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
	spin_lock(&dev->lock);
	dev->dead = true;
	spin_unlock(&dev->lock);
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
static struct mk_uinbox *mk_udev_inbox(struct mk_udev *dev, u32 src)
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

/* Queue a copy of a valid datagram from @src for @dev's readers. */
static void mk_udev_queue(struct mk_udev *dev, u32 src, const void *payload,
			  u32 len)
{
	struct mk_uinbox *box;
	struct mk_udgram *d;

	d = kvmalloc(struct_size(d, data, len), GFP_KERNEL);
	if (d) {
		d->len = len;
		memcpy(d->data, payload, len);
	}

	spin_lock(&dev->lock);
	box = dev->dead ? NULL : mk_udev_inbox(dev, src);
	if (d && box && !mk_uinbox_push(box, d)) {
		dev->stats.rx_datagrams++;
		dev->stats.rx_bytes += len;
		d = NULL;
	} else {
		dev->stats.rx_dropped++;
	}
	spin_unlock(&dev->lock);

	if (d)
		kvfree(d);
	else
		wake_up_interruptible_poll(&dev->wq, EPOLLIN | EPOLLRDNORM);
}

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
			spin_lock(&dev->lock);
			dev->stats.rx_invalid++;
			spin_unlock(&dev->lock);
		}
		goto put;
	}

	if (route == MK_USER_FORWARD) {
		ret = hub->link->send_to(hdr.dst, MULTIKERNEL_CHAN_USER, data,
					 len, MK_MSG_NONBLOCK);
		if (dev) {
			spin_lock(&dev->lock);
			if (ret)
				dev->stats.forward_dropped++;
			else
				dev->stats.forwarded++;
			spin_unlock(&dev->lock);
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

/* ---- files ---- */

/**
 * mk_ufile_init() - attach a new file to a device
 * @uf:		the file's state
 * @dev:	the device; @uf takes a reference
 *
 * The file talks to the device's peer until mk_ufile_connect().
 *
 * Context: Process context.
 * Return: 0, or -ENODEV when the device was removed.
 */
int mk_ufile_init(struct mk_ufile *uf, struct mk_udev *dev)
{
	spin_lock(&dev->lock);
	if (dev->dead) {
		spin_unlock(&dev->lock);
		return -ENODEV;
	}
	kref_get(&dev->kref);
	uf->dev = dev;
	uf->inbox = &dev->inbox;
	uf->peer = dev->peer;
	spin_unlock(&dev->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_init);

/*
 * Stop using @uf's inbox. An inbox of its own goes when its last file
 * leaves; its unread datagrams move to @list, counted as dropped.
 */
static struct mk_uinbox *mk_ufile_detach(struct mk_ufile *uf,
					 struct list_head *list)
{
	struct mk_udev *dev = uf->dev;
	struct mk_uinbox *box = uf->inbox;

	lockdep_assert_held(&dev->lock);
	uf->inbox = NULL;
	if (box == &dev->inbox || --box->users)
		return NULL;
	dev->stats.rx_dropped += mk_uinbox_take_all(box, list);
	list_del(&box->node);
	return box;
}

/**
 * mk_ufile_release() - detach a file from its device
 * @uf:		the file's state
 *
 * Context: Process context.
 */
void mk_ufile_release(struct mk_ufile *uf)
{
	struct mk_udev *dev = uf->dev;
	struct mk_uinbox *gone;
	LIST_HEAD(list);

	spin_lock(&dev->lock);
	gone = mk_ufile_detach(uf, &list);
	spin_unlock(&dev->lock);
	mk_udgram_free_list(&list);
	kfree(gone);
	mk_udev_put(dev);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_release);

/**
 * mk_ufile_connect() - point a file at another kernel
 * @uf:		the file's state
 * @peer:	id of that kernel
 *
 * From now on the file's writes go to @peer and its reads return only
 * datagrams from @peer. In an instance, @peer is the host or another
 * instance; datagrams from it that arrive while no file is connected to
 * it are dropped. On the host a device talks to its instance only.
 * Datagrams still queued for the file's previous peer stay for other
 * files connected to it, or are dropped when there is none.
 *
 * Context: Process context.
 * Return: 0; -EINVAL for @peer naming this kernel, or on the host another
 * kernel than the device's instance; -ENODEV when the device was removed;
 * -ENOMEM; -EINTR when a signal came while waiting for a reader.
 */
int mk_ufile_connect(struct mk_ufile *uf, u32 peer)
{
	struct mk_udev *dev = uf->dev;
	u32 self = dev->hub->link->self_id();
	struct mk_uinbox *box, *fresh = NULL, *gone = NULL;
	LIST_HEAD(list);
	int ret = 0;

	if (peer == self)
		return -EINVAL;
	if (self == MULTIKERNEL_HOST_ID && peer != dev->peer)
		return -EINVAL;
	if (peer != dev->peer) {
		fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
		if (!fresh)
			return -ENOMEM;
		mk_uinbox_init(fresh, peer);
	}

	/* A reader may be copying out of the inbox that might go. */
	if (mutex_lock_interruptible(&dev->read_lock)) {
		kfree(fresh);
		return -EINTR;
	}
	spin_lock(&dev->lock);
	if (dev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	box = mk_udev_inbox(dev, peer);
	if (box == uf->inbox)
		goto unlock;
	if (!box) {
		box = fresh;
		fresh = NULL;
		list_add_tail(&box->node, &dev->inboxes);
	}
	gone = mk_ufile_detach(uf, &list);
	if (box != &dev->inbox)
		box->users++;
	uf->inbox = box;
	uf->peer = peer;
unlock:
	spin_unlock(&dev->lock);
	mutex_unlock(&dev->read_lock);
	mk_udgram_free_list(&list);
	kfree(gone);
	kfree(fresh);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_connect);

/**
 * mk_ufile_send() - send one datagram
 * @uf:		the file's state
 * @from:	the payload, 1 to MULTIKERNEL_USER_MAX bytes
 * @nonblock:	fail with -EAGAIN instead of waiting for room in the ring
 *
 * Context: Process context.
 * Return: the payload bytes sent; -EINVAL for an empty payload,
 * -EMSGSIZE for one above MULTIKERNEL_USER_MAX or the ring's capacity,
 * -EFAULT, -ENOMEM, -ENODEV when the device was removed, -ENOTCONN when
 * there is no link to the peer kernel (not started, stopped, crashed),
 * -EAGAIN, or -ERESTARTSYS.
 */
ssize_t mk_ufile_send(struct mk_ufile *uf, struct iov_iter *from,
		      bool nonblock)
{
	struct mk_udev *dev = uf->dev;
	size_t len = iov_iter_count(from);
	struct multikernel_user_hdr hdr;
	ssize_t ret;
	u8 *buf;

	if (!len)
		return -EINVAL;
	if (len > MULTIKERNEL_USER_MAX)
		return -EMSGSIZE;
	buf = kvmalloc(sizeof(hdr) + len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!copy_from_iter_full(buf + sizeof(hdr), len, from)) {
		ret = -EFAULT;
		goto free_buf;
	}

	if (down_read_interruptible(&dev->send_sem)) {
		ret = -ERESTARTSYS;
		goto free_buf;
	}
	spin_lock(&dev->lock);
	if (dev->dead) {
		spin_unlock(&dev->lock);
		ret = -ENODEV;
		goto up_send;
	}
	hdr.dst = uf->peer;
	spin_unlock(&dev->lock);
	hdr.src = dev->hub->link->self_id();
	memcpy(buf, &hdr, sizeof(hdr));

	ret = dev->hub->link->send_to(dev->peer, MULTIKERNEL_CHAN_USER, buf,
				      sizeof(hdr) + len,
				      nonblock ? MK_MSG_NONBLOCK : 0);
	/* A peer that broke the protocol is as gone as a stopped one. */
	if (ret == -EPIPE)
		ret = -ENOTCONN;
	if (!ret) {
		spin_lock(&dev->lock);
		dev->stats.tx_datagrams++;
		dev->stats.tx_bytes += len;
		spin_unlock(&dev->lock);
		ret = len;
	}
up_send:
	up_read(&dev->send_sem);
free_buf:
	kvfree(buf);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_send);

/*
 * Whether a blocked reader should look again: a datagram came, the device
 * went, or the link changed since it read @changes. The link itself is
 * asked outside the wait, where it may sleep.
 */
static bool mk_ufile_wake(struct mk_ufile *uf, int changes)
{
	struct mk_udev *dev = uf->dev;
	bool ready;

	spin_lock(&dev->lock);
	ready = dev->dead || !list_empty(&uf->inbox->queue);
	spin_unlock(&dev->lock);
	return ready || atomic_read(&dev->link_changes) != changes;
}

/**
 * mk_ufile_recv() - receive one datagram
 * @uf:		the file's state
 * @to:		where to copy it; must have room for all of it
 * @nonblock:	fail with -EAGAIN instead of waiting for a datagram
 *
 * Datagrams queued for the file are returned whether or not the link is
 * up. A datagram larger than @to stays queued.
 *
 * Context: Process context.
 * Return: the payload bytes of the datagram; -EMSGSIZE when it does not
 * fit into @to; -EFAULT (the datagram stays queued); -ENODEV when the
 * device was removed; -ENOTCONN when nothing is queued and there is no
 * link to the peer kernel; -EAGAIN; -ERESTARTSYS.
 */
ssize_t mk_ufile_recv(struct mk_ufile *uf, struct iov_iter *to, bool nonblock)
{
	struct mk_udev *dev = uf->dev;
	struct mk_udgram *d;
	struct mk_uinbox *box;
	int changes;
	ssize_t ret;

	for (;;) {
		/* Before asking the link: a change after this wakes the wait. */
		changes = atomic_read(&dev->link_changes);
		if (mutex_lock_interruptible(&dev->read_lock))
			return -ERESTARTSYS;
		spin_lock(&dev->lock);
		box = uf->inbox;
		d = list_first_entry_or_null(&box->queue, struct mk_udgram,
					     node);
		ret = dev->dead ? -ENODEV : 0;
		spin_unlock(&dev->lock);
		if (ret || d)
			break;
		mutex_unlock(&dev->read_lock);

		if (!mk_udev_connected(dev))
			return -ENOTCONN;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(dev->wq,
					       mk_ufile_wake(uf, changes));
		if (ret)
			return ret;
	}
	if (ret)
		goto unlock;

	/*
	 * @d stays queued while it is copied: readers and connects hold
	 * read_lock, and deliveries only add at the tail.
	 */
	if (iov_iter_count(to) < d->len) {
		ret = -EMSGSIZE;
		goto unlock;
	}
	if (copy_to_iter(d->data, d->len, to) != d->len) {
		ret = -EFAULT;
		goto unlock;
	}
	spin_lock(&dev->lock);
	list_del(&d->node);
	box->count--;
	box->bytes -= d->len;
	spin_unlock(&dev->lock);
	ret = d->len;
	kvfree(d);
unlock:
	mutex_unlock(&dev->read_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_recv);

/* ---- the character device ---- */

static int mk_user_fop_open(struct inode *inode, struct file *file)
{
	/* misc_open() put our miscdevice there and holds misc_mtx. */
	struct mk_udev *dev = container_of(file->private_data, struct mk_udev,
					   misc);
	struct mk_ufile *uf;
	int ret;

	uf = kzalloc(sizeof(*uf), GFP_KERNEL);
	if (!uf)
		return -ENOMEM;
	ret = mk_ufile_init(uf, dev);
	if (ret) {
		kfree(uf);
		return ret;
	}
	file->private_data = uf;
	return stream_open(inode, file);
}

static int mk_user_fop_release(struct inode *inode, struct file *file)
{
	struct mk_ufile *uf = file->private_data;

	mk_ufile_release(uf);
	kfree(uf);
	return 0;
}

static bool mk_user_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_filp->f_flags & O_NONBLOCK) ||
	       (iocb->ki_flags & IOCB_NOWAIT);
}

static ssize_t mk_user_fop_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return mk_ufile_recv(iocb->ki_filp->private_data, to,
			     mk_user_nonblock(iocb));
}

static ssize_t mk_user_fop_write_iter(struct kiocb *iocb,
				      struct iov_iter *from)
{
	return mk_ufile_send(iocb->ki_filp->private_data, from,
			     mk_user_nonblock(iocb));
}

static __poll_t mk_user_fop_poll(struct file *file, poll_table *wait)
{
	struct mk_ufile *uf = file->private_data;
	struct mk_udev *dev = uf->dev;
	__poll_t mask = 0;
	bool dead, queued;

	poll_wait(file, &dev->wq, wait);
	spin_lock(&dev->lock);
	dead = dev->dead;
	queued = !dead && !list_empty(&uf->inbox->queue);
	spin_unlock(&dev->lock);

	if (dead)
		return EPOLLERR | EPOLLHUP;
	if (queued)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (mk_udev_connected(dev))
		mask |= EPOLLOUT | EPOLLWRNORM;
	else
		mask |= EPOLLHUP;
	return mask;
}

static long mk_user_ioctl_connect(struct mk_ufile *uf, void __user *ubuf)
{
	struct multikernel_user_connect cmd;
	u32 size;
	int ret;

	if (get_user(size, (u32 __user *)ubuf))
		return -EFAULT;
	if (size < offsetofend(struct multikernel_user_connect, __reserved))
		return -EINVAL;
	ret = copy_struct_from_user(&cmd, sizeof(cmd), ubuf, size);
	if (ret)
		return ret;
	if (cmd.flags || cmd.__reserved)
		return -EINVAL;
	return mk_ufile_connect(uf, cmd.peer_id);
}

/* FIONREAD: payload bytes of the next datagram, 0 when none is queued. */
static long mk_user_ioctl_nread(struct mk_ufile *uf, int __user *ubuf)
{
	struct mk_udev *dev = uf->dev;
	struct mk_udgram *d;
	int len = 0;

	spin_lock(&dev->lock);
	if (dev->dead) {
		spin_unlock(&dev->lock);
		return -ENODEV;
	}
	d = list_first_entry_or_null(&uf->inbox->queue, struct mk_udgram,
				     node);
	if (d)
		len = d->len;
	spin_unlock(&dev->lock);
	return put_user(len, ubuf);
}

static long mk_user_fop_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct mk_ufile *uf = file->private_data;

	switch (cmd) {
	case MULTIKERNEL_USER_CONNECT:
		return mk_user_ioctl_connect(uf, (void __user *)arg);
	case FIONREAD:
		return mk_user_ioctl_nread(uf, (int __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations mk_user_fops = {
	.owner		= THIS_MODULE,
	.open		= mk_user_fop_open,
	.release	= mk_user_fop_release,
	.read_iter	= mk_user_fop_read_iter,
	.write_iter	= mk_user_fop_write_iter,
	.poll		= mk_user_fop_poll,
	.unlocked_ioctl	= mk_user_fop_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* ---- sysfs: /sys/class/misc/mkmsg-<name>/ ---- */

static struct mk_udev *mk_udev_of(struct device *d)
{
	struct miscdevice *misc = dev_get_drvdata(d);

	return container_of(misc, struct mk_udev, misc);
}

static ssize_t peer_id_show(struct device *d, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", mk_udev_of(d)->peer);
}
static DEVICE_ATTR_RO(peer_id);

static ssize_t connected_show(struct device *d, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", mk_udev_connected(mk_udev_of(d)));
}
static DEVICE_ATTR_RO(connected);

static struct attribute *mk_udev_attrs[] = {
	&dev_attr_peer_id.attr,
	&dev_attr_connected.attr,
	NULL
};

static const struct attribute_group mk_udev_group = {
	.attrs = mk_udev_attrs,
};

/* The counters, by the name of their attribute. */
#define MK_USTAT(_f)	{ __stringify(_f), offsetof(struct mk_ustats, _f) }

static const struct {
	const char *name;
	size_t offset;
} mk_ustat_fields[] = {
	MK_USTAT(tx_datagrams),
	MK_USTAT(tx_bytes),
	MK_USTAT(rx_datagrams),
	MK_USTAT(rx_bytes),
	MK_USTAT(rx_dropped),
	MK_USTAT(rx_invalid),
	MK_USTAT(forwarded),
	MK_USTAT(forward_dropped),
};

static ssize_t mk_ustat_show(struct device *d, struct device_attribute *attr,
			     char *buf)
{
	struct mk_udev *dev = mk_udev_of(d);
	unsigned int i;
	u64 v;

	for (i = 0; i < ARRAY_SIZE(mk_ustat_fields); i++) {
		if (strcmp(attr->attr.name, mk_ustat_fields[i].name))
			continue;
		spin_lock(&dev->lock);
		v = *(u64 *)((u8 *)&dev->stats + mk_ustat_fields[i].offset);
		spin_unlock(&dev->lock);
		return sysfs_emit(buf, "%llu\n", v);
	}
	return -EIO;
}

static struct device_attribute dev_attr_tx_datagrams =
	__ATTR(tx_datagrams, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_tx_bytes =
	__ATTR(tx_bytes, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_rx_datagrams =
	__ATTR(rx_datagrams, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_rx_bytes =
	__ATTR(rx_bytes, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_rx_dropped =
	__ATTR(rx_dropped, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_rx_invalid =
	__ATTR(rx_invalid, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_forwarded =
	__ATTR(forwarded, 0444, mk_ustat_show, NULL);
static struct device_attribute dev_attr_forward_dropped =
	__ATTR(forward_dropped, 0444, mk_ustat_show, NULL);

static struct attribute *mk_udev_stat_attrs[] = {
	&dev_attr_tx_datagrams.attr,
	&dev_attr_tx_bytes.attr,
	&dev_attr_rx_datagrams.attr,
	&dev_attr_rx_bytes.attr,
	&dev_attr_rx_dropped.attr,
	&dev_attr_rx_invalid.attr,
	&dev_attr_forwarded.attr,
	&dev_attr_forward_dropped.attr,
	NULL
};

static const struct attribute_group mk_udev_stat_group = {
	.name = "statistics",
	.attrs = mk_udev_stat_attrs,
};

static const struct attribute_group *mk_udev_groups[] = {
	&mk_udev_group,
	&mk_udev_stat_group,
	NULL
};

/* ---- this kernel's devices ---- */

static const struct mk_user_link_ops mk_user_link = {
	.self_id	= mk_link_self_id,
	.send_to	= mk_link_send_to,
	.connected	= mk_link_connected,
};

static struct mk_user_hub mk_user_hub = {
	.link		= &mk_user_link,
	.devs		= XARRAY_INIT(mk_user_hub.devs, XA_FLAGS_LOCK_IRQ),
	.unroutable	= ATOMIC64_INIT(0),
};

/* Serializes mk_user_instance_init() callers. */
static DEFINE_MUTEX(mk_user_init_lock);

/* Create, register and publish the device for @peer, named after @name. */
static int mk_user_dev_create(u32 peer, const char *name)
{
	struct mk_udev *dev;
	int ret;

	dev = mk_udev_alloc(&mk_user_hub, peer, name);
	if (!dev)
		return -ENOMEM;
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.nodename = dev->nodename;
	dev->misc.fops = &mk_user_fops;
	dev->misc.groups = mk_udev_groups;
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	if (ret)
		goto put_dev;
	dev->registered = true;
	ret = mk_udev_add(dev);
	if (ret)
		goto deregister;
	mk_udev_put(dev);
	return 0;

deregister:
	misc_deregister(&dev->misc);
put_dev:
	mk_udev_put(dev);
	return ret;
}

/**
 * mk_user_deliver() - take a message the link received on MULTIKERNEL_CHAN_USER
 * @from:	id of the kernel it came from, as the link knows it
 * @data:	header and payload, not checked yet
 * @len:	bytes at @data
 *
 * Queues the datagram for the readers of @from's device, or on the host
 * forwards it to the instance it is for. Invalid messages are dropped
 * and counted.
 *
 * Context: Process context.
 */
void mk_user_deliver(u32 from, const void *data, u32 len)
{
	mk_user_hub_deliver(&mk_user_hub, from, data, len);
}

/**
 * mk_user_link_changed() - the link to a kernel came up or went down
 * @id:		that kernel's id
 *
 * Wakes the readers and pollers of its device, which look at the link
 * again.
 *
 * Context: Any context but NMI.
 */
void mk_user_link_changed(u32 id)
{
	mk_user_hub_link_changed(&mk_user_hub, id);
}

/**
 * mk_user_instance_add() - create the datagram device of a new instance
 * @inst:	the instance, not yet published
 *
 * Context: Process context.
 * Return: 0, or the error of creating /dev/mkmsg/<name>.
 */
int mk_user_instance_add(struct mk_instance *inst)
{
	return mk_user_dev_create(inst->id, inst->name);
}

/**
 * mk_user_instance_del() - remove the datagram device of an instance
 * @inst:	the instance being destroyed
 *
 * Files still open on /dev/mkmsg/<name> fail with -ENODEV from now on.
 *
 * Context: Process context.
 */
void mk_user_instance_del(struct mk_instance *inst)
{
	mk_udev_remove(&mk_user_hub, inst->id);
}

/**
 * mk_user_instance_init() - create /dev/mkmsg/host in an instance
 *
 * Called once the instance's link to the host is up; calling it again
 * does nothing.
 *
 * Context: Process context.
 * Return: 0, or the error of creating the device.
 */
int mk_user_instance_init(void)
{
	int ret = 0;

	mutex_lock(&mk_user_init_lock);
	if (!xa_load(&mk_user_hub.devs, MULTIKERNEL_HOST_ID))
		ret = mk_user_dev_create(MULTIKERNEL_HOST_ID, "host");
	mutex_unlock(&mk_user_init_lock);
	return ret;
}
