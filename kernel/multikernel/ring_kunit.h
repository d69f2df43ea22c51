/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture the messaging ring KUnit suites share: both ends of a
 * region attached to one buffer.
 */
#ifndef _KERNEL_MULTIKERNEL_RING_KUNIT_H
#define _KERNEL_MULTIKERNEL_RING_KUNIT_H

#include <kunit/test.h>

#include "internal.h"
#include "msg.h"

#define HDR	sizeof(struct multikernel_msg_header)

/* A region with both ends attached, and the doorbells each end rang. */
struct mk_ring_test {
	struct multikernel_ring_header *hdr;
	size_t size;
	struct mk_ring_end host;
	struct mk_ring_end inst;
	unsigned int host_rang;		/* host rang the instance */
	unsigned int inst_rang;		/* instance rang the host */
	u8 *out;			/* payload to send */
	u8 *in;				/* payload received */
};

/* Scratch buffers: the largest payload plus room to catch overruns. */
#define BUF_SIZE	(MULTIKERNEL_MSG_MAX + 64)

void *mk_ring_test_alloc(struct kunit *test, size_t size);
struct mk_ring_test *mk_ring_test_setup(struct kunit *test, u32 slot_size,
					u32 slot_count, u32 first);
struct multikernel_msg_header *mk_ring_test_msg(struct mk_ring_test *t,
						int ring, u32 idx);
int mk_ring_test_send(struct mk_ring_test *t, struct mk_ring_end *from,
		      u32 len, u32 seed);
void mk_ring_test_expect(struct kunit *test, struct mk_ring_test *t,
			 struct mk_ring_end *to, u32 len, u32 seed);

#endif /* _KERNEL_MULTIKERNEL_RING_KUNIT_H */
