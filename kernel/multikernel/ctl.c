// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control protocol on MULTIKERNEL_CHAN_CONTROL of every link: the
 * instance's hello once it booted, its heartbeats, the host's heartbeat
 * period and shutdown request with its acknowledgment, and the instance's
 * stop and panic notices. On the host a watchdog marks an instance
 * crashed when its hello does not come in time after the start or its
 * heartbeats stop, and looks for an end notice the instance could only
 * leave in its last-words block (&struct multikernel_last_words).
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/reboot.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "link.h"

/* Heartbeats an instance may miss before it counts as wedged... */
#define MK_HEARTBEAT_MISSES	5
/* ...and the shortest silence that does: faster beats are not less patience. */
#define MK_HEARTBEAT_SILENCE_MIN_MS	2000U

/* How long a stop or panic notice waits for room in a full ring. */
#define MK_NOTIFY_WAIT_US	1000000

/* How long a shutdown acknowledgment waits for room, in 20 ms steps. */
#define MK_ACK_WAIT_MS		10000

/* Settable in /sys/kernel/multikernel/; read when used. */
static unsigned int mk_heartbeat_ms = 1000;
static unsigned int mk_boot_timeout_ms = 60000;

/* The instance's heartbeat, in an instance. */
static unsigned int mk_beat_period_ms;
static void mk_beat_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mk_beat_work, mk_beat_fn);
static bool mk_shutdown_started;

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

/* --- host side --- */

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

/*
 * An instance's stop or panic notice, from its ring or its last-words
 * block (@how, for the log). The first valid one is acted on; the same
 * notice arriving the other way is then dropped quietly.
 */
static void mk_ctl_host_end(struct mk_link *link,
			    const struct multikernel_ctl *ctl, const char *how)
{
	char reason[MK_REASON_LEN];
	const char *kind;

	switch (ctl->op) {
	case MULTIKERNEL_CTL_STOPPED:
		kind = mk_stop_kind_name(ctl->arg);
		if (!kind) {
			mk_link_bad_ctl(link, "unknown stop kind", ctl->op);
			return;
		}
		if (atomic_xchg(&link->ended, 1))
			return;
		pr_info("%s: instance %s%s\n", link->name, kind, how);
		mk_instance_report(link->inst, link->boot, MK_STOPPED, kind);
		return;
	case MULTIKERNEL_CTL_PANIC:
		if (atomic_xchg(&link->ended, 1))
			return;
		mk_link_sanitize(reason, ctl->text,
				 min(sizeof(reason), sizeof(ctl->text)));
		pr_info("%s: instance panicked%s: %s\n", link->name, how, reason);
		mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
		return;
	}
	mk_link_bad_ctl(link, "unknown end notice", ctl->op);
}

/*
 * Take the notice an instance left in its last-words block, once: the
 * block is the instance's to write, so a bad one is not looked at again.
 */
static void mk_ctl_take_last_words(struct mk_link *link)
{
	struct multikernel_last_words *lw = link->last_words;
	struct multikernel_ctl ctl = { };

	if (!lw || atomic_read(&link->ended) || link->last_words_taken)
		return;
	ctl.op = READ_ONCE(lw->op);
	if (!ctl.op)
		return;
	/* Pairs with the instance's smp_wmb() in mk_link_instance_notify(). */
	smp_rmb();
	ctl.arg = READ_ONCE(lw->arg);
	memcpy(ctl.text, lw->text, sizeof(ctl.text));
	link->last_words_taken = true;
	mk_ctl_host_end(link, &ctl, " (from its last words)");
}

/**
 * mk_ctl_host() - the host's handler of an instance's control messages
 * @peer:	the instance
 * @msg:	the message, untrusted
 * @priv:	the instance's link
 *
 * Context: Process context, from the peer's receive work.
 */
void mk_ctl_host(struct mk_peer *peer, const struct mk_msg *msg, void *priv)
{
	struct mk_link *link = priv;
	struct multikernel_ctl ctl;
	char reason[MK_REASON_LEN];

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
	case MULTIKERNEL_CTL_PANIC:
		mk_ctl_host_end(link, &ctl, "");
		return;
	}
	mk_link_bad_ctl(link, "unknown operation", ctl.op);
}

/**
 * mk_ctl_ring_shows_life() - whether an instance's ring tells of a running
 *			      kernel the host has not heard from yet
 * @seen:	the instance's producer index at the watchdog's last look
 * @head:	its producer index now
 * @taken:	the host's consumer index now
 *
 * A heartbeat counts once the host takes it in. What the ring tells
 * besides is only that the instance produced something, and a kernel
 * that no longer schedules still does: a soft-locked one prints its
 * lockup reports from the timer interrupt, every 2 x watchdog_thresh
 * seconds, and they come to the host on the console channel. So the
 * ring speaks for the instance only while the host is behind: it moved,
 * and the host has not taken in all that was there one look ago (a
 * heartbeat may be waiting in it). Indices wrap. @seen and @head come
 * from the instance, so nothing rests on them but its own liveness.
 *
 * Return: true when the silence so far is not to count against it.
 */
VISIBLE_IF_KUNIT bool mk_ctl_ring_shows_life(u32 seen, u32 head, u32 taken)
{
	return head != seen && (s32)(seen - taken) > 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ctl_ring_shows_life);

/*
 * Signs of life besides the heartbeats the host took in: what the
 * instance put in its ring while the host is behind in taking it in
 * (when its own CPUs are busy; mk_ctl_ring_shows_life()), and time in
 * which this watchdog did not run at all (the host, or under emulation
 * the whole machine, stood still: that is not the instance's silence).
 */
static void mk_ctl_note_life(struct mk_link *link)
{
	u32 head = READ_ONCE(link->peer.end.rx.ctrl->head);
	u32 taken = READ_ONCE(link->peer.end.rx.pos);
	unsigned long now = jiffies, late, beat;
	bool life = mk_ctl_ring_shows_life(link->seen_head, head, taken);

	link->seen_head = head;
	if (life) {
		WRITE_ONCE(link->last_beat, now);
		return;
	}
	late = now - link->watchdog_due;
	if (!time_after(now, link->watchdog_due + MK_WATCHDOG_PERIOD))
		return;
	beat = READ_ONCE(link->last_beat) + late;
	WRITE_ONCE(link->last_beat, time_after(beat, now) ? now : beat);
}

/**
 * mk_ctl_watchdog() - give up on an instance that never said hello or
 *		       stopped beating
 * @work:	the link's watchdog
 *
 * Runs every quarter second from mk_link_open() until mk_link_close(),
 * and takes in messages a lost doorbell left waiting (mk_peer_poll()).
 * An end notice in the instance's last-words block goes first: an
 * instance that said why it ended is not crashed for its silence. Nor is
 * one whose ring moved, or whose silence fell in a time the watchdog
 * itself could not run (see mk_ctl_note_life()), or one whose link is
 * paused for a handover.
 *
 * Context: Process context.
 */
void mk_ctl_watchdog(struct work_struct *work)
{
	struct mk_link *link = container_of(to_delayed_work(work),
					    struct mk_link, watchdog);
	unsigned int period = READ_ONCE(mk_heartbeat_ms);
	unsigned int boot = READ_ONCE(mk_boot_timeout_ms);
	enum mk_state state = READ_ONCE(link->inst->state);
	char reason[MK_REASON_LEN];
	unsigned long silent;
	size_t taken;
	u64 entry_us;

	mk_ctl_take_last_words(link);
	if (atomic_read(&link->ended) ||
	    (state != MK_STARTING && state != MK_RUNNING))
		goto again;	/* stopping, or reported already */
	/*
	 * Handed over to the kernel this host kexecs into (mk_peer_pause()):
	 * a ring that fills meanwhile is that kernel's to judge, and a
	 * disconnect here would close the link it is to adopt.
	 */
	if (READ_ONCE(link->peer.paused))
		goto again;
	/* Take in what a lost doorbell would leave waiting. */
	mk_peer_poll(&link->peer);

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
		mk_ctl_note_life(link);
		silent = jiffies - READ_ONCE(link->last_beat);
		if (!period ||
		    silent <= msecs_to_jiffies(max(period * MK_HEARTBEAT_MISSES,
						   MK_HEARTBEAT_SILENCE_MIN_MS)))
			goto again;
		snprintf(reason, sizeof(reason),
			 "missed heartbeats: none for %u ms",
			 jiffies_to_msecs(silent));
	}
	pr_warn("%s: %s\n", link->name, reason);
	/* Did it stop sending, or did the host stop taking? */
	mk_peer_log_rx(&link->peer, link->name);
	/* Whatever it still sends, the host does not listen any more. */
	mk_peer_disconnect(&link->peer);
	if (!READ_ONCE(link->hello)) {
		taken = mk_console_take_early_log(link->inst);
		if (taken)
			pr_warn("%s: its early console (%zu bytes) is in its console\n",
				link->name, taken);
	}
	mk_instance_report(link->inst, link->boot, MK_CRASHED, reason);
	return;
again:
	link->watchdog_due = jiffies + MK_WATCHDOG_PERIOD;
	schedule_delayed_work(&link->watchdog, MK_WATCHDOG_PERIOD);
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

static void mk_beat_fn(struct work_struct *work)
{
	struct mk_link *link = mk_link_to_host();
	unsigned int period = READ_ONCE(mk_beat_period_ms);

	if (!period)
		return;
	mk_peer_poll(&link->peer);
	if (!mk_link_send_ctl(link, MULTIKERNEL_CTL_HEARTBEAT,
			      (u32)(link->beats + 1), NULL, MK_MSG_NONBLOCK))
		link->beats++;
	schedule_delayed_work(&mk_beat_work, msecs_to_jiffies(period));
}

static void mk_shutdown_fn(struct work_struct *work)
{
	struct mk_link *link = mk_link_to_host();
	unsigned int waited;

	/*
	 * Acknowledge from here, not from the handler, which must not wait:
	 * a ring full of console output drains while this waits a little.
	 */
	for (waited = 0; waited < MK_ACK_WAIT_MS; waited += 20) {
		if (mk_link_send_ctl(link, MULTIKERNEL_CTL_SHUTDOWN, 0, NULL,
				     MK_MSG_NONBLOCK) != -EAGAIN)
			break;
		msleep(20);
	}
	pr_info("the host asked for a shutdown\n");
	orderly_poweroff(true);
}

static DECLARE_WORK(mk_shutdown_work, mk_shutdown_fn);

/**
 * mk_ctl_instance() - an instance's handler of the host's control messages
 * @peer:	the host
 * @msg:	the message, untrusted
 * @priv:	the link to the host
 *
 * Context: Process context, from the peer's receive work.
 */
void mk_ctl_instance(struct mk_peer *peer, const struct mk_msg *msg, void *priv)
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
		if (!xchg(&mk_shutdown_started, true))
			schedule_work(&mk_shutdown_work);
		return;
	}
	mk_link_bad_ctl(link, "unknown operation", ctl.op);
}

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
	struct mk_link *link = mk_link_to_host();
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
 * The first notice goes into the last-words block, which the host reads
 * whatever becomes of the ring. Each notice then also goes on the control
 * channel, behind the console output it follows: that waits up to a
 * second for room or for the ring's lock, never longer, as the other CPUs
 * may be stopped holding the lock.
 *
 * Context: Any context, also with the other CPUs stopped.
 */
void mk_link_instance_notify(u32 op, u32 arg, const char *text)
{
	static atomic_t said = ATOMIC_INIT(0);
	struct mk_link *link = mk_link_to_host();
	struct multikernel_last_words *lw;
	unsigned int waited = 0;

	if (!link)
		return;
	lw = link->last_words;
	if (lw && !atomic_xchg(&said, 1)) {
		WRITE_ONCE(lw->arg, arg);
		memset(lw->text, 0, sizeof(lw->text));
		if (text)
			strscpy(lw->text, text, sizeof(lw->text));
		/* The host reads @op first; see mk_ctl_take_last_words(). */
		smp_wmb();
		WRITE_ONCE(lw->op, op);
	}
	/* A ring full of console output drains while we wait a little. */
	while (mk_link_send_ctl(link, op, arg, text,
				MK_MSG_NONBLOCK | MK_MSG_TRYLOCK) == -EAGAIN &&
	       waited < MK_NOTIFY_WAIT_US) {
		udelay(MK_CONSOLE_STEP_US);
		waited += MK_CONSOLE_STEP_US;
	}
}
