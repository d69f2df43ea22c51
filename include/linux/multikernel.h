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

#include <linux/init.h>
#include <linux/list.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>

#ifdef CONFIG_MULTIKERNEL

void __init multikernel_reserve_pool(void);
bool multikernel_owns_cpus(void);

/* The console log ring of a shared region (kernel/multikernel/logring.c). */
void mk_logring_write(struct multikernel_shared *sh, u8 *ring, u32 size,
		      const char *s, size_t n);
size_t mk_logring_read(const struct multikernel_shared *sh, const u8 *ring,
		       u32 size, u64 *pos, char *buf, size_t len);

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
static inline bool multikernel_owns_cpus(void) { return false; }

#endif /* CONFIG_MULTIKERNEL */

#endif /* _LINUX_MULTIKERNEL_H */
