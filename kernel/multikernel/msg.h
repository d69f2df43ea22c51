/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Messaging rings (ring.c) and the peers on top of them (msg.c): what
 * their users in kernel/multikernel/ see. The layouts in shared memory
 * are in the wire header; these are each kernel's private view of them.
 */
#ifndef _KERNEL_MULTIKERNEL_MSG_H
#define _KERNEL_MULTIKERNEL_MSG_H

#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct iov_iter;

/**
 * struct mk_ring_geometry - shape of a messaging region, chosen by the host
 * @slot_size:		bytes per slot, a power of two between
 *			MULTIKERNEL_RING_SLOT_MIN and MULTIKERNEL_RING_SLOT_MAX
 * @slot_count:		slots per ring, a power of two between
 *			MULTIKERNEL_RING_SLOTS_MIN and MULTIKERNEL_RING_SLOTS_MAX
 * @first_index:	start value of both rings' head and tail; a value
 *			just below U32_MAX makes the indices wrap early
 */
struct mk_ring_geometry {
	u32 slot_size;
	u32 slot_count;
	u32 first_index;
};

/**
 * enum mk_ring_side - which end of a messaging region a kernel is
 * @MK_RING_HOST:	produces on the H2I ring, consumes the I2H ring
 * @MK_RING_INSTANCE:	produces on the I2H ring, consumes the H2I ring
 */
enum mk_ring_side {
	MK_RING_HOST,
	MK_RING_INSTANCE,
};

/**
 * struct mk_msg_info - what a message carries besides its payload
 * @len:	payload bytes
 * @channel:	channel number
 * @type:	MULTIKERNEL_MSG_DATA, _REQUEST or _RESPONSE
 * @cookie:	request/response cookie, zero for data
 */
struct mk_msg_info {
	u32 len;
	u16 channel;
	u16 type;
	u32 cookie;
};

/**
 * struct mk_ring - one direction of a messaging region, as one end sees it
 * @ctrl:	the ring's control block in the shared region
 * @slots:	the ring's slot array in the shared region
 * @pos:	our own index (head when producing, tail when consuming); the
 *		shared copy is written from it and never read back
 * @peer:	the peer's index as last read and checked
 * @kick_mark:	producer: the consumer's tail when we last rang for it
 * @kicked:	producer: @kick_mark is valid
 * @wanted:	the value we last wrote to our "wanted" flag in @ctrl
 */
struct mk_ring {
	struct multikernel_ring_ctrl *ctrl;
	u8 *slots;
	u32 pos;
	u32 peer;
	u32 kick_mark;
	bool kicked;
	bool wanted;
};

/**
 * struct mk_ring_stats - counters of one ring end
 * @tx_msgs:		messages sent
 * @tx_bytes:		payload bytes sent
 * @rx_msgs:		messages received
 * @rx_bytes:		payload bytes received
 * @doorbells:		doorbells rung for new messages
 * @suppressed:		messages sent without a doorbell, because the
 *			consumer was draining or had been rung already
 * @space_doorbells:	doorbells rung because a full ring drained
 */
struct mk_ring_stats {
	u64 tx_msgs;
	u64 tx_bytes;
	u64 rx_msgs;
	u64 rx_bytes;
	u64 doorbells;
	u64 suppressed;
	u64 space_doorbells;
};

/**
 * struct mk_ring_end - one kernel's end of a messaging region
 * @hdr:		the region
 * @tx:			the ring we produce on
 * @rx:			the ring we consume
 * @slot_count:		slots per ring, checked at attach time
 * @slot_shift:		log2 of the slot size, checked at attach time
 * @max_payload:	largest payload a message may carry
 * @name:		the peer, for log lines
 * @doorbell:		rings the peer's doorbell; called from
 *			mk_ring_send_src() and mk_ring_recv()
 * @broken:		NULL while the peer keeps to the protocol, else
 *			why it did not; once set, every call fails
 * @stats:		counters
 *
 * Geometry is read from the shared header once, checked and kept here;
 * nothing in the region is trusted after that.
 */
struct mk_ring_end {
	struct multikernel_ring_header *hdr;
	struct mk_ring tx;
	struct mk_ring rx;
	u32 slot_count;
	u32 slot_shift;
	u32 max_payload;
	const char *name;
	void (*doorbell)(struct mk_ring_end *end);
	const char *broken;
	struct mk_ring_stats stats;
};

u64 mk_ring_region_size(u32 slot_size, u32 slot_count);
int mk_ring_format(void *base, size_t size, const struct mk_ring_geometry *geo);
int mk_ring_attach(struct mk_ring_end *end, void *base, size_t size,
		   enum mk_ring_side side, const char *name,
		   void (*doorbell)(struct mk_ring_end *end));
int mk_ring_resume(struct mk_ring_end *end, void *base, size_t size,
		   enum mk_ring_side side, const char *name,
		   void (*doorbell)(struct mk_ring_end *end));
/**
 * struct mk_msg_src - where the payload of a message being sent comes from
 * @head:	@head_len bytes of kernel memory that come first
 * @head_len:	bytes at @head
 * @from:	the rest of the payload, or NULL; user memory is copied with
 *		page faults disabled, since the ring is written under a
 *		spinlock
 */
struct mk_msg_src {
	const void *head;
	u32 head_len;
	struct iov_iter *from;
};

/* The bytes of a message header on the ring, before its payload. */
#define MK_MSG_HDR	sizeof(struct multikernel_msg_header)

int mk_ring_break(struct mk_ring_end *end, const char *why);
int mk_ring_send_src(struct mk_ring_end *end, const struct mk_msg_info *info,
		     const struct mk_msg_src *src);
int mk_ring_send(struct mk_ring_end *end, const struct mk_msg_info *info,
		 const void *data);
int mk_ring_peek(struct mk_ring_end *end, struct mk_msg_info *info);
int mk_ring_recv(struct mk_ring_end *end, struct mk_msg_info *info, void *buf,
		 size_t size);
#if IS_ENABLED(CONFIG_KUNIT)
u32 mk_msg_check(const struct multikernel_msg_header *h);
#endif

/**
 * struct mk_peer_ops - what the owner of a peer provides
 * @kick:	ring the peer kernel's doorbell; any context
 * @broken:	the peer broke the messaging protocol (@why says how) and
 *		is disconnected; called once, in any context
 */
struct mk_peer_ops {
	void (*kick)(struct mk_peer *peer);
	void (*broken)(struct mk_peer *peer, const char *why);
};

/**
 * typedef mk_msg_fast_t - takes a channel's messages as they arrive
 * @peer:	the kernel that sent the message
 * @msg:	the message
 * @priv:	what was given to mk_msg_register()
 *
 * Called from the doorbell interrupt, before any work item runs, so that
 * a message a reader waits for reaches it without a trip through the
 * receive work. Must not sleep, wait for the peer or take a lock that is
 * held with interrupts on; sends only with MK_MSG_NONBLOCK.
 *
 * Context: Any context; interrupts may be off.
 * Return: true when the message was taken; false to have it given to the
 * channel's handler in process context instead, in order, before any
 * later message.
 */
typedef bool (*mk_msg_fast_t)(struct mk_peer *peer, const struct mk_msg *msg,
			      void *priv);

/**
 * struct mk_msg_chan - one channel of a peer
 * @handler:	receives the channel's messages, NULL if nobody listens
 * @fast:	takes them first, from the doorbell interrupt; NULL when
 *		only @handler does
 * @priv:	passed to @handler and @fast
 * @tx_msgs:	messages sent
 * @tx_bytes:	payload bytes sent
 * @rx_msgs:	messages handed to @handler
 * @rx_bytes:	payload bytes handed to @handler
 * @drops:	messages received while nobody listened
 */
struct mk_msg_chan {
	mk_msg_handler_t handler;
	mk_msg_fast_t fast;
	void *priv;
	u64 tx_msgs;
	u64 tx_bytes;
	u64 rx_msgs;
	u64 rx_bytes;
	u64 drops;
};

/**
 * struct mk_peer - the messaging connection to one other kernel
 * @end:	our end of the shared region
 * @ops:	the owner's callbacks
 * @doorbell:	our entry among the doorbell clients
 * @tx_lock:	serializes senders on @end.tx and the tx counters of @chan
 * @tx_wait:	senders waiting for room in @end.tx
 * @rx_work:	drains @end.rx; the only consumer of it
 * @rx_runs:	runs of @rx_work
 * @rx_yields:	runs that stopped at the budget with more to do
 * @rx_polls:	times mk_peer_poll() found messages no doorbell had
 *		announced and scheduled @rx_work for them
 * @tx_rechecks: times a sender waiting for room looked at the ring again
 *		because no doorbell had come for MK_TX_RECHECK
 * @poll_head:	the peer's producer index at the last mk_peer_poll()
 * @poll_taken:	our consumer index at the last mk_peer_poll()
 * @rx_buf:	payload of the message being handled, MULTIKERNEL_MSG_MAX
 *		bytes
 * @rx_lock:	protects @rx_busy, @stashed and @stash, and @chan[].fast
 *		and .priv with @chan_lock; held while a fast handler runs
 * @rx_busy:	@rx_work is running or has a stashed message to hand on:
 *		the doorbell takes nothing off the ring meanwhile
 * @stashed:	@stash is a message that the doorbell took off the ring and
 *		a fast handler declined; its payload is in @rx_buf
 * @stash:	that message
 * @nr_fast:	channels with a fast handler; the doorbell looks at the
 *		ring only when there is one
 * @rx_fast:	messages taken by fast handlers
 * @chan_lock:	protects @chan[].handler and .priv; held while a handler
 *		runs, so that unregistering waits for it
 * @chan:	the channels that can have handlers
 * @unknown:	messages dropped for a channel of MK_MSG_CHANNELS or above
 * @stale:	responses that matched no waiting request
 * @req_lock:	protects @requests and @next_cookie
 * @requests:	requests waiting for their response
 * @next_cookie: cookie of the next request
 * @tx_closed:	set once nothing may be sent any more
 * @closing:	set by mk_peer_drain(): @rx_work takes in what is left
 * @dead:	set once the peer is disconnected; nothing is sent or
 *		received after that
 * @paused:	set by mk_peer_pause(): nothing is taken off @end.rx until
 *		mk_peer_unpause()
 *
 * Lock order: @chan_lock, then @tx_lock or @req_lock (a handler may send).
 */
struct mk_peer {
	struct mk_ring_end end;
	const struct mk_peer_ops *ops;
	struct mk_doorbell_client doorbell;
	spinlock_t tx_lock;	/* see above */
	wait_queue_head_t tx_wait;
	struct work_struct rx_work;
	u64 rx_runs;
	u64 rx_yields;
	u64 rx_polls;
	atomic64_t tx_rechecks;
	u32 poll_head;
	u32 poll_taken;
	void *rx_buf;
	spinlock_t rx_lock;	/* see above */
	bool rx_busy;
	bool stashed;
	struct mk_msg_info stash;
	unsigned int nr_fast;
	u64 rx_fast;
	struct mutex chan_lock;	/* see above */
	struct mk_msg_chan chan[MK_MSG_CHANNELS];
	u64 unknown;
	u64 stale;
	spinlock_t req_lock;	/* see above */
	struct list_head requests;
	u32 next_cookie;
	bool tx_closed;
	bool closing;
	bool dead;
	bool paused;
};

int mk_peer_init(struct mk_peer *peer, void *region, size_t size,
		 enum mk_ring_side side, const char *name,
		 const struct mk_peer_ops *ops);
int mk_peer_resume(struct mk_peer *peer, void *region, size_t size,
		   enum mk_ring_side side, const char *name,
		   const struct mk_peer_ops *ops);
void mk_peer_listen(struct mk_peer *peer);
void mk_peer_pause(struct mk_peer *peer);
void mk_peer_log_rings(struct mk_peer *peer, const char *what);
void mk_peer_unpause(struct mk_peer *peer);
void mk_peer_destroy(struct mk_peer *peer);
void mk_peer_disconnect(struct mk_peer *peer);
void mk_peer_log_rx(struct mk_peer *peer, const char *name);
bool mk_peer_poll(struct mk_peer *peer);
void mk_peer_drain(struct mk_peer *peer);
int mk_msg_set_fast(struct mk_peer *peer, u16 channel, mk_msg_fast_t fast);
int mk_msg_send_iter(struct mk_peer *peer, u16 channel, const void *head,
		     size_t head_len, struct iov_iter *from, unsigned int flags);

/* Between the receiving side (msg.c) and the sending side (msg_send.c). */
void mk_peer_broken(struct mk_peer *peer);
bool mk_msg_in_handler(void);
void mk_peer_close_tx(struct mk_peer *peer);
void mk_msg_complete(struct mk_peer *peer, const struct mk_msg *msg);
#if IS_ENABLED(CONFIG_KUNIT)
void mk_peer_doorbell(struct mk_peer *peer);
#endif

#endif /* _KERNEL_MULTIKERNEL_MSG_H */
