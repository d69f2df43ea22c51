// SPDX-License-Identifier: GPL-2.0-only
/*
 * An instance's console, carried on MULTIKERNEL_CHAN_CONSOLE of its link.
 * The instance sends its output (mk_link_console_write()); the host keeps
 * the output of the current or last boot in a log ring per instance
 * (logring.c), and MULTIKERNEL_CONSOLE hands out a read-only file that
 * reads it; poll() on the file waits for new output. The file holds a
 * reference on the instance; reads fail with -ENODEV once the instance is
 * destroyed.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/printk.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>

#include "link.h"

/* Bytes copied per read() at most. */
#define MK_CONSOLE_CHUNK	PAGE_SIZE

/* The host's copy of an instance's console. */
#define MK_CONSOLE_BUF_SIZE	SZ_256K

/* How long a console write waits for room in a full ring. */
#define MK_CONSOLE_WAIT_US	20000

static ssize_t mk_console_fop_read(struct file *file, char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct mk_instance *inst = file->private_data;
	u64 pos = *ppos;
	ssize_t n;
	char *buf;

	len = min_t(size_t, len, MK_CONSOLE_CHUNK);
	if (!len)
		return 0;
	buf = kmalloc(len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	mutex_lock(&inst->lock);
	if (inst->dead)
		n = -ENODEV;
	else
		n = mk_console_read(inst, buf, len, &pos);
	mutex_unlock(&inst->lock);

	if (n > 0 && copy_to_user(ubuf, buf, n))
		n = -EFAULT;
	if (n >= 0)
		*ppos = pos;
	kfree(buf);
	return n;
}

/*
 * Readable when the ring's head is not at the file's position: bytes came
 * after it, or a new boot emptied the ring (a read then starts over). Hung
 * up once the instance is destroyed (a read then fails with -ENODEV).
 * mk_console_handler() and mk_console_hangup() wake the waiters.
 */
static __poll_t mk_console_fop_poll(struct file *file, poll_table *wait)
{
	struct mk_instance *inst = file->private_data;
	struct mk_console_buf *con = inst->console;

	if (!con)
		return EPOLLERR;
	poll_wait(file, &con->wait, wait);
	if (READ_ONCE(inst->dead))
		return EPOLLIN | EPOLLRDNORM | EPOLLHUP;
	/* A racy look at f_pos is fine: poll only says whether to read. */
	if (READ_ONCE(con->head) != (u64)file->f_pos)
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static int mk_console_fop_release(struct inode *inode, struct file *file)
{
	mk_instance_put(file->private_data);
	return 0;
}

static const struct file_operations mk_console_fops = {
	.owner		= THIS_MODULE,
	.read		= mk_console_fop_read,
	.poll		= mk_console_fop_poll,
	.release	= mk_console_fop_release,
};

/**
 * mk_console_open() - a new file reading an instance's console
 * @inst:	the instance; the file takes a reference on it
 *
 * Context: Process context.
 * Return: the file, not yet installed in a descriptor, or an ERR_PTR().
 */
struct file *mk_console_open(struct mk_instance *inst)
{
	struct file *file;

	kref_get(&inst->kref);
	file = anon_inode_getfile("[multikernel-console]", &mk_console_fops,
				  inst, O_RDONLY);
	if (IS_ERR(file))
		mk_instance_put(inst);
	return file;
}

/* --- the host's copy --- */

/**
 * mk_console_buf_alloc() - give an instance its host-side console
 * @inst:	the instance, not yet published
 *
 * Context: Process context; sleeps.
 * Return: 0 or -ENOMEM.
 */
int mk_console_buf_alloc(struct mk_instance *inst)
{
	struct mk_console_buf *con = kzalloc(sizeof(*con), GFP_KERNEL);

	if (!con)
		return -ENOMEM;
	con->ring = vzalloc(MK_CONSOLE_BUF_SIZE);
	if (!con->ring) {
		kfree(con);
		return -ENOMEM;
	}
	init_waitqueue_head(&con->wait);
	inst->console = con;
	return 0;
}

/**
 * mk_console_buf_free() - free what mk_console_buf_alloc() allocated
 * @inst:	the instance, unused by anybody
 *
 * Context: Process context.
 */
void mk_console_buf_free(struct mk_instance *inst)
{
	if (!inst->console)
		return;
	vfree(inst->console->ring);
	kfree(inst->console);
	inst->console = NULL;
}

/**
 * mk_console_hangup() - wake the console's readers: the instance is gone
 * @inst:	the instance, just marked dead
 *
 * Context: Any context.
 */
void mk_console_hangup(struct mk_instance *inst)
{
	if (inst->console)
		wake_up_interruptible_poll(&inst->console->wait, EPOLLHUP);
}

/**
 * mk_console_read() - read an instance's console output
 * @inst:	the instance
 * @buf:	where to copy
 * @len:	room at @buf
 * @pos:	in: position of the first byte wanted; out: after the last
 *		byte copied (see mk_logring_read())
 *
 * The host keeps the output of the instance's current (or last) boot,
 * also after it stopped, until it is destroyed.
 *
 * Context: Process context.
 * Return: bytes copied, 0 when there is nothing new.
 */
ssize_t mk_console_read(struct mk_instance *inst, char *buf, size_t len,
			u64 *pos)
{
	struct mk_console_buf *con = inst->console;

	if (!con)
		return 0;
	return mk_logring_read(&con->head, con->ring, MK_CONSOLE_BUF_SIZE, pos,
			       buf, len);
}

/**
 * mk_console_handler() - the host's handler of an instance's console output
 * @peer:	the instance
 * @msg:	the message, untrusted
 * @priv:	the instance's link
 *
 * Appends to the instance's log ring and wakes its readers.
 *
 * Context: Process context, from the peer's receive work.
 */
void mk_console_handler(struct mk_peer *peer, const struct mk_msg *msg,
			void *priv)
{
	struct mk_link *link = priv;
	struct mk_console_buf *con = link->inst->console;

	if (msg->type != MULTIKERNEL_MSG_DATA || !msg->len)
		return;
	mk_logring_write(&con->head, con->ring, MK_CONSOLE_BUF_SIZE,
			 msg->data, msg->len);
	wake_up_interruptible(&con->wait);
}

/**
 * mk_console_take_early_log() - put an instance's early log into its console
 * @inst:	the instance, whose link never came up
 *
 * An instance that hangs before its link is up sent nothing to its
 * console: take what it logged into its early log instead, so that the
 * console shows how far it got. Only into a console nothing came to over
 * the link, and with the link disconnected; a console message handled at
 * this very moment could interleave its bytes, never more.
 *
 * Context: Process context.
 * Return: bytes taken.
 */
size_t mk_console_take_early_log(struct mk_instance *inst)
{
	struct multikernel_early_log *log = inst->early_log;
	struct mk_console_buf *con = inst->console;
	size_t n = 0;
	char *buf;

	if (!log || !con || READ_ONCE(con->head))
		return 0;
	buf = kvmalloc(sizeof(log->ring), GFP_KERNEL);
	if (!buf)
		return 0;
	n = mk_early_log_read(log, buf, sizeof(log->ring));
	if (n) {
		mk_logring_write(&con->head, con->ring, MK_CONSOLE_BUF_SIZE,
				 buf, n);
		wake_up_interruptible(&con->wait);
	}
	kvfree(buf);
	return n;
}

/* --- instance side --- */

/**
 * mk_link_console_write() - send console output to the host
 * @s:	bytes
 * @n:	how many
 *
 * Waits a little for room when the ring is full, then drops the output
 * and counts it. Long output is split into messages of at most
 * MULTIKERNEL_MSG_MAX bytes.
 *
 * Context: Any context.
 */
void mk_link_console_write(const char *s, size_t n)
{
	struct mk_link *link = mk_link_to_host();
	unsigned int flags = MK_MSG_NONBLOCK;
	unsigned int waited = 0;
	size_t chunk;
	int ret;

	if (!link)
		return;
	if (oops_in_progress)
		flags |= MK_MSG_TRYLOCK;
	while (n) {
		chunk = min_t(size_t, n, link->peer.end.max_payload);
		ret = mk_msg_send(&link->peer, MULTIKERNEL_CHAN_CONSOLE, s,
				  chunk, flags);
		if (ret == -EAGAIN && waited < MK_CONSOLE_WAIT_US) {
			/* Any context: no sleeping here. */
			udelay(MK_CONSOLE_STEP_US);
			waited += MK_CONSOLE_STEP_US;
			continue;
		}
		if (ret) {
			link->console_drops++;
			return;
		}
		s += chunk;
		n -= chunk;
	}
}
