// SPDX-License-Identifier: GPL-2.0-only
/*
 * User datagram devices: one open file. A file reads from an inbox of its
 * device, the device's own or, once connected to another instance, one
 * for that instance; it writes datagrams with the header that names both
 * ends. The KUnit suite drives these functions without a character
 * device.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "user.h"

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
	spin_lock_irq(&dev->lock);
	if (dev->dead) {
		spin_unlock_irq(&dev->lock);
		return -ENODEV;
	}
	kref_get(&dev->kref);
	uf->dev = dev;
	uf->inbox = &dev->inbox;
	uf->peer = dev->peer;
	spin_unlock_irq(&dev->lock);
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

	spin_lock_irq(&dev->lock);
	gone = mk_ufile_detach(uf, &list);
	spin_unlock_irq(&dev->lock);
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
	spin_lock_irq(&dev->lock);
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
	spin_unlock_irq(&dev->lock);
	mutex_unlock(&dev->read_lock);
	mk_udgram_free_list(&list);
	kfree(gone);
	kfree(fresh);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_connect);

/*
 * Send @hdr and the payload in @from. The payload goes from the caller's
 * buffer straight into the ring, copied with page faults disabled; a page
 * that was not there is faulted in here and the send tried again, for as
 * long as that brings the pages in. A kernel buffer never faults.
 */
static int mk_ufile_xmit(struct mk_udev *dev,
			 const struct multikernel_user_hdr *hdr,
			 struct iov_iter *from, bool nonblock)
{
	size_t len = iov_iter_count(from);
	int ret;

	for (;;) {
		ret = dev->hub->link->send_iter(dev->peer, MULTIKERNEL_CHAN_USER,
						hdr, sizeof(*hdr), from,
						nonblock ? MK_MSG_NONBLOCK : 0);
		if (ret != -EFAULT || !user_backed_iter(from) ||
		    fault_in_iov_iter_readable(from, len))
			return ret;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
}

/**
 * mk_ufile_send() - send one datagram
 * @uf:		the file's state
 * @from:	the payload, 1 to MULTIKERNEL_USER_MAX bytes
 * @nonblock:	fail with -EAGAIN instead of waiting for room in the ring
 *
 * Context: Process context.
 * Return: the payload bytes sent; -EINVAL for an empty payload,
 * -EMSGSIZE for one above MULTIKERNEL_USER_MAX or the ring's capacity,
 * -EFAULT, -ENODEV when the device was removed, -ENOTCONN when there is
 * no link to the peer kernel (not started, stopped, crashed), -EAGAIN,
 * -EINTR, or -ERESTARTSYS.
 */
ssize_t mk_ufile_send(struct mk_ufile *uf, struct iov_iter *from,
		      bool nonblock)
{
	struct mk_udev *dev = uf->dev;
	size_t len = iov_iter_count(from);
	struct multikernel_user_hdr hdr;
	ssize_t ret;

	if (!len)
		return -EINVAL;
	if (len > MULTIKERNEL_USER_MAX)
		return -EMSGSIZE;
	if (down_read_interruptible(&dev->send_sem))
		return -ERESTARTSYS;
	spin_lock_irq(&dev->lock);
	if (dev->dead) {
		spin_unlock_irq(&dev->lock);
		ret = -ENODEV;
		goto up_send;
	}
	hdr.dst = uf->peer;
	spin_unlock_irq(&dev->lock);
	hdr.src = dev->hub->link->self_id();

	ret = mk_ufile_xmit(dev, &hdr, from, nonblock);
	/* A peer that broke the protocol is as gone as a stopped one. */
	if (ret == -EPIPE)
		ret = -ENOTCONN;
	if (!ret) {
		spin_lock_irq(&dev->lock);
		dev->stats.tx_datagrams++;
		dev->stats.tx_bytes += len;
		spin_unlock_irq(&dev->lock);
		ret = len;
	}
up_send:
	up_read(&dev->send_sem);
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

	spin_lock_irq(&dev->lock);
	ready = dev->dead || !list_empty(&uf->inbox->queue);
	spin_unlock_irq(&dev->lock);
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
		spin_lock_irq(&dev->lock);
		box = uf->inbox;
		d = list_first_entry_or_null(&box->queue, struct mk_udgram,
					     node);
		ret = dev->dead ? -ENODEV : 0;
		spin_unlock_irq(&dev->lock);
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
	spin_lock_irq(&dev->lock);
	list_del(&d->node);
	box->count--;
	box->bytes -= d->len;
	spin_unlock_irq(&dev->lock);
	ret = d->len;
	kvfree(d);
unlock:
	mutex_unlock(&dev->read_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ufile_recv);
