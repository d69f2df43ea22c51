/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Multikernel in-kernel interface.
 *
 * Architecture code calls the hooks; other kernel code exchanges messages
 * with other kernels through the mk_msg_*() channel API. Everything else of
 * the subsystem is private to kernel/multikernel/. With CONFIG_MULTIKERNEL
 * off the hooks are empty inlines and the channel API fails with
 * -EOPNOTSUPP, so that callers need no #ifdef.
 */
#ifndef _LINUX_MULTIKERNEL_H
#define _LINUX_MULTIKERNEL_H

#include <linux/errno.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/multikernel/wire.h>
#include <uapi/linux/multikernel.h>

/**
 * enum multikernel_lockdown - a kernel's lockdown level, as an instance sees it
 * @MK_LOCKDOWN_NONE:		not locked down
 * @MK_LOCKDOWN_INTEGRITY:	locked down to "integrity"
 * @MK_LOCKDOWN_CONFIDENTIALITY: locked down to "confidentiality"
 *
 * The host tells an instance its own level in the arch's handoff; an
 * instance locks itself down to at least integrity, and as far as that.
 */
enum multikernel_lockdown {
	MK_LOCKDOWN_NONE,
	MK_LOCKDOWN_INTEGRITY,
	MK_LOCKDOWN_CONFIDENTIALITY,
};

/**
 * struct mk_doorbell_client - something that wants to hear doorbells
 * @node:	entry in the list of clients
 * @handle:	called in hard interrupt context on the CPU a peer kernel
 *		rang; must cope with doorbells that announce nothing new
 * @registered:	between mk_doorbell_register() and mk_doorbell_unregister()
 */
struct mk_doorbell_client {
	struct list_head node;
	void (*handle)(struct mk_doorbell_client *client);
	bool registered;
};

/**
 * define MK_MSG_CHANNELS - channels a peer can have handlers for
 *
 * Messages on higher channel numbers are dropped and counted.
 */
#define MK_MSG_CHANNELS		64

/**
 * define MK_MSG_FIRST_CLIENT_CHANNEL - first channel free for other kernel code
 *
 * The channels below it belong to the subsystem (control, console, user
 * datagrams, echo); mk_msg_register_all() and mk_msg_send_to() refuse them.
 */
#define MK_MSG_FIRST_CLIENT_CHANNEL	8

/**
 * define MK_MSG_NONBLOCK - do not wait for room in the ring
 *
 * With this flag, mk_msg_send() and mk_msg_reply() fail with -EAGAIN
 * when the ring is full.
 */
#define MK_MSG_NONBLOCK		0x1

/**
 * define MK_MSG_TRYLOCK - do not wait for another sender either
 *
 * With MK_MSG_NONBLOCK, for paths that may run while a stopped CPU holds
 * the ring (panic, console): fail with -EAGAIN when another sender is
 * busy with the ring.
 */
#define MK_MSG_TRYLOCK		0x2

struct mk_peer;

/**
 * struct mk_msg - a received message, as a handler sees it
 * @channel:	channel it arrived on
 * @type:	MULTIKERNEL_MSG_DATA or MULTIKERNEL_MSG_REQUEST
 * @cookie:	for a request, what mk_msg_reply() answers to
 * @len:	payload bytes
 * @data:	the payload, valid until the handler returns
 */
struct mk_msg {
	u16 channel;
	u16 type;
	u32 cookie;
	u32 len;
	const void *data;
};

/**
 * typedef mk_msg_handler_t - receives the messages of one channel
 * @peer:	the kernel that sent the message
 * @msg:	the message
 * @priv:	what was given to mk_msg_register()
 *
 * Runs in process context and may sleep; the handlers of one peer run
 * one at a time. It must not register or unregister handlers of @peer.
 */
typedef void (*mk_msg_handler_t)(struct mk_peer *peer,
				 const struct mk_msg *msg, void *priv);

struct crash_mem;

#ifdef CONFIG_MULTIKERNEL

void __init multikernel_reserve_pool(void);
bool __init multikernel_pool_requested(void);
void __init multikernel_pool_handed_over(phys_addr_t base, u64 size);
bool __init multikernel_record_intact(const void *rec);
bool multikernel_owns_cpus(void);
int multikernel_kexec_prepare(void);
void multikernel_kexec_finish(void);
bool multikernel_kexec_avoid(phys_addr_t *start, phys_addr_t *end);
bool multikernel_kexec_hands_over(void);
bool multikernel_is_instance(void);
u32 multikernel_lockdown_level(void);
void __init multikernel_confine_instance(u32 host_level);
void __init multikernel_early_console_start(phys_addr_t pa);
void __init multikernel_early_console_stop(void);
int multikernel_crash_exclude(struct crash_mem *cmem);

void mk_doorbell_register(struct mk_doorbell_client *client);
void mk_doorbell_unregister(struct mk_doorbell_client *client);
bool mk_doorbell_handler(void);

/* Provided by the architecture. */
int mk_doorbell_send(u32 hw_id);

int mk_msg_register(struct mk_peer *peer, u16 channel,
		    mk_msg_handler_t handler, void *priv);
void mk_msg_unregister(struct mk_peer *peer, u16 channel);
int mk_msg_send(struct mk_peer *peer, u16 channel, const void *data,
		size_t len, unsigned int flags);
int mk_msg_reply(struct mk_peer *peer, const struct mk_msg *req,
		 const void *data, size_t len, unsigned int flags);
ssize_t mk_msg_request(struct mk_peer *peer, u16 channel, const void *req,
		       size_t req_len, void *resp, size_t resp_size,
		       long timeout);

int mk_msg_register_all(u16 channel, mk_msg_handler_t handler, void *priv);
void mk_msg_unregister_all(u16 channel);
u32 mk_msg_peer_id(struct mk_peer *peer);
int mk_msg_send_to(u32 id, u16 channel, const void *data, size_t len,
		   unsigned int flags);
ssize_t mk_msg_request_to(u32 id, u16 channel, const void *req,
			  size_t req_len, void *resp, size_t resp_size,
			  long timeout);

#else /* !CONFIG_MULTIKERNEL */

static inline void multikernel_reserve_pool(void) { }
static inline bool multikernel_pool_requested(void) { return false; }
static inline bool multikernel_owns_cpus(void) { return false; }
static inline int multikernel_kexec_prepare(void) { return 0; }
static inline void multikernel_kexec_finish(void) { }
static inline bool multikernel_kexec_hands_over(void) { return false; }
static inline bool multikernel_kexec_avoid(phys_addr_t *start, phys_addr_t *end)
{
	return false;
}

static inline int multikernel_crash_exclude(struct crash_mem *cmem) { return 0; }
static inline bool multikernel_is_instance(void) { return false; }

static inline int mk_msg_register(struct mk_peer *peer, u16 channel,
				  mk_msg_handler_t handler, void *priv)
{
	return -EOPNOTSUPP;
}

static inline void mk_msg_unregister(struct mk_peer *peer, u16 channel) { }

static inline int mk_msg_send(struct mk_peer *peer, u16 channel,
			      const void *data, size_t len, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline int mk_msg_reply(struct mk_peer *peer, const struct mk_msg *req,
			       const void *data, size_t len, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline ssize_t mk_msg_request(struct mk_peer *peer, u16 channel,
				     const void *req, size_t req_len,
				     void *resp, size_t resp_size, long timeout)
{
	return -EOPNOTSUPP;
}

static inline int mk_msg_register_all(u16 channel, mk_msg_handler_t handler,
				      void *priv)
{
	return -EOPNOTSUPP;
}

static inline void mk_msg_unregister_all(u16 channel) { }

static inline u32 mk_msg_peer_id(struct mk_peer *peer)
{
	return 0;
}

static inline int mk_msg_send_to(u32 id, u16 channel, const void *data,
				 size_t len, unsigned int flags)
{
	return -EOPNOTSUPP;
}

static inline ssize_t mk_msg_request_to(u32 id, u16 channel, const void *req,
					size_t req_len, void *resp,
					size_t resp_size, long timeout)
{
	return -EOPNOTSUPP;
}

#endif /* CONFIG_MULTIKERNEL */

#endif /* _LINUX_MULTIKERNEL_H */
