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

#include <uapi/linux/multikernel.h>

#ifdef CONFIG_MULTIKERNEL

void __init multikernel_reserve_pool(void);
bool multikernel_owns_cpus(void);

#else /* !CONFIG_MULTIKERNEL */

static inline void multikernel_reserve_pool(void) { }
static inline bool multikernel_owns_cpus(void) { return false; }

#endif /* CONFIG_MULTIKERNEL */

#endif /* _LINUX_MULTIKERNEL_H */
