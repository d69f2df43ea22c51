// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for what an x86 multikernel instance is told at boot: the
 * layout check, the e820 map, the boot_params clean-up, the handoff and
 * shared-region checks, and the start trampoline's page tables.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/e820/types.h>
#include <asm/pgtable_types.h>
#include <asm/setup.h>

#include "mk_x86.h"

static const struct mk_x86_layout mk_good_layout = {
	.low_base = 0x80000, .low_size = SZ_64K,
	.ram_base = 0x70000000, .ram_size = SZ_128M - SZ_1M,
	.shared_base = 0x70000000 + SZ_128M - SZ_1M, .shared_size = SZ_1M,
};

struct mk_layout_case {
	const char *desc;
	void (*bend)(struct mk_x86_layout *l);
};

static void bend_low_high(struct mk_x86_layout *l)
{
	l->low_base = 0x98000;
}

static void bend_low_empty(struct mk_x86_layout *l)
{
	l->low_size = 0;
}

static void bend_low_unaligned(struct mk_x86_layout *l)
{
	l->low_base += 8;
}

static void bend_ram_low(struct mk_x86_layout *l)
{
	l->ram_base = 0x80000;
}

static void bend_ram_unaligned(struct mk_x86_layout *l)
{
	l->ram_size += 1;
}

static void bend_overlap(struct mk_x86_layout *l)
{
	l->shared_base -= SZ_4K;
}

static void bend_wrap(struct mk_x86_layout *l)
{
	l->ram_size = -SZ_4K;
}

static void bend_no_shared(struct mk_x86_layout *l)
{
	l->shared_size = 0;
}

static const struct mk_layout_case mk_layout_cases[] = {
	{ "low window reaches the ISA hole", bend_low_high },
	{ "empty low window", bend_low_empty },
	{ "unaligned low window", bend_low_unaligned },
	{ "main memory below 1 MiB", bend_ram_low },
	{ "unaligned main memory", bend_ram_unaligned },
	{ "shared region overlaps main memory", bend_overlap },
	{ "main memory wraps", bend_wrap },
	{ "no shared region", bend_no_shared },
};

static void mk_layout_case_desc(const struct mk_layout_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_layout, mk_layout_cases, mk_layout_case_desc);

static void mk_layout_bad(struct kunit *test)
{
	const struct mk_layout_case *c = test->param_value;
	struct mk_x86_layout l = mk_good_layout;
	struct boot_e820_entry tbl[4];

	KUNIT_ASSERT_EQ(test, mk_layout_check(&l), 0);
	c->bend(&l);
	KUNIT_EXPECT_EQ(test, mk_layout_check(&l), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_e820_build(&l, tbl, ARRAY_SIZE(tbl)), -EINVAL);
}

static void mk_e820_good(struct kunit *test)
{
	struct boot_e820_entry tbl[4] = {};

	KUNIT_ASSERT_EQ(test, mk_e820_build(&mk_good_layout, tbl, 4), 3);
	KUNIT_EXPECT_EQ(test, tbl[0].addr, 0x80000);
	KUNIT_EXPECT_EQ(test, tbl[0].size, SZ_64K);
	KUNIT_EXPECT_EQ(test, tbl[0].type, E820_TYPE_RAM);
	KUNIT_EXPECT_EQ(test, tbl[1].addr, 0x70000000);
	KUNIT_EXPECT_EQ(test, tbl[1].size, SZ_128M - SZ_1M);
	KUNIT_EXPECT_EQ(test, tbl[1].type, E820_TYPE_RAM);
	KUNIT_EXPECT_EQ(test, tbl[2].addr, 0x70000000 + SZ_128M - SZ_1M);
	KUNIT_EXPECT_EQ(test, tbl[2].size, SZ_1M);
	KUNIT_EXPECT_EQ(test, tbl[2].type, E820_TYPE_RESERVED);
	KUNIT_EXPECT_EQ(test, tbl[3].size, 0);
}

static void mk_e820_sorted(struct kunit *test)
{
	struct mk_x86_layout l = mk_good_layout;
	struct boot_e820_entry tbl[3];

	/* shared region below main memory */
	l.shared_base = 0x70000000;
	l.ram_base = 0x70000000 + SZ_1M;
	KUNIT_ASSERT_EQ(test, mk_e820_build(&l, tbl, 3), 3);
	KUNIT_EXPECT_EQ(test, tbl[1].type, E820_TYPE_RESERVED);
	KUNIT_EXPECT_EQ(test, tbl[2].type, E820_TYPE_RAM);
	KUNIT_EXPECT_LT(test, tbl[1].addr, tbl[2].addr);
}

static void mk_e820_too_small(struct kunit *test)
{
	struct boot_e820_entry tbl[2];

	KUNIT_EXPECT_EQ(test, mk_e820_build(&mk_good_layout, tbl, 2), -ENOSPC);
}

/* A loader buffer: boot_params, then room for setup_data entries. */
#define MK_BUF_PHYS	0x7000000ULL
#define MK_BUF_LEN	(sizeof(struct boot_params) + 256)

static struct setup_data *mk_buf_sd(struct boot_params *bp, size_t off,
				    u32 type, u32 len, u64 next)
{
	struct setup_data *sd = (void *)bp + off;

	sd->type = type;
	sd->len = len;
	sd->next = next;
	return sd;
}

#define OFF(n)	(sizeof(struct boot_params) + (n) * 64)

static void mk_sd_filter_keeps_seed(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);
	struct setup_data *efi, *seed, *ima;

	KUNIT_ASSERT_NOT_NULL(test, bp);
	ima = mk_buf_sd(bp, OFF(2), SETUP_IMA, 16, 0);
	seed = mk_buf_sd(bp, OFF(1), SETUP_RNG_SEED, 32, MK_BUF_PHYS + OFF(2));
	efi = mk_buf_sd(bp, OFF(0), SETUP_EFI, 40, MK_BUF_PHYS + OFF(1));
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(0);

	KUNIT_ASSERT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS), 0);
	KUNIT_EXPECT_EQ(test, bp->hdr.setup_data, MK_BUF_PHYS + OFF(1));
	KUNIT_EXPECT_EQ(test, seed->next, 0);
	KUNIT_EXPECT_NULL(test, mk_setup_data_find(bp, MK_BUF_LEN, MK_BUF_PHYS,
						   SETUP_IMA));
	KUNIT_EXPECT_PTR_EQ(test, mk_setup_data_find(bp, MK_BUF_LEN, MK_BUF_PHYS,
						     SETUP_RNG_SEED), seed);
	KUNIT_EXPECT_NULL(test, mk_setup_data_find(bp, MK_BUF_LEN, MK_BUF_PHYS,
						   SETUP_EFI));
	(void)efi;
	(void)ima;
}

static void mk_sd_filter_drops_all(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	mk_buf_sd(bp, OFF(1), SETUP_E820_EXT, 20, 0);
	mk_buf_sd(bp, OFF(0), SETUP_DTB, 20, MK_BUF_PHYS + OFF(1));
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(0);
	KUNIT_ASSERT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS), 0);
	KUNIT_EXPECT_EQ(test, bp->hdr.setup_data, 0);
}

static void mk_sd_filter_outside(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	/* an entry beyond the buffer */
	bp->hdr.setup_data = MK_BUF_PHYS + MK_BUF_LEN;
	KUNIT_EXPECT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS),
			-EINVAL);
	/* an entry whose data runs past the buffer */
	mk_buf_sd(bp, OFF(3), SETUP_RNG_SEED, 200, 0);
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(3);
	KUNIT_EXPECT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS),
			-EINVAL);
	/* below the buffer */
	bp->hdr.setup_data = MK_BUF_PHYS - 16;
	KUNIT_EXPECT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS),
			-EINVAL);
}

static void mk_sd_filter_loop(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	mk_buf_sd(bp, OFF(0), SETUP_RNG_SEED, 8, MK_BUF_PHYS + OFF(0));
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(0);
	KUNIT_EXPECT_EQ(test, mk_setup_data_filter(bp, MK_BUF_LEN, MK_BUF_PHYS),
			-EINVAL);
}

static void mk_bp_prepare_good(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);
	const u64 handoff = 0x77f01000;

	KUNIT_ASSERT_NOT_NULL(test, bp);
	bp->acpi_rsdp_addr = 0xf0000;
	bp->e820_entries = 7;
	memcpy(&bp->efi_info.efi_loader_signature, "EL64", 4);
	bp->screen_info.orig_video_isVGA = 1;
	bp->screen_info.orig_video_lines = 25;
	bp->eddbuf_entries = 2;
	mk_buf_sd(bp, OFF(0), SETUP_EFI, 8, 0);
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(0);

	KUNIT_ASSERT_EQ(test, mk_boot_params_prepare(bp, MK_BUF_LEN, MK_BUF_PHYS,
						     &mk_good_layout, handoff), 0);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, 3);
	KUNIT_EXPECT_EQ(test, bp->e820_table[1].addr, 0x70000000);
	KUNIT_EXPECT_EQ(test, bp->acpi_rsdp_addr, 0);
	KUNIT_EXPECT_EQ(test, bp->efi_info.efi_loader_signature, 0);
	KUNIT_EXPECT_EQ(test, bp->screen_info.orig_video_lines, 0);
	KUNIT_EXPECT_EQ(test, bp->eddbuf_entries, 0);
	KUNIT_EXPECT_EQ(test, bp->hdr.setup_data, handoff);
}

/* Nothing of the host's boot_params but the setup header passes. */
static void mk_bp_prepare_clears_rest(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);
	struct setup_data *efi;
	const u8 *b = (const u8 *)bp;
	size_t i, hdr = offsetof(struct boot_params, hdr);
	size_t e820 = offsetof(struct boot_params, e820_table);

	KUNIT_ASSERT_NOT_NULL(test, bp);
	memset(bp, 0xa5, sizeof(*bp));
	efi = mk_buf_sd(bp, OFF(0), SETUP_EFI, 40, 0);
	memset(efi->data, 0xa5, 40);
	bp->hdr.setup_data = MK_BUF_PHYS + OFF(0);

	KUNIT_ASSERT_EQ(test, mk_boot_params_prepare(bp, MK_BUF_LEN, MK_BUF_PHYS,
						     &mk_good_layout, 0x1000), 0);
	KUNIT_EXPECT_EQ(test, bp->ext_ramdisk_image, 0xa5a5a5a5);
	KUNIT_EXPECT_EQ(test, bp->ext_cmd_line_ptr, 0xa5a5a5a5);
	KUNIT_EXPECT_EQ(test, bp->hdr.cmd_line_ptr, 0xa5a5a5a5);
	KUNIT_EXPECT_EQ(test, bp->e820_entries, 3);
	for (i = 0; i < sizeof(*bp); i++) {
		if (i >= hdr && i < hdr + sizeof(bp->hdr))
			continue;
		if (i >= e820 && i < e820 + 3 * sizeof(bp->e820_table[0]))
			continue;
		if (i >= offsetof(struct boot_params, ext_ramdisk_image) &&
		    i < offsetof(struct boot_params, ext_cmd_line_ptr) + 4)
			continue;
		if (i == offsetof(struct boot_params, e820_entries))
			continue;
		KUNIT_ASSERT_EQ_MSG(test, b[i], 0, "boot_params byte %zu", i);
	}
	for (i = 0; i < sizeof(*efi) + 40; i++)
		KUNIT_ASSERT_EQ_MSG(test, ((u8 *)efi)[i], 0, "setup_data byte %zu", i);
}

static void mk_bp_prepare_bad(struct kunit *test)
{
	struct boot_params *bp = kunit_kzalloc(test, MK_BUF_LEN, GFP_KERNEL);
	struct mk_x86_layout l = mk_good_layout;

	KUNIT_ASSERT_NOT_NULL(test, bp);
	KUNIT_EXPECT_EQ(test, mk_boot_params_prepare(bp, sizeof(*bp) - 1, MK_BUF_PHYS,
						     &l, 0x1000), -EINVAL);
	l.low_size = 0;
	KUNIT_EXPECT_EQ(test, mk_boot_params_prepare(bp, MK_BUF_LEN, MK_BUF_PHYS,
						     &l, 0x1000), -EINVAL);
	KUNIT_EXPECT_EQ(test, bp->hdr.setup_data, 0);
}

static void mk_good_handoff(struct multikernel_handoff *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = MULTIKERNEL_HANDOFF_MAGIC;
	h->version = MULTIKERNEL_HANDOFF_VERSION;
	h->size = sizeof(*h);
	h->instance_id = 3;
	strscpy(h->name, "web-1", sizeof(h->name));
	h->tsc_khz = 2600000;
	h->apic_timer_khz = 1000000;
	h->bsp_apic_id = 0;
	h->shared_phys = 0x77f00000;
	h->shared_size = SZ_1M;
	h->nr_cpus = 2;
	h->apic_ids[0] = 2;
	h->apic_ids[1] = 3;
}

static void mk_handoff_good(struct kunit *test)
{
	struct multikernel_handoff *h, *out;
	const char *why = NULL;

	h = kunit_kzalloc(test, sizeof(*h) + 64, GFP_KERNEL);
	out = kunit_kzalloc(test, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, out);
	mk_good_handoff(h);
	KUNIT_ASSERT_EQ(test, mk_handoff_check(h, sizeof(*h), out, &why), 0);
	KUNIT_EXPECT_EQ(test, out->apic_ids[1], 3);
	KUNIT_EXPECT_STREQ(test, (char *)out->name, "web-1");

	/* a newer host's larger handoff is accepted, the tail ignored */
	h->size = sizeof(*h) + 64;
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h) + 64, out, &why), 0);

	/* the flag defined: the host trusts the TSC */
	h->flags = MULTIKERNEL_HANDOFF_TSC_RELIABLE;
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h) + 64, out, &why), 0);
	KUNIT_EXPECT_EQ(test, out->flags, MULTIKERNEL_HANDOFF_TSC_RELIABLE);

	/*
	 * An older host's handoff ends after apic_ids: accepted, and what it
	 * did not send reads as 0, whatever follows it in memory.
	 */
	h->size = MULTIKERNEL_HANDOFF_SIZE_MIN;
	h->host_realtime_tsc = 12345;
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h), out, &why), 0);
	KUNIT_EXPECT_EQ(test, out->apic_ids[1], 3);
	KUNIT_EXPECT_EQ(test, out->host_realtime_tsc, 0);
	h->size = sizeof(*h);
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h), out, &why), 0);
	KUNIT_EXPECT_EQ(test, out->host_realtime_tsc, 12345);
}

/* The host's wall clock at a TSC value, and when the handoff cannot say. */
static void mk_handoff_realtime_test(struct kunit *test)
{
	const u64 epoch = 1790000000ULL * NSEC_PER_SEC;
	struct multikernel_handoff *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	mk_good_handoff(h);		/* 2.6 GHz */
	h->flags = MULTIKERNEL_HANDOFF_TSC_RELIABLE;
	h->host_realtime_ns = epoch;
	h->host_realtime_tsc = 1000;

	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 1000), epoch);
	/* 2600 cycles are a microsecond, 2.6e9 a second */
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 1000 + 2600), epoch + 1000);
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 1000 + 2600000000ULL),
			epoch + NSEC_PER_SEC);
	/* a year of cycles does not overflow on the way */
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 1000 + 2600000000ULL * 31536000),
			epoch + 31536000ULL * NSEC_PER_SEC);

	/* a TSC before the host's reading, no reading, an untrusted TSC */
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 999), epoch);
	h->host_realtime_tsc = 0;
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 5000000), epoch);
	h->host_realtime_tsc = 1000;
	h->flags = 0;
	KUNIT_EXPECT_EQ(test, mk_handoff_realtime(h, 5000000), epoch);
}

struct mk_handoff_case {
	const char *desc;
	void (*bend)(struct multikernel_handoff *h);
	int err;
};

static void hb_magic(struct multikernel_handoff *h)
{
	h->magic++;
}

static void hb_version(struct multikernel_handoff *h)
{
	h->version = 2;
}

static void hb_small(struct multikernel_handoff *h)
{
	h->size = 64;
}

static void hb_short(struct multikernel_handoff *h)
{
	h->size = MULTIKERNEL_HANDOFF_SIZE_MIN - 1;
}

static void hb_big(struct multikernel_handoff *h)
{
	h->size = sizeof(*h) + 1;
}

static void hb_flags(struct multikernel_handoff *h)
{
	h->flags = 1U << 31;
}

static void hb_name_empty(struct multikernel_handoff *h)
{
	h->name[0] = 0;
}

static void hb_name_char(struct multikernel_handoff *h)
{
	h->name[1] = 'A';
}

static void hb_name_unterminated(struct multikernel_handoff *h)
{
	memset(h->name, 'a', sizeof(h->name));
}

static void hb_no_cpus(struct multikernel_handoff *h)
{
	h->nr_cpus = 0;
}

static void hb_many_cpus(struct multikernel_handoff *h)
{
	h->nr_cpus = MULTIKERNEL_MAX_CPUS + 1;
}

static void hb_dup_cpu(struct multikernel_handoff *h)
{
	h->apic_ids[1] = 2;
}

static void hb_bsp(struct multikernel_handoff *h)
{
	h->apic_ids[1] = 0;
}

static void hb_tsc(struct multikernel_handoff *h)
{
	h->tsc_khz = 0;
}

static void hb_shared_unaligned(struct multikernel_handoff *h)
{
	h->shared_phys++;
}

static void hb_shared_small(struct multikernel_handoff *h)
{
	h->shared_size = 0;
}

static void hb_lockdown(struct multikernel_handoff *h)
{
	h->lockdown = MULTIKERNEL_LOCKDOWN_CONFIDENTIALITY + 1;
}

static const struct mk_handoff_case mk_handoff_cases[] = {
	{ "bad magic", hb_magic, -EINVAL },
	{ "other version", hb_version, -EPROTO },
	{ "size below the layout", hb_small, -EINVAL },
	{ "size short of apic_ids", hb_short, -EINVAL },
	{ "size beyond setup_data", hb_big, -EINVAL },
	{ "unknown flags", hb_flags, -EINVAL },
	{ "empty name", hb_name_empty, -EINVAL },
	{ "upper-case name", hb_name_char, -EINVAL },
	{ "unterminated name", hb_name_unterminated, -EINVAL },
	{ "no CPUs", hb_no_cpus, -EINVAL },
	{ "too many CPUs", hb_many_cpus, -EINVAL },
	{ "duplicate APIC ID", hb_dup_cpu, -EINVAL },
	{ "the BSP among the CPUs", hb_bsp, -EINVAL },
	{ "no TSC frequency", hb_tsc, -EINVAL },
	{ "unaligned shared region", hb_shared_unaligned, -EINVAL },
	{ "empty shared region", hb_shared_small, -EINVAL },
	{ "unknown lockdown level", hb_lockdown, -EINVAL },
};

static void mk_handoff_case_desc(const struct mk_handoff_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(mk_handoff, mk_handoff_cases, mk_handoff_case_desc);

static void mk_handoff_bad(struct kunit *test)
{
	const struct mk_handoff_case *c = test->param_value;
	struct multikernel_handoff *h, *out;
	const char *why = NULL;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	out = kunit_kzalloc(test, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, out);
	mk_good_handoff(h);
	c->bend(h);
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h), out, &why), c->err);
	KUNIT_EXPECT_NOT_NULL(test, why);
	KUNIT_EXPECT_EQ(test, out->magic, 0);
}

static void mk_handoff_short(struct kunit *test)
{
	struct multikernel_handoff *h, *out;
	const char *why;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	out = kunit_kzalloc(test, sizeof(*out), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_NOT_NULL(test, out);
	mk_good_handoff(h);
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, 8, out, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_handoff_check(h, sizeof(*h) - 4, out, &why),
			-EINVAL);
}

static void mk_shared_checks(struct kunit *test)
{
	struct multikernel_shared sh = {
		.magic = MULTIKERNEL_SHARED_MAGIC,
		.version = MULTIKERNEL_SHARED_VERSION,
		.size = sizeof(sh),
		.msg_offset = 0x10000,
		.msg_size = SZ_512K,
	};
	const char *why;

	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), 0);
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, 0x10000 + SZ_512K - 1, &why),
			-EINVAL);
	sh.msg_size = 0;
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), -EINVAL);
	sh.msg_size = SZ_512K;
	sh.msg_offset = 0x10020;	/* not aligned */
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), -EINVAL);
	sh.msg_offset = 16;		/* inside the head */
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), -EINVAL);
	sh.msg_offset = 0xfffff000;	/* wraps */
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), -EINVAL);
	sh.msg_offset = 0x10000;
	sh.version = 1;
	KUNIT_EXPECT_EQ(test, mk_shared_check(&sh, SZ_1M, &why), -EINVAL);
}

/* Page tables built in plain kernel memory at made-up physical addresses. */
struct mk_pgt_fixture {
	struct mk_pgt p;
	u64 *pool;
};

static u64 mk_pgt_walk(struct mk_pgt_fixture *f, u64 addr, unsigned int *level)
{
	u64 *tbl = f->p.top, e = 0;
	unsigned int l;

	for (l = f->p.levels; l; l--) {
		e = tbl[(addr >> (PAGE_SHIFT + 9 * (l - 1))) & 511];
		if (!(e & _PAGE_PRESENT) || l == 1 || (e & _PAGE_PSE))
			break;
		tbl = f->pool + ((e & PTE_PFN_MASK) - f->p.pool_phys) / sizeof(u64);
	}
	*level = l;
	return e;
}

static void mk_pgt_setup(struct kunit *test, struct mk_pgt_fixture *f,
			 unsigned int levels, bool gb, unsigned int pages)
{
	f->pool = kunit_kzalloc(test, pages * PAGE_SIZE, GFP_KERNEL);
	f->p.top = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->pool);
	KUNIT_ASSERT_NOT_NULL(test, f->p.top);
	f->p.pool = f->pool;
	f->p.pool_phys = 0x77f02000;
	f->p.pool_pages = pages;
	f->p.levels = levels;
	f->p.gbpages = gb;
	f->p.nx = _PAGE_NX;
	mk_pgt_init(&f->p);
}

static void mk_pgt_permissions(struct kunit *test)
{
	struct mk_pgt_fixture f;
	unsigned int level;
	u64 e;

	mk_pgt_setup(test, &f, 4, false, 8);
	KUNIT_ASSERT_EQ(test, mk_pgt_map(&f.p, 0x80000, 0x81000, 0), 0);
	KUNIT_ASSERT_EQ(test, mk_pgt_map(&f.p, 0x81000, 0x83000, _PAGE_RW | _PAGE_NX), 0);
	KUNIT_ASSERT_EQ(test, mk_pgt_map(&f.p, 0x70000000, 0x77f00000, _PAGE_RW), 0);

	e = mk_pgt_walk(&f, 0x80000, &level);
	KUNIT_EXPECT_EQ(test, level, 1);
	KUNIT_EXPECT_EQ(test, e & PTE_PFN_MASK, 0x80000);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_RW);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_NX);

	e = mk_pgt_walk(&f, 0x82000, &level);
	KUNIT_EXPECT_TRUE(test, e & _PAGE_RW);
	KUNIT_EXPECT_TRUE(test, e & _PAGE_NX);

	/* not mapped: the page after the data pages, the host's memory */
	e = mk_pgt_walk(&f, 0x83000, &level);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_PRESENT);
	e = mk_pgt_walk(&f, 0x6fe00000, &level);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_PRESENT);

	/* main memory with 2 MiB pages, executable */
	e = mk_pgt_walk(&f, 0x72345000, &level);
	KUNIT_EXPECT_EQ(test, level, 2);
	KUNIT_EXPECT_TRUE(test, e & _PAGE_PSE);
	KUNIT_EXPECT_EQ(test, e & PTE_PFN_MASK, 0x72200000);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_NX);
	/* its last, partial 2 MiB block with 4 KiB pages */
	e = mk_pgt_walk(&f, 0x77eff000, &level);
	KUNIT_EXPECT_EQ(test, level, 1);
	e = mk_pgt_walk(&f, 0x77f00000, &level);
	KUNIT_EXPECT_FALSE(test, e & _PAGE_PRESENT);
}

static void mk_pgt_gbpages_and_5level(struct kunit *test)
{
	struct mk_pgt_fixture f;
	unsigned int level;
	u64 e;

	mk_pgt_setup(test, &f, 5, true, 8);
	KUNIT_ASSERT_EQ(test, mk_pgt_map(&f.p, SZ_1G - SZ_2M, 3ULL * SZ_1G,
					 _PAGE_RW), 0);
	e = mk_pgt_walk(&f, SZ_1G + 12345, &level);
	KUNIT_EXPECT_EQ(test, level, 3);
	KUNIT_EXPECT_EQ(test, e & PTE_PFN_MASK, SZ_1G);
	e = mk_pgt_walk(&f, SZ_1G - SZ_1M, &level);
	KUNIT_EXPECT_EQ(test, level, 2);
	/* PML4, PDPT and one PD */
	KUNIT_EXPECT_EQ(test, f.p.used, 3);
}

static void mk_pgt_errors(struct kunit *test)
{
	struct mk_pgt_fixture f;

	mk_pgt_setup(test, &f, 4, false, 2);
	KUNIT_EXPECT_EQ(test, mk_pgt_map(&f.p, 0x1001, 0x3000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_pgt_map(&f.p, 0x3000, 0x1000, 0), -EINVAL);
	/* PDPT and PD fit, the PT does not */
	KUNIT_EXPECT_EQ(test, mk_pgt_map(&f.p, 0x1000, 0x2000, 0), -ENOSPC);
	mk_pgt_setup(test, &f, 4, false, 4);
	KUNIT_ASSERT_EQ(test, mk_pgt_map(&f.p, SZ_2M, SZ_4M, 0), 0);
	KUNIT_EXPECT_EQ(test, mk_pgt_map(&f.p, SZ_2M + SZ_4K, SZ_2M + SZ_8K, 0),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, mk_pgt_map(&f.p, SZ_2M, SZ_4M, 0), -EEXIST);
}

/**
 * struct mk_period_case - APIC timer clock and HZ, and ticks per jiffy
 * @desc:	what the case checks
 * @khz:	the timer's input clock
 * @hz:		jiffies per second
 * @period:	the expected lapic_timer_period
 */
struct mk_period_case {
	const char *desc;
	u32 khz;
	u32 hz;
	u32 period;
};

static const struct mk_period_case mk_period_cases[] = {
	{ "HZ=1000", 1000000, 1000, 1000000 },
	{ "HZ=250", 1000000, 250, 4000000 },
	{ "HZ=100", 1000000, 100, 10000000 },
	/* 1000 / 300 truncates to 3: the period must not be 3000000. */
	{ "HZ=300", 1000000, 300, 3333333 },
	{ "HZ=300, 25 MHz", 25000, 300, 83333 },
	{ "not calibrated", 0, 300, 0 },
	{ "too fast for 32 bits", U32_MAX, 100, U32_MAX },
};

KUNIT_ARRAY_PARAM_DESC(mk_period, mk_period_cases, desc);

static void mk_apic_timer_period_hz(struct kunit *test)
{
	const struct mk_period_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, mk_apic_timer_period(c->khz, c->hz), c->period);
}

static struct kunit_case mk_handoff_test_cases[] = {
	KUNIT_CASE_PARAM(mk_layout_bad, mk_layout_gen_params),
	KUNIT_CASE(mk_e820_good),
	KUNIT_CASE(mk_e820_sorted),
	KUNIT_CASE(mk_e820_too_small),
	KUNIT_CASE(mk_sd_filter_keeps_seed),
	KUNIT_CASE(mk_sd_filter_drops_all),
	KUNIT_CASE(mk_sd_filter_outside),
	KUNIT_CASE(mk_sd_filter_loop),
	KUNIT_CASE(mk_bp_prepare_good),
	KUNIT_CASE(mk_bp_prepare_clears_rest),
	KUNIT_CASE(mk_bp_prepare_bad),
	KUNIT_CASE(mk_handoff_good),
	KUNIT_CASE_PARAM(mk_handoff_bad, mk_handoff_gen_params),
	KUNIT_CASE(mk_handoff_short),
	KUNIT_CASE(mk_handoff_realtime_test),
	KUNIT_CASE(mk_shared_checks),
	KUNIT_CASE_PARAM(mk_apic_timer_period_hz, mk_period_gen_params),
	KUNIT_CASE(mk_pgt_permissions),
	KUNIT_CASE(mk_pgt_gbpages_and_5level),
	KUNIT_CASE(mk_pgt_errors),
	{}
};

static struct kunit_suite mk_handoff_suite = {
	.name = "multikernel_x86_handoff",
	.test_cases = mk_handoff_test_cases,
};

kunit_test_suite(mk_handoff_suite);

MODULE_DESCRIPTION("KUnit tests for the x86 multikernel handoff");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
