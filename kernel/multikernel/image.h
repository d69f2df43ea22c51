/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The loader's private declarations; what it shares with the arch code
 * that starts an image is in include/linux/multikernel/arch.h.
 */
#ifndef _KERNEL_MULTIKERNEL_IMAGE_H
#define _KERNEL_MULTIKERNEL_IMAGE_H

#include <linux/multikernel/arch.h>
#include <linux/types.h>

#if IS_ENABLED(CONFIG_KUNIT)
/* loader.c, for loader_kunit.c */
bool mk_segment_fits(phys_addr_t mem, size_t memsz, size_t bufsz,
		     phys_addr_t lo, phys_addr_t hi);
int mk_segment_from_file(struct mk_segment *s, struct file *file, loff_t pos,
			 const void *verified);
#endif

#endif /* _KERNEL_MULTIKERNEL_IMAGE_H */
