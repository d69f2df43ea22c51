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
 * instance, and the handover version it accepts from a host that kexecs
 * into it while instances run, advertised to loaders in kernel_info (0
 * without multikernel). They equal MULTIKERNEL_HANDOFF_VERSION and
 * MULTIKERNEL_HANDOVER_VERSION (asm/setup_data.h); platform.c and
 * handover.c check.
 */
#ifdef CONFIG_MULTIKERNEL
#define MK_X86_KERNEL_INFO_HANDOFF	1
#define MK_X86_KERNEL_INFO_HANDOVER	1
#else
#define MK_X86_KERNEL_INFO_HANDOFF	0
#define MK_X86_KERNEL_INFO_HANDOVER	0
#endif

/* Offset of the handoff version in kernel_info (after setup_type_max). */
#define MK_X86_KERNEL_INFO_OFFSET	0x10
/* Offset of the handover version in kernel_info, after the handoff's. */
#define MK_X86_KERNEL_INFO_HANDOVER_OFFSET	0x14

#ifndef __ASSEMBLY__
#include <linux/init.h>
#include <linux/types.h>

struct boot_params;
struct kimage;

#ifdef CONFIG_MULTIKERNEL

void __init mk_x86_reserve_low(void);
unsigned int mk_x86_kexec_handover_size(struct kimage *image);
int mk_x86_kexec_handover(struct kimage *image, struct boot_params *params,
			  unsigned long params_load_addr, unsigned int offset);
bool mk_x86_ipi_shorthand_off(void);
bool mk_x86_is_instance(void);

#else /* !CONFIG_MULTIKERNEL */

static inline void mk_x86_reserve_low(void) { }

static inline unsigned int mk_x86_kexec_handover_size(struct kimage *image)
{
	return 0;
}

static inline int mk_x86_kexec_handover(struct kimage *image,
					struct boot_params *params,
					unsigned long params_load_addr,
					unsigned int offset)
{
	return 0;
}

static inline bool mk_x86_ipi_shorthand_off(void) { return false; }
static inline bool mk_x86_is_instance(void) { return false; }

#endif /* CONFIG_MULTIKERNEL */
#endif /* __ASSEMBLY__ */
#endif /* _ASM_X86_MULTIKERNEL_H */
