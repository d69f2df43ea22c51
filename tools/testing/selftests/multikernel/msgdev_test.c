// SPDX-License-Identifier: GPL-2.0
/*
 * The user datagram device of an instance, /dev/mkmsg/<name>, from the
 * host's userspace, with the instance created but not started: sizes,
 * ENOTCONN, poll, the MULTIKERNEL_USER_CONNECT ioctl, the statistics in
 * sysfs, and removal with the file still open.
 *
 * Needs a kernel booted with multikernel=<at least 4M> and CPU 3 free
 * for an instance (the harness boots 4 CPUs with multikernel=256M).
 * What needs a running instance (echoes, EAGAIN on an empty queue,
 * EMSGSIZE on a short read) is done by the spawn scenario with
 * msgdev_echo and msgdev_client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/multikernel.h>

#include "../kselftest_harness.h"
#include "mk_util.h"

#define MK_DEV		"/dev/multikernel"
#define NAME		"mkst-msg"
#define NODE		"/dev/mkmsg/" NAME
#define CLASS		"/sys/class/misc/mkmsg-" NAME
#define TEST_MEM	(4ULL << 20)

static int mk_create(int fd, const char *name, const char *cpus, __u32 *id)
{
	struct multikernel_create c = {
		.size = sizeof(c),
		.flags = MULTIKERNEL_CREATE_CPU_LIST,
		.mem_size = TEST_MEM,
		.cpus_uptr = (uintptr_t)cpus,
		.cpus_len = strlen(cpus),
	};

	snprintf((char *)c.name, sizeof(c.name), "%s", name);
	if (ioctl(fd, MULTIKERNEL_CREATE, &c))
		return -errno;
	*id = c.out_id;
	return 0;
}

static int mk_destroy(int fd, const char *name)
{
	struct multikernel_destroy d = { .size = sizeof(d) };

	snprintf((char *)d.name, sizeof(d.name), "%s", name);
	return ioctl(fd, MULTIKERNEL_DESTROY, &d) ? -errno : 0;
}

static int user_connect(int fd, __u32 size, __u32 flags, __u32 peer,
			__u32 reserved)
{
	struct {
		struct multikernel_user_connect c;
		__u32 extra[2];
	} buf = {
		.c = {
			.size = size,
			.flags = flags,
			.peer_id = peer,
			.__reserved = reserved,
		},
	};

	/* A size beyond the structure brings non-zero bytes with it. */
	if (size > sizeof(buf.c))
		buf.extra[0] = 1;
	return ioctl(fd, MULTIKERNEL_USER_CONNECT, &buf) ? -errno : 0;
}

FIXTURE(msgdev) {
	int mk;
	int fd;
	__u32 id;
	bool destroyed;
};

FIXTURE_SETUP(msgdev)
{
	int ret;

	self->fd = -1;
	self->destroyed = false;
	self->mk = open(MK_DEV, O_RDWR);
	if (self->mk < 0)
		SKIP(return, "no %s: kernel without CONFIG_MULTIKERNEL", MK_DEV);
	mk_destroy(self->mk, NAME);	/* left over by a failed run */
	ret = mk_create(self->mk, NAME, "3", &self->id);
	if (ret == -ENOSPC || ret == -ENOMEM)
		SKIP(return, "no pool memory for an instance: %s", strerror(-ret));
	ASSERT_EQ(0, ret);
	self->fd = open(NODE, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", NODE, strerror(errno));
}

FIXTURE_TEARDOWN(msgdev)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->mk < 0)
		return;
	if (!self->destroyed)
		EXPECT_EQ(0, mk_destroy(self->mk, NAME));
	close(self->mk);
}

/* The node is a character device; sysfs names the peer and has counters. */
TEST_F(msgdev, node_and_sysfs)
{
	unsigned long long v = 0;
	struct stat st;

	ASSERT_EQ(0, stat(NODE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 0777);
	ASSERT_EQ(0, read_u64(CLASS "/peer_id", &v));
	EXPECT_EQ(self->id, v);
	/* Ids start at 1: 0 is the host. */
	EXPECT_NE(MULTIKERNEL_HOST_ID, self->id);
	ASSERT_EQ(0, read_u64(CLASS "/connected", &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, read_u64(CLASS "/statistics/tx_datagrams", &v));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, read_u64(CLASS "/statistics/rx_dropped", &v));
	EXPECT_EQ(0, v);
}

TEST_F(msgdev, write_empty_einval)
{
	char c = 'x';

	EXPECT_EQ(-1, write(self->fd, &c, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(msgdev, write_too_long_emsgsize)
{
	size_t len = MULTIKERNEL_USER_MAX + 1;
	char *buf = calloc(1, len);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, write(self->fd, buf, len));
	EXPECT_EQ(EMSGSIZE, errno);
	free(buf);
}

/* Every valid size gets as far as the link, which is not there. */
TEST_F(msgdev, write_not_started_enotconn)
{
	unsigned long long v;
	char *buf = calloc(1, MULTIKERNEL_USER_MAX);

	ASSERT_NE(NULL, buf);
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENOTCONN, errno);
	EXPECT_EQ(-1, write(self->fd, buf, MULTIKERNEL_USER_MAX));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, read_u64(CLASS "/statistics/tx_datagrams", &v));
	EXPECT_EQ(0, v);
	free(buf);
}

TEST_F(msgdev, read_not_started_enotconn)
{
	char buf[16];
	int fl;

	/* Blocking: nothing can come, so it does not wait. */
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
	fl = fcntl(self->fd, F_GETFL);
	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENOTCONN, errno);
}

/* Not connected: POLLHUP, neither readable nor writable. */
TEST_F(msgdev, poll_not_started_pollhup)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };

	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLHUP, p.revents);
}

TEST_F(msgdev, fionread_empty)
{
	int n = -1;

	ASSERT_EQ(0, ioctl(self->fd, FIONREAD, &n));
	EXPECT_EQ(0, n);
}

TEST_F(msgdev, connect_errors)
{
	struct multikernel_user_connect c = { .size = sizeof(c) };

	/* On the host a device talks to its own instance only. */
	EXPECT_EQ(0, user_connect(self->fd, sizeof(c), 0, self->id, 0));
	EXPECT_EQ(-EINVAL, user_connect(self->fd, sizeof(c), 0,
					MULTIKERNEL_HOST_ID, 0));
	EXPECT_EQ(-EINVAL, user_connect(self->fd, sizeof(c), 0, self->id + 1, 0));
	/* The structure's rules. */
	EXPECT_EQ(-EINVAL, user_connect(self->fd, sizeof(c), 1, self->id, 0));
	EXPECT_EQ(-EINVAL, user_connect(self->fd, sizeof(c), 1u << 31, self->id, 0));
	EXPECT_EQ(-EINVAL, user_connect(self->fd, sizeof(c), 0, self->id, 1));
	EXPECT_EQ(-EINVAL, user_connect(self->fd, 8, 0, self->id, 0));
	EXPECT_EQ(-E2BIG, user_connect(self->fd, sizeof(c) + 4, 0, self->id, 0));
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_USER_CONNECT, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* Not a command of this device. */
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &c));
	EXPECT_EQ(ENOTTY, errno);
}

/* Destroy with the file open: it fails from then on, the node goes. */
TEST_F(msgdev, destroy_with_open_file)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLOUT };
	struct multikernel_user_connect c = { .size = sizeof(c) };
	struct stat st;
	char buf[8] = "x";
	int fd2;

	ASSERT_EQ(0, mk_destroy(self->mk, NAME));
	self->destroyed = true;
	EXPECT_EQ(-1, stat(NODE, &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENODEV, errno);
	c.peer_id = self->id;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_USER_CONNECT, &c));
	EXPECT_EQ(ENODEV, errno);
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLERR | POLLHUP, p.revents);

	/* A new instance of the same name gets a fresh device. */
	ASSERT_EQ(0, mk_create(self->mk, NAME, "3", &self->id));
	self->destroyed = false;
	fd2 = open(NODE, O_RDWR);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-1, write(fd2, buf, 1));
	EXPECT_EQ(ENOTCONN, errno);
	close(fd2);
	/* The old file stays dead. */
	EXPECT_EQ(-1, write(self->fd, buf, 1));
	EXPECT_EQ(ENODEV, errno);
}

TEST(no_such_instance)
{
	EXPECT_EQ(-1, open("/dev/mkmsg/mkst-none", O_RDWR));
	EXPECT_EQ(ENOENT, errno);
}

TEST_HARNESS_MAIN
