/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel in-kernel interface.
 *
 * Architecture code calls these hooks; everything else of the subsystem is
 * private to kernel/multikernel/. With CONFIG_MULTIKERNEL off the hooks are
 * empty inlines so that callers need no #ifdef.
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>

#ifdef CONFIG_MULTIKERNEL

void __init multikernel_reserve_pool(void);

/**
 * struct mk_doorbell_client - something that wants to hear doorbells
 * @node:	entry in the list of clients
 * @handle:	called in hard interrupt context on the CPU a peer kernel
 *		rang; must cope with doorbells that announce nothing new
 */
struct mk_doorbell_client {
	struct list_head node;
	void (*handle)(struct mk_doorbell_client *client);
};

void mk_doorbell_register(struct mk_doorbell_client *client);
void mk_doorbell_unregister(struct mk_doorbell_client *client);
bool mk_doorbell_handler(void);

/* Provided by the architecture. */
int mk_doorbell_send(u32 apic_id);

#else /* !CONFIG_MULTIKERNEL */

static inline void multikernel_reserve_pool(void) { }

#endif /* CONFIG_MULTIKERNEL */

#endif /* _LINUX_MULTIKERNEL_H */
