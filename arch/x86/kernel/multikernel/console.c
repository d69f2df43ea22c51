// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console of a multikernel instance: its kernel log and /dev/console go
 * into the console log ring of the region it shares with the host, where
 * the host reads them. No UART is needed.
 *
 * The console is registered by the platform code in setup_arch(), with
 * CON_PRINTBUFFER so that everything printed since the kernel started is
 * copied in at once; it writes through early_memremap() mappings until
 * memremap() works, then through a permanent mapping. A tty (ttyMK0) is
 * the console device, so init's output lands in the ring too.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <asm/early_ioremap.h>
#include <asm/multikernel.h>

#include "mk_x86.h"

/* Largest ring that one early_memremap() can map. */
#define MK_CON_EARLY_MAX	(NR_FIX_BTMAPS * PAGE_SIZE)

static DEFINE_RAW_SPINLOCK(mk_con_lock);	/* one writer at a time, and the remap */
static u8 *mk_con_ring;
static u32 mk_con_size;
static struct tty_driver *mk_tty_driver;
static struct tty_port mk_tty_port;

static void mk_con_put(const char *s, size_t n)
{
	if (mk_con_ring)
		mk_logring_write(mk_shared, mk_con_ring, mk_con_size, s, n);
}

static void mk_con_emit(const char *s, size_t n)
{
	unsigned long flags;

	if (oops_in_progress) {
		/* The holder may be the CPU that died: write regardless. */
		if (raw_spin_trylock_irqsave(&mk_con_lock, flags)) {
			mk_con_put(s, n);
			raw_spin_unlock_irqrestore(&mk_con_lock, flags);
		} else {
			mk_con_put(s, n);
		}
		return;
	}
	raw_spin_lock_irqsave(&mk_con_lock, flags);
	mk_con_put(s, n);
	raw_spin_unlock_irqrestore(&mk_con_lock, flags);
}

static void mk_con_write(struct console *con, const char *s, unsigned int n)
{
	mk_con_emit(s, n);
}

static struct tty_driver *mk_con_device(struct console *con, int *index)
{
	*index = 0;
	return mk_tty_driver;
}

static struct console mk_console = {
	.name	= "ttyMK",
	.write	= mk_con_write,
	.device	= mk_con_device,
	.flags	= CON_PRINTBUFFER | CON_ANYTIME | CON_ENABLED,
	.index	= 0,
};

/**
 * mk_console_early_init() - send the kernel log to the host from now on
 *
 * Context: setup_arch(), after mk_shared was mapped and checked.
 */
void __init mk_console_early_init(void)
{
	u32 off = mk_shared->console_offset;
	u32 size = mk_shared->console_size;

	if (size > MK_CON_EARLY_MAX) {
		pr_warn("console ring of %u bytes too big, no console\n", size);
		return;
	}
	mk_con_ring = early_memremap(mk_handoff.shared_phys + off, size);
	if (!mk_con_ring)
		return;
	mk_con_size = size;
	register_console(&mk_console);
}

/* Move from the early mappings to a permanent one. */
static int __init mk_console_remap(void)
{
	void *early_sh = mk_shared, *early_ring = mk_con_ring;
	struct multikernel_shared *sh;
	unsigned long flags;

	if (!mk_x86_is_instance())
		return 0;
	sh = memremap(mk_handoff.shared_phys, mk_handoff.shared_size, MEMREMAP_WB);
	if (!sh) {
		pr_err("cannot map the shared region; keeping early mappings\n");
		return 0;
	}
	raw_spin_lock_irqsave(&mk_con_lock, flags);
	WRITE_ONCE(mk_shared, sh);
	if (early_ring)
		mk_con_ring = (u8 *)sh + sh->console_offset;
	raw_spin_unlock_irqrestore(&mk_con_lock, flags);

	if (early_ring)
		early_memunmap(early_ring, mk_con_size);
	early_memunmap(early_sh, PAGE_SIZE);
	return 0;
}
arch_initcall(mk_console_remap);

static int mk_tty_open(struct tty_struct *tty, struct file *filp)
{
	return tty_port_open(&mk_tty_port, tty, filp);
}

static void mk_tty_close(struct tty_struct *tty, struct file *filp)
{
	tty_port_close(&mk_tty_port, tty, filp);
}

static ssize_t mk_tty_write(struct tty_struct *tty, const u8 *buf, size_t count)
{
	mk_con_emit(buf, count);
	return count;
}

static unsigned int mk_tty_write_room(struct tty_struct *tty)
{
	return mk_con_size;
}

static const struct tty_operations mk_tty_ops = {
	.open		= mk_tty_open,
	.close		= mk_tty_close,
	.write		= mk_tty_write,
	.write_room	= mk_tty_write_room,
};

static const struct tty_port_operations mk_tty_port_ops = {};

static int __init mk_tty_init(void)
{
	struct tty_driver *drv;
	int ret;

	if (!mk_x86_is_instance() || !mk_con_ring)
		return 0;
	drv = tty_alloc_driver(1, TTY_DRIVER_REAL_RAW | TTY_DRIVER_RESET_TERMIOS);
	if (IS_ERR(drv))
		return PTR_ERR(drv);
	drv->driver_name = "multikernel";
	drv->name = "ttyMK";
	drv->type = TTY_DRIVER_TYPE_CONSOLE;
	drv->init_termios = tty_std_termios;
	tty_set_operations(drv, &mk_tty_ops);
	tty_port_init(&mk_tty_port);
	mk_tty_port.ops = &mk_tty_port_ops;
	tty_port_link_device(&mk_tty_port, drv, 0);
	ret = tty_register_driver(drv);
	if (ret) {
		tty_port_destroy(&mk_tty_port);
		tty_driver_kref_put(drv);
		return ret;
	}
	mk_tty_driver = drv;
	return 0;
}
device_initcall(mk_tty_init);
