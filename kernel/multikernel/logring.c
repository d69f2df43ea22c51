// SPDX-License-Identifier: GPL-2.0-only
/*
 * A byte log ring: the host's copy of an instance's console.
 *
 * One writer (the handler of the instance's console channel) appends
 * bytes and publishes how many it ever wrote in the head; readers
 * (console file descriptors) keep their own position and copy what is
 * new. The writer never waits: a reader that falls more than a ring
 * behind loses the oldest bytes, and knows it. A head that goes back
 * (the ring was reset for a new boot) sends readers to the oldest byte.
 */
#include <kunit/visibility.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/multikernel.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include "internal.h"

/**
 * mk_logring_write() - append bytes to the console log ring
 * @headp:	bytes ever written to the ring
 * @ring:	the ring's bytes
 * @size:	bytes of the ring, a power of two
 * @s:		bytes to append
 * @n:		how many
 *
 * Only one writer at a time: the caller serializes.
 *
 * Context: Any context.
 */
void mk_logring_write(u64 *headp, u8 *ring, u32 size, const char *s, size_t n)
{
	u64 head = READ_ONCE(*headp);
	size_t off, chunk;

	if (n > size) {
		head += n - size;
		s += n - size;
		n = size;
	}
	while (n) {
		off = head & (size - 1);
		chunk = min_t(size_t, n, size - off);
		memcpy(ring + off, s, chunk);
		head += chunk;
		s += chunk;
		n -= chunk;
	}
	/* Pairs with smp_load_acquire() in mk_logring_read(): bytes, then head. */
	smp_store_release(headp, head);
}
EXPORT_SYMBOL_IF_KUNIT(mk_logring_write);

/**
 * mk_logring_read() - copy new bytes out of the console log ring
 * @headp:	bytes ever written to the ring
 * @ring:	the ring's bytes
 * @size:	bytes of the ring, a power of two, as the reader set it up
 * @pos:	in: position of the first byte wanted (bytes ever written
 *		before it); out: position after the last byte copied
 * @buf:	where to copy
 * @len:	room at @buf
 *
 * When bytes from *@pos on were overwritten already, the copy starts at
 * the oldest byte still in the ring, so *@pos jumps ahead; callers can
 * compare to see what was lost.
 *
 * Context: Any context.
 * Return: bytes copied, 0 when there is nothing new.
 */
size_t mk_logring_read(const u64 *headp, const u8 *ring, u32 size, u64 *pos,
		       char *buf, size_t len)
{
	u64 start = *pos, head, lost;
	size_t n, off, chunk, done = 0;

	/* Pairs with smp_store_release() in mk_logring_write(): head, then bytes. */
	head = smp_load_acquire(headp);

	if (start > head || head - start > size)
		start = head > size ? head - size : 0;
	n = min_t(u64, len, head - start);
	while (done < n) {
		off = (start + done) & (size - 1);
		chunk = min_t(size_t, n - done, size - off);
		memcpy(buf + done, ring + off, chunk);
		done += chunk;
	}

	/* Pairs with the writer's smp_store_release(): did it lap us? */
	smp_rmb();
	head = READ_ONCE(*headp);
	if (head > start + size) {
		lost = head - size - start;
		if (lost >= n) {
			n = 0;
			start = head - size;
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
