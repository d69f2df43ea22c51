// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messaging rings.
 *
 * A messaging region shared by the host and one instance holds two
 * single-producer/single-consumer rings of fixed-size slots (layout in
 * include/linux/multikernel/wire.h, protocol in
 * Documentation/multikernel/messaging.rst). This file formats a region,
 * attaches one end to it, and moves messages in and out. It knows nothing
 * about interrupts: ringing the peer is a callback, so that KUnit can run
 * both ends on one buffer.
 *
 * The peer is not trusted. The geometry is read from the region once and
 * kept privately; each side keeps its own index privately and only
 * writes it to the region; every index, message header and length read
 * from the region is checked before it is used. A peer that breaks the
 * protocol breaks its end for good: every later call returns -EPROTO,
 * nothing is read or written out of bounds and nothing waits on the peer.
 *
 * Barrier pairs (P = producer, C = consumer):
 *  (1) P: smp_store_release(head) after writing the slots;
 *      C: smp_load_acquire(head) before reading them.
 *  (2) C: smp_store_release(tail) after reading the slots;
 *      P: smp_load_acquire(tail) before writing them again.
 *  (3) C: store doorbell_wanted = 1, smp_mb(), load head;
 *      P: store head, smp_mb(), load doorbell_wanted.
 *      Either the consumer sees the new message or the producer sees the
 *      flag and rings.
 *  (4) P: store space_wanted = 1, smp_mb(), load tail;
 *      C: store tail, smp_mb(), load space_wanted.
 *      Either the producer sees the freed slots or the consumer sees the
 *      flag and rings.
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
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "internal.h"
#include "msg.h"

#define MK_MSG_HDR	sizeof(struct multikernel_msg_header)

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

/*
 * Mark the end broken for @why and return the error every caller passes
 * on. Only the first reason is kept and logged.
 */
static int mk_ring_break(struct mk_ring_end *end, const char *why)
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

/**
 * mk_msg_check() - compute the check word of a message header
 * @h:	the header; its @check field is ignored
 *
 * Context: Any context.
 * Return: the value &struct multikernel_msg_header.check must hold.
 */
VISIBLE_IF_KUNIT u32 mk_msg_check(const struct multikernel_msg_header *h)
{
	const u32 w[] = {
		h->length, h->slots, h->seq,
		h->channel | (u32)h->type << 16,
		h->cookie, h->flags, h->reserved,
	};
	u32 c = MULTIKERNEL_MSG_CHECK_SEED;
	int i;

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		c ^= w[i];
		c *= MULTIKERNEL_MSG_CHECK_PRIME;
	}
	return c;
}
EXPORT_SYMBOL_IF_KUNIT(mk_msg_check);

/* Slots a message with @len payload bytes takes. */
static u32 mk_ring_msg_slots(const struct mk_ring_end *end, u32 len)
{
	return (MK_MSG_HDR + len + (1U << end->slot_shift) - 1) >>
	       end->slot_shift;
}

/* Byte offset in a slot array of slot index @idx plus @off bytes. */
static u32 mk_ring_offset(const struct mk_ring_end *end, u32 idx, u32 off)
{
	return ((idx & (end->slot_count - 1)) << end->slot_shift) + off;
}

/* Copy @len bytes into @r starting @off bytes into slot @idx, wrapping. */
static void mk_ring_write(const struct mk_ring_end *end, struct mk_ring *r,
			  u32 idx, u32 off, const void *src, u32 len)
{
	u32 bytes = end->slot_count << end->slot_shift;
	u32 at = mk_ring_offset(end, idx, off) & (bytes - 1);
	u32 first = min(len, bytes - at);

	memcpy(r->slots + at, src, first);
	memcpy(r->slots, src + first, len - first);
}

/*
 * Copy @len bytes from @from into @r starting @off bytes into slot @idx,
 * wrapping, with page faults disabled: a page of a user buffer that is not
 * present makes it fail. Return: true when all of it was copied; false
 * with @from as it was before.
 */
static bool mk_ring_write_iter(const struct mk_ring_end *end, struct mk_ring *r,
			       u32 idx, u32 off, struct iov_iter *from, u32 len)
{
	u32 bytes = end->slot_count << end->slot_shift;
	u32 at = mk_ring_offset(end, idx, off) & (bytes - 1);
	u32 first = min(len, bytes - at);
	size_t done;

	pagefault_disable();
	done = copy_from_iter(r->slots + at, first, from);
	if (done == first)
		done += copy_from_iter(r->slots, len - first, from);
	pagefault_enable();
	if (done == len)
		return true;
	iov_iter_revert(from, done);
	return false;
}

/* Copy @len bytes out of @r starting @off bytes into slot @idx, wrapping. */
static void mk_ring_read(const struct mk_ring_end *end, const struct mk_ring *r,
			 u32 idx, u32 off, void *dst, u32 len)
{
	u32 bytes = end->slot_count << end->slot_shift;
	u32 at = mk_ring_offset(end, idx, off) & (bytes - 1);
	u32 first = min(len, bytes - at);

	memcpy(dst, r->slots + at, first);
	memcpy(dst + first, r->slots, len - first);
}

/* The region header is written once by the host; a change means a crash. */
static int mk_ring_check_alive(struct mk_ring_end *end)
{
	if (READ_ONCE(end->broken))
		return -EPROTO;
	if (READ_ONCE(end->hdr->magic) != MULTIKERNEL_RING_MAGIC ||
	    READ_ONCE(end->hdr->version) != MULTIKERNEL_RING_VERSION)
		return mk_ring_break(end, "region header overwritten");
	return 0;
}

/*
 * Producer: read the consumer's tail. It may only have moved forward, and
 * not past our head.
 */
static int mk_ring_read_tail(struct mk_ring_end *end)
{
	struct mk_ring *r = &end->tx;
	/* Pairs with smp_store_release() of tail in mk_ring_recv(): (2). */
	u32 tail = smp_load_acquire(&r->ctrl->tail);

	if (tail - r->peer > r->pos - r->peer)
		return mk_ring_break(end, "tail moved backwards or past head");
	r->peer = tail;
	return 0;
}

/*
 * Producer: make sure @need slots are free. When they are not, ask the
 * consumer for a doorbell once it frees some, then look again.
 */
static int mk_ring_tx_space(struct mk_ring_end *end, u32 need)
{
	struct mk_ring *r = &end->tx;
	int ret;

	ret = mk_ring_read_tail(end);
	if (ret)
		return ret;
	if (r->pos - r->peer + need <= end->slot_count)
		goto have_room;

	if (!r->wanted) {
		WRITE_ONCE(r->ctrl->space_wanted, 1);
		r->wanted = true;
	}
	/*
	 * Order the space_wanted store before reading tail again. Pairs with
	 * smp_mb() in mk_ring_kick_space(): (4).
	 */
	smp_mb();
	ret = mk_ring_read_tail(end);
	if (ret)
		return ret;
	if (r->pos - r->peer + need > end->slot_count)
		return -EAGAIN;

have_room:
	if (r->wanted) {
		WRITE_ONCE(r->ctrl->space_wanted, 0);
		r->wanted = false;
	}
	return 0;
}

/*
 * Producer, after publishing: ring the consumer if it asked for a
 * doorbell, unless we rang already and it has not consumed anything since
 * (it will see this message when it handles that doorbell, see (3)).
 */
static void mk_ring_kick(struct mk_ring_end *end)
{
	struct mk_ring *r = &end->tx;
	u32 tail;

	/*
	 * Order the head store before reading doorbell_wanted and tail.
	 * Pairs with smp_mb() in mk_ring_rx_avail(): (3).
	 */
	smp_mb();
	if (!READ_ONCE(r->ctrl->doorbell_wanted))
		goto suppress;
	/* Only compared with our own record, never used as an index. */
	tail = READ_ONCE(r->ctrl->tail);
	if (r->kicked && tail == r->kick_mark)
		goto suppress;
	r->kicked = true;
	r->kick_mark = tail;
	end->stats.doorbells++;
	end->doorbell(end);
	return;

suppress:
	end->stats.suppressed++;
}

/**
 * mk_ring_send_src() - put one message on the ring this end produces on
 * @end:	the sending end
 * @info:	length, channel, type and cookie of the message
 * @src:	its payload, @info->len bytes in all; copied straight into
 *		the slots, so a user buffer needs no copy of its own first
 *
 * Rings the peer's doorbell through @end->doorbell when the peer asked for
 * one and has not been rung for the messages it has not consumed yet.
 * When the ring is full, asks the peer for a doorbell once it frees slots
 * and fails with -EAGAIN. A message whose payload could not be copied is
 * not published, and @src->from is left as it was.
 *
 * Context: Any context. Calls on one end must be serialized by the caller;
 * they may run concurrently with mk_ring_recv() on the same end.
 * Return: 0 on success; -EMSGSIZE if @info->len exceeds @end->max_payload;
 * -EINVAL for an unknown @info->type or a @src of another length;
 * -EAGAIN if the ring has no room now; -EFAULT if a page of a user
 * @src->from was not present (fault it in and try again); -EPROTO if the
 * peer broke the ring (now or before).
 */
int mk_ring_send_src(struct mk_ring_end *end, const struct mk_msg_info *info,
		     const struct mk_msg_src *src)
{
	struct mk_ring *r = &end->tx;
	struct multikernel_msg_header h = { };
	size_t rest = src->from ? iov_iter_count(src->from) : 0;
	u32 need;
	int ret;

	if (info->len > end->max_payload)
		return -EMSGSIZE;
	if (src->head_len > info->len || rest != info->len - src->head_len)
		return -EINVAL;
	if (info->type < MULTIKERNEL_MSG_DATA ||
	    info->type > MULTIKERNEL_MSG_RESPONSE)
		return -EINVAL;
	ret = mk_ring_check_alive(end);
	if (ret)
		return ret;
	need = mk_ring_msg_slots(end, info->len);
	ret = mk_ring_tx_space(end, need);
	if (ret)
		return ret;

	h.length = info->len;
	h.slots = need;
	h.seq = r->pos;
	h.channel = info->channel;
	h.type = info->type;
	h.cookie = info->cookie;
	h.check = mk_msg_check(&h);
	mk_ring_write(end, r, r->pos, 0, &h, sizeof(h));
	if (src->head_len)
		mk_ring_write(end, r, r->pos, sizeof(h), src->head,
			      src->head_len);
	if (rest && !mk_ring_write_iter(end, r, r->pos,
					sizeof(h) + src->head_len, src->from,
					rest))
		return -EFAULT;

	r->pos += need;
	/* Pairs with smp_load_acquire() of head in mk_ring_read_head(): (1). */
	smp_store_release(&r->ctrl->head, r->pos);
	end->stats.tx_msgs++;
	end->stats.tx_bytes += info->len;
	mk_ring_kick(end);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_send_src);

/**
 * mk_ring_send() - put one message from kernel memory on the ring
 * @end:	the sending end
 * @info:	length, channel, type and cookie of the message
 * @data:	@info->len bytes of payload
 *
 * As mk_ring_send_src() with all of the payload at @data.
 *
 * Context: As mk_ring_send_src().
 * Return: as mk_ring_send_src(); never -EFAULT.
 */
int mk_ring_send(struct mk_ring_end *end, const struct mk_msg_info *info,
		 const void *data)
{
	struct mk_msg_src src = { .head = data, .head_len = info->len };

	return mk_ring_send_src(end, info, &src);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_send);

/*
 * Consumer: read the producer's head. It may only have moved forward, and
 * at most one ring ahead of our tail.
 */
static int mk_ring_read_head(struct mk_ring_end *end)
{
	struct mk_ring *r = &end->rx;
	/* Pairs with smp_store_release() of head in mk_ring_send(): (1). */
	u32 head = smp_load_acquire(&r->ctrl->head);

	if (head - r->peer > r->pos + end->slot_count - r->peer)
		return mk_ring_break(end, "head moved backwards or beyond the ring");
	r->peer = head;
	return 0;
}

/*
 * Consumer: find out whether a message is waiting. When none is, ask the
 * producer for a doorbell and look again; while one is, tell it not to
 * ring (we are draining).
 */
static int mk_ring_rx_avail(struct mk_ring_end *end)
{
	struct mk_ring *r = &end->rx;
	int ret;

	ret = mk_ring_read_head(end);
	if (ret)
		return ret;
	if (r->peer != r->pos)
		goto have_msg;

	if (!r->wanted) {
		WRITE_ONCE(r->ctrl->doorbell_wanted, 1);
		r->wanted = true;
	}
	/*
	 * Order the doorbell_wanted store before reading head again. Pairs
	 * with smp_mb() in mk_ring_kick(): (3).
	 */
	smp_mb();
	ret = mk_ring_read_head(end);
	if (ret)
		return ret;
	if (r->peer == r->pos)
		return -EAGAIN;

have_msg:
	if (r->wanted) {
		WRITE_ONCE(r->ctrl->doorbell_wanted, 0);
		r->wanted = false;
	}
	return 0;
}

/* Consumer: check the header copy @h of the message at our tail. */
static int mk_ring_check_msg(struct mk_ring_end *end,
			     const struct multikernel_msg_header *h)
{
	struct mk_ring *r = &end->rx;
	const char *why;

	if (h->check != mk_msg_check(h))
		why = "message header check mismatch";
	else if (h->seq != r->pos)
		why = "message out of sequence";
	else if (h->flags || h->reserved)
		why = "message flags or reserved field set";
	else if (h->type < MULTIKERNEL_MSG_DATA ||
		 h->type > MULTIKERNEL_MSG_RESPONSE)
		why = "unknown message type";
	else if (h->length > end->max_payload)
		why = "message longer than the maximum";
	else if (h->slots != mk_ring_msg_slots(end, h->length))
		why = "message slot count does not match its length";
	else if (h->slots > r->peer - r->pos)
		why = "message extends past head";
	else
		return 0;
	return mk_ring_break(end, why);
}

/*
 * Consumer, after freeing slots: ring a producer that waits for room when
 * the ring drained to empty or to half full. Those two points suffice: a
 * message that does not fit in half the ring fits in an empty one.
 */
static void mk_ring_kick_space(struct mk_ring_end *end, u32 used_before,
			       u32 used_after)
{
	struct mk_ring *r = &end->rx;
	u32 half = end->slot_count / 2;

	if (used_after && !(used_before > half && used_after <= half))
		return;
	/*
	 * Order the tail store before reading space_wanted. Pairs with
	 * smp_mb() in mk_ring_tx_space(): (4).
	 */
	smp_mb();
	if (!READ_ONCE(r->ctrl->space_wanted))
		return;
	end->stats.space_doorbells++;
	end->doorbell(end);
}

/*
 * Consumer: copy and check the header of the message at our tail, and
 * fill @info from it. One copy: the peer may change the slot meanwhile.
 */
static int mk_ring_rx_header(struct mk_ring_end *end,
			     struct multikernel_msg_header *h,
			     struct mk_msg_info *info)
{
	struct mk_ring *r = &end->rx;
	int ret;

	ret = mk_ring_check_alive(end);
	if (ret)
		return ret;
	ret = mk_ring_rx_avail(end);
	if (ret)
		return ret;
	mk_ring_read(end, r, r->pos, 0, h, sizeof(*h));
	ret = mk_ring_check_msg(end, h);
	if (ret)
		return ret;
	info->len = h->length;
	info->channel = h->channel;
	info->type = h->type;
	info->cookie = h->cookie;
	return 0;
}

/**
 * mk_ring_peek() - look at the message at the tail without taking it
 * @end:	the receiving end
 * @info:	filled with length, channel, type and cookie of the message
 *
 * The header is checked as mk_ring_recv() checks it, but the peer may
 * rewrite the slot before the message is taken: what mk_ring_recv()
 * returns then is what counts.
 *
 * Context: Any context. Serialized with mk_ring_recv() on the same end by
 * the caller.
 * Return: 0 with @info filled in; -EAGAIN if the ring is empty (the
 * doorbell is then armed); -EPROTO if the peer broke the ring.
 */
int mk_ring_peek(struct mk_ring_end *end, struct mk_msg_info *info)
{
	struct multikernel_msg_header h;

	return mk_ring_rx_header(end, &h, info);
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_peek);

/**
 * mk_ring_recv() - take one message off the ring this end consumes
 * @end:	the receiving end
 * @info:	filled with length, channel, type and cookie of the message
 * @buf:	where the payload goes
 * @size:	bytes at @buf
 *
 * A consumer drains the ring by calling this until it returns -EAGAIN:
 * only then is the peer asked to ring the doorbell for the next message,
 * and while messages are found it is asked not to. A caller that stops
 * early must come back without waiting for a doorbell.
 *
 * Context: Any context. Calls on one end must be serialized by the caller;
 * they may run concurrently with mk_ring_send() on the same end.
 * Return: 0 on success, with the payload in @buf and @info filled in;
 * -EAGAIN if the ring is empty (the doorbell is then armed); -ENOBUFS if
 * the message is longer than @size (@info is filled in, the message stays
 * on the ring); -EPROTO if the peer broke the ring (now or before).
 */
int mk_ring_recv(struct mk_ring_end *end, struct mk_msg_info *info, void *buf,
		 size_t size)
{
	struct mk_ring *r = &end->rx;
	struct multikernel_msg_header h;
	u32 used;
	int ret;

	ret = mk_ring_rx_header(end, &h, info);
	if (ret)
		return ret;
	if (h.length > size)
		return -ENOBUFS;
	mk_ring_read(end, r, r->pos, sizeof(h), buf, h.length);

	used = r->peer - r->pos;
	r->pos += h.slots;
	/*
	 * Our reads of the slots are done before the producer may reuse
	 * them. Pairs with smp_load_acquire() in mk_ring_read_tail(): (2).
	 */
	smp_store_release(&r->ctrl->tail, r->pos);
	end->stats.rx_msgs++;
	end->stats.rx_bytes += h.length;
	mk_ring_kick_space(end, used, used - h.slots);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(mk_ring_recv);
