// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs: /sys/kernel/debug/multikernel/<peer>/stats, the counters of
 * one link's rings, channels and control protocol, for people and tests
 * looking at a link that misbehaves or is slow.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/multikernel.h>
#include <linux/seq_file.h>

#include "link.h"

static struct dentry *mk_debugfs_root;

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
	seq_printf(m, "receive runs %llu yields %llu polls %llu fast %llu\n",
		   link->peer.rx_runs, link->peer.rx_yields,
		   link->peer.rx_polls, link->peer.rx_fast);
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
		seq_printf(m, "boot started_us %llu prepare_us %llu entry_us %llu hello_us %llu\n",
			   div_u64(READ_ONCE(link->inst->started_ns), NSEC_PER_USEC),
			   div_u64(mk_arch_prepare_ns(link->inst), NSEC_PER_USEC),
			   div_u64(mk_arch_entry_ns(link->inst), NSEC_PER_USEC),
			   READ_ONCE(link->hello) ?
			   div_u64(link->hello_ns - link->opened_ns,
				   NSEC_PER_USEC) : 0);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mk_link_stats);

/**
 * mk_link_debugfs_add() - give a link its debugfs directory
 * @link:	the link, just opened
 *
 * Context: Process context.
 */
void mk_link_debugfs_add(struct mk_link *link)
{
	if (!mk_debugfs_root)
		mk_debugfs_root = debugfs_create_dir("multikernel", NULL);
	link->dir = debugfs_create_dir(link->name, mk_debugfs_root);
	debugfs_create_file("stats", 0400, link->dir, link, &mk_link_stats_fops);
}

/**
 * mk_link_debugfs_del() - remove what mk_link_debugfs_add() added
 * @link:	the link, unused by anybody
 *
 * Context: Process context.
 */
void mk_link_debugfs_del(struct mk_link *link)
{
	debugfs_remove(link->dir);
}
