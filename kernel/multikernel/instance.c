// SPDX-License-Identifier: GPL-2.0-only
/*
 * The instance side of a kernel that runs as a multikernel instance:
 * connect to the host over the messaging region the host formatted, make
 * the link the console, and tell the host at the end of boot that the
 * kernel runs. The arch code only says where the region is
 * (mk_arch_instance()).
 *
 * The console has CON_PRINTBUFFER, so everything printed since the kernel
 * started reaches the host when it registers; a kernel that hangs before
 * then is seen through its early log (early_console.c). A tty, ttyMK0, is
 * the console device, so init's output goes the same way. It is output
 * only. It is not an hvc backend because hvc retries output a backend
 * could not take and polls a backend without an interrupt for input from
 * a kernel thread; this console drops (and counts) what a full ring does
 * not take after a short wait, so that no writer waits on the host, and
 * there is no input to poll for.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/console.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/multikernel.h>
#include <linux/multikernel/arch.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/sizes.h>
#include <linux/tty.h>
#include <linux/tty_driver.h>

#include "link.h"

static struct mk_arch_instance mk_self;
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

static int mk_panic_notify(struct notifier_block *nb, unsigned long event,
			   void *msg)
{
	mk_link_instance_notify(MULTIKERNEL_CTL_PANIC, 0, msg ? msg : "panic");
	return NOTIFY_DONE;
}

static struct notifier_block mk_panic_nb = {
	.notifier_call	= mk_panic_notify,
	/* Before the notifiers that may not come back. */
	.priority	= INT_MAX,
};

/* Connect to the host, then send it the kernel log. */
static int __init mk_instance_link_init(void)
{
	void *sh;
	int ret;

	if (!multikernel_is_instance())
		return 0;
	ret = mk_arch_instance(&mk_self);
	if (ret) {
		pr_err("no region shared with the host: %d\n", ret);
		return ret;
	}
	sh = memremap(mk_self.shared_phys, mk_self.shared_size, MEMREMAP_WB);
	if (!sh) {
		pr_err("cannot map the shared region\n");
		return -ENOMEM;
	}
	/* The arch checked that both lie inside the region. */
	ret = mk_link_instance_open(sh + mk_self.msg_offset, mk_self.msg_size,
				    sh + mk_self.last_words_offset,
				    mk_self.host_hw_id, mk_self.id);
	if (ret) {
		pr_err("cannot connect to the host: %d\n", ret);
		memunmap(sh);
		return ret;
	}
	mk_linked = true;
	atomic_notifier_chain_register(&panic_notifier_list, &mk_panic_nb);
	register_console(&mk_console);
	multikernel_early_console_stop();
	return 0;
}
arch_initcall(mk_instance_link_init);

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

/* The end of boot: tell the host that this kernel runs. */
static int __init mk_instance_hello(void)
{
	int ret;

	if (!mk_linked)
		return 0;
	ret = mk_link_instance_hello();
	if (ret) {
		pr_err("cannot tell the host that we run: %d\n", ret);
		return ret;
	}
	pr_info("instance \"%s\" is running\n", mk_self.name);
	return 0;
}
late_initcall_sync(mk_instance_hello);
