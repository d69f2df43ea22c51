// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit test for what a host writes for a kernel that replaces it while
 * instances run: the pool reserved in that kernel's e820 map, and the
 * kernel_info field that says whether it accepts a handover at all.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/bootparam.h>
#include <asm/e820/types.h>
#include <asm/multikernel.h>

#include "mk_x86.h"

#define MB(x)	((u64)(x) << 20)

static struct boot_params *mk_test_bp(struct kunit *test,
				      const struct boot_e820_entry *e,
				      unsigned int n)
{
	struct boot_params *bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	memcpy(bp->e820_table, e, n * sizeof(*e));
	bp->e820_entries = n;
	return bp;
}

static void mk_expect_entry(struct kunit *test, const struct boot_e820_entry *e,
			    u64 addr, u64 size, u32 type)
{
	KUNIT_EXPECT_EQ(test, e->addr, addr);
	KUNIT_EXPECT_EQ(test, e->size, size);
	KUNIT_EXPECT_EQ(test, e->type, type);
}

/* A pool inside one RAM entry splits it in three; the others stay. */
static void mk_e820_keep_off_splits(struct kunit *test)
{
	const struct boot_e820_entry map[] = {
		{ 0, 0x9fc00, E820_TYPE_RAM },
		{ 0xf0000, 0x10000, E820_TYPE_RESERVED },
		{ MB(1), MB(2047), E820_TYPE_RAM },
	};
	struct boot_params *bp = mk_test_bp(test, map, ARRAY_SIZE(map));

	KUNIT_ASSERT_EQ(test, mk_e820_keep_off(bp, MB(1024), MB(1280) - 1), 0);
	KUNIT_ASSERT_EQ(test, bp->e820_entries, 5);
	mk_expect_entry(test, &bp->e820_table[0], 0, 0x9fc00, E820_TYPE_RAM);
	mk_expect_entry(test, &bp->e820_table[1], 0xf0000, 0x10000, E820_TYPE_RESERVED);
	mk_expect_entry(test, &bp->e820_table[2], MB(1), MB(1023), E820_TYPE_RAM);
	mk_expect_entry(test, &bp->e820_table[3], MB(1024), MB(256), E820_TYPE_RESERVED);
	mk_expect_entry(test, &bp->e820_table[4], MB(1280), MB(768), E820_TYPE_RAM);
}

/* A pool at the end of one entry and across a hole leaves no empty entry. */
static void mk_e820_keep_off_edges(struct kunit *test)
{
	const struct boot_e820_entry map[] = {
		{ MB(1), MB(511), E820_TYPE_RAM },
		{ MB(512), MB(16), E820_TYPE_ACPI },
		{ MB(528), MB(496), E820_TYPE_RAM },
	};
	struct boot_params *bp = mk_test_bp(test, map, ARRAY_SIZE(map));

	KUNIT_ASSERT_EQ(test, mk_e820_keep_off(bp, MB(256), MB(600) - 1), 0);
	KUNIT_ASSERT_EQ(test, bp->e820_entries, 5);
	mk_expect_entry(test, &bp->e820_table[0], MB(1), MB(255), E820_TYPE_RAM);
	mk_expect_entry(test, &bp->e820_table[1], MB(256), MB(256), E820_TYPE_RESERVED);
	mk_expect_entry(test, &bp->e820_table[2], MB(512), MB(16), E820_TYPE_ACPI);
	mk_expect_entry(test, &bp->e820_table[3], MB(528), MB(72), E820_TYPE_RESERVED);
	mk_expect_entry(test, &bp->e820_table[4], MB(600), MB(424), E820_TYPE_RAM);
}

/* A map with no room for the split is left as it was: -E2BIG. */
static void mk_e820_keep_off_full(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, sizeof(*bp), GFP_KERNEL);
	struct boot_params *copy;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, bp);
	for (i = 0; i < E820_MAX_ENTRIES_ZEROPAGE; i++)
		bp->e820_table[i] = (struct boot_e820_entry){ MB(2 * i), MB(1),
							      E820_TYPE_RAM };
	bp->e820_entries = E820_MAX_ENTRIES_ZEROPAGE;
	copy = kunit_kzalloc(test, sizeof(*copy), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, bp, sizeof(*bp));

	/* The middle of entry 10: one entry becomes three. */
	KUNIT_EXPECT_EQ(test, mk_e820_keep_off(bp, MB(20) + SZ_4K, MB(20) + SZ_8K - 1),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, memcmp(copy, bp, sizeof(*bp)), 0);
	/* All of entry 10: it only changes type. */
	KUNIT_EXPECT_EQ(test, mk_e820_keep_off(bp, MB(20), MB(21) - 1), 0);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, E820_MAX_ENTRIES_ZEROPAGE);
	KUNIT_EXPECT_EQ(test, bp->e820_table[10].type, E820_TYPE_RESERVED);
}

/* A bzImage header with kernel_info at @ki, @size bytes long. */
static u8 *mk_test_bzimage(struct kunit *test, size_t len, u32 size)
{
	u8 *k = kunit_kzalloc(test, len, GFP_KERNEL);
	struct setup_header *hdr;
	u32 ver = MK_X86_KERNEL_INFO_HANDOVER;
	size_t ki = 5 * 512 + 0x100;

	KUNIT_ASSERT_NOT_NULL(test, k);
	hdr = (void *)(k + 0x1f1);
	hdr->setup_sects = 4;
	hdr->version = 0x020f;
	hdr->kernel_info_offset = 0x100;
	memcpy(k + ki, "LToP", 4);
	memcpy(k + ki + 4, &size, 4);
	memcpy(k + ki + MK_X86_KERNEL_INFO_HANDOVER_OFFSET, &ver, 4);
	return k;
}

/*
 * The handover version is read only from a kernel_info that holds it: an
 * older kernel's shorter kernel_info, an older boot protocol or a
 * truncated image say 0 (no handover), never a byte beyond them.
 */
static void mk_kernel_info_handover_field(struct kunit *test)
{
	size_t len = 8192, ki = 5 * 512 + 0x100;
	u8 *k = mk_test_bzimage(test, len, 0x18);

	KUNIT_EXPECT_EQ(test, mk_kernel_info_u32(k, len, MK_X86_KERNEL_INFO_HANDOVER_OFFSET),
			(u32)MK_X86_KERNEL_INFO_HANDOVER);
	k = mk_test_bzimage(test, len, 0x14);
	KUNIT_EXPECT_EQ(test, mk_kernel_info_u32(k, len, MK_X86_KERNEL_INFO_HANDOVER_OFFSET),
			0);
	k = mk_test_bzimage(test, len, 0x18);
	KUNIT_EXPECT_EQ(test, mk_kernel_info_u32(k, ki + 0x17,
						 MK_X86_KERNEL_INFO_HANDOVER_OFFSET), 0);
	((struct setup_header *)(k + 0x1f1))->version = 0x020e;
	KUNIT_EXPECT_EQ(test, mk_kernel_info_u32(k, len, MK_X86_KERNEL_INFO_HANDOVER_OFFSET),
			0);
}

static struct kunit_case mk_handover_test_cases[] = {
	KUNIT_CASE(mk_e820_keep_off_splits),
	KUNIT_CASE(mk_e820_keep_off_edges),
	KUNIT_CASE(mk_e820_keep_off_full),
	KUNIT_CASE(mk_kernel_info_handover_field),
	{}
};

static struct kunit_suite mk_handover_suite = {
	.name = "multikernel_x86_handover",
	.test_cases = mk_handover_test_cases,
};

kunit_test_suite(mk_handover_suite);

MODULE_DESCRIPTION("KUnit test for the x86 multikernel host handover");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
