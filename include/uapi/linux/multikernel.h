/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Multikernel user ABI.
 *
 * Userspace controls multikernel instances through /dev/multikernel and
 * reads their state under /sys/kernel/multikernel/. This header carries
 * the constants and structures both sides agree on. Structures here only
 * grow at their end; every one starts with its size so that old and new
 * binaries keep working together.
 */
#ifndef _UAPI_LINUX_MULTIKERNEL_H
#define _UAPI_LINUX_MULTIKERNEL_H

#include <linux/types.h>

/**
 * define MULTIKERNEL_POOL_ALIGN - granule of the instance memory pool
 *
 * The pool given with multikernel=<size>[@<addr>] must start and end on
 * this boundary, and instance memory is carved from it in multiples of it.
 */
#define MULTIKERNEL_POOL_ALIGN		(2ULL << 20)

/**
 * define MULTIKERNEL_NAME_MAX - longest instance name, without the NUL
 *
 * Instance names use only the characters [a-z0-9_-].
 */
#define MULTIKERNEL_NAME_MAX		32

/*
 * Messaging ring ABI
 *
 * The host and each instance share one region of memory for messages. It
 * starts with struct multikernel_ring_header, written by the host before
 * the instance starts, followed by two arrays of fixed-size slots: ring
 * MULTIKERNEL_RING_H2I carries messages from the host to the instance and
 * ring MULTIKERNEL_RING_I2H the other way. Each ring has one producer and
 * one consumer. Head and tail are free-running 32-bit slot counts; the
 * slot of index i is i % slot_count. A message is a struct
 * multikernel_msg_header followed by its payload, in consecutive slots
 * (the last slot may wrap to slot 0). Host and instance may be different
 * kernel builds: this layout only grows at its end, and each side checks
 * everything the other wrote. Documentation/multikernel/messaging.rst
 * describes the protocol.
 */

/**
 * define MULTIKERNEL_RING_MAGIC - first word of a messaging region, "MKRG"
 */
#define MULTIKERNEL_RING_MAGIC		0x47524b4d

/**
 * define MULTIKERNEL_RING_VERSION - layout version of a messaging region
 *
 * Incompatible changes increase it; compatible ones only grow
 * &struct multikernel_ring_header (see its @header_size).
 */
#define MULTIKERNEL_RING_VERSION	1

/**
 * define MULTIKERNEL_RING_H2I - index of the ring from host to instance
 */
#define MULTIKERNEL_RING_H2I		0

/**
 * define MULTIKERNEL_RING_I2H - index of the ring from instance to host
 */
#define MULTIKERNEL_RING_I2H		1

/**
 * define MULTIKERNEL_RING_ALIGN - alignment of the slot arrays
 *
 * Also the cache-line size the control blocks are laid out for.
 */
#define MULTIKERNEL_RING_ALIGN		64

/**
 * define MULTIKERNEL_RING_SLOT_MIN - smallest slot size in bytes
 *
 * Slot sizes are powers of two between MULTIKERNEL_RING_SLOT_MIN and
 * MULTIKERNEL_RING_SLOT_MAX.
 */
#define MULTIKERNEL_RING_SLOT_MIN	64

/**
 * define MULTIKERNEL_RING_SLOT_MAX - largest slot size in bytes
 */
#define MULTIKERNEL_RING_SLOT_MAX	4096

/**
 * define MULTIKERNEL_RING_SLOTS_MIN - fewest slots in a ring
 *
 * Slot counts are powers of two between MULTIKERNEL_RING_SLOTS_MIN and
 * MULTIKERNEL_RING_SLOTS_MAX.
 */
#define MULTIKERNEL_RING_SLOTS_MIN	2

/**
 * define MULTIKERNEL_RING_SLOTS_MAX - most slots in a ring
 */
#define MULTIKERNEL_RING_SLOTS_MAX	65536

/**
 * define MULTIKERNEL_MSG_MAX - largest message payload in bytes
 *
 * A ring too small for a message of this size carries payloads up to its
 * own capacity less the message header.
 */
#define MULTIKERNEL_MSG_MAX		65536

/**
 * define MULTIKERNEL_MSG_DATA - type of a datagram, no answer expected
 */
#define MULTIKERNEL_MSG_DATA		1

/**
 * define MULTIKERNEL_MSG_REQUEST - type of a request
 *
 * The receiver answers it with a MULTIKERNEL_MSG_RESPONSE on the same
 * channel carrying the request's cookie.
 */
#define MULTIKERNEL_MSG_REQUEST		2

/**
 * define MULTIKERNEL_MSG_RESPONSE - type of the answer to a request
 */
#define MULTIKERNEL_MSG_RESPONSE	3

/**
 * define MULTIKERNEL_MSG_CHECK_SEED - start value of the message header check
 *
 * See &struct multikernel_msg_header.check.
 */
#define MULTIKERNEL_MSG_CHECK_SEED	0x811c9dc5

/**
 * define MULTIKERNEL_MSG_CHECK_PRIME - multiplier of the message header check
 */
#define MULTIKERNEL_MSG_CHECK_PRIME	0x01000193

/**
 * struct multikernel_ring_ctrl - indices and flags of one ring
 * @head:		free-running count of slots the producer has filled;
 *			written by the producer only
 * @space_wanted:	non-zero when the producer found the ring full and
 *			wants a doorbell once the consumer frees slots;
 *			written by the producer only
 * @producer_pad:	zero; keeps the consumer's fields on their own line
 * @tail:		free-running count of slots the consumer has emptied;
 *			written by the consumer only
 * @doorbell_wanted:	non-zero when the consumer found the ring empty and
 *			wants a doorbell for the next message; written by the
 *			consumer only
 * @consumer_pad:	zero; fills the consumer's cache line
 *
 * The producer's and the consumer's fields sit on separate cache lines.
 * A ring holds head - tail (modulo 2^32) filled slots, never more than
 * its slot count.
 */
struct multikernel_ring_ctrl {
	__u32 head;
	__u32 space_wanted;
	__u32 producer_pad[14];
	__u32 tail;
	__u32 doorbell_wanted;
	__u32 consumer_pad[14];
};

/**
 * struct multikernel_ring_header - start of a messaging region
 * @magic:		MULTIKERNEL_RING_MAGIC
 * @version:		MULTIKERNEL_RING_VERSION
 * @header_size:	bytes of this header; grows when fields are added
 * @region_size:	bytes of the whole region, header included
 * @slot_size:		bytes per slot, a power of two
 * @slot_count:		slots per ring, a power of two
 * @slots_offset:	offset of the H2I slot array from the region start, a
 *			multiple of MULTIKERNEL_RING_ALIGN; the I2H array
 *			follows it directly
 * @flags:		zero; a reader refuses bits it does not know
 * @reserved:		zero
 * @ring:		the two rings' control blocks, indexed by
 *			MULTIKERNEL_RING_H2I and MULTIKERNEL_RING_I2H
 *
 * The host writes everything up to @ring once, before the instance
 * starts; afterwards only the fields of @ring change.
 */
struct multikernel_ring_header {
	__u32 magic;
	__u16 version;
	__u16 header_size;
	__u32 region_size;
	__u32 slot_size;
	__u32 slot_count;
	__u32 slots_offset;
	__u32 flags;
	__u32 reserved[9];
	struct multikernel_ring_ctrl ring[2];
};

/**
 * struct multikernel_msg_header - start of every message in a ring
 * @length:	payload bytes following this header, at most
 *		MULTIKERNEL_MSG_MAX
 * @slots:	slots the message takes, header included:
 *		(sizeof(header) + @length) / slot_size, rounded up
 * @seq:	ring index (the producer's head) of the message's first slot
 * @channel:	channel number the message belongs to
 * @type:	MULTIKERNEL_MSG_DATA, MULTIKERNEL_MSG_REQUEST or
 *		MULTIKERNEL_MSG_RESPONSE
 * @cookie:	for a request, chosen by the sender; for a response, the
 *		cookie of the request it answers; zero otherwise
 * @flags:	zero; a reader refuses bits it does not know
 * @reserved:	zero
 * @check:	a hash of the seven 32-bit words before it, FNV-1a style:
 *		start with MULTIKERNEL_MSG_CHECK_SEED, then for each of
 *		@length, @slots, @seq, (@channel | @type << 16), @cookie,
 *		@flags and @reserved, xor it in and multiply by
 *		MULTIKERNEL_MSG_CHECK_PRIME (modulo 2^32)
 *
 * A message starts at the beginning of a slot. The header never wraps;
 * the payload may continue from the last slot into slot 0.
 */
struct multikernel_msg_header {
	__u32 length;
	__u32 slots;
	__u32 seq;
	__u16 channel;
	__u16 type;
	__u32 cookie;
	__u32 flags;
	__u32 reserved;
	__u32 check;
};

#endif /* _UAPI_LINUX_MULTIKERNEL_H */
