// SPDX-License-Identifier: GPL-2.0-only
/*
 * Console of a multikernel instance, and its link to the host.
 *
 * An arch initcall maps the shared region, connects to the host over its
 * messaging region (kernel/multikernel/link.c) and registers a console
 * that sends the kernel log on the link's console channel. The console
 * has CON_PRINTBUFFER, so everything printed since the kernel started is
 * sent at once: the host sees the log from the first printk on. An
 * instance that hangs before that initcall is seen through its early log
 * (kernel/multikernel/early_console.c) instead. A tty (ttyMK0) is
 * the console device, so init's output goes the same way. No UART is
 * needed.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/multikernel/arch.h>
#include <linux/sizes.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <asm/multikernel.h>

#include "mk_x86.h"

static bool mk_linked;
static struct tty_driver *mk_tty_driver;
static struct tty_port mk_tty_port;

static void mk_con_write(struct console *con, const char *s, unsigned int n)
{
	mk_link_console_write(s, n);
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
	/* The first console with a tty: /dev/console is ours. */
	.flags	= CON_PRINTBUFFER | CON_ANYTIME | CON_ENABLED | CON_CONSDEV,
	.index	= 0,
};

/* Connect to the host, then send it the kernel log. */
static int __init mk_link_setup(void)
{
	void *sh;
	int ret;

	if (!mk_x86_is_instance())
		return 0;
	sh = memremap(mk_handoff.shared_phys, mk_handoff.shared_size, MEMREMAP_WB);
	if (!sh) {
		pr_err("cannot map the shared region\n");
		return -ENOMEM;
	}
	/* mk_shared_head was checked when the platform was set up. */
	ret = mk_link_instance_open(sh + mk_shared_head.msg_offset,
				    mk_shared_head.msg_size,
				    sh + MK_SH_LAST_WORDS,
				    mk_handoff.host_apic_id,
				    mk_handoff.instance_id);
	if (ret) {
		pr_err("cannot connect to the host: %d\n", ret);
		goto unmap;
	}
	mk_linked = true;
	register_console(&mk_console);
	multikernel_early_console_stop();
	return 0;

unmap:
	memunmap(sh);
	return ret;
}
arch_initcall(mk_link_setup);

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
	mk_link_console_write(buf, count);
	return count;
}

static unsigned int mk_tty_write_room(struct tty_struct *tty)
{
	return SZ_4K;
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

	if (!mk_linked)
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
