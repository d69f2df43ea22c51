// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only faults an instance can put on its side of the link to the
 * host, so that tests can show what a hostile or broken peer does (and
 * does not do) to the host. Root in the instance writes a command to
 * /sys/kernel/multikernel_peer_faults:
 *
 *   stall		stop taking in the host's messages
 *   gag		send the host nothing more on the rings (an end
 *			notice then only reaches it as last words)
 *   flood N		send N echo requests, as fast as the ring takes them
 *   bad-head		move the instance's producer index past the ring and
 *			fall silent
 *   bogus-ctl		send malformed and out-of-place control messages
 *   garble SEED N	write N random bytes at random places of the whole
 *			messaging region, ringing the host after each and
 *			pausing briefly
 *   hardlockup		spin on this CPU with interrupts off
 *   softlockup		spin on this CPU with preemption off
 *   panic, bug, exception, hung-task, corrupt-stack, write-after-free
 *			kernel faults as LKDTM's crash types of those names
 *			make them (LKDTM's debugfs files are closed to a
 *			locked-down instance), for the fault campaign; bug
 *			is the invalid opcode BUG() is made of
 *   wild-write PA	write through the direct-map address of physical
 *			address PA (hexadecimal), as a wild pointer would
 *
 * and mk_fault_hang_early on the command line hangs the instance in an
 * early initcall, before its link is up.
 *
 * Nothing here is built without CONFIG_MULTIKERNEL_PEER_FAULTS.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <linux/delay.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/multikernel.h>
#include <linux/prandom.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "internal.h"
#include "msg.h"

/* Most operations one command may ask for. */
#define MK_FAULT_MAX_COUNT	100000000ULL

static int mk_fault_gag(struct mk_peer *peer)
{
	pr_info("peer fault: sending the host nothing more\n");
	mk_peer_disconnect(peer);
	return 0;
}

static int mk_fault_stall(struct mk_peer *peer)
{
	/* No doorbell reaches the receive work any more; it runs out. */
	mk_doorbell_unregister(&peer->doorbell);
	cancel_work_sync(&peer->rx_work);
	pr_info("peer fault: no longer taking in the host's messages\n");
	return 0;
}

/* Put a raw message on our ring, past the checks of mk_msg_send(). */
static int mk_fault_post(struct mk_peer *peer, const struct mk_msg_info *info,
			 const void *data)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&peer->tx_lock, flags);
	ret = mk_ring_send(&peer->end, info, data);
	spin_unlock_irqrestore(&peer->tx_lock, flags);
	return ret;
}

static int mk_fault_flood(struct mk_peer *peer, u64 count)
{
	static const u8 payload[64];
	struct mk_msg_info info = {
		.len = sizeof(payload),
		.channel = MULTIKERNEL_CHAN_ECHO,
		.type = MULTIKERNEL_MSG_REQUEST,
	};
	u64 sent = 0, full = 0;
	int ret = 0;

	pr_info("peer fault: flooding the host with %llu echo requests\n",
		count);
	while (sent < count && !fatal_signal_pending(current)) {
		info.cookie = (u32)sent + 1;
		ret = mk_fault_post(peer, &info, payload);
		if (ret == -EAGAIN) {
			full++;
			cond_resched();
			continue;
		}
		if (ret)
			break;
		sent++;
		if (!(sent & 255))
			cond_resched();
	}
	pr_info("peer fault: flood sent %llu requests, found the ring full %llu times (%d)\n",
		sent, full, ret);
	return ret == -EAGAIN ? 0 : ret;
}

static int mk_fault_bad_head(struct mk_peer *peer)
{
	struct multikernel_ring_ctrl *ctrl = peer->end.tx.ctrl;

	/* Send nothing more: the next message would write a good head. */
	mk_peer_disconnect(peer);
	WRITE_ONCE(ctrl->head, READ_ONCE(ctrl->tail) + peer->end.slot_count + 1);
	peer->ops->kick(peer);
	pr_info("peer fault: moved the producer index past the ring\n");
	return 0;
}

static int mk_fault_bogus_ctl(struct mk_peer *peer)
{
	struct multikernel_ctl ctl = { .op = 0xdead };
	struct mk_msg_info info = {
		.channel = MULTIKERNEL_CHAN_CONTROL,
		.type = MULTIKERNEL_MSG_DATA,
	};
	int ret;

	/* An unknown operation, a short one, a second hello, a bad stop. */
	info.len = sizeof(ctl);
	ret = mk_fault_post(peer, &info, &ctl);
	info.len = sizeof(ctl) / 2;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	info.len = sizeof(ctl);
	ctl.op = MULTIKERNEL_CTL_HELLO;
	ctl.arg = MULTIKERNEL_CTL_VERSION;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	ctl.op = MULTIKERNEL_CTL_STOPPED;
	ctl.arg = 0xbad;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	/* A response to a request the host never sent. */
	info.type = MULTIKERNEL_MSG_RESPONSE;
	info.cookie = 0xbadc0de;
	ret = ret ?: mk_fault_post(peer, &info, &ctl);
	pr_info("peer fault: sent bogus control messages (%d)\n", ret);
	return ret;
}

static int mk_fault_garble(struct mk_peer *peer, u64 seed, u64 count)
{
	struct mk_ring_end *end = &peer->end;
	u64 size = mk_ring_region_size(1U << end->slot_shift, end->slot_count);
	struct rnd_state rnd;
	u8 *region = (u8 *)end->hdr;
	u64 i;

	prandom_seed_state(&rnd, seed);
	pr_info("peer fault: garbling the messaging region, seed %llu, %llu bytes\n",
		seed, count);
	for (i = 0; i < count && !fatal_signal_pending(current); i++) {
		/* Half of them where the indices and headers are. */
		u32 room = (prandom_u32_state(&rnd) & 1) ? PAGE_SIZE : size;

		WRITE_ONCE(region[prandom_u32_state(&rnd) % room],
			   (u8)prandom_u32_state(&rnd));
		peer->ops->kick(peer);
		/*
		 * Let the host take each doorbell on its own: its count of
		 * them is what tests count the corruptions by.
		 */
		usleep_range(50, 100);
	}
	return 0;
}

/* Lock this CPU up with interrupts off, like LKDTM's HARDLOCKUP. */
static int mk_fault_hardlockup(void)
{
	pr_emerg("peer fault: locking up CPU %d with interrupts off\n",
		 raw_smp_processor_id());
	local_irq_disable();
	for (;;)
		cpu_relax();
	return 0;
}

/*
 * Write through a wild pointer: the direct-map address of physical
 * address @pa, which is not ours. It must fault, not land in the host.
 */
static int mk_fault_wild_write(u64 pa)
{
	u64 *p = phys_to_virt(pa & ~7ULL);

	pr_emerg("peer fault: writing to physical address %#llx\n", pa);
	WRITE_ONCE(*p, 0x6b6b6b6b6b6b6b6bULL);
	pr_emerg("peer fault: the write to %#llx went through\n", pa);
	return 0;
}

/* Overrun a stack buffer: the stack protector panics on return. */
static noinline void mk_fault_corrupt_stack(void)
{
	char buf[8];
	char *p = buf;
	int i;

	OPTIMIZER_HIDE_VAR(p);
	for (i = 0; i < 64; i++)
		p[i] = 0x5a;
}

static const char * const mk_kernel_faults[] = {
	"panic", "bug", "exception", "softlockup", "hung-task",
	"corrupt-stack", "write-after-free",
};

/* Kernel faults of the fault campaign; -EINVAL for no such fault. */
static int mk_fault_kernel(const char *cmd)
{
	int *p = NULL;
	u8 *freed;

	if (match_string(mk_kernel_faults, ARRAY_SIZE(mk_kernel_faults), cmd) < 0)
		return -EINVAL;
	pr_emerg("peer fault: %s on CPU %d\n", cmd, raw_smp_processor_id());
	if (!strcmp(cmd, "panic"))
		panic("peer fault: panic on request");
	/* What BUG() executes, without its entry in the bug table. */
	if (!strcmp(cmd, "bug"))
		__builtin_trap();
	if (!strcmp(cmd, "exception")) {
		OPTIMIZER_HIDE_VAR(p);
		WRITE_ONCE(*p, 0);
		return 0;
	}
	if (!strcmp(cmd, "softlockup")) {
		preempt_disable();
		for (;;)
			cpu_relax();
	}
	if (!strcmp(cmd, "hung-task")) {
		for (;;) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule();
		}
	}
	if (!strcmp(cmd, "corrupt-stack")) {
		mk_fault_corrupt_stack();
		return 0;
	}
	if (!strcmp(cmd, "write-after-free")) {
		freed = kmalloc(64, GFP_KERNEL);
		if (!freed)
			return -ENOMEM;
		kfree(freed);
		OPTIMIZER_HIDE_VAR(freed);
		memset(freed, 0x6b, 64);
	}
	return 0;
}

static ssize_t peer_faults_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t len)
{
	struct mk_peer *peer = mk_link_host_peer();
	char cmd[24];
	u64 a = 0, b = 0;
	int n, ret;

	if (sscanf(buf, "%23s", cmd) != 1)
		return -EINVAL;
	if (!strcmp(cmd, "wild-write"))
		return sscanf(buf, "%*s %llx", &a) == 1 ?
		       mk_fault_wild_write(a) ?: len : -EINVAL;
	n = sscanf(buf, "%23s %llu %llu", cmd, &a, &b);
	if (!strcmp(cmd, "hardlockup") && n == 1)
		return mk_fault_hardlockup();
	if (n == 1) {
		ret = mk_fault_kernel(cmd);
		if (ret != -EINVAL)
			return ret ?: len;
	}

	if (!peer)
		return -ENOTCONN;
	if (a > MK_FAULT_MAX_COUNT || b > MK_FAULT_MAX_COUNT)
		return -EINVAL;
	if (!strcmp(cmd, "stall") && n == 1)
		ret = mk_fault_stall(peer);
	else if (!strcmp(cmd, "gag") && n == 1)
		ret = mk_fault_gag(peer);
	else if (!strcmp(cmd, "flood") && n == 2)
		ret = mk_fault_flood(peer, a);
	else if (!strcmp(cmd, "bad-head") && n == 1)
		ret = mk_fault_bad_head(peer);
	else if (!strcmp(cmd, "bogus-ctl") && n == 1)
		ret = mk_fault_bogus_ctl(peer);
	else if (!strcmp(cmd, "garble") && n == 3)
		ret = mk_fault_garble(peer, a, b);
	else
		ret = -EINVAL;
	return ret ?: len;
}

static struct kobj_attribute mk_fault_attr =
	__ATTR(multikernel_peer_faults, 0200, NULL, peer_faults_store);

/*
 * mk_fault_hang_early on the command line: hang in an early initcall,
 * before the link to the host is up, for the early console's test.
 */
static bool mk_fault_hang_early __initdata;

static int __init mk_fault_hang_early_param(char *arg)
{
	mk_fault_hang_early = true;
	return 0;
}
early_param("mk_fault_hang_early", mk_fault_hang_early_param);

static int __init mk_fault_hang(void)
{
	if (!mk_fault_hang_early || !multikernel_is_instance())
		return 0;
	pr_emerg("peer fault: hanging in an early initcall, before the link is up\n");
	for (;;)
		cpu_relax();
	return 0;
}
early_initcall(mk_fault_hang);

static int __init mk_fault_init(void)
{
	if (!multikernel_is_instance())
		return 0;
	/*
	 * sysfs, not debugfs: an instance is locked down, and lockdown
	 * refuses writable debugfs files.
	 */
	return sysfs_create_file(kernel_kobj, &mk_fault_attr.attr);
}
late_initcall(mk_fault_init);
