/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel wire formats: what a host and an instance kernel write for
 * each other in the memory they share, after the handoff (which is in the
 * uapi header, because the boot protocol names it). The host and an
 * instance may be different kernel builds; both build from this header,
 * and no user program sees it. Every layout starts with a magic and a
 * version, only grows at its end, and is checked by its reader.
 * Documentation/multikernel/messaging.rst describes the protocol.
 */
#ifndef _LINUX_MULTIKERNEL_WIRE_H
#define _LINUX_MULTIKERNEL_WIRE_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <uapi/linux/multikernel.h>

/** define MULTIKERNEL_SHARED_MAGIC - &struct multikernel_shared.magic, "MKSH" */
#define MULTIKERNEL_SHARED_MAGIC	0x48534b4d
/** define MULTIKERNEL_SHARED_VERSION - shared region layout version */
#define MULTIKERNEL_SHARED_VERSION	2

/** define MULTIKERNEL_REASON_MAX - bytes of &multikernel_ctl.text */
#define MULTIKERNEL_REASON_MAX		128

/**
 * struct multikernel_shared - head of the region a host shares with an instance
 * @magic:	%MULTIKERNEL_SHARED_MAGIC
 * @version:	%MULTIKERNEL_SHARED_VERSION
 * @size:	bytes of this structure
 * @flags:	none defined, 0
 * @msg_offset:	offset of the messaging region (&struct
 *		multikernel_ring_header) from the start of the shared region,
 *		a multiple of MULTIKERNEL_RING_ALIGN
 * @msg_size:	bytes of the messaging region
 * @entry_tsc:	time stamp counter when the host's start code jumped into
 *		the instance kernel, written on the instance's CPU; for the
 *		boot figures of the host and of the instance only
 *
 * The host writes it before the instance starts and never changes it
 * (but for @entry_tsc); the instance checks it before use. Everything the
 * two kernels say to each other afterwards goes through the messaging
 * region.
 */
struct multikernel_shared {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 flags;
	__u32 msg_offset;
	__u32 msg_size;
	__u64 entry_tsc;
};

/**
 * struct multikernel_early_log - an instance's kernel log until its link is up
 * @head:	bytes the instance ever wrote to @ring
 * @__pad:	0, keeps @ring on its own cache lines
 * @ring:	the bytes, a console log ring (kernel/multikernel/logring.c)
 *
 * In the region an instance shares with its host, at a place the arch
 * code fixes; written by the instance from early boot on, read by the
 * host when the instance never says hello.
 */
struct multikernel_early_log {
	u64 head;
	u8 __pad[56];
	u8 ring[32768];
};

/**
 * struct multikernel_last_words - an instance's end notice, outside its rings
 * @op:		0 until the instance ends; then %MULTIKERNEL_CTL_STOPPED or
 *		%MULTIKERNEL_CTL_PANIC, written after @arg and @text
 * @arg:	as in &struct multikernel_ctl
 * @text:	as in &struct multikernel_ctl
 *
 * In the region an instance shares with its host, at a place the arch
 * code fixes. An instance that stops or panics writes its notice here
 * once, then also sends it on its control channel. The copy here needs
 * no room in a ring, no lock and no doorbell, so the host learns why the
 * instance ended even when its ring is full, its ring lock was held by a
 * CPU that panic stopped, or its doorbell was lost: the host's watchdog
 * looks here four times a second. The first notice the host takes, from
 * here or from the ring, is the one it acts on.
 */
struct multikernel_last_words {
	__u32 op;
	__u32 arg;
	__u8 text[MULTIKERNEL_REASON_MAX];
};

/*
 * ---------------------------------------------------------------------
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

/*
 * ---------------------------------------------------------------------
 * Channels of the host-instance link
 *
 * The host and each instance it started exchange messages over the rings
 * of one messaging region on these channel numbers. See
 * Documentation/multikernel/messaging.rst.
 */

/** define MULTIKERNEL_CHAN_CONTROL - control protocol, &struct multikernel_ctl */
#define MULTIKERNEL_CHAN_CONTROL	0
/** define MULTIKERNEL_CHAN_CONSOLE - console output of the instance */
#define MULTIKERNEL_CHAN_CONSOLE	1
/** define MULTIKERNEL_CHAN_USER - user datagrams, &struct multikernel_user_hdr */
#define MULTIKERNEL_CHAN_USER		2
/** define MULTIKERNEL_CHAN_ECHO - requests answered with their payload (tests) */
#define MULTIKERNEL_CHAN_ECHO		3

/**
 * struct multikernel_user_hdr - start of every message on MULTIKERNEL_CHAN_USER
 * @src:	id of the sending kernel: MULTIKERNEL_HOST_ID or an instance id
 * @dst:	id of the kernel it is for; the host forwards a datagram from
 *		one instance to another
 *
 * The user payload follows; it is at most MULTIKERNEL_USER_MAX bytes.
 */
struct multikernel_user_hdr {
	__u32 src;
	__u32 dst;
};

static_assert(MULTIKERNEL_USER_MAX ==
	      MULTIKERNEL_MSG_MAX - sizeof(struct multikernel_user_hdr));

/** define MULTIKERNEL_CTL_VERSION - control protocol version, sent in the hello */
#define MULTIKERNEL_CTL_VERSION		1

/**
 * enum multikernel_ctl_op - messages of the control protocol
 * @MULTIKERNEL_CTL_HELLO:	instance to host: the kernel booted; @arg is
 *				%MULTIKERNEL_CTL_VERSION. Sent once.
 * @MULTIKERNEL_CTL_HEARTBEAT:	instance to host: still alive; @arg counts
 *				heartbeats
 * @MULTIKERNEL_CTL_SET_HEARTBEAT: host to instance: send a heartbeat every
 *				@arg milliseconds, none when 0
 * @MULTIKERNEL_CTL_SHUTDOWN:	host to instance: shut down in an orderly way
 *				and power off; instance to host: the
 *				acknowledgment, before the shutdown begins
 * @MULTIKERNEL_CTL_STOPPED:	instance to host: it stops for good and parks
 *				its CPUs; @arg is an &enum multikernel_stop_kind
 * @MULTIKERNEL_CTL_PANIC:	instance to host: it panicked; @text says why
 */
enum multikernel_ctl_op {
	MULTIKERNEL_CTL_HELLO = 1,
	MULTIKERNEL_CTL_HEARTBEAT = 2,
	MULTIKERNEL_CTL_SET_HEARTBEAT = 3,
	MULTIKERNEL_CTL_SHUTDOWN = 4,
	MULTIKERNEL_CTL_STOPPED = 5,
	MULTIKERNEL_CTL_PANIC = 6,
};

/**
 * enum multikernel_stop_kind - why an instance stopped
 * @MULTIKERNEL_STOP_POWER_OFF:	it powered off
 * @MULTIKERNEL_STOP_HALT:	it halted
 * @MULTIKERNEL_STOP_RESTART:	it asked for a restart (or a kexec), which an
 *				instance cannot do by itself
 */
enum multikernel_stop_kind {
	MULTIKERNEL_STOP_POWER_OFF = 1,
	MULTIKERNEL_STOP_HALT = 2,
	MULTIKERNEL_STOP_RESTART = 3,
};

/**
 * struct multikernel_ctl - a message on MULTIKERNEL_CHAN_CONTROL
 * @op:		an &enum multikernel_ctl_op
 * @arg:	what @op says
 * @text:	NUL-terminated text for MULTIKERNEL_CTL_PANIC, zero otherwise
 *
 * Every control message has exactly this size; others are dropped.
 */
struct multikernel_ctl {
	__u32 op;
	__u32 arg;
	__u8 text[MULTIKERNEL_REASON_MAX];
};

/*
 * The handover record (Documentation/multikernel/live-update.rst): what a
 * host that kexecs into a new kernel with instances running tells it
 * about them. It fills one pool granule that the handover (setup_data,
 * written when the new kernel was loaded) names, and is written at kexec
 * time. Both ends are hosts, possibly of different builds: the reader
 * checks everything, the CRC32 first.
 */
#define MULTIKERNEL_RECORD_MAGIC	0x52484b4d	/* "MKHR" */
#define MULTIKERNEL_RECORD_VERSION	2
#define MULTIKERNEL_RECORD_INSTANCES	64
#define MULTIKERNEL_RECORD_CPUS		64

/**
 * struct multikernel_record_instance - one instance the old host left running
 * @id:		its id in the old host
 * @boot:	the number of its current boot
 * @state:	an &enum multikernel_state
 * @nr_cpus:	how many of @hw_ids are used, 1 to MULTIKERNEL_RECORD_CPUS
 * @name:	NUL-terminated
 * @mem_base:	its memory range in the pool
 * @mem_size:	bytes of that range
 * @shared_phys: the region it shares with its host, 0 when not started
 * @shared_size: bytes of that region
 * @hw_ids:	its processors, by hardware id (x86: APIC ID)
 * @low_base:	memory outside @mem_base that it was given and its kernel
 *		keeps using (x86: its window below 1 MiB, which its CPUs
 *		start from); 0 when @low_size is
 * @low_size:	bytes of it, 0 for none
 */
struct multikernel_record_instance {
	__u32 id;
	__u32 boot;
	__u32 state;
	__u32 nr_cpus;
	__u8 name[40];
	__u64 mem_base;
	__u64 mem_size;
	__u64 shared_phys;
	__u64 shared_size;
	__u32 hw_ids[MULTIKERNEL_RECORD_CPUS];
	__u64 low_base;
	__u64 low_size;
};

/**
 * struct multikernel_record - the handover record
 * @magic:	MULTIKERNEL_RECORD_MAGIC
 * @version:	MULTIKERNEL_RECORD_VERSION
 * @size:	bytes of the header and the @nr_instances entries
 * @crc:	crc32_le(~0) of those @size bytes with @crc zero
 * @nr_instances: entries in @inst
 * @reserved:	zero
 * @inst:	the instances
 */
struct multikernel_record {
	__u32 magic;
	__u32 version;
	__u32 size;
	__u32 crc;
	__u32 nr_instances;
	__u32 reserved;
	struct multikernel_record_instance inst[];
};

/**
 * define MULTIKERNEL_RECORD_MAX_BYTES - bytes of the largest handover record
 */
#define MULTIKERNEL_RECORD_MAX_BYTES					\
	(sizeof(struct multikernel_record) +				\
	 MULTIKERNEL_RECORD_INSTANCES * sizeof(struct multikernel_record_instance))

#endif /* _LINUX_MULTIKERNEL_WIRE_H */
