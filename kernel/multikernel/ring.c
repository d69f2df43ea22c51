// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messaging rings.
 *
 * A messaging region shared by the host and one instance holds two
 * single-producer/single-consumer rings of fixed-size slots (layout in
 * include/linux/multikernel/wire.h, protocol in
 * Documentation/multikernel/messaging.rst). This file formats a region
 * and attaches one end to it; ring_io.c moves messages in and out. Neither
 * knows anything about interrupts: ringing the peer is a callback, so that
 * KUnit can run both ends on one buffer.
 *
 * The peer is not trusted. The geometry is read from the region once and
 * kept privately; each side keeps its own index privately and only
 * writes it to the region; every index, message header and length read
 * from the region is checked before it is used. A peer that breaks the
 * protocol breaks its end for good: every later call returns -EPROTO,
 * nothing is read or written out of bounds and nothing waits on the peer.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/build_bug.h>
#include <linux/cache.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include "internal.h"
#include "msg.h"

/* The cross-kernel layout: a change here is an ABI change. */
static_assert(sizeof(struct multikernel_ring_ctrl) == 128);
static_assert(offsetof(struct multikernel_ring_ctrl, head) == 0);
static_assert(offsetof(struct multikernel_ring_ctrl, space_wanted) == 4);
static_assert(offsetof(struct multikernel_ring_ctrl, tail) == 64);
static_assert(offsetof(struct multikernel_ring_ctrl, doorbell_wanted) == 68);

static_assert(sizeof(struct multikernel_ring_header) == 320);
static_assert(offsetof(struct multikernel_ring_header, magic) == 0);
static_assert(offsetof(struct multikernel_ring_header, version) == 4);
static_assert(offsetof(struct multikernel_ring_header, header_size) == 6);
static_assert(offsetof(struct multikernel_ring_header, region_size) == 8);
static_assert(offsetof(struct multikernel_ring_header, slot_size) == 12);
static_assert(offsetof(struct multikernel_ring_header, slot_count) == 16);
static_assert(offsetof(struct multikernel_ring_header, slots_offset) == 20);
static_assert(offsetof(struct multikernel_ring_header, flags) == 24);
static_assert(offsetof(struct multikernel_ring_header, reserved) == 28);
static_assert(offsetof(struct multikernel_ring_header, ring) == 64);

static_assert(sizeof(struct multikernel_msg_header) == 32);
static_assert(offsetof(struct multikernel_msg_header, length) == 0);
static_assert(offsetof(struct multikernel_msg_header, slots) == 4);
static_assert(offsetof(struct multikernel_msg_header, seq) == 8);
static_assert(offsetof(struct multikernel_msg_header, channel) == 12);
static_assert(offsetof(struct multikernel_msg_header, type) == 14);
static_assert(offsetof(struct multikernel_msg_header, cookie) == 16);
static_assert(offsetof(struct multikernel_msg_header, flags) == 20);
static_assert(offsetof(struct multikernel_msg_header, reserved) == 24);
static_assert(offsetof(struct multikernel_msg_header, check) == 28);

/* A message header always fits in the first slot of its message. */
static_assert(MULTIKERNEL_RING_SLOT_MIN >= MK_MSG_HDR);
/* The largest ring fits in the 32-bit region_size with room to spare. */
static_assert((u64)MULTIKERNEL_RING_SLOT_MAX * MULTIKERNEL_RING_SLOTS_MAX * 2 <
	      U32_MAX);
/* The control blocks were laid out for this line size. */
static_assert(MULTIKERNEL_RING_ALIGN == 64);

/* Where the H2I slot array starts in a region we format. */
#define MK_RING_SLOTS_OFFSET \
	ALIGN(sizeof(struct multikernel_ring_header), MULTIKERNEL_RING_ALIGN)

static bool mk_ring_geometry_ok(u32 slot_size, u32 slot_count)
{
	return is_power_of_2(slot_size) &&
	       slot_size >= MULTIKERNEL_RING_SLOT_MIN &&
	       slot_size <= MULTIKERNEL_RING_SLOT_MAX &&
	       is_power_of_2(slot_count) &&
	       slot_count >= MULTIKERNEL_RING_SLOTS_MIN &&
	       slot_count <= MULTIKERNEL_RING_SLOTS_MAX;
}

/**
 * mk_ring_region_size() - bytes a messaging region of a given shape needs
 * @slot_size:	bytes per slot
 * @slot_count:	slots per ring
 *
 * Context: Any context.
 * Return: the size of the region mk_ring_format() lays out, or 0 when
 * @slot_size or @slot_count is not allowed.
 */
u64 mk_ring_region_size(u32 slot_size, u32 slot_count)
{
	if (!mk_ring_geometry_ok(slot_size, slot_count))
		return 0;
	return MK_RING_SLOTS_OFFSET + 2 * (u64)slot_size * slot_count;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_region_size);

/**
 * mk_ring_format() - lay out an empty messaging region
 * @base:	the region, mapped writable
 * @size:	bytes at @base
 * @geo:	slot size and count, and the first index of both rings
 *
 * Zeroes the part of the region that is used and writes the header. The
 * host calls it before the instance runs; nobody else may touch the
 * region meanwhile.
 *
 * Context: Any context.
 * Return: 0 on success, -EINVAL if @geo is not allowed, -ENOSPC if the
 * region is smaller than mk_ring_region_size().
 */
int mk_ring_format(void *base, size_t size, const struct mk_ring_geometry *geo)
{
	struct multikernel_ring_header *hdr = base;
	u64 need = mk_ring_region_size(geo->slot_size, geo->slot_count);
	int i;

	if (!need)
		return -EINVAL;
	if (size < need)
		return -ENOSPC;

	memset(base, 0, need);
	hdr->magic = MULTIKERNEL_RING_MAGIC;
	hdr->version = MULTIKERNEL_RING_VERSION;
	hdr->header_size = sizeof(*hdr);
	hdr->region_size = need;
	hdr->slot_size = geo->slot_size;
	hdr->slot_count = geo->slot_count;
	hdr->slots_offset = MK_RING_SLOTS_OFFSET;
	for (i = 0; i < ARRAY_SIZE(hdr->ring); i++) {
		hdr->ring[i].head = geo->first_index;
		hdr->ring[i].tail = geo->first_index;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_format);

/**
 * mk_ring_break() - mark an end broken: its peer broke the protocol
 * @end:	the end
 * @why:	what the peer did, a string that lives as long as @end
 *
 * Every later call on @end fails with -EPROTO. Only the first reason is
 * kept and logged.
 *
 * Context: Any context.
 * Return: -EPROTO, the error every caller passes on.
 */
int mk_ring_break(struct mk_ring_end *end, const char *why)
{
	if (!cmpxchg(&end->broken, NULL, why))
		pr_err_ratelimited("%s: messaging ring broken: %s\n", end->name,
				   why);
	return -EPROTO;
}

/* Why the header copy @h does not describe a usable region of @size bytes. */
static const char *mk_ring_header_error(const struct multikernel_ring_header *h,
					size_t size, bool resume)
{
	u64 ring_bytes = (u64)h->slot_size * h->slot_count;
	int i;

	if (h->magic != MULTIKERNEL_RING_MAGIC)
		return "bad magic";
	if (h->header_size < sizeof(*h))
		return "header size too small";
	for (i = 0; i < ARRAY_SIZE(h->reserved); i++)
		if (h->reserved[i])
			return "reserved header field set";
	if (!mk_ring_geometry_ok(h->slot_size, h->slot_count))
		return "slot size or count not allowed";
	if (h->region_size > size)
		return "region larger than the memory given";
	if (!IS_ALIGNED(h->slots_offset, MULTIKERNEL_RING_ALIGN) ||
	    h->slots_offset < h->header_size)
		return "slot arrays overlap the header or are misaligned";
	if (h->slots_offset + 2 * ring_bytes > h->region_size)
		return "slot arrays end past the region";
	for (i = 0; i < ARRAY_SIZE(h->ring); i++) {
		if (!resume && h->ring[i].head != h->ring[i].tail)
			return "ring not empty at attach";
		if (h->ring[i].head - h->ring[i].tail > h->slot_count)
			return "ring indices further apart than its slots";
	}
	return NULL;
}

static void mk_ring_init_one(struct mk_ring_end *end, struct mk_ring *r,
			     const struct multikernel_ring_header *copy,
			     int idx, bool producer)
{
	u64 ring_bytes = (u64)copy->slot_size * copy->slot_count;

	r->ctrl = &end->hdr->ring[idx];
	r->slots = (u8 *)end->hdr + copy->slots_offset + idx * ring_bytes;
	/*
	 * A producer goes on at head, a consumer at tail; each takes the
	 * other's index as last seen from the same snapshot. At a first
	 * attach both are equal (checked).
	 */
	if (producer) {
		r->pos = copy->ring[idx].head;
		r->peer = copy->ring[idx].tail;
	} else {
		r->pos = copy->ring[idx].tail;
		r->peer = copy->ring[idx].tail;
	}
	r->kicked = false;
	r->wanted = false;
	/* We own one flag of this ring; start it cleared. */
	if (producer)
		WRITE_ONCE(r->ctrl->space_wanted, 0);
	else
		WRITE_ONCE(r->ctrl->doorbell_wanted, 0);
}

/* mk_ring_attach() and mk_ring_resume(); @resume allows waiting messages. */
static int mk_ring_attach_end(struct mk_ring_end *end, void *base, size_t size,
			      enum mk_ring_side side, const char *name,
			      void (*doorbell)(struct mk_ring_end *end),
			      bool resume)
{
	struct multikernel_ring_header copy;
	int tx = side == MK_RING_HOST ? MULTIKERNEL_RING_H2I :
					MULTIKERNEL_RING_I2H;
	const char *why;

	memset(end, 0, sizeof(*end));
	end->hdr = base;
	end->name = name;
	end->doorbell = doorbell;

	if (size < sizeof(copy))
		return mk_ring_break(end, "region smaller than its header");
	/* One snapshot: everything below is decided on it alone. */
	memcpy(&copy, base, sizeof(copy));

	if (copy.magic == MULTIKERNEL_RING_MAGIC &&
	    (copy.version != MULTIKERNEL_RING_VERSION || copy.flags)) {
		pr_err_ratelimited("%s: messaging region version %u flags %#x not supported\n",
				   name, copy.version, copy.flags);
		end->broken = "unsupported region version";
		return -EPROTONOSUPPORT;
	}
	why = mk_ring_header_error(&copy, size, resume);
	if (why)
		return mk_ring_break(end, why);

	end->slot_count = copy.slot_count;
	end->slot_shift = ilog2(copy.slot_size);
	end->max_payload = min_t(u64, MULTIKERNEL_MSG_MAX,
				 ((u64)copy.slot_count << end->slot_shift) -
				 MK_MSG_HDR);
	mk_ring_init_one(end, &end->tx, &copy, tx, true);
	mk_ring_init_one(end, &end->rx, &copy, !tx, false);
	return 0;
}

/**
 * mk_ring_attach() - attach one end to a formatted messaging region
 * @end:	the end to set up; its previous contents are dropped
 * @base:	the region, mapped writable
 * @size:	bytes at @base as known from a trusted source (the host's own
 *		allocation, or the handoff for an instance)
 * @side:	which end this kernel is
 * @name:	the peer, for log lines; must outlive @end
 * @doorbell:	rings the peer's doorbell; called from mk_ring_send() and
 *		mk_ring_recv() in their context
 *
 * Reads the region header once, checks it against @size and keeps the
 * geometry in @end. Both rings must be empty.
 *
 * Context: Any context; nothing else may use @end meanwhile.
 * Return: 0 on success; -EPROTONOSUPPORT if the region has another layout
 * version or flags this kernel does not know; -EPROTO if the header is
 * corrupt or does not fit in @size.
 */
int mk_ring_attach(struct mk_ring_end *end, void *base, size_t size,
		   enum mk_ring_side side, const char *name,
		   void (*doorbell)(struct mk_ring_end *end))
{
	return mk_ring_attach_end(end, base, size, side, name, doorbell, false);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_attach);

/**
 * mk_ring_resume() - attach to a region another kernel used before
 * @end:	as for mk_ring_attach()
 * @base:	as for mk_ring_attach()
 * @size:	as for mk_ring_attach()
 * @side:	as for mk_ring_attach()
 * @name:	as for mk_ring_attach()
 * @doorbell:	as for mk_ring_attach()
 *
 * Like mk_ring_attach(), for the side a kernel that no longer runs had
 * (a host replaced by a kexec): its rings may hold messages. This end
 * produces on from the head and consumes on from the tail that kernel
 * left, so the messages waiting are taken in next. Neither ring may have
 * its indices further apart than it has slots.
 *
 * Context: Any context; nothing else may use @end meanwhile.
 * Return: as for mk_ring_attach().
 */
int mk_ring_resume(struct mk_ring_end *end, void *base, size_t size,
		   enum mk_ring_side side, const char *name,
		   void (*doorbell)(struct mk_ring_end *end))
{
	return mk_ring_attach_end(end, base, size, side, name, doorbell, true);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_resume);
