// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a multikernel instance is told at boot, as pure functions.
 *
 * The host builds an instance's boot_params from the template the kexec
 * bzImage loader produced: an e820 map with only the instance's memory, no
 * firmware tables, and a setup_data chain that starts with the handoff.
 * The instance checks the handoff and the shared region before it trusts
 * them. Nothing here touches hardware, so handoff_kunit.c tests it all.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/ctype.h>
#include <linux/align.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <asm/e820/types.h>
#include <asm/page_types.h>
#include <asm/setup.h>

#include "mk_x86.h"

static_assert(sizeof(struct multikernel_handoff) == 1144);
static_assert(offsetofend(struct multikernel_handoff, apic_ids) ==
	      MULTIKERNEL_HANDOFF_SIZE_MIN);
/* The handoff carries the core's lockdown levels as they are. */
static_assert(MULTIKERNEL_LOCKDOWN_NONE == MK_LOCKDOWN_NONE);
static_assert(MULTIKERNEL_LOCKDOWN_INTEGRITY == MK_LOCKDOWN_INTEGRITY);
static_assert(MULTIKERNEL_LOCKDOWN_CONFIDENTIALITY == MK_LOCKDOWN_CONFIDENTIALITY);
static_assert(offsetof(struct multikernel_handoff, name) == 24);
static_assert(offsetof(struct multikernel_handoff, tsc_khz) == 64);
static_assert(offsetof(struct multikernel_handoff, shared_phys) == 88);
static_assert(offsetof(struct multikernel_handoff, host_realtime_ns) == 104);
static_assert(offsetof(struct multikernel_handoff, apic_ids) == 112);
static_assert(offsetof(struct multikernel_handoff, host_realtime_tsc) == 1136);
static_assert(sizeof(struct multikernel_shared) == 32);
static_assert(offsetof(struct multikernel_shared, entry_tsc) == 24);
static_assert(offsetof(struct multikernel_shared, msg_offset) == 16);
static_assert(sizeof(struct multikernel_ctl) == 136);
static_assert(MK_SH_HANDOFF + sizeof(struct setup_data) +
	      sizeof(struct multikernel_handoff) <= MK_SH_PGTABLES);
static_assert(MK_SH_PGTABLES_END <= MK_SH_MSG && MK_SH_MSG < MK_SHARED_SIZE);

static bool mk_range_ok(u64 base, u64 size)
{
	return size && IS_ALIGNED(base, PAGE_SIZE) && IS_ALIGNED(size, PAGE_SIZE) &&
	       base + size > base;
}

static bool mk_ranges_apart(u64 a, u64 asz, u64 b, u64 bsz)
{
	return a + asz <= b || b + bsz <= a;
}

/**
 * mk_layout_check() - check that an instance's memory layout is usable
 * @l:		the layout
 *
 * The low window must be below 640 KiB, main memory above 1 MiB, and the
 * three ranges page-aligned, non-empty and apart.
 *
 * Context: Any context.
 * Return: 0 when usable, -EINVAL otherwise.
 */
int mk_layout_check(const struct mk_x86_layout *l)
{
	if (!mk_range_ok(l->low_base, l->low_size) ||
	    !mk_range_ok(l->ram_base, l->ram_size) ||
	    !mk_range_ok(l->shared_base, l->shared_size))
		return -EINVAL;
	if (l->low_base + l->low_size > MK_LOW_END || l->ram_base < SZ_1M)
		return -EINVAL;
	if (!mk_ranges_apart(l->ram_base, l->ram_size, l->shared_base,
			     l->shared_size) ||
	    l->shared_base < SZ_1M)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_layout_check);

/**
 * mk_e820_build() - the e820 map of an instance
 * @l:		its memory layout
 * @tbl:	table to fill
 * @max:	entries @tbl has room for
 *
 * Lists the low window and main memory as RAM and the shared region as
 * reserved, in address order, and nothing else: an instance never learns
 * where the host's memory or the firmware's tables are.
 *
 * Context: Any context.
 * Return: number of entries written, -EINVAL for a bad layout, -ENOSPC
 * when @tbl is too small.
 */
int mk_e820_build(const struct mk_x86_layout *l, struct boot_e820_entry *tbl,
		  unsigned int max)
{
	struct boot_e820_entry e[3] = {
		{ l->low_base, l->low_size, E820_TYPE_RAM },
		{ l->ram_base, l->ram_size, E820_TYPE_RAM },
		{ l->shared_base, l->shared_size, E820_TYPE_RESERVED },
	};

	if (mk_layout_check(l))
		return -EINVAL;
	if (max < ARRAY_SIZE(e))
		return -ENOSPC;
	/* The low window comes first; the other two in address order. */
	if (e[2].addr < e[1].addr)
		swap(e[1], e[2]);
	memcpy(tbl, e, sizeof(e));
	return ARRAY_SIZE(e);
}
EXPORT_SYMBOL_IF_KUNIT(mk_e820_build);

/* The setup_data at @phys if all of it lies in the buffer, else NULL. */
static struct setup_data *mk_sd_at(struct boot_params *bp, size_t buf_len,
				   u64 buf_phys, u64 phys)
{
	struct setup_data *sd;
	u64 off;

	if (phys < buf_phys || phys - buf_phys > buf_len ||
	    buf_len - (phys - buf_phys) < sizeof(*sd))
		return NULL;
	off = phys - buf_phys;
	sd = (void *)bp + off;
	if (sd->len > buf_len - off - sizeof(*sd))
		return NULL;
	return sd;
}

/*
 * The only setup_data from the kexec loader an instance keeps. The IMA
 * log is filled in at a kexec reboot, which never happens for an instance.
 */
static bool mk_sd_keep(u32 type)
{
	return type == SETUP_RNG_SEED;
}

/**
 * mk_setup_data_filter() - drop the setup_data an instance must not see
 * @bp:		boot_params at the start of the loader's buffer
 * @buf_len:	bytes of that buffer
 * @buf_phys:	physical address the buffer is loaded at
 *
 * The kexec bzImage loader chains the host's EFI state, an RNG seed and
 * the IMA log into the buffer that holds boot_params. Keep the RNG seed;
 * unlink the rest, firmware state above all, and clear its bytes.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL when an entry lies outside the buffer or the chain
 * is longer than the buffer could hold (a loop).
 */
int mk_setup_data_filter(struct boot_params *bp, size_t buf_len, u64 buf_phys)
{
	u64 *link = &bp->hdr.setup_data;
	unsigned int budget = buf_len / sizeof(struct setup_data);
	struct setup_data *sd;

	while (*link) {
		if (!budget--)
			return -EINVAL;
		sd = mk_sd_at(bp, buf_len, buf_phys, *link);
		if (!sd)
			return -EINVAL;
		if (mk_sd_keep(sd->type)) {
			link = &sd->next;
			continue;
		}
		/* Unlinked is not enough: the bytes go to the instance too. */
		*link = sd->next;
		memset(sd, 0, sizeof(*sd) + sd->len);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_setup_data_filter);

/**
 * mk_setup_data_find() - find a setup_data entry in the loader's buffer
 * @bp:		boot_params at the start of the buffer
 * @buf_len:	bytes of the buffer
 * @buf_phys:	physical address the buffer is loaded at
 * @type:	setup_data type to look for
 *
 * Only entries inside the buffer are considered: call it after
 * mk_setup_data_filter() succeeded, before the handoff is chained in.
 *
 * Context: Any context.
 * Return: the first entry of @type, or NULL.
 */
struct setup_data *mk_setup_data_find(struct boot_params *bp, size_t buf_len,
				      u64 buf_phys, u32 type)
{
	unsigned int budget = buf_len / sizeof(struct setup_data);
	u64 next = bp->hdr.setup_data;
	struct setup_data *sd;

	while (next && budget--) {
		sd = mk_sd_at(bp, buf_len, buf_phys, next);
		if (!sd)
			return NULL;
		if (sd->type == type)
			return sd;
		next = sd->next;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_setup_data_find);

/**
 * mk_boot_params_prepare() - turn the loader's boot_params into an instance's
 * @bp:		boot_params at the start of the loader's buffer
 * @buf_len:	bytes of that buffer
 * @buf_phys:	physical address the buffer is loaded at
 * @l:		the instance's memory layout
 * @handoff_phys: physical address of the handoff's setup_data header
 *
 * Keep of what the loader wrote only the setup header (the image's own,
 * with the command line and initramfs the loader placed) and the upper
 * halves of those addresses; clear everything else, the host's firmware
 * state above all (ACPI RSDP, EFI, EDD, screen, secure boot); put in the
 * instance's e820 map; drop all setup_data but the RNG seed and put the
 * handoff first in the chain. The handoff entry itself is written by the
 * caller.
 *
 * Context: Any context.
 * Return: 0, or -EINVAL for a bad layout or setup_data chain.
 */
int mk_boot_params_prepare(struct boot_params *bp, size_t buf_len,
			   u64 buf_phys, const struct mk_x86_layout *l,
			   u64 handoff_phys)
{
	struct boot_e820_entry e820[3];	/* low window, RAM, shared region */
	struct setup_header hdr;
	u32 ramdisk, ramdisk_size, cmd_line;
	int n, ret;

	if (buf_len < sizeof(*bp))
		return -EINVAL;
	n = mk_e820_build(l, e820, ARRAY_SIZE(e820));
	if (n < 0)
		return n;
	ret = mk_setup_data_filter(bp, buf_len, buf_phys);
	if (ret)
		return ret;

	hdr = bp->hdr;
	ramdisk = bp->ext_ramdisk_image;
	ramdisk_size = bp->ext_ramdisk_size;
	cmd_line = bp->ext_cmd_line_ptr;
	memset(bp, 0, sizeof(*bp));
	bp->hdr = hdr;
	bp->ext_ramdisk_image = ramdisk;
	bp->ext_ramdisk_size = ramdisk_size;
	bp->ext_cmd_line_ptr = cmd_line;
	memcpy(bp->e820_table, e820, n * sizeof(e820[0]));
	bp->e820_entries = n;
	/* The handoff goes first; it points on to what the loader left. */
	bp->hdr.setup_data = handoff_phys;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_boot_params_prepare);

static bool mk_name_ok(const u8 *name, size_t max)
{
	size_t i;

	for (i = 0; i < max && name[i]; i++)
		if (!isdigit(name[i]) && !islower(name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return i > 0 && i < max && i <= MULTIKERNEL_NAME_MAX;
}

/**
 * mk_handoff_check() - validate a handoff and copy it out
 * @data:	the handoff as found in setup_data; the first
 *		min(@len, sizeof(*@out)) bytes are read
 * @len:	the setup_data's length
 * @out:	filled with the handoff; members the host did not send (an
 *		older host's shorter handoff) are 0
 * @why:	set to what is wrong on error
 *
 * Context: Any context.
 * Return: 0, -EINVAL for a malformed handoff, -EPROTO for a version this
 * kernel does not speak.
 */
int mk_handoff_check(const void *data, u32 len,
		     struct multikernel_handoff *out, const char **why)
{
	const struct multikernel_handoff *h = data;
	u32 i, j;

	memset(out, 0, sizeof(*out));
	if (len < offsetof(struct multikernel_handoff, size) + sizeof(h->size)) {
		*why = "too short";
		return -EINVAL;
	}
	if (h->magic != MULTIKERNEL_HANDOFF_MAGIC) {
		*why = "bad magic";
		return -EINVAL;
	}
	if (h->version != MULTIKERNEL_HANDOFF_VERSION) {
		*why = "unknown version";
		return -EPROTO;
	}
	if (h->size < MULTIKERNEL_HANDOFF_SIZE_MIN || h->size > len) {
		*why = "bad size";
		return -EINVAL;
	}
	memcpy(out, h, min_t(size_t, h->size, sizeof(*out)));

	*why = "bad flags";
	if (out->flags & ~MULTIKERNEL_HANDOFF_TSC_RELIABLE)
		goto bad;
	*why = "bad lockdown level";
	if (out->lockdown > MULTIKERNEL_LOCKDOWN_CONFIDENTIALITY)
		goto bad;
	*why = "bad name";
	if (!mk_name_ok(out->name, sizeof(out->name)))
		goto bad;
	*why = "bad CPU count";
	if (!out->nr_cpus || out->nr_cpus > MULTIKERNEL_MAX_CPUS)
		goto bad;
	*why = "no TSC frequency";
	if (!out->tsc_khz)
		goto bad;
	*why = "bad shared region";
	if (!mk_range_ok(out->shared_phys, out->shared_size) ||
	    out->shared_size < sizeof(struct multikernel_shared))
		goto bad;
	*why = "bad APIC IDs";
	for (i = 0; i < out->nr_cpus; i++) {
		if (out->apic_ids[i] == out->bsp_apic_id)
			goto bad;
		for (j = 0; j < i; j++)
			if (out->apic_ids[i] == out->apic_ids[j])
				goto bad;
	}
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(mk_handoff_check);

/**
 * mk_shared_check() - validate the head of a shared region
 * @sh:		the region's head, as the other kernel left it
 * @region_size: bytes of the region
 * @why:	set to what is wrong on error
 *
 * The messaging region must lie inside the shared region, after the head,
 * aligned to MULTIKERNEL_RING_ALIGN.
 *
 * Context: Any context.
 * Return: 0 or -EINVAL.
 */
int mk_shared_check(const struct multikernel_shared *sh, u64 region_size,
		    const char **why)
{
	u32 off = READ_ONCE(sh->msg_offset);
	u32 size = READ_ONCE(sh->msg_size);

	if (READ_ONCE(sh->magic) != MULTIKERNEL_SHARED_MAGIC) {
		*why = "bad magic";
		return -EINVAL;
	}
	if (READ_ONCE(sh->version) != MULTIKERNEL_SHARED_VERSION) {
		*why = "unknown version";
		return -EINVAL;
	}
	if (READ_ONCE(sh->size) < sizeof(*sh) || READ_ONCE(sh->size) > region_size) {
		*why = "bad size";
		return -EINVAL;
	}
	if (!size || off < sizeof(*sh) || off % MULTIKERNEL_RING_ALIGN ||
	    (u64)off + size > region_size) {
		*why = "bad messaging region";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_shared_check);

/**
 * mk_apic_timer_period() - local APIC timer ticks per jiffy
 * @apic_timer_khz: the timer's input clock the host measured, 0 for none
 * @hz:		jiffies per second (HZ), not 0
 *
 * What the APIC code calls lapic_timer_period, in one 64-bit step:
 * multiplying by 1000 / @hz would truncate for an @hz that does not divide
 * 1000 (300 gives 3 instead of 3.33, a timer 10% fast).
 *
 * Context: Any context.
 * Return: timer ticks per jiffy, at most U32_MAX; 0 when @apic_timer_khz
 * is 0, so that the APIC code calibrates the timer itself.
 */
u32 mk_apic_timer_period(u32 apic_timer_khz, u32 hz)
{
	u64 ticks = div_u64((u64)apic_timer_khz * 1000, hz);

	return min_t(u64, ticks, U32_MAX);
}
EXPORT_SYMBOL_IF_KUNIT(mk_apic_timer_period);

/**
 * mk_handoff_realtime() - the host's CLOCK_REALTIME at a TSC value
 * @h:		a checked handoff
 * @tsc:	a TSC reading of this machine, no earlier than the host's
 *
 * The host read its clock and the TSC together at the start; the TSC,
 * which both kernels share, counts the time since at @h->tsc_khz. An
 * instance's own clock, kept by timer ticks until the TSC becomes its
 * clocksource, falls behind by every tick that comes late, so it asks
 * this instead.
 *
 * Context: Any context.
 * Return: nanoseconds since the epoch; @h->host_realtime_ns when the host
 * sent no TSC reading (an older host), does not trust the TSC, or @tsc is
 * before its reading.
 */
u64 mk_handoff_realtime(const struct multikernel_handoff *h, u64 tsc)
{
	if (!(h->flags & MULTIKERNEL_HANDOFF_TSC_RELIABLE) ||
	    !h->host_realtime_tsc || tsc < h->host_realtime_tsc || !h->tsc_khz)
		return h->host_realtime_ns;
	return h->host_realtime_ns +
	       mul_u64_u32_div(tsc - h->host_realtime_tsc, NSEC_PER_MSEC,
			       h->tsc_khz);
}
EXPORT_SYMBOL_IF_KUNIT(mk_handoff_realtime);
