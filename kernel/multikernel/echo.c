// SPDX-License-Identifier: GPL-2.0-only
/*
 * The echo channel, for tests and benchmarks: both sides answer requests
 * on MULTIKERNEL_CHAN_ECHO with their payload, and on the host
 * /sys/kernel/debug/multikernel/<instance>/echo runs round trips ("count
 * size" written) and tells how long they took (read).
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "link.h"

/* Longest echo payload the debugfs echo file sends. */
#define MK_ECHO_MAX		MULTIKERNEL_MSG_MAX

/**
 * struct mk_echo_result - the last run of the echo file
 * @count:	round trips done
 * @size:	payload bytes of each
 * @errors:	round trips that failed or came back different
 * @total_ns:	time of all round trips
 * @min_ns:	fastest round trip
 * @max_ns:	slowest round trip
 */
struct mk_echo_result {
	u64 count;
	u64 size;
	u64 errors;
	u64 total_ns;
	u64 min_ns;
	u64 max_ns;
};

/**
 * struct mk_echo - the echo file of the host's link to one instance
 * @lock:	one run at a time, and @last
 * @last:	the last run
 */
struct mk_echo {
	struct mutex lock;	/* see above */
	struct mk_echo_result last;
};

/**
 * mk_echo_handler() - answer an echo request with its own payload
 * @peer:	the kernel that asked
 * @msg:	the request
 * @priv:	the link
 *
 * Both sides answer, if there is room: a peer that sends requests and
 * does not take the answers loses them.
 *
 * Context: Any context but NMI: the peer's receive work or, through
 * mk_echo_fast(), its doorbell.
 */
void mk_echo_handler(struct mk_peer *peer, const struct mk_msg *msg, void *priv)
{
	if (msg->type == MULTIKERNEL_MSG_REQUEST)
		mk_msg_reply(peer, msg, msg->data, msg->len, MK_MSG_NONBLOCK);
}

/**
 * mk_echo_fast() - answer an echo request from the doorbell interrupt
 * @peer:	the kernel that asked
 * @msg:	the request
 * @priv:	the link
 *
 * The answer needs nothing that sleeps, so it goes out as the request
 * comes in, as mk_echo_handler() would send it.
 *
 * Context: Any context but NMI.
 * Return: true: the request is answered (or dropped, without room).
 */
bool mk_echo_fast(struct mk_peer *peer, const struct mk_msg *msg, void *priv)
{
	mk_echo_handler(peer, msg, priv);
	return true;
}

/* A payload that differs in every byte and every round. */
static void mk_echo_fill(u8 *buf, size_t len, u32 seed)
{
	u32 x = seed * 2654435761u + 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = x;
	}
}

static ssize_t mk_echo_run(struct mk_link *link, u64 count, u64 size)
{
	struct mk_echo_result r = { .size = size, .min_ns = U64_MAX };
	u8 *req, *resp;
	ssize_t got;
	u64 i, t;

	req = kvmalloc(max_t(u64, size, 1), GFP_KERNEL);
	resp = kvmalloc(max_t(u64, size, 1), GFP_KERNEL);
	if (!req || !resp) {
		kvfree(req);
		kvfree(resp);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++) {
		mk_echo_fill(req, size, i);
		t = ktime_get_ns();
		got = mk_msg_request(&link->peer, MULTIKERNEL_CHAN_ECHO, req,
				     size, resp, size, 5 * HZ);
		t = ktime_get_ns() - t;
		if (got == -ERESTARTSYS || got == -EPIPE) {
			r.errors += count - i;
			break;
		}
		if (got != size || memcmp(req, resp, size))
			r.errors++;
		r.count++;
		r.total_ns += t;
		r.min_ns = min(r.min_ns, t);
		r.max_ns = max(r.max_ns, t);
		cond_resched();
	}
	kvfree(req);
	kvfree(resp);
	link->echo->last = r;
	return 0;
}

static ssize_t mk_echo_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct mk_link *link = file->private_data;
	u64 count, size;
	char buf[64];
	ssize_t ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%llu %llu", &count, &size) != 2 || !count ||
	    count > 1000000 || size > MK_ECHO_MAX)
		return -EINVAL;
	if (!mk_link_connected(link->id))
		return -ENOTCONN;
	mutex_lock(&link->echo->lock);
	ret = mk_echo_run(link, count, size);
	mutex_unlock(&link->echo->lock);
	return ret ?: len;
}

static ssize_t mk_echo_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct mk_link *link = file->private_data;
	struct mk_echo_result r;
	char buf[160];
	int n;

	mutex_lock(&link->echo->lock);
	r = link->echo->last;
	mutex_unlock(&link->echo->lock);
	n = scnprintf(buf, sizeof(buf),
		      "count %llu size %llu errors %llu total_ns %llu min_ns %llu max_ns %llu\n",
		      r.count, r.size, r.errors, r.total_ns,
		      r.count ? r.min_ns : 0, r.max_ns);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations mk_echo_fops = {
	.owner		= THIS_MODULE,
	.open		= simple_open,
	.read		= mk_echo_read,
	.write		= mk_echo_write,
	.llseek		= default_llseek,
};

/**
 * mk_echo_add() - give the host's link to an instance its echo file
 * @link:	the link, with its debugfs directory
 *
 * Without memory the link works, without the file.
 *
 * Context: Process context.
 */
void mk_echo_add(struct mk_link *link)
{
	struct mk_echo *echo;

	if (mk_link_is_instance())
		return;
	echo = kzalloc(sizeof(*echo), GFP_KERNEL);
	if (!echo)
		return;
	mutex_init(&echo->lock);
	link->echo = echo;
	debugfs_create_file("echo", 0600, link->dir, link, &mk_echo_fops);
}

/**
 * mk_echo_del() - free what mk_echo_add() allocated
 * @link:	the link, whose debugfs directory is gone
 *
 * Context: Process context.
 */
void mk_echo_del(struct mk_link *link)
{
	if (!link->echo)
		return;
	mutex_destroy(&link->echo->lock);
	kfree(link->echo);
	link->echo = NULL;
}
