/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What msgdev_echo and msgdev_client share: opening a user datagram
 * device once it exists and pointing it at a peer, and the layout of the
 * datagrams the client checks.
 */
#ifndef MSGDEV_UTIL_H
#define MSGDEV_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/multikernel.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * Open @path, waiting up to @wait_s seconds for it to appear (in an
 * instance the device comes once the link to the host is up), and point
 * it at kernel @peer unless @peer is negative. Returns the descriptor or
 * -errno.
 */
static inline int msgdev_open(const char *path, long peer, double wait_s)
{
	struct multikernel_user_connect c = { .size = sizeof(c) };
	double end = now_s() + wait_s;
	int fd, err;

	for (;;) {
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || now_s() >= end)
			break;
		sleep_ms(100);
	}
	if (fd < 0)
		return -errno;
	if (peer >= 0) {
		c.peer_id = peer;
		if (ioctl(fd, MULTIKERNEL_USER_CONNECT, &c)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	return fd;
}

/* First bytes of every datagram of msgdev_client. */
struct msgdev_probe {
	uint32_t magic;		/* MSGDEV_MAGIC */
	uint32_t seq;		/* round trip number */
	uint32_t len;		/* bytes of the whole datagram */
	uint32_t sum;		/* msgdev_sum() of the bytes after this header */
};

#define MSGDEV_MAGIC	0x6d736764	/* "dgsm" */

/* FNV-1a over @len bytes. */
static inline uint32_t msgdev_sum(const uint8_t *p, size_t len)
{
	uint32_t h = 0x811c9dc5;

	while (len--) {
		h ^= *p++;
		h *= 0x01000193;
	}
	return h;
}

/*
 * A round trip's datagram: the probe header, then pseudo-random bytes
 * from the linear congruential generator state @rnd.
 */
static inline void msgdev_fill(uint8_t *buf, uint32_t seq, uint32_t len,
			       uint32_t *rnd)
{
	struct msgdev_probe *h = (struct msgdev_probe *)buf;
	uint32_t i;

	for (i = sizeof(*h); i < len; i++) {
		*rnd = *rnd * 1103515245 + 12345;
		buf[i] = *rnd >> 16;
	}
	h->magic = MSGDEV_MAGIC;
	h->seq = seq;
	h->len = len;
	h->sum = msgdev_sum(buf + sizeof(*h), len - sizeof(*h));
}

#endif /* MSGDEV_UTIL_H */
