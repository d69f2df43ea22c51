// SPDX-License-Identifier: GPL-2.0-only
/*
 * An instance's early console: its kernel log, from the arch platform
 * code in setup_arch() on, in a byte ring at a fixed place of the region
 * it shares with the host.
 *
 * The instance's real console goes over the link, which comes up in an
 * arch initcall; a kernel that hangs before then (in memory or SMP
 * set-up, say) would leave the host with nothing but a boot timeout. The
 * host reads this ring when an instance never said hello and puts it in
 * the instance's console, so a hang shows where the instance stopped.
 * The ring is the console log ring of logring.c: the instance is its one
 * writer, the host a reader that never trusts what it reads beyond
 * copying it.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <asm/early_ioremap.h>

#include "internal.h"

static struct multikernel_early_log *mk_early;
static phys_addr_t mk_early_pa __initdata;	/* set while mapped early */

static void mk_early_con_write(struct console *con, const char *s,
			       unsigned int n)
{
	struct multikernel_early_log *log = READ_ONCE(mk_early);

	if (log)
		mk_logring_write(&log->head, log->ring, sizeof(log->ring), s, n);
}

static struct console mk_early_con = {
	.name	= "mkearly",
	.write	= mk_early_con_write,
	.flags	= CON_PRINTBUFFER | CON_ANYTIME | CON_ENABLED,
	.index	= -1,
};

/**
 * multikernel_early_console_start() - log into the shared region from now on
 * @pa:		physical address of the instance's &struct multikernel_early_log
 *
 * Called by the arch platform code of an instance as soon as it checked
 * the shared region. The host cleared the log before the start.
 *
 * Context: Early boot (setup_arch()), single-threaded.
 */
void __init multikernel_early_console_start(phys_addr_t pa)
{
	mk_early = early_memremap(pa, sizeof(*mk_early));
	if (!mk_early)
		return;
	mk_early_pa = pa;
	register_console(&mk_early_con);
}

/* Trade the early mapping for a lasting one before early mappings end. */
static int __init mk_early_console_remap(void)
{
	struct multikernel_early_log *early = mk_early, *late;

	if (!mk_early_pa)
		return 0;
	late = memremap(mk_early_pa, sizeof(*late), MEMREMAP_WB);
	console_lock();
	WRITE_ONCE(mk_early, late);
	console_unlock();
	early_memunmap(early, sizeof(*early));
	if (!late)
		unregister_console(&mk_early_con);
	return 0;
}
early_initcall(mk_early_console_remap);

/**
 * multikernel_early_console_stop() - the link carries the console from now on
 *
 * Called by the arch code of an instance once its console over the link
 * is registered: from then on the host gets the log over the link, and
 * the early log only cost a second copy of every line.
 *
 * Context: Process context, at boot.
 */
void __init multikernel_early_console_stop(void)
{
	struct multikernel_early_log *log = mk_early;

	if (!log)
		return;
	/* Waits for writers: none runs on @log once this returns. */
	unregister_console(&mk_early_con);
	WRITE_ONCE(mk_early, NULL);
	memunmap(log);
}

/**
 * mk_early_log_read() - copy what an instance logged before its link was up
 * @log:	the instance's early log in the shared region
 * @buf:	where to copy
 * @len:	room at @buf
 *
 * Takes the newest bytes that are whole, at most @len of them. The
 * instance may be writing, or may have written anything at all: the
 * bytes are only copied, never interpreted.
 *
 * Context: Any context.
 * Return: bytes copied.
 */
size_t mk_early_log_read(const struct multikernel_early_log *log, char *buf,
			 size_t len)
{
	u64 head = READ_ONCE(log->head), pos;

	pos = head > len ? head - len : 0;
	return mk_logring_read(&log->head, log->ring, sizeof(log->ring), &pos,
			       buf, len);
}
