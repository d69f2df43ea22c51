// SPDX-License-Identifier: GPL-2.0-only
/*
 * A byte log ring: the host's copy of an instance's console.
 *
 * One writer (the handler of the instance's console channel) appends
 * bytes and publishes how many it ever wrote in the head; readers
 * (console file descriptors) keep their own position and copy what is
 * new. The writer never waits: a reader that falls too far behind loses
 * the oldest bytes, and knows it. A head that goes back (the ring was
 * reset for a new boot) sends readers to the oldest byte.
 *
 * The writer overwrites bytes before it publishes the head that says so,
 * so a reader cannot tell from the head alone whether the oldest bytes
 * are being replaced right now. The writer therefore publishes the head
 * after every chunk of at most a ring's size / MK_LOGRING_CHUNKS bytes,
 * and readers take only the last size - size / MK_LOGRING_CHUNKS bytes
 * before the head as whole: the chunk in flight can be writing nowhere
 * else.
 */
#include <kunit/visibility.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "internal.h"

#define MK_LOGRING_CHUNKS	8

/* Bytes before the head a reader may trust, see above. */
static u64 mk_logring_window(u32 size)
{
	return size - size / MK_LOGRING_CHUNKS;
}

/* Position of the oldest byte a reader may trust when the head is @head. */
static u64 mk_logring_oldest(u64 head, u32 size)
{
	u64 window = mk_logring_window(size);

	return head > window ? head - window : 0;
}

/**
 * mk_logring_write() - append bytes to the console log ring
 * @headp:	bytes ever written to the ring
 * @ring:	the ring's bytes
 * @size:	bytes of the ring, a power of two, at least MK_LOGRING_CHUNKS
 * @s:		bytes to append
 * @n:		how many
 *
 * Only one writer at a time: the caller serializes. The head moves after
 * every chunk of at most @size / MK_LOGRING_CHUNKS bytes, so that a reader
 * knows which bytes the writer may be replacing (see mk_logring_read()).
 *
 * Context: Any context.
 */
void mk_logring_write(u64 *headp, u8 *ring, u32 size, const char *s, size_t n)
{
	u64 head = READ_ONCE(*headp);
	size_t off, chunk;

	while (n) {
		off = head & (size - 1);
		chunk = min_t(size_t, n, size / MK_LOGRING_CHUNKS);
		chunk = min_t(size_t, chunk, size - off);
		/*
		 * Pairs with smp_rmb() in mk_logring_read(): a reader that
		 * sees a byte of this chunk sees the head published before it.
		 */
		smp_wmb();
		memcpy(ring + off, s, chunk);
		head += chunk;
		s += chunk;
		n -= chunk;
		/* Pairs with smp_load_acquire() in mk_logring_read(): bytes, then head. */
		smp_store_release(headp, head);
	}
}
EXPORT_SYMBOL_IF_KUNIT(mk_logring_write);

/**
 * mk_logring_read() - copy new bytes out of the console log ring
 * @headp:	bytes ever written to the ring
 * @ring:	the ring's bytes
 * @size:	bytes of the ring, a power of two, at least MK_LOGRING_CHUNKS,
 *		as the writer uses it
 * @pos:	in: position of the first byte wanted (bytes ever written
 *		before it); out: position after the last byte copied
 * @buf:	where to copy
 * @len:	room at @buf
 *
 * Only the last @size - @size / MK_LOGRING_CHUNKS bytes before the head
 * are certain not to be overwritten by a write in progress. When *@pos is
 * older than that, before or during the copy, the bytes from *@pos on are
 * lost and the copy starts at the oldest byte that is whole, so *@pos
 * jumps ahead; callers can compare to see what was lost. The bytes copied
 * are always ones the writer wrote at those positions, never bytes of a
 * later lap.
 *
 * Context: Any context.
 * Return: bytes copied, 0 when there is nothing new.
 */
size_t mk_logring_read(const u64 *headp, const u8 *ring, u32 size, u64 *pos,
		       char *buf, size_t len)
{
	u64 window = mk_logring_window(size);
	u64 start = *pos, head, lost;
	size_t n, off, chunk, done = 0;

	/* Pairs with smp_store_release() in mk_logring_write(): head, then bytes. */
	head = smp_load_acquire(headp);

	if (start > head || head - start > window)
		start = mk_logring_oldest(head, size);
	n = min_t(u64, len, head - start);
	while (done < n) {
		off = (start + done) & (size - 1);
		chunk = min_t(size_t, n - done, size - off);
		memcpy(buf + done, ring + off, chunk);
		done += chunk;
	}

	/*
	 * Pairs with smp_wmb() in mk_logring_write(): if a chunk written
	 * since overwrote a byte copied, this head is at least where that
	 * chunk starts, and the byte is older than the window before it.
	 */
	smp_rmb();
	head = READ_ONCE(*headp);
	if (head < start) {
		/* The ring was reset under us: nothing copied is current. */
		n = 0;
		start = mk_logring_oldest(head, size);
	} else if (head - start > window) {
		lost = head - window - start;
		if (lost >= n) {
			n = 0;
			start = head - window;
		} else {
			memmove(buf, buf + lost, n - lost);
			n -= lost;
			start += lost;
		}
	}
	*pos = start + n;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mk_logring_read);
