// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test for unpacking an instance kernel at load: the gzip member is
 * inflated whole or refused, the ELF segments are moved only in layouts
 * that are safe in place, and relocations touch only the placed kernel.
 * A refusal means the start goes through the bzImage's decompressor, so
 * every malformed case must be refused rather than half done.
 */
#include <kunit/test.h>
#include <linux/elf.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/unaligned.h>
#include <asm/page_64_types.h>

#include "mk_x86.h"

#define MK_T_LOAD	0x1000000ULL
#define MK_T_BUF	SZ_8K
#define MK_T_SEG_OFF	0x1000
#define MK_T_SEG_LEN	0x100
#define MK_T_TABLE	(MK_T_SEG_OFF + MK_T_SEG_LEN)

static const char mk_t_text[] = "an instance kernel, stored";

/* A gzip member holding @mk_t_text in one stored deflate block. */
static size_t mk_t_gzip(u8 *out, u8 flags, u32 isize)
{
	size_t n = sizeof(mk_t_text), pos = 0;
	static const u8 head[] = { 0x1f, 0x8b, 8 };

	memcpy(out, head, sizeof(head));
	out[3] = flags;
	memset(out + 4, 0, 6);
	pos = 10;
	if (flags & BIT(3)) {		/* FNAME */
		memcpy(out + pos, "vmlinux", 8);
		pos += 8;
	}
	out[pos++] = 1;			/* BFINAL, stored */
	put_unaligned_le16(n, out + pos);
	put_unaligned_le16(~n, out + pos + 2);
	pos += 4;
	memcpy(out + pos, mk_t_text, n);
	pos += n;
	put_unaligned_le32(0, out + pos);	/* CRC32, not checked */
	put_unaligned_le32(isize, out + pos + 4);
	return pos + 8;
}

static void mk_gunzip_whole_or_nothing(struct kunit *test)
{
	u8 *src = kunit_kzalloc(test, 256, GFP_KERNEL);
	u8 *dst = kunit_kzalloc(test, 256, GFP_KERNEL);
	size_t len, out = 0;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);

	len = mk_t_gzip(src, 0, sizeof(mk_t_text));
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), 0);
	KUNIT_EXPECT_EQ(test, out, sizeof(mk_t_text));
	KUNIT_EXPECT_STREQ(test, (char *)dst, mk_t_text);

	/* A file name in the header is skipped. */
	memset(dst, 0, 256);
	len = mk_t_gzip(src, BIT(3), sizeof(mk_t_text));
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), 0);
	KUNIT_EXPECT_STREQ(test, (char *)dst, mk_t_text);

	/* More than there is room for */
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, sizeof(mk_t_text) - 1, src, len, &out),
			-EFBIG);
	/* A trailer that claims fewer or more bytes than the data holds */
	len = mk_t_gzip(src, 0, sizeof(mk_t_text) - 1);
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), -ENOEXEC);
	len = mk_t_gzip(src, 0, sizeof(mk_t_text) + 1);
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), -ENOEXEC);
	/* Not gzip, reserved flags, cut short */
	len = mk_t_gzip(src, 0, sizeof(mk_t_text));
	src[1] = 0x8c;
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), -ENOEXEC);
	len = mk_t_gzip(src, BIT(5), sizeof(mk_t_text));
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, len, &out), -ENOEXEC);
	len = mk_t_gzip(src, BIT(3), sizeof(mk_t_text));
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, 17, &out), -ENOEXEC);
	KUNIT_EXPECT_EQ(test, mk_gunzip(dst, 256, src, 20, &out), -ENOEXEC);
}

/*
 * An ELF kernel with one loadable segment at file offset MK_T_SEG_OFF,
 * linked to run at the start of the image.
 */
static u8 *mk_t_elf(struct kunit *test, struct elf64_phdr **php)
{
	u8 *buf = kunit_kzalloc(test, MK_T_BUF, GFP_KERNEL);
	struct elf64_hdr *eh = (void *)buf;
	struct elf64_phdr *ph = (void *)(buf + sizeof(*eh));
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_machine = EM_X86_64;
	eh->e_entry = MK_T_LOAD + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_offset = MK_T_SEG_OFF;
	ph->p_paddr = MK_T_LOAD;
	ph->p_filesz = MK_T_SEG_LEN;
	ph->p_memsz = 2 * MK_T_SEG_LEN;
	ph->p_align = SZ_2M;
	for (i = 0; i < MK_T_SEG_LEN; i++)
		buf[MK_T_SEG_OFF + i] = i ^ 0x5a;
	*php = ph;
	return buf;
}

static void mk_elf_place_moves_segments(struct kunit *test)
{
	struct mk_elf_info info;
	struct elf64_phdr *ph;
	u8 *buf = mk_t_elf(test, &ph);
	size_t i;

	KUNIT_ASSERT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info), 0);
	KUNIT_EXPECT_EQ(test, info.entry, 0x10);
	KUNIT_EXPECT_EQ(test, info.placed_end, MK_T_SEG_LEN);
	KUNIT_EXPECT_EQ(test, info.file_end, MK_T_TABLE);
	for (i = 0; i < MK_T_SEG_LEN; i++)
		if (buf[i] != (u8)(i ^ 0x5a))
			break;
	KUNIT_EXPECT_EQ(test, i, MK_T_SEG_LEN);
}

static void mk_elf_place_refuses(struct kunit *test)
{
	struct mk_elf_info info;
	struct elf64_hdr *eh;
	struct elf64_phdr *ph;
	u8 *buf;

	/* A segment that would move towards the end of the buffer */
	buf = mk_t_elf(test, &ph);
	ph->p_paddr = MK_T_LOAD + MK_T_SEG_OFF + PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Linked below the load address */
	ph->p_paddr = MK_T_LOAD - PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* File data beyond the end */
	buf = mk_t_elf(test, &ph);
	ph->p_filesz = MK_T_BUF;
	ph->p_memsz = MK_T_BUF;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Memory beyond the room */
	buf = mk_t_elf(test, &ph);
	ph->p_memsz = MK_T_BUF + 1;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Not 2 MiB aligned */
	buf = mk_t_elf(test, &ph);
	ph->p_align = SZ_4K;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* An entry point outside the placed kernel */
	buf = mk_t_elf(test, &ph);
	eh = (void *)buf;
	eh->e_entry = MK_T_LOAD + MK_T_SEG_LEN;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Program headers past the end, or more than any kernel has */
	eh->e_entry = MK_T_LOAD;
	eh->e_phnum = MK_T_BUF / sizeof(*ph);
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Not a 64-bit x86 ELF file */
	buf = mk_t_elf(test, &ph);
	eh = (void *)buf;
	eh->e_machine = EM_386;
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	eh->e_machine = EM_X86_64;
	eh->e_ident[EI_MAG1] = 'e';
	KUNIT_EXPECT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info),
			-ENOEXEC);
	/* Nothing was moved by a refusal. */
	KUNIT_EXPECT_EQ(test, buf[MK_T_SEG_OFF + 1], (u8)(1 ^ 0x5a));
	KUNIT_EXPECT_EQ(test, buf[1], (u8)'e');
}

/* A relocation entry for the field at offset @off of the placed kernel */
static u32 mk_t_reloc(size_t off)
{
	return (u32)(__START_KERNEL_map + MK_T_LOAD + off);
}

/* Write the relocation table after the ELF file; its length back. */
static size_t mk_t_table(u8 *buf, const u32 *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		put_unaligned_le32(words[i], buf + MK_T_TABLE + 4 * i);
	return MK_T_TABLE + 4 * n;
}

static void mk_relocate_applies_each_kind(struct kunit *test)
{
	/* ascending: 64-bit list, inverse 32-bit list, 32-bit list */
	const u32 table[] = { 0, mk_t_reloc(0x20), 0, mk_t_reloc(0x50), 0,
			      mk_t_reloc(0x40) };
	const s64 delta = 0x400000;
	struct mk_elf_info info;
	struct elf64_phdr *ph;
	u8 *buf = mk_t_elf(test, &ph);
	size_t len;

	KUNIT_ASSERT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info), 0);
	put_unaligned(0xffffffff81001000ULL, (u64 *)(buf + 0x20));
	put_unaligned(0x81002000U, (u32 *)(buf + 0x40));
	put_unaligned(0x00600000U, (u32 *)(buf + 0x50));
	put_unaligned(0x12345678U, (u32 *)(buf + 0x60));
	len = mk_t_table(buf, table, ARRAY_SIZE(table));

	KUNIT_ASSERT_EQ(test, mk_relocate(buf, len, MK_T_LOAD, &info, delta), 0);
	KUNIT_EXPECT_EQ(test, get_unaligned((u64 *)(buf + 0x20)),
			0xffffffff81001000ULL + delta);
	KUNIT_EXPECT_EQ(test, get_unaligned((u32 *)(buf + 0x40)), 0x81002000U + delta);
	KUNIT_EXPECT_EQ(test, get_unaligned((u32 *)(buf + 0x50)), 0x00600000U - delta);
	/* A field no entry names stays as it was. */
	KUNIT_EXPECT_EQ(test, get_unaligned((u32 *)(buf + 0x60)), 0x12345678U);
}

static void mk_relocate_refuses(struct kunit *test)
{
	const u32 outside[] = { 0, 0, 0, mk_t_reloc(MK_T_SEG_LEN - 2) };
	const u32 before[] = { 0, 0, 0, (u32)(__START_KERNEL_map + MK_T_LOAD - 4) };
	const u32 unended[] = { 0, mk_t_reloc(0x40), mk_t_reloc(0x44) };
	struct mk_elf_info info;
	struct elf64_phdr *ph;
	u8 *buf = mk_t_elf(test, &ph);
	size_t len;

	KUNIT_ASSERT_EQ(test, mk_elf_place(buf, MK_T_TABLE, MK_T_BUF, MK_T_LOAD, &info), 0);
	/* A 32-bit field that runs past the placed kernel */
	len = mk_t_table(buf, outside, ARRAY_SIZE(outside));
	KUNIT_EXPECT_EQ(test, mk_relocate(buf, len, MK_T_LOAD, &info, SZ_2M), -ENOEXEC);
	/* One before its start */
	len = mk_t_table(buf, before, ARRAY_SIZE(before));
	KUNIT_EXPECT_EQ(test, mk_relocate(buf, len, MK_T_LOAD, &info, SZ_2M), -ENOEXEC);
	/* Lists that run into the ELF file: no three ends */
	len = mk_t_table(buf, unended, ARRAY_SIZE(unended));
	KUNIT_EXPECT_EQ(test, mk_relocate(buf, len, MK_T_LOAD, &info, SZ_2M), -ENOEXEC);
	/* No table at all */
	KUNIT_EXPECT_EQ(test, mk_relocate(buf, MK_T_TABLE, MK_T_LOAD, &info, SZ_2M),
			-ENOEXEC);
}

static struct kunit_case mk_unpack_test_cases[] = {
	KUNIT_CASE(mk_gunzip_whole_or_nothing),
	KUNIT_CASE(mk_elf_place_moves_segments),
	KUNIT_CASE(mk_elf_place_refuses),
	KUNIT_CASE(mk_relocate_applies_each_kind),
	KUNIT_CASE(mk_relocate_refuses),
	{}
};

static struct kunit_suite mk_unpack_suite = {
	.name = "multikernel_x86_unpack",
	.test_cases = mk_unpack_test_cases,
};

kunit_test_suite(mk_unpack_suite);

MODULE_DESCRIPTION("KUnit test for unpacking x86 multikernel instance kernels at load");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
