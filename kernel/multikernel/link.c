// SPDX-License-Identifier: GPL-2.0-only
/*
 * The link between the host and an instance.
 *
 * Each started instance shares one messaging region with the host (its
 * place is in the shared region's head, which the handoff points to). The
 * host formats it before the first CPU starts; each side attaches a peer
 * (msg.c) and registers the handlers of the fixed channels:
 *
 *   MULTIKERNEL_CHAN_CONTROL	the control protocol: the instance's hello
 *				once it booted, its heartbeats, the host's
 *				heartbeat period and shutdown request with
 *				its acknowledgment, and the instance's
 *				stop and panic notices
 *   MULTIKERNEL_CHAN_CONSOLE	the instance's console output, kept by the
 *				host in a log ring per instance
 *   MULTIKERNEL_CHAN_USER	user datagrams (user.c)
 *   MULTIKERNEL_CHAN_ECHO	requests answered with their own payload,
 *				for tests and benchmarks
 *
 * Everything the instance tells the host comes this way; the host reads
 * nothing else out of the instance's memory. On the host a watchdog marks
 * an instance crashed when its hello does not come in time after the
 * start or its heartbeats stop.
 *
 * Kernels are named by id: MULTIKERNEL_HOST_ID for the host, the instance
 * id for an instance.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/rcupdate.h>
#include <linux/reboot.h>
#include <linux/refcount.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "internal.h"

/* Shape of every messaging region: 2 x 2048 slots of 128 bytes. */
#define MK_LINK_SLOT_SIZE	128
#define MK_LINK_SLOT_COUNT	2048

/* The host's copy of an instance's console. */
#define MK_CONSOLE_BUF_SIZE	SZ_256K

/* Heartbeats an instance may miss before it counts as wedged. */
#define MK_HEARTBEAT_MISSES	5

/* How long a console write waits for room in a full ring, in steps. */
#define MK_CONSOLE_WAIT_US	20000
#define MK_CONSOLE_STEP_US	50

/* How long a stop or panic notice waits for room in a full ring. */
#define MK_NOTIFY_WAIT_US	1000000

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
 * struct mk_link - one end of the link between host and instance
 * @refs:	one for the link table, one per user in mk_link_send_to()
 * @unused:	completed when the last user other than the table left
 * @inst:	host side: the instance (a reference is held); NULL in an
 *		instance
 * @boot:	host side: the instance's boot this link belongs to; its
 *		reports carry it
 * @id:		id of the kernel at the other end
 * @apic_id:	physical APIC ID its doorbell rings on
 * @name:	the other end's name, for log lines
 * @peer:	the messaging connection
 * @hello:	host side: the instance said hello
 * @opened_ns:	host side: CLOCK_MONOTONIC when the link was opened
 * @hello_ns:	host side: CLOCK_MONOTONIC when the hello came, 0 before
 * @last_beat:	host side: jiffies of the last heartbeat (or the hello)
 * @told_ms:	host side: the heartbeat period the instance was last told,
 *		0 before; the watchdog holds it to this one, and tells it
 *		again while it differs from the setting
 * @watchdog:	host side: checks hello and heartbeats
 * @beats:	heartbeats received (host) or sent (instance)
 * @bad_ctl:	control messages dropped as malformed or out of place
 * @shutdown_acks: host side: acknowledged shutdown requests
 * @console_drops: instance side: console writes lost to a full ring
 * @echo_lock:	host side: one echo run at a time, and @echo
 * @echo:	host side: the last run of the debugfs echo file
 * @dir:	its debugfs directory
 */
struct mk_link {
	refcount_t refs;
	struct completion unused;
	struct mk_instance *inst;
	u32 boot;
	u32 id;
	u32 apic_id;
	char name[MULTIKERNEL_NAME_MAX + 1];
	struct mk_peer peer;
	bool hello;
	u64 opened_ns;
	u64 hello_ns;
	unsigned long last_beat;
	unsigned int told_ms;
	struct delayed_work watchdog;
	u64 beats;
	u64 bad_ctl;
	u64 shutdown_acks;
	u64 console_drops;
	struct mutex echo_lock;	/* see above */
	struct mk_echo_result echo;
	struct dentry *dir;
};

/* Open links by the id of the other end; readers use RCU. */
static DEFINE_XARRAY(mk_links);

/* In an instance: its own id, and whether it runs as one. */
static u32 mk_self_id;
static bool mk_self_instance;

/* Settable in /sys/kernel/multikernel/; read when used. */
static unsigned int mk_heartbeat_ms = 1000;
static unsigned int mk_boot_timeout_ms = 60000;

static struct dentry *mk_debugfs_root;

/*
 * Handlers other kernel code registered for a channel of every link
 * (mk_msg_register_all()); links opened later get them too.
 */
static DEFINE_MUTEX(mk_client_lock);
static struct {
	mk_msg_handler_t handler;
	void *priv;
} mk_clients[MK_MSG_CHANNELS];

/* The instance's heartbeat, in an instance. */
static unsigned int mk_beat_period_ms;
static struct delayed_work mk_beat_work;
static bool mk_shutdown_started;

static struct mk_link *mk_link_get(u32 id)
{
	struct mk_link *link;

	rcu_read_lock();
	link = xa_load(&mk_links, id);
	if (link && !refcount_inc_not_zero(&link->refs))
		link = NULL;
	rcu_read_unlock();
	return link;
}

static void mk_link_put(struct mk_link *link)
{
	if (refcount_dec_and_test(&link->refs))
		complete(&link->unused);
}

/*
 * Call @fn for every open link, with a reference held and outside the
 * RCU read section, so that @fn may sleep. The lookup and the taking of
 * the reference are inside it: mk_link_retire() waits for that section
 * before it drops the table's reference.
 */
static void mk_links_for_each(void (*fn)(struct mk_link *link, void *arg),
			      void *arg)
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
		ret = mk_msg_send(&link->peer, channel, data, len, flags);
	mk_link_put(link);
	return ret;
}

static void mk_link_kick(struct mk_peer *peer)
{
	struct mk_link *link = container_of(peer, struct mk_link, peer);

	mk_doorbell_send(link->apic_id);
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

static int mk_link_send_ctl(struct mk_link *link, u32 op, u32 arg,
			    const char *text, unsigned int flags)
{
	struct multikernel_ctl ctl = { .op = op, .arg = arg };

	if (text)
		strscpy(ctl.text, text, sizeof(ctl.text));
	return mk_msg_send(&link->peer, MULTIKERNEL_CHAN_CONTROL, &ctl,
			   sizeof(ctl), flags);
}

/*
 * Tell an instance its heartbeat period. A full ring drops the message:
 * the instance is then held to the period it was told before, and the
 * watchdog tries again, rather than crashed for beats it was never asked
 * for.
 */
static void mk_link_tell_period(struct mk_link *link, unsigned int ms)
{
	if (mk_link_send_ctl(link, MULTIKERNEL_CTL_SET_HEARTBEAT, ms, NULL,
			     MK_MSG_NONBLOCK))
		return;
	/* Count from now: the instance learns the period late. */
	WRITE_ONCE(link->last_beat, jiffies);
	WRITE_ONCE(link->told_ms, ms);
}

/*
 * Both sides answer echo requests with their payload, if there is room:
 * a peer that sends requests and does not take the answers loses them.
 */
static void mk_link_echo(struct mk_peer *peer, const struct mk_msg *msg,
			 void *priv)
{
	if (msg->type == MULTIKERNEL_MSG_REQUEST)
		mk_msg_reply(peer, msg, msg->data, msg->len, MK_MSG_NONBLOCK);
}

static void mk_link_user(struct mk_peer *peer, const struct mk_msg *msg,
			 void *priv)
{
	struct mk_link *link = priv;

	if (msg->type == MULTIKERNEL_MSG_DATA)
		mk_user_deliver(link->id, msg->data, msg->len);
}

/* --- host side --- */

/* The console channel: append to the instance's log ring. */
static void mk_link_console(struct mk_peer *peer, const struct mk_msg *msg,
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

/*
 * An instance that hangs before its link is up sent nothing to its
 * console: take what it logged into its early log instead, so that the
 * console shows how far it got. Only into a console nothing came to over
 * the link, once the link is disconnected; a console message handled at
 * this very moment could interleave its bytes, never more.
 */
static void mk_link_take_early_log(struct mk_link *link)
{
	struct multikernel_early_log *log = link->inst->early_log;
	struct mk_console_buf *con = link->inst->console;
	char *buf;
	size_t n;

	if (!log || !con || READ_ONCE(con->head))
		return;
	buf = kvmalloc(sizeof(log->ring), GFP_KERNEL);
	if (!buf)
		return;
	n = mk_early_log_read(log, buf, sizeof(log->ring));
	if (n) {
		mk_logring_write(&con->head, con->ring, MK_CONSOLE_BUF_SIZE,
				 buf, n);
		wake_up_interruptible(&con->wait);
		pr_warn("%s: its early console (%zu bytes) is in its console\n",
			link->name, n);
	}
	kvfree(buf);
}

static const char *mk_stop_kind_name(u32 kind)
{
	switch (kind) {
	case MULTIKERNEL_STOP_POWER_OFF:
		return "powered off";
	case MULTIKERNEL_STOP_HALT:
		return "halted";
	case MULTIKERNEL_STOP_RESTART:
		return "asked for a restart";
	}
	return NULL;
}

/* Make a reason from the peer printable and terminated. */
static void mk_link_sanitize(char *dst, const u8 *src, size_t size)
{
	size_t i;

	for (i = 0; i < size - 1 && src[i]; i++)
		dst[i] = isprint(src[i]) ? src[i] : '?';
	dst[i] = '\0';
}

static void mk_link_bad_ctl(struct mk_link *link, const char *what, u32 op)
{
	link->bad_ctl++;
	pr_warn_ratelimited("%s: dropped a control message: %s (op %u)\n",
			    link->name, what, op);
}

static void mk_link_host_control(struct mk_peer *peer, const struct mk_msg *msg,
				 void *priv)
{
	struct mk_link *link = priv;
	struct multikernel_ctl ctl;
	char reason[MK_REASON_LEN];
	const char *kind;

	if (msg->type != MULTIKERNEL_MSG_DATA || msg->len != sizeof(ctl)) {
		mk_link_bad_ctl(link, "bad type or size", 0);
		return;
	}
	memcpy(&ctl, msg->data, sizeof(ctl));

	switch (ctl.op) {
	case MULTIKERNEL_CTL_HELLO:
		if (link->hello) {
			mk_link_bad_ctl(link, "second hello", ctl.op);
			return;
		}
		if (ctl.arg != MULTIKERNEL_CTL_VERSION) {
			snprintf(reason, sizeof(reason),
				 "speaks control protocol version %u, not %u",
				 ctl.arg, MULTIKERNEL_CTL_VERSION);
			mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
			return;
		}
		link->hello_ns = ktime_get_ns();
		WRITE_ONCE(link->last_beat, jiffies);
		WRITE_ONCE(link->hello, true);
		mk_link_tell_period(link, READ_ONCE(mk_heartbeat_ms));
		mk_instance_report(link->inst, link->boot, MK_RUNNING, NULL);
		mk_user_link_changed(link->id);
		return;
	case MULTIKERNEL_CTL_HEARTBEAT:
		WRITE_ONCE(link->last_beat, jiffies);
		link->beats++;
		return;
	case MULTIKERNEL_CTL_SHUTDOWN:
		link->shutdown_acks++;
		pr_info("%s: instance acknowledged the shutdown request\n",
			link->name);
		return;
	case MULTIKERNEL_CTL_STOPPED:
		kind = mk_stop_kind_name(ctl.arg);
		if (!kind) {
			mk_link_bad_ctl(link, "unknown stop kind", ctl.op);
			return;
		}
		pr_info("%s: instance %s\n", link->name, kind);
		mk_instance_report(link->inst, link->boot, MK_STOPPED, kind);
		return;
	case MULTIKERNEL_CTL_PANIC:
		mk_link_sanitize(reason, ctl.text,
				 min(sizeof(reason), sizeof(ctl.text)));
		pr_info("%s: instance panicked: %s\n", link->name, reason);
		mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
		return;
	}
	mk_link_bad_ctl(link, "unknown operation", ctl.op);
}

/* Give up on an instance that never said hello or stopped beating. */
static void mk_link_watchdog(struct work_struct *work)
{
	struct mk_link *link = container_of(to_delayed_work(work),
					    struct mk_link, watchdog);
	unsigned int period = READ_ONCE(mk_heartbeat_ms);
	unsigned int boot = READ_ONCE(mk_boot_timeout_ms);
	enum mk_state state = READ_ONCE(link->inst->state);
	char reason[MK_REASON_LEN];
	unsigned long silent;
	u64 entry_us;

	if (state != MK_STARTING && state != MK_RUNNING)
		goto again;	/* stopping, or reported already */

	if (!READ_ONCE(link->hello)) {
		if (!boot ||
		    ktime_get_ns() - link->opened_ns < boot * NSEC_PER_MSEC)
			goto again;
		/* Say whether the start code got as far as the kernel. */
		entry_us = div_u64(mk_arch_entry_ns(link->inst), NSEC_PER_USEC);
		if (entry_us)
			snprintf(reason, sizeof(reason),
				 "no boot handshake within %u ms (kernel entered %llu us after the start IPIs)",
				 boot, entry_us);
		else
			snprintf(reason, sizeof(reason),
				 "no boot handshake within %u ms (the kernel was never entered)",
				 boot);
	} else {
		if (READ_ONCE(link->told_ms) != period)
			mk_link_tell_period(link, period);
		period = READ_ONCE(link->told_ms);
		silent = jiffies - READ_ONCE(link->last_beat);
		if (!period || silent <= msecs_to_jiffies(period) *
				       MK_HEARTBEAT_MISSES)
			goto again;
		snprintf(reason, sizeof(reason),
			 "missed heartbeats: none for %u ms",
			 jiffies_to_msecs(silent));
	}
	pr_warn("%s: %s\n", link->name, reason);
	/* Whatever it still sends, the host does not listen any more. */
	mk_peer_disconnect(&link->peer);
	if (!READ_ONCE(link->hello))
		mk_link_take_early_log(link);
	mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
	return;
again:
	schedule_delayed_work(&link->watchdog, HZ / 4);
}

/* --- debugfs: statistics, and the echo benchmark on the host --- */

static const char *const mk_chan_names[] = {
	[MULTIKERNEL_CHAN_CONTROL]	= "control",
	[MULTIKERNEL_CHAN_CONSOLE]	= "console",
	[MULTIKERNEL_CHAN_USER]		= "user",
	[MULTIKERNEL_CHAN_ECHO]		= "echo",
};

static int mk_link_stats_show(struct seq_file *m, void *v)
{
	struct mk_link *link = m->private;
	const struct mk_ring_stats *rs = &link->peer.end.stats;
	const struct mk_msg_chan *c;
	unsigned int i;

	seq_printf(m, "peer %s id %u %s\n", link->name, link->id,
		   READ_ONCE(link->peer.dead) ? "disconnected" : "connected");
	seq_printf(m, "ring tx_msgs %llu tx_bytes %llu rx_msgs %llu rx_bytes %llu\n",
		   rs->tx_msgs, rs->tx_bytes, rs->rx_msgs, rs->rx_bytes);
	seq_printf(m, "doorbells sent %llu suppressed %llu space %llu\n",
		   rs->doorbells, rs->suppressed, rs->space_doorbells);
	seq_printf(m, "receive runs %llu yields %llu\n",
		   link->peer.rx_runs, link->peer.rx_yields);
	seq_puts(m, "channel name tx_msgs tx_bytes rx_msgs rx_bytes drops\n");
	for (i = 0; i < ARRAY_SIZE(mk_chan_names); i++) {
		c = &link->peer.chan[i];
		seq_printf(m, "%u %s %llu %llu %llu %llu %llu\n", i,
			   mk_chan_names[i], c->tx_msgs, c->tx_bytes,
			   c->rx_msgs, c->rx_bytes, c->drops);
	}
	seq_printf(m, "unknown_channel %llu stale_responses %llu\n",
		   link->peer.unknown, link->peer.stale);
	seq_printf(m, "heartbeats %llu bad_control %llu shutdown_acks %llu console_drops %llu\n",
		   link->beats, link->bad_ctl, link->shutdown_acks,
		   link->console_drops);
	if (link->inst)
		seq_printf(m, "boot entry_us %llu hello_us %llu\n",
			   div_u64(mk_arch_entry_ns(link->inst), NSEC_PER_USEC),
			   READ_ONCE(link->hello) ?
			   div_u64(link->hello_ns - link->opened_ns,
				   NSEC_PER_USEC) : 0);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mk_link_stats);

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
	link->echo = r;
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
	mutex_lock(&link->echo_lock);
	ret = mk_echo_run(link, count, size);
	mutex_unlock(&link->echo_lock);
	return ret ?: len;
}

static ssize_t mk_echo_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct mk_link *link = file->private_data;
	struct mk_echo_result r;
	char buf[160];
	int n;

	mutex_lock(&link->echo_lock);
	r = link->echo;
	mutex_unlock(&link->echo_lock);
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

static void mk_link_debugfs_add(struct mk_link *link)
{
	if (!mk_debugfs_root)
		mk_debugfs_root = debugfs_create_dir("multikernel", NULL);
	link->dir = debugfs_create_dir(link->name, mk_debugfs_root);
	debugfs_create_file("stats", 0400, link->dir, link, &mk_link_stats_fops);
	if (!mk_self_instance)
		debugfs_create_file("echo", 0600, link->dir, link,
				    &mk_echo_fops);
}

/* --- opening and closing --- */

static struct mk_link *mk_link_alloc(u32 id, u32 apic_id, const char *name)
{
	struct mk_link *link = kzalloc(sizeof(*link), GFP_KERNEL);

	if (!link)
		return NULL;
	refcount_set(&link->refs, 1);
	init_completion(&link->unused);
	mutex_init(&link->echo_lock);
	link->id = id;
	link->apic_id = apic_id;
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
				      mk_link_console, link);
	if (!ret)
		ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_USER,
				      mk_link_user, link);
	if (!ret)
		ret = mk_msg_register(&link->peer, MULTIKERNEL_CHAN_ECHO,
				      mk_link_echo, link);
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
	debugfs_remove(link->dir);
	mk_peer_destroy(&link->peer);
}

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
 * mk_link_open() - set up the link to an instance about to start
 * @inst:	the instance
 * @region:	its messaging region, mapped; formatted here
 * @size:	bytes of @region
 * @apic_id:	APIC ID of the instance CPU that hears doorbells
 *
 * Also empties the instance's console for the new boot and arms the
 * watchdog that waits for the instance's hello.
 *
 * Context: Process context, inst->lock held; sleeps.
 * Return: 0; -EBUSY when the instance has a link already; -ENOMEM;
 * -EINVAL when @size cannot hold the rings.
 */
int mk_link_open(struct mk_instance *inst, void *region, size_t size,
		 u32 apic_id)
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
	ret = mk_ring_format(region, size, &geo);
	if (ret)
		return ret;
	link = mk_link_alloc(inst->id, apic_id, inst->name);
	if (!link)
		return -ENOMEM;
	kref_get(&inst->kref);
	link->inst = inst;
	link->boot = inst->boot;
	/* A new boot: readers start over from the oldest byte. */
	smp_store_release(&inst->console->head, 0);
	link->opened_ns = ktime_get_ns();
	INIT_DELAYED_WORK(&link->watchdog, mk_link_watchdog);

	ret = mk_peer_init(&link->peer, region, size, MK_RING_HOST, link->name,
			   &mk_link_ops);
	if (ret)
		goto free;
	mutex_lock(&mk_client_lock);
	ret = mk_link_register(link, mk_link_host_control);
	if (!ret)
		ret = xa_insert(&mk_links, link->id, link, GFP_KERNEL);
	mutex_unlock(&mk_client_lock);
	if (ret)
		goto destroy;
	mk_link_debugfs_add(link);
	schedule_delayed_work(&link->watchdog, HZ / 4);
	return 0;

destroy:
	mk_peer_destroy(&link->peer);
free:
	mk_instance_put(inst);
	kfree(link);
	return ret;
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
 * mk_link_request_shutdown() - ask an instance to shut down
 * @inst:	the instance
 *
 * The instance acknowledges on the control channel and powers off; its
 * stop notice then moves it to stopped.
 *
 * Context: Process context, inst->lock held.
 * Return: 0 once the request is in the ring; -ENOTCONN when the instance
 * has not said hello; -EAGAIN when the ring is full; -EPIPE when the
 * link is broken.
 */
int mk_link_request_shutdown(struct mk_instance *inst)
{
	struct multikernel_ctl ctl = { .op = MULTIKERNEL_CTL_SHUTDOWN };

	return mk_link_send_to(inst->id, MULTIKERNEL_CHAN_CONTROL, &ctl,
			       sizeof(ctl), MK_MSG_NONBLOCK);
}

/**
 * mk_link_heartbeat_ms() - the heartbeat period instances are given
 *
 * Context: Any context.
 * Return: milliseconds, 0 for no heartbeats.
 */
unsigned int mk_link_heartbeat_ms(void)
{
	return READ_ONCE(mk_heartbeat_ms);
}

static void mk_link_tell_heartbeat(struct mk_link *link, void *arg)
{
	if (READ_ONCE(link->hello))
		mk_link_tell_period(link, *(unsigned int *)arg);
}

/**
 * mk_link_set_heartbeat_ms() - change the heartbeat period
 * @ms:	milliseconds between heartbeats, 0 for none; at most 60000
 *
 * Running instances are told at once.
 *
 * Context: Process context.
 * Return: 0 or -EINVAL.
 */
int mk_link_set_heartbeat_ms(unsigned int ms)
{
	if (ms > 60000 || (ms && ms < 10))
		return -EINVAL;
	WRITE_ONCE(mk_heartbeat_ms, ms);
	mk_links_for_each(mk_link_tell_heartbeat, &ms);
	return 0;
}

/**
 * mk_link_boot_timeout_ms() - how long an instance has to say hello
 *
 * Context: Any context.
 * Return: milliseconds, 0 for no limit.
 */
unsigned int mk_link_boot_timeout_ms(void)
{
	return READ_ONCE(mk_boot_timeout_ms);
}

/**
 * mk_link_set_boot_timeout_ms() - change how long instances have to boot
 * @ms:	milliseconds, 0 for no limit; at most 3600000
 *
 * Context: Any context.
 * Return: 0 or -EINVAL.
 */
int mk_link_set_boot_timeout_ms(unsigned int ms)
{
	if (ms > 3600000)
		return -EINVAL;
	WRITE_ONCE(mk_boot_timeout_ms, ms);
	return 0;
}

/* --- instance side --- */

static struct mk_link *mk_host_link;

static void mk_beat_fn(struct work_struct *work)
{
	struct mk_link *link = mk_host_link;
	unsigned int period = READ_ONCE(mk_beat_period_ms);

	if (!period)
		return;
	if (!mk_link_send_ctl(link, MULTIKERNEL_CTL_HEARTBEAT,
			      (u32)(link->beats + 1), NULL, MK_MSG_NONBLOCK))
		link->beats++;
	schedule_delayed_work(&mk_beat_work, msecs_to_jiffies(period));
}

static void mk_shutdown_fn(struct work_struct *work)
{
	pr_info("the host asked for a shutdown\n");
	orderly_poweroff(true);
}

static DECLARE_WORK(mk_shutdown_work, mk_shutdown_fn);

static void mk_link_instance_control(struct mk_peer *peer,
				     const struct mk_msg *msg, void *priv)
{
	struct mk_link *link = priv;
	struct multikernel_ctl ctl;

	if (msg->type != MULTIKERNEL_MSG_DATA || msg->len != sizeof(ctl)) {
		mk_link_bad_ctl(link, "bad type or size", 0);
		return;
	}
	memcpy(&ctl, msg->data, sizeof(ctl));

	switch (ctl.op) {
	case MULTIKERNEL_CTL_SET_HEARTBEAT:
		if (ctl.arg > 60000) {
			mk_link_bad_ctl(link, "heartbeat period too long", ctl.op);
			return;
		}
		WRITE_ONCE(mk_beat_period_ms, ctl.arg);
		mod_delayed_work(system_wq, &mk_beat_work, 0);
		return;
	case MULTIKERNEL_CTL_SHUTDOWN:
		mk_link_send_ctl(link, MULTIKERNEL_CTL_SHUTDOWN, 0, NULL,
				 MK_MSG_NONBLOCK);
		if (!xchg(&mk_shutdown_started, true))
			schedule_work(&mk_shutdown_work);
		return;
	}
	mk_link_bad_ctl(link, "unknown operation", ctl.op);
}

/**
 * mk_link_instance_open() - connect an instance to its host
 * @region:	the messaging region the host formatted, mapped
 * @size:	bytes of @region, from the handoff
 * @host_apic_id: APIC ID of the host CPU that hears doorbells
 * @self_id:	this instance's id
 *
 * Context: Process context, once, at boot; sleeps.
 * Return: 0, or an error of mk_peer_init() (a region the host got wrong).
 */
int mk_link_instance_open(void *region, size_t size, u32 host_apic_id,
			  u32 self_id)
{
	struct mk_link *link;
	int ret;

	link = mk_link_alloc(MULTIKERNEL_HOST_ID, host_apic_id, "host");
	if (!link)
		return -ENOMEM;
	INIT_DELAYED_WORK(&mk_beat_work, mk_beat_fn);
	ret = mk_peer_init(&link->peer, region, size, MK_RING_INSTANCE,
			   link->name, &mk_link_ops);
	if (ret)
		goto free;
	WRITE_ONCE(mk_self_id, self_id);
	WRITE_ONCE(mk_self_instance, true);
	mutex_lock(&mk_client_lock);
	ret = mk_link_register(link, mk_link_instance_control);
	if (!ret)
		ret = xa_insert(&mk_links, link->id, link, GFP_KERNEL);
	mutex_unlock(&mk_client_lock);
	if (ret)
		goto destroy;
	mk_host_link = link;
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

/**
 * mk_link_instance_hello() - tell the host that this instance booted
 *
 * Also creates the instance's user datagram device.
 *
 * Context: Process context, at the end of boot.
 * Return: 0, -ENOTCONN without a link, or an error of mk_msg_send().
 */
int mk_link_instance_hello(void)
{
	struct mk_link *link = mk_host_link;
	int ret;

	if (!link)
		return -ENOTCONN;
	ret = mk_user_instance_init();
	if (ret)
		pr_warn("no user datagram device: %d\n", ret);
	return mk_link_send_ctl(link, MULTIKERNEL_CTL_HELLO,
				MULTIKERNEL_CTL_VERSION, NULL, 0);
}

/**
 * mk_link_instance_notify() - tell the host that this instance ends
 * @op:		MULTIKERNEL_CTL_STOPPED or MULTIKERNEL_CTL_PANIC
 * @arg:	for MULTIKERNEL_CTL_STOPPED the &enum multikernel_stop_kind
 * @text:	for MULTIKERNEL_CTL_PANIC the panic message, or NULL
 *
 * Waits up to a second for room or for the ring's lock, never longer:
 * the other CPUs may be stopped holding the lock, in which case the
 * notice is lost and the host notices the silence instead.
 *
 * Context: Any context, also with the other CPUs stopped.
 */
void mk_link_instance_notify(u32 op, u32 arg, const char *text)
{
	struct mk_link *link = READ_ONCE(mk_host_link);
	unsigned int waited = 0;

	if (!link)
		return;
	/* A ring full of console output drains while we wait a little. */
	while (mk_link_send_ctl(link, op, arg, text,
				MK_MSG_NONBLOCK | MK_MSG_TRYLOCK) == -EAGAIN &&
	       waited < MK_NOTIFY_WAIT_US) {
		udelay(MK_CONSOLE_STEP_US);
		waited += MK_CONSOLE_STEP_US;
	}
}

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
	struct mk_link *link = READ_ONCE(mk_host_link);
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
