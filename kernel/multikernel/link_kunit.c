// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the link's channel API for other kernel code, in a host
 * without started instances: what is refused, and what a kernel without
 * a link to the named one gets. The live paths run in link_test.sh.
 */
#include <kunit/test.h>
#include <linux/jiffies.h>
#include <linux/multikernel.h>

#include "internal.h"
#include "link.h"

static void mk_test_handler(struct mk_peer *peer, const struct mk_msg *msg,
			    void *priv)
{
}

static void mk_link_register_checks(struct kunit *test)
{
	u16 ch = MK_MSG_FIRST_CLIENT_CHANNEL;

	KUNIT_EXPECT_EQ(test, mk_msg_register_all(MULTIKERNEL_CHAN_CONTROL,
						  mk_test_handler, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_register_all(ch - 1, mk_test_handler, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_register_all(MK_MSG_CHANNELS,
						  mk_test_handler, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_register_all(ch, NULL, NULL), -EINVAL);

	KUNIT_ASSERT_EQ(test, mk_msg_register_all(ch, mk_test_handler, NULL), 0);
	KUNIT_EXPECT_EQ(test, mk_msg_register_all(ch, mk_test_handler, NULL),
			-EBUSY);
	mk_msg_unregister_all(ch);
	/* Free again once unregistered. */
	KUNIT_EXPECT_EQ(test, mk_msg_register_all(ch, mk_test_handler, NULL), 0);
	mk_msg_unregister_all(ch);
	/* Channels it never had are ignored. */
	mk_msg_unregister_all(MULTIKERNEL_CHAN_CONTROL);
	mk_msg_unregister_all(MK_MSG_CHANNELS);
}

static void mk_link_send_checks(struct kunit *test)
{
	u16 ch = MK_MSG_FIRST_CLIENT_CHANNEL;
	char buf[8];

	if (mk_link_self_id() != MULTIKERNEL_HOST_ID)
		kunit_skip(test, "runs on the host only");
	/* The subsystem's channels are not for others. */
	KUNIT_EXPECT_EQ(test, mk_msg_send_to(1, MULTIKERNEL_CHAN_USER, "x", 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_request_to(1, MULTIKERNEL_CHAN_ECHO, "x", 1,
						buf, sizeof(buf), HZ), -EINVAL);
	/* The host does not send to itself. */
	KUNIT_EXPECT_EQ(test, mk_msg_send_to(MULTIKERNEL_HOST_ID, ch, "x", 1, 0),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mk_msg_request_to(MULTIKERNEL_HOST_ID, ch, "x", 1,
						buf, sizeof(buf), HZ), -EINVAL);
	/* No instance with that id runs. */
	KUNIT_EXPECT_EQ(test, mk_msg_send_to(U32_MAX, ch, "x", 1, MK_MSG_NONBLOCK),
			-ENOTCONN);
	KUNIT_EXPECT_EQ(test, mk_msg_request_to(U32_MAX, ch, "x", 1, buf,
						sizeof(buf), HZ), -ENOTCONN);
	KUNIT_EXPECT_FALSE(test, mk_link_connected(U32_MAX));
}

/*
 * The host's watchdog takes an instance's ring as a sign of life only
 * while the host is behind in taking it in: a soft-locked instance's
 * lockup reports keep its ring moving, and they are no heartbeats.
 */
static void mk_link_ring_life_checks(struct kunit *test)
{
	/* It moved, and the host took all of it in, then and now. */
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(100, 140, 140));
	/* It moved, and the host took what was there a look ago. */
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(100, 140, 100));
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(100, 140, 120));
	/* It moved, and the host is still short of what was there. */
	KUNIT_EXPECT_TRUE(test, mk_ctl_ring_shows_life(100, 140, 99));
	KUNIT_EXPECT_TRUE(test, mk_ctl_ring_shows_life(100, 101, 0));
	/* The host is behind, but the ring stood still: no word from it. */
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(100, 100, 50));
	/* Across the wrap of the indices. */
	KUNIT_EXPECT_TRUE(test, mk_ctl_ring_shows_life(3, 9, U32_MAX - 2));
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(U32_MAX - 2, 9, 9));
	KUNIT_EXPECT_FALSE(test, mk_ctl_ring_shows_life(U32_MAX - 2, 9,
							U32_MAX - 2));
}

static struct kunit_case mk_link_cases[] = {
	KUNIT_CASE(mk_link_register_checks),
	KUNIT_CASE(mk_link_send_checks),
	KUNIT_CASE(mk_link_ring_life_checks),
	{}
};

static struct kunit_suite mk_link_suite = {
	.name = "multikernel_link",
	.test_cases = mk_link_cases,
};

kunit_test_suite(mk_link_suite);

MODULE_DESCRIPTION("KUnit tests for the multikernel link's channel API");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
