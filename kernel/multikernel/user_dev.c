// SPDX-License-Identifier: GPL-2.0-only
/*
 * User datagram devices: the character devices /dev/mkmsg/<name>, their
 * sysfs files in /sys/class/misc/mkmsg-<name>/, and this kernel's hub,
 * which the link feeds.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>

#include <asm/ioctls.h>

#include "internal.h"
#include "user.h"

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
	spin_lock_irq(&dev->lock);
	dead = dev->dead;
	queued = !dead && !list_empty(&uf->inbox->queue);
	spin_unlock_irq(&dev->lock);

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

	spin_lock_irq(&dev->lock);
	if (dev->dead) {
		spin_unlock_irq(&dev->lock);
		return -ENODEV;
	}
	d = list_first_entry_or_null(&uf->inbox->queue, struct mk_udgram,
				     node);
	if (d)
		len = d->len;
	spin_unlock_irq(&dev->lock);
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
		spin_lock_irq(&dev->lock);
		v = *(u64 *)((u8 *)&dev->stats + mk_ustat_fields[i].offset);
		spin_unlock_irq(&dev->lock);
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
	.send_iter	= mk_link_send_iter,
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
 * mk_user_deliver_fast() - take a user datagram in the doorbell interrupt
 * @from:	id of the kernel it came from
 * @data:	header and payload, untrusted
 * @len:	bytes at @data
 *
 * See mk_user_hub_deliver_fast().
 *
 * Context: Any context but NMI.
 * Return: false to have mk_user_deliver() take it instead.
 */
bool mk_user_deliver_fast(u32 from, const void *data, u32 len)
{
	return mk_user_hub_deliver_fast(&mk_user_hub, from, data, len);
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
 * mk_user_unread() - datagrams this kernel received and nobody read yet
 *
 * Context: Any context but NMI.
 * Return: how many.
 */
unsigned int mk_user_unread(void)
{
	return mk_user_hub_unread(&mk_user_hub);
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
