// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the host checks in an x86 instance kernel after kexec_file loaded it.
 *
 * A kernel that can run as an instance says so in its kernel_info (boot
 * protocol 2.15+, Documentation/arch/x86/boot.rst): the handoff version it
 * accepts, at MK_X86_KERNEL_INFO_OFFSET (the handover version a kernel
 * that replaces the host accepts follows it, see handover.c). The bzImage64 loader stored the
 * 64-bit entry point and the boot_params address for its purgatory; the
 * start trampoline uses them directly.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/kexec.h>
#include <linux/multikernel/arch.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <asm/bootparam.h>
#include <asm/multikernel.h>

#include "mk_x86.h"

#define MK_KERNEL_INFO_MAGIC	"LToP"

/* Where a bzImage keeps its setup header (Documentation/arch/x86/boot.rst). */
#define MK_SETUP_HEADER_OFFSET	0x1f1

/**
 * mk_bzimage_header() - a bzImage's setup header
 * @kernel:	the bzImage
 * @len:	its length
 * @version:	the least boot protocol version the caller reads fields of
 * @pm_start:	set to the offset of the protected-mode kernel in @kernel
 *
 * Context: Any context.
 * Return: the header, or NULL for an image too short to hold one or of
 * an older boot protocol.
 */
const struct setup_header *mk_bzimage_header(const u8 *kernel, size_t len,
					     u16 version, size_t *pm_start)
{
	const struct setup_header *hdr;

	if (len < MK_SETUP_HEADER_OFFSET + sizeof(*hdr))
		return NULL;
	hdr = (const void *)(kernel + MK_SETUP_HEADER_OFFSET);
	if (hdr->version < version)
		return NULL;
	*pm_start = ((size_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1) * 512;
	return hdr;
}

/**
 * mk_kernel_info_u32() - a 32-bit field of a bzImage's kernel_info
 * @kernel:	the bzImage
 * @len:	its length
 * @offset:	the field's offset in kernel_info
 *
 * Context: Any context.
 * Return: the field, or 0 when the image has no kernel_info (boot
 * protocol before 2.15) or one too short to hold it.
 */
u32 mk_kernel_info_u32(const u8 *kernel, size_t len, size_t offset)
{
	const struct setup_header *hdr;
	size_t pm_start, ki;
	u32 ki_size, val;

	hdr = mk_bzimage_header(kernel, len, 0x020f, &pm_start);
	if (!hdr)
		return 0;
	ki = pm_start + hdr->kernel_info_offset;
	if (ki < pm_start || ki > len || len - ki < offset + 4)
		return 0;
	if (memcmp(kernel + ki, MK_KERNEL_INFO_MAGIC, 4))
		return 0;
	memcpy(&ki_size, kernel + ki + 4, sizeof(ki_size));
	if (ki_size < offset + 4)
		return 0;
	memcpy(&val, kernel + ki + offset, sizeof(val));
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(mk_kernel_info_u32);

/**
 * mk_arch_image_finish() - accept a kernel kexec_file loaded for an instance
 * @image:	the kexec image, after kimage_file_prepare_segments()
 * @mk:		filled with the entry point and the boot_params address
 *
 * Context: Process context.
 * Return: 0; -EOPNOTSUPP for a kernel without multikernel support, -EPROTO
 * for one that speaks another handoff version, or the error of reading
 * back the loader's entry registers.
 */
int mk_arch_image_finish(struct kimage *image, struct mk_image *mk)
{
	struct kexec_entry64_regs regs;
	u32 ver;
	int ret;

	ver = mk_kernel_info_u32(image->kernel_buf, image->kernel_buf_len,
				 MK_X86_KERNEL_INFO_OFFSET);
	if (!ver) {
		pr_err_ratelimited("kernel has no multikernel support (no handoff version in kernel_info)\n");
		return -EOPNOTSUPP;
	}
	if (ver != MULTIKERNEL_HANDOFF_VERSION) {
		pr_err_ratelimited("kernel speaks handoff version %u, the host speaks %u\n",
				   ver, MULTIKERNEL_HANDOFF_VERSION);
		return -EPROTO;
	}

	ret = kexec_purgatory_get_set_symbol(image, "entry64_regs", &regs,
					     sizeof(regs), true);
	if (ret)
		return ret;
	mk->entry = regs.rip;
	mk->boot_params = regs.rsi;
	return 0;
}
