// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unpacking an instance kernel at load, so that its first start skips the
 * bzImage's decompressor.
 *
 * A bzImage carries its kernel compressed. At every boot the decompressor
 * inflates it, moves the ELF segments to their places and, when KASLR
 * chose a virtual offset, applies the relocation table that follows the
 * ELF file. Under emulation that is about 0.3 s of an instance's start.
 * The host holds the verified image at load, and the instance's memory is
 * the instance's alone from load until it stops, so the host does this
 * work there and then; the first start enters the kernel's own 64-bit
 * entry point (startup_64 of vmlinux, which takes the same registers as
 * the bzImage's).
 *
 * Only the first start after a load: a run writes all over its memory and
 * gives it back to the pool at stop, so a restart writes the bzImage in
 * again and goes through its decompressor, as does a kernel whose payload
 * the host cannot unpack (not gzip), whose layout it does not accept, or
 * whose command line asks for something only the decompressor does
 * (no5lvl under 5-level paging).
 *
 * KASLR is kept: the host draws the virtual offset from the same range the
 * decompressor would and applies the relocations. The physical address is
 * where kexec placed the kernel in the instance's memory, not a random one.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/align.h>
#include <linux/elf.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/multikernel/arch.h>
#include <linux/pgtable.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <linux/zlib.h>
#include <asm/bootparam.h>
#include <asm/cmdline.h>
#include <asm/page_64_types.h>

#include "mk_x86.h"

/* The bzImage's protected-mode kernel starts its 64-bit entry this far in. */
#define MK_BZIMAGE_ENTRY64	0x200

/* gzip (RFC 1952): header flags, fixed header and trailer sizes */
#define MK_GZ_FHCRC		BIT(1)
#define MK_GZ_FEXTRA		BIT(2)
#define MK_GZ_FNAME		BIT(3)
#define MK_GZ_FCOMMENT		BIT(4)
#define MK_GZ_RESERVED		GENMASK(7, 5)
#define MK_GZ_HEADER		10
#define MK_GZ_TRAILER		8
/* Bytes inflated between two chances to reschedule */
#define MK_GZ_PIECE		SZ_1M

/* More program headers than any vmlinux has: a sign of a broken image. */
#define MK_ELF_MAX_PHDRS	64
#define MK_ELF_MAX_SHDRS	1024

/* Skip a NUL-terminated field of a gzip header; false when it runs out. */
static bool mk_gz_skip_string(const u8 *src, size_t end, size_t *pos)
{
	const u8 *nul = memchr(src + *pos, 0, end - *pos);

	if (!nul)
		return false;
	*pos = nul - src + 1;
	return true;
}

/**
 * mk_gunzip() - inflate a gzip member into a buffer
 * @dst:	where the data goes
 * @room:	bytes @dst can take
 * @src:	the gzip member, as a bzImage payload holds it
 * @len:	its length
 * @out:	set to the bytes written
 *
 * Context: Process context, may sleep.
 * Return: 0; -ENOEXEC for something that is not one whole gzip member of
 * deflate data, or whose length does not match its trailer; -EFBIG when
 * the data would not fit @room; -ENOMEM.
 */
VISIBLE_IF_KUNIT int mk_gunzip(void *dst, size_t room, const u8 *src,
			       size_t len, size_t *out)
{
	size_t pos = MK_GZ_HEADER, end;
	struct z_stream_s *strm;
	u32 isize;
	int rc;

	if (len < MK_GZ_HEADER + MK_GZ_TRAILER || len > UINT_MAX ||
	    src[0] != 0x1f || src[1] != 0x8b || src[2] != 8 ||
	    (src[3] & MK_GZ_RESERVED))
		return -ENOEXEC;
	end = len - MK_GZ_TRAILER;
	if (src[3] & MK_GZ_FEXTRA) {
		if (end - pos < 2 || end - pos - 2 < get_unaligned_le16(src + pos))
			return -ENOEXEC;
		pos += 2 + get_unaligned_le16(src + pos);
	}
	if ((src[3] & MK_GZ_FNAME) && !mk_gz_skip_string(src, end, &pos))
		return -ENOEXEC;
	if ((src[3] & MK_GZ_FCOMMENT) && !mk_gz_skip_string(src, end, &pos))
		return -ENOEXEC;
	if (src[3] & MK_GZ_FHCRC)
		pos += 2;
	if (pos >= end)
		return -ENOEXEC;

	isize = get_unaligned_le32(src + len - 4);
	if (isize > room)
		return -EFBIG;

	strm = kzalloc(sizeof(*strm), GFP_KERNEL);
	if (!strm)
		return -ENOMEM;
	strm->workspace = kvmalloc(zlib_inflate_workspacesize(), GFP_KERNEL);
	if (!strm->workspace) {
		kfree(strm);
		return -ENOMEM;
	}
	strm->next_in = src + pos;
	strm->avail_in = end - pos;
	strm->next_out = dst;
	rc = zlib_inflateInit2(strm, -MAX_WBITS);
	/*
	 * A piece at a time, with a reschedule in between: tens of MiB take
	 * seconds under emulation, more on a KASAN kernel. Given no more
	 * room than the trailer's length, data beyond it makes no progress
	 * and fails.
	 */
	while (rc == Z_OK) {
		strm->avail_out = min_t(u32, MK_GZ_PIECE, isize - strm->total_out);
		rc = zlib_inflate(strm, Z_NO_FLUSH);
		cond_resched();
	}
	*out = strm->total_out;
	kvfree(strm->workspace);
	kfree(strm);
	return rc == Z_STREAM_END && *out == isize ? 0 : -ENOEXEC;
}
EXPORT_SYMBOL_IF_KUNIT(mk_gunzip);

/**
 * mk_elf_place() - move a kernel's loadable segments to their places
 * @buf:	the kernel's ELF file, and the memory it runs from
 * @len:	bytes of the ELF file and what follows it
 * @room:	bytes of memory at @buf the kernel may use
 * @load:	the physical address the kernel was linked to run at
 * @info:	filled in: where the entry point, the placed image and the
 *		ELF file end
 *
 * Each PT_LOAD segment goes to its physical address less @load, counted
 * from @buf, as the decompressor's parse_elf() moves them. Only layouts
 * in which that is safe in place are taken: segments in file order, each
 * moving towards the start of the buffer, none beyond @room.
 *
 * Context: Any context that may allocate.
 * Return: 0; -ENOEXEC for anything else than such a 64-bit x86 ELF
 * kernel; -ENOMEM.
 */
VISIBLE_IF_KUNIT int mk_elf_place(u8 *buf, size_t len, size_t room, u64 load,
				  struct mk_elf_info *info)
{
	size_t file_end = 0, placed_end = 0, elf_end = 0;
	struct elf64_phdr *phdrs, *ph;
	struct elf64_hdr eh;
	unsigned int i;
	u64 dest;
	int ret = -ENOEXEC;

	if (len < sizeof(eh) || len > room)
		return -ENOEXEC;
	memcpy(&eh, buf, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64 ||
	    eh.e_phentsize != sizeof(*ph) || !eh.e_phnum ||
	    eh.e_phnum > MK_ELF_MAX_PHDRS || eh.e_phoff > len ||
	    (len - eh.e_phoff) / sizeof(*ph) < eh.e_phnum)
		return -ENOEXEC;
	if (eh.e_shnum && (eh.e_shentsize != sizeof(struct elf64_shdr) ||
			   eh.e_shnum > MK_ELF_MAX_SHDRS || eh.e_shoff > len ||
			   (len - eh.e_shoff) / sizeof(struct elf64_shdr) < eh.e_shnum))
		return -ENOEXEC;

	/* Where the ELF file ends, and a relocation table may begin. */
	if (eh.e_shnum)
		elf_end = eh.e_shoff + eh.e_shnum * sizeof(struct elf64_shdr);
	for (i = 0; i < eh.e_shnum; i++) {
		struct elf64_shdr sh;

		memcpy(&sh, buf + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (sh.sh_offset > len || len - sh.sh_offset < sh.sh_size)
			return -ENOEXEC;
		elf_end = max_t(size_t, elf_end, sh.sh_offset + sh.sh_size);
	}

	/* The moves overwrite the headers: work from a copy. */
	phdrs = kmemdup(buf + eh.e_phoff, eh.e_phnum * sizeof(*ph), GFP_KERNEL);
	if (!phdrs)
		return -ENOMEM;
	for (i = 0; i < eh.e_phnum; i++) {
		ph = &phdrs[i];
		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_paddr < load || ph->p_offset < file_end ||
		    ph->p_offset > len || len - ph->p_offset < ph->p_filesz ||
		    ph->p_filesz > ph->p_memsz || ph->p_align % SZ_2M)
			goto out;
		dest = ph->p_paddr - load;
		if (dest > ph->p_offset || dest > room ||
		    room - dest < ph->p_memsz)
			goto out;
		file_end = ph->p_offset + ph->p_filesz;
		placed_end = max_t(size_t, placed_end, dest + ph->p_filesz);
	}
	if (!placed_end || eh.e_entry < load || eh.e_entry - load >= placed_end)
		goto out;

	for (i = 0; i < eh.e_phnum; i++) {
		ph = &phdrs[i];
		if (ph->p_type == PT_LOAD)
			memmove(buf + ph->p_paddr - load, buf + ph->p_offset,
				ph->p_filesz);
	}
	info->entry = eh.e_entry - load;
	info->placed_end = placed_end;
	info->file_end = max(file_end, elf_end);
	ret = 0;
out:
	kfree(phdrs);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(mk_elf_place);

/*
 * One list of the relocation table, read backwards from *@pos down to its
 * zero; each entry is a 32-bit kernel address, sign-extended, of a field
 * of @width bytes to move by @delta (@sub: the other way).
 */
static int mk_reloc_list(u8 *buf, size_t lo, size_t *pos,
			 const struct mk_elf_info *info, u64 load,
			 unsigned int width, bool sub, s64 delta)
{
	u64 field;
	s32 entry;

	for (;;) {
		if (*pos < lo + 4)
			return -ENOEXEC;
		*pos -= 4;
		entry = get_unaligned_le32(buf + *pos);
		if (!entry)
			return 0;
		/* the field's offset in the placed kernel */
		field = (u64)(s64)entry - __START_KERNEL_map;
		if (field < load || field - load > info->placed_end ||
		    info->placed_end - (field - load) < width)
			return -ENOEXEC;
		field -= load;
		if (width == 8)
			put_unaligned(get_unaligned((u64 *)(buf + field)) + delta,
				      (u64 *)(buf + field));
		else if (sub)
			put_unaligned(get_unaligned((u32 *)(buf + field)) - (u32)delta,
				      (u32 *)(buf + field));
		else
			put_unaligned(get_unaligned((u32 *)(buf + field)) + (u32)delta,
				      (u32 *)(buf + field));
	}
}

/**
 * mk_relocate() - apply a kernel's relocation table for a virtual offset
 * @buf:	the placed kernel, see mk_elf_place()
 * @len:	bytes of the ELF file and the table after it
 * @load:	the physical address the kernel was linked to run at
 * @info:	what mk_elf_place() found
 * @delta:	how far the kernel's virtual addresses move
 *
 * The table follows the ELF file and is read from its end backwards:
 * 32-bit relocations, inverse 32-bit ones and 64-bit ones, each list
 * ended by a zero (arch/x86/tools/relocs.c writes it).
 *
 * Context: Any context.
 * Return: 0; -ENOEXEC when the table is missing or malformed, or names a
 * field outside the placed kernel. Fields may have moved by then.
 */
VISIBLE_IF_KUNIT int mk_relocate(u8 *buf, size_t len, u64 load,
				 const struct mk_elf_info *info, s64 delta)
{
	size_t pos = len, lo = info->file_end;
	int ret;

	/* The moves must have left the table alone. */
	if (lo < info->placed_end || lo > len)
		return -ENOEXEC;
	ret = mk_reloc_list(buf, lo, &pos, info, load, 4, false, delta);
	ret = ret ?: mk_reloc_list(buf, lo, &pos, info, load, 4, true, delta);
	return ret ?: mk_reloc_list(buf, lo, &pos, info, load, 8, false, delta);
}
EXPORT_SYMBOL_IF_KUNIT(mk_relocate);

/* The virtual offset KASLR would choose for an image of @size bytes. */
static s64 mk_kaslr_delta(u64 load, size_t size, u32 align)
{
	u64 span, slots;

	size = ALIGN(size, align);
	if (load + size > KERNEL_IMAGE_SIZE)
		return 0;
	span = KERNEL_IMAGE_SIZE - load - size;
	slots = div_u64(span, align) + 1;
	return (s64)get_random_u32_below(min_t(u64, slots, U32_MAX)) * align;
}

static bool mk_cmdline_has(const struct kimage *image, const char *opt)
{
	return image->cmdline_buf && cmdline_find_option_bool(image->cmdline_buf, opt);
}

/* The segment kexec placed the bzImage's protected-mode kernel in. */
static struct mk_segment *mk_kernel_segment(struct mk_image *mk)
{
	unsigned int i;

	for (i = 0; i < mk->nr_segments; i++)
		if (mk->seg[i].mem + MK_BZIMAGE_ENTRY64 == mk->entry &&
		    mk->seg[i].file)
			return &mk->seg[i];
	return NULL;
}

/*
 * Unpack into the kernel segment's memory; the entry point's offset in
 * @info->entry and whether KASLR moved it in *@kaslr.
 */
static int mk_unpack_into(u8 *dst, size_t room, const struct kimage *image,
			  struct mk_elf_info *info, bool *kaslr)
{
	const u8 *kernel = image->kernel_buf;
	const struct setup_header *hdr;
	size_t pm_start, off, len;
	u32 align;
	s64 delta;
	int ret;

	/* payload_offset and pref_address came with protocol 2.08 and 2.10 */
	hdr = mk_bzimage_header(kernel, image->kernel_buf_len, 0x020a, &pm_start);
	if (!hdr)
		return -ENOEXEC;
	off = pm_start + hdr->payload_offset;
	if (off < pm_start || off > image->kernel_buf_len ||
	    image->kernel_buf_len - off < hdr->payload_length)
		return -ENOEXEC;
	align = max_t(u32, hdr->kernel_alignment, SZ_2M);
	if (!is_power_of_2(align) || !IS_ALIGNED(hdr->pref_address, align) ||
	    room < hdr->init_size)
		return -ENOEXEC;

	ret = mk_gunzip(dst, room, kernel + off, hdr->payload_length, &len);
	ret = ret ?: mk_elf_place(dst, len, room, hdr->pref_address, info);
	if (ret)
		return ret;
	/* A kernel built without KASLR has no table and runs where linked. */
	*kaslr = len > info->file_end && !mk_cmdline_has(image, "nokaslr");
	if (!*kaslr)
		return 0;
	delta = mk_kaslr_delta(hdr->pref_address, hdr->init_size, align);
	return delta ? mk_relocate(dst, len, hdr->pref_address, info, delta) : 0;
}

/**
 * mk_arch_image_unpack() - unpack a loaded kernel into its instance's memory
 * @image:	the kexec image, with the kernel file still in memory
 * @mk:		the instance's image, its segments taken and checked
 *
 * On success the first start enters @mk->unpacked_entry; otherwise it goes
 * through the bzImage's decompressor, which writes over whatever this left
 * in the kernel's segment.
 *
 * Context: Process context, the instance's memory its own and in the
 * direct map; may sleep.
 */
void mk_arch_image_unpack(const struct kimage *image, struct mk_image *mk)
{
	struct mk_segment *s = mk_kernel_segment(mk);
	struct mk_elf_info info;
	bool kaslr = false;
	u8 *dst;
	int ret;

	mk->unpacked_entry = 0;
	if (!s || !IS_ALIGNED(s->mem, SZ_2M))
		return;
	/* Only the decompressor switches to 4-level paging. */
	if (pgtable_l5_enabled() && mk_cmdline_has(image, "no5lvl"))
		return;
	dst = memremap(s->mem, s->memsz, MEMREMAP_WB);
	if (!dst)
		return;
	ret = mk_unpack_into(dst, s->memsz, image, &info, &kaslr);
	memunmap(dst);
	if (ret) {
		pr_info("the kernel's payload was not unpacked (%d): its start goes through its decompressor\n",
			ret);
		return;
	}
	mk->unpacked_entry = s->mem + info.entry;
	mk->unpacked_seg = s - mk->seg;
	mk->unpacked_kaslr = kaslr;
}
