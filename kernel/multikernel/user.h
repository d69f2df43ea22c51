/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * User datagram devices: what user.c, user_file.c and user_dev.c share
 * with each other and their KUnit suite, and nothing else.
 */
#ifndef _KERNEL_MULTIKERNEL_USER_H
#define _KERNEL_MULTIKERNEL_USER_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/multikernel/wire.h>

struct iov_iter;

/* Most datagrams one inbox holds. */
#define MK_USER_QUEUE_LEN	64
/* Most payload bytes one inbox holds. */
#define MK_USER_QUEUE_BYTES	(1024 * 1024)

/**
 * struct mk_user_link_ops - how the datagram devices reach the messaging link
 * @self_id:	mk_link_self_id()
 * @send_iter:	mk_link_send_iter()
 * @connected:	mk_link_connected(); called in process context
 *
 * The kernel's hub uses the link functions of link.c; the KUnit suite
 * builds hubs of its own around a fake link.
 */
struct mk_user_link_ops {
	u32 (*self_id)(void);
	int (*send_iter)(u32 id, u16 channel, const void *head, size_t head_len,
			 struct iov_iter *from, unsigned int flags);
	bool (*connected)(u32 id);
};

/**
 * struct mk_user_hub - the datagram devices of one kernel
 * @link:	the messaging link
 * @devs:	device per peer kernel id (instance id on the host,
 *		MULTIKERNEL_HOST_ID in an instance); each entry holds a
 *		reference. Its lock is taken with interrupts off, so that
 *		mk_user_link_changed() works in any context.
 * @unroutable:	datagrams that arrived for a device that does not exist
 */
struct mk_user_hub {
	const struct mk_user_link_ops *link;
	struct xarray devs;
	atomic64_t unroutable;
};

/**
 * struct mk_udgram - one received datagram
 * @node:	entry in its inbox's queue
 * @len:	payload bytes, 1 to MULTIKERNEL_USER_MAX
 * @data:	the payload, without the header
 */
struct mk_udgram {
	struct list_head node;
	u32 len;
	u8 data[];
};

/**
 * struct mk_uinbox - datagrams from one source kernel, waiting to be read
 * @node:	entry in &mk_udev.inboxes (not for the device's own inbox)
 * @queue:	the datagrams, oldest first
 * @src:	id of the kernel they come from
 * @count:	datagrams in @queue, at most MK_USER_QUEUE_LEN
 * @bytes:	payload bytes in @queue, at most MK_USER_QUEUE_BYTES
 * @users:	files connected to @src (not for the device's own inbox)
 */
struct mk_uinbox {
	struct list_head node;
	struct list_head queue;
	u32 src;
	unsigned int count;
	u32 bytes;
	unsigned int users;
};

/**
 * struct mk_ustats - counters of one datagram device
 * @tx_datagrams:	datagrams its files sent
 * @tx_bytes:		payload bytes of those
 * @rx_datagrams:	datagrams queued for its readers
 * @rx_bytes:		payload bytes of those
 * @rx_dropped:		datagrams for it that were dropped: inbox full, no
 *			file connected to their source, no memory, or
 *			queued but never read when a file switched peer
 * @rx_invalid:		messages from the peer kernel that broke the rules
 *			(short, too long, wrong source or destination)
 * @forwarded:		host: datagrams from this instance passed on to
 *			another instance
 * @forward_dropped:	host: datagrams from this instance for another
 *			instance that could not be passed on
 */
struct mk_ustats {
	u64 tx_datagrams;
	u64 tx_bytes;
	u64 rx_datagrams;
	u64 rx_bytes;
	u64 rx_dropped;
	u64 rx_invalid;
	u64 forwarded;
	u64 forward_dropped;
};

/* "mkmsg-" + a name + NUL */
#define MK_UDEV_NAME_LEN	(6 + MULTIKERNEL_NAME_MAX + 1)

/**
 * struct mk_udev - one datagram device: /dev/mkmsg/<name>
 * @kref:	references: the hub's entry and every open file
 * @hub:	the hub it belongs to (constant)
 * @peer:	id of the kernel at the other end of its link (constant)
 * @name:	misc device name, "mkmsg-<name>" (constant)
 * @nodename:	device node below /dev, "mkmsg/<name>" (constant)
 * @misc:	the misc device, registered by mk_udev_register()
 * @registered:	@misc is registered
 * @send_sem:	held for reading around every send, for writing once by
 *		mk_udev_kill(), so that no send for @peer starts after the
 *		device is gone (the id may then name another instance)
 * @read_lock:	serializes readers and mk_ufile_connect(): a datagram is
 *		copied out while still queued and removed only afterwards
 * @lock:	protects @dead, the inboxes, their queues and @stats
 * @wq:		readers and pollers; woken for new datagrams, link changes
 *		and removal
 * @dead:	the device was removed; every file operation fails
 * @link_changes: bumped by mk_user_link_changed() for @peer, so that a
 *		reader waiting for a datagram asks the link again
 * @inbox:	datagrams from @peer
 * @inboxes:	further inboxes, one per other source some file is
 *		connected to (instance side only)
 * @stats:	counters
 *
 * Lock order: @send_sem, then @read_lock, then @lock. The hub's lock is
 * never held while taking the first two; @lock is taken under it, from
 * the doorbell interrupt too (mk_user_hub_deliver_fast()), so it is
 * always taken with interrupts off.
 */
struct mk_udev {
	struct kref kref;
	struct mk_user_hub *hub;
	u32 peer;
	char name[MK_UDEV_NAME_LEN];
	char nodename[MK_UDEV_NAME_LEN];
	struct miscdevice misc;
	bool registered;
	struct rw_semaphore send_sem;
	struct mutex read_lock;	/* see above */
	spinlock_t lock;	/* see above */
	wait_queue_head_t wq;
	bool dead;
	atomic_t link_changes;
	struct mk_uinbox inbox;
	struct list_head inboxes;
	struct mk_ustats stats;
};

/**
 * struct mk_ufile - one open file of a datagram device
 * @dev:	the device; the file holds a reference
 * @inbox:	where its reads come from (@dev->lock)
 * @peer:	the kernel its writes go to, and its reads come from
 *		(@dev->lock)
 */
struct mk_ufile {
	struct mk_udev *dev;
	struct mk_uinbox *inbox;
	u32 peer;
};

/**
 * enum mk_user_route - what to do with a valid received datagram
 * @MK_USER_LOCAL:	queue it for this kernel's readers
 * @MK_USER_FORWARD:	host: pass it on to the instance it is for
 */
enum mk_user_route {
	MK_USER_LOCAL,
	MK_USER_FORWARD,
};

#if IS_ENABLED(CONFIG_KUNIT)
int mk_user_hdr_check(u32 self, u32 from, const void *data, u32 len,
		      struct multikernel_user_hdr *hdr, const char **why);
#endif
#if IS_ENABLED(CONFIG_KUNIT)
int mk_uinbox_push(struct mk_uinbox *box, struct mk_udgram *d);
#endif
void mk_uinbox_init(struct mk_uinbox *box, u32 src);
unsigned int mk_uinbox_take_all(struct mk_uinbox *box, struct list_head *list);
void mk_udgram_free_list(struct list_head *list);

#if IS_ENABLED(CONFIG_MULTIKERNEL_KUNIT_TEST)
void mk_user_hub_init(struct mk_user_hub *hub,
		      const struct mk_user_link_ops *link);
#endif
void mk_user_hub_deliver(struct mk_user_hub *hub, u32 from, const void *data,
			 u32 len);
bool mk_user_hub_deliver_fast(struct mk_user_hub *hub, u32 from,
			      const void *data, u32 len);
void mk_user_hub_link_changed(struct mk_user_hub *hub, u32 id);
unsigned int mk_user_hub_unread(struct mk_user_hub *hub);

struct mk_udev *mk_udev_alloc(struct mk_user_hub *hub, u32 peer,
			      const char *name);
int mk_udev_add(struct mk_udev *dev);
void mk_udev_remove(struct mk_user_hub *hub, u32 peer);
void mk_udev_put(struct mk_udev *dev);
bool mk_udev_connected(struct mk_udev *dev);
struct mk_uinbox *mk_udev_inbox(struct mk_udev *dev, u32 src);

int mk_ufile_init(struct mk_ufile *uf, struct mk_udev *dev);
void mk_ufile_release(struct mk_ufile *uf);
int mk_ufile_connect(struct mk_ufile *uf, u32 peer);
ssize_t mk_ufile_send(struct mk_ufile *uf, struct iov_iter *from,
		      bool nonblock);
ssize_t mk_ufile_recv(struct mk_ufile *uf, struct iov_iter *to, bool nonblock);

#endif /* _KERNEL_MULTIKERNEL_USER_H */
