/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A loaded instance kernel: shared by the loader (kernel/multikernel/)
 * and the arch code that starts it (arch/x86/kernel/multikernel/).
 */
#ifndef _KERNEL_MULTIKERNEL_IMAGE_H
#define _KERNEL_MULTIKERNEL_IMAGE_H

#include <linux/kexec.h>
#include <linux/sizes.h>
#include <linux/types.h>

/*
 * The last MK_SHARED_SIZE bytes of an instance's memory are the region it
 * shares with the host; its kernel is loaded below.
 */
#define MK_SHARED_SIZE		SZ_1M

/**
 * struct mk_segment - one piece of the image and where it goes
 * @buf:	contents, kvmalloc'ed; NULL for memory that is only zeroed
 * @bufsz:	bytes at @buf
 * @mem:	physical address in the instance's memory
 * @memsz:	bytes at @mem, @bufsz of them from @buf and the rest zero
 */
struct mk_segment {
	void *buf;
	size_t bufsz;
	phys_addr_t mem;
	size_t memsz;
};

/**
 * struct mk_image - a kernel verified and placed by kexec_file
 * @nr_segments: used entries of @seg
 * @seg:	the segments, in the order the kexec loader produced them
 * @entry:	physical address of the kernel's 64-bit entry point
 * @boot_params: physical address of its boot_params
 * @bp_seg:	index of the segment that holds @boot_params at its start
 *
 * The segments are copied into the instance's memory at every start, so
 * a stopped instance starts again from a pristine image.
 */
struct mk_image {
	unsigned int nr_segments;
	struct mk_segment seg[KEXEC_SEGMENT_MAX];
	phys_addr_t entry;
	phys_addr_t boot_params;
	unsigned int bp_seg;
};

/* Arch: check the kernel speaks our handoff, find its entry point. */
int mk_arch_image_finish(struct kimage *image, struct mk_image *mk);

/* loader.c: put every segment of @img into place. */
int mk_image_copy_in(const struct mk_image *img);

#if IS_ENABLED(CONFIG_KUNIT)
/* loader.c, for loader_kunit.c */
bool mk_segment_fits(phys_addr_t mem, size_t memsz, size_t bufsz,
		     phys_addr_t lo, phys_addr_t hi);
#endif

#endif /* _KERNEL_MULTIKERNEL_IMAGE_H */
