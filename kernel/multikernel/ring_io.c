// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel messaging rings: moving messages in and out of a region
 * whose ends ring.c attached.
 *
 * Nothing read from the region is trusted: every index, message header
 * and length is checked before it is used, and a peer that breaks the
 * protocol breaks its end for good (mk_ring_break()).
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
#include <kunit/visibility.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include "internal.h"
#include "msg.h"

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
