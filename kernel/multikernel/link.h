/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The link between the host and an instance: what its parts share. The
 * registry and the opening and closing are in link.c, the control
 * protocol in ctl.c, the console channel in console.c, the statistics in
 * link_debugfs.c and, in test kernels, the echo benchmark in echo.c.
 */
#ifndef _KERNEL_MULTIKERNEL_LINK_H
#define _KERNEL_MULTIKERNEL_LINK_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "msg.h"

/* How long a console write or an end notice waits between tries for room. */
#define MK_CONSOLE_STEP_US	50

/* How often the host's watchdog looks at a link. */
#define MK_WATCHDOG_PERIOD	(HZ / 4)

/**
 * struct mk_link - one end of the link between host and instance
 * @refs:	one for the link table, one per user in mk_link_send_to()
 * @unused:	completed when the last user other than the table left
 * @inst:	host side: the instance (a reference is held); NULL in an
 *		instance
 * @boot:	host side: the instance's boot this link belongs to; its
 *		reports carry it
 * @id:		id of the kernel at the other end
 * @hw_id:	hardware id of the CPU its doorbell rings on
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
 * @watchdog_due: host side: jiffies when the watchdog should run next
 * @seen_head:	host side: the instance's producer index at the watchdog's
 *		last look
 * @beats:	heartbeats received (host) or sent (instance)
 * @bad_ctl:	control messages dropped as malformed or out of place
 * @shutdown_acks: host side: acknowledged shutdown requests
 * @console_drops: instance side: console writes lost to a full ring
 * @last_words:	the instance's end notice block in the shared region
 * @last_words_taken: host side: the watchdog read @last_words, which it
 *		does once
 * @ended:	host side: the instance's end notice was taken, from its
 *		ring or from @last_words; later ones are ignored
 * @echo:	host side, in test kernels: the echo benchmark's state
 * @dir:	its debugfs directory
 */
struct mk_link {
	refcount_t refs;
	struct completion unused;
	struct mk_instance *inst;
	u32 boot;
	u32 id;
	u32 hw_id;
	char name[MULTIKERNEL_NAME_MAX + 1];
	struct mk_peer peer;
	bool hello;
	u64 opened_ns;
	u64 hello_ns;
	unsigned long last_beat;
	unsigned int told_ms;
	struct delayed_work watchdog;
	unsigned long watchdog_due;
	u32 seen_head;
	u64 beats;
	u64 bad_ctl;
	u64 shutdown_acks;
	u64 console_drops;
	struct multikernel_last_words *last_words;
	bool last_words_taken;
	atomic_t ended;
#if IS_ENABLED(CONFIG_MULTIKERNEL_TEST_ECHO)
	struct mk_echo *echo;
#endif
	struct dentry *dir;
};

/* link.c */
struct mk_link *mk_link_get(u32 id);
void mk_link_put(struct mk_link *link);
void mk_links_for_each(void (*fn)(struct mk_link *link, void *arg), void *arg);
bool mk_link_is_instance(void);
struct mk_link *mk_link_to_host(void);

/* ctl.c: the handlers of MULTIKERNEL_CHAN_CONTROL, and the host's watchdog */
void mk_ctl_host(struct mk_peer *peer, const struct mk_msg *msg, void *priv);
void mk_ctl_instance(struct mk_peer *peer, const struct mk_msg *msg, void *priv);
void mk_ctl_watchdog(struct work_struct *work);
#if IS_ENABLED(CONFIG_KUNIT)
bool mk_ctl_ring_shows_life(u32 seen, u32 head, u32 taken);
#endif

/* console.c: an instance's early log, into its console when it never linked */
size_t mk_console_take_early_log(struct mk_instance *inst);

/* console.c: the handler of MULTIKERNEL_CHAN_CONSOLE on the host */
void mk_console_handler(struct mk_peer *peer, const struct mk_msg *msg,
			void *priv);

/* link.c, ctl.c and console.c: the instance side, for instance.c */
int mk_link_instance_open(void *region, size_t size,
			  struct multikernel_last_words *last_words,
			  u32 host_hw_id, u32 self_id);
int mk_link_instance_hello(void);
void mk_link_console_write(const char *s, size_t n);

/* link_debugfs.c */
void mk_link_debugfs_add(struct mk_link *link);
void mk_link_debugfs_del(struct mk_link *link);

/* echo.c: the handler of MULTIKERNEL_CHAN_ECHO and the host's echo file */
#if IS_ENABLED(CONFIG_MULTIKERNEL_TEST_ECHO)
void mk_echo_handler(struct mk_peer *peer, const struct mk_msg *msg, void *priv);
bool mk_echo_fast(struct mk_peer *peer, const struct mk_msg *msg, void *priv);
void mk_echo_add(struct mk_link *link);
void mk_echo_del(struct mk_link *link);
#else
#define mk_echo_handler	NULL
#define mk_echo_fast	NULL
static inline void mk_echo_add(struct mk_link *link) { }
static inline void mk_echo_del(struct mk_link *link) { }
#endif

#endif /* _KERNEL_MULTIKERNEL_LINK_H */
