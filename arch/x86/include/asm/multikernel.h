/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86 multikernel hooks called from outside arch/x86/kernel/multikernel/.
 *
 * Parts of this header are included from assembly (the kernel_info of
 * the compressed kernel), so only #defines sit outside __ASSEMBLY__.
 */
#ifndef _ASM_X86_MULTIKERNEL_H
#define _ASM_X86_MULTIKERNEL_H

/*
 * The handoff version a kernel of this build accepts when it boots as an
 * instance, advertised to loaders in kernel_info (0 without multikernel).
 * Equals MULTIKERNEL_HANDOFF_VERSION (asm/setup_data.h); platform.c checks.
 */
#ifdef CONFIG_MULTIKERNEL
#define MK_X86_KERNEL_INFO_HANDOFF	1
#else
#define MK_X86_KERNEL_INFO_HANDOFF	0
#endif

/* Offset of the handoff version in kernel_info (after setup_type_max). */
#define MK_X86_KERNEL_INFO_OFFSET	0x10

#ifndef __ASSEMBLY__
#include <linux/init.h>
#include <linux/types.h>

#ifdef CONFIG_MULTIKERNEL

void __init mk_x86_reserve_low(void);
bool mk_x86_ipi_shorthand_off(void);
bool mk_x86_is_instance(void);

#else /* !CONFIG_MULTIKERNEL */

static inline void mk_x86_reserve_low(void) { }
static inline bool mk_x86_ipi_shorthand_off(void) { return false; }
static inline bool mk_x86_is_instance(void) { return false; }

#endif /* CONFIG_MULTIKERNEL */
#endif /* __ASSEMBLY__ */
#endif /* _ASM_X86_MULTIKERNEL_H */
