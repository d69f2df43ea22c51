// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multikernel doorbell dispatch.
 *
 * A peer kernel rings this one with an IPI (MULTIKERNEL_VECTOR on x86);
 * the architecture's handler calls mk_doorbell_handler(), which tells
 * every registered client. A doorbell carries neither data nor sender:
 * clients look at their rings to find out what changed, so a doorbell too
 * many is harmless. One that arrives while nobody listens (a peer ringing
 * before we attached or after we left) is counted by the caller and
 * dropped.
 */
#define pr_fmt(fmt) "multikernel: " fmt

#include <kunit/visibility.h>
#include <linux/list.h>
#include <linux/multikernel.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>

/* Clients to call on a doorbell; readers use RCU. */
static LIST_HEAD(mk_doorbell_clients);
/* Serializes changes to mk_doorbell_clients. */
static DEFINE_MUTEX(mk_doorbell_lock);

/**
 * mk_doorbell_register() - start hearing doorbells
 * @client:	the client, with @client->handle set; stays in use until
 *		mk_doorbell_unregister() returns
 *
 * Context: Process context; sleeps.
 */
void mk_doorbell_register(struct mk_doorbell_client *client)
{
	mutex_lock(&mk_doorbell_lock);
	list_add_tail_rcu(&client->node, &mk_doorbell_clients);
	WRITE_ONCE(client->registered, true);
	mutex_unlock(&mk_doorbell_lock);
}
EXPORT_SYMBOL_IF_KUNIT(mk_doorbell_register);

/**
 * mk_doorbell_unregister() - stop hearing doorbells
 * @client:	a client passed to mk_doorbell_register()
 *
 * When this returns, no CPU runs @client->handle any more and @client
 * may be freed.
 *
 * Context: Process context; sleeps.
 */
void mk_doorbell_unregister(struct mk_doorbell_client *client)
{
	mutex_lock(&mk_doorbell_lock);
	/* A resumed peer that never listened was never added. */
	if (!client->registered) {
		mutex_unlock(&mk_doorbell_lock);
		return;
	}
	list_del_rcu(&client->node);
	WRITE_ONCE(client->registered, false);
	mutex_unlock(&mk_doorbell_lock);
	/* A handler still walking past @client finishes first. */
	synchronize_rcu();
}
EXPORT_SYMBOL_IF_KUNIT(mk_doorbell_unregister);

/**
 * mk_doorbell_handler() - a peer kernel rang this CPU's doorbell
 *
 * Calls every registered client's handler on this CPU.
 *
 * Context: Hard interrupt context, from the architecture's doorbell
 * vector (or a test calling it with interrupts disabled).
 * Return: true if a client was called, false if nobody listens, in which
 * case the caller counts the doorbell as unexpected.
 */
bool mk_doorbell_handler(void)
{
	struct mk_doorbell_client *client;
	bool handled = false;

	rcu_read_lock();
	list_for_each_entry_rcu(client, &mk_doorbell_clients, node) {
		client->handle(client);
		handled = true;
	}
	rcu_read_unlock();
	return handled;
}
EXPORT_SYMBOL_IF_KUNIT(mk_doorbell_handler);
