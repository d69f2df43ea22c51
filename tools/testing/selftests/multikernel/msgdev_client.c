// SPDX-License-Identifier: GPL-2.0
/*
 * msgdev_client - round trips through an echo in another kernel
 *
 *   msgdev_client [-c PEER] [-n COUNT] [-s SIZE] [-t SECONDS] [-k] DEVICE
 *
 * Sends COUNT (default 10000) datagrams of SIZE bytes (default 64; 0 for
 * sizes that vary from 16 to MULTIKERNEL_USER_MAX) through DEVICE and
 * expects each back unchanged from msgdev_echo in the other kernel: the
 * same bytes, its sequence number and a checksum of its contents. -c
 * points the device at kernel PEER first; -t is how long to wait for the
 * link to come up and for each answer (default 30). -k first checks what
 * needs a live link and an empty queue: a non-blocking read fails with
 * EAGAIN, poll() says writable and not readable, and a datagram larger
 * than the read buffer fails with EMSGSIZE and stays queued (FIONREAD
 * gives its size), a write() that runs into an unmapped page fails with
 * EFAULT and sends nothing, and one from a page never touched is sent.
 * Prints a line with the count and the time taken and one with the time
 * write() took, or "msgdev_client: round trip N: why" and exits 1. For the spawn
 * scenarios; not run as a test on its own.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>

#include "msgdev_util.h"

static int fail(unsigned long long i, const char *fmt, const char *why)
{
	printf("msgdev_client: round trip %llu: ", i);
	printf(fmt, why);
	putchar('\n');
	return 1;
}

/* Wait until @fd has @events (POLLIN or POLLOUT), up to @timeout_s. */
static int wait_for(int fd, short events, double timeout_s)
{
	struct pollfd p = { .fd = fd, .events = events };
	double end = now_s() + timeout_s;
	int n;

	for (;;) {
		n = poll(&p, 1, 100);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (p.revents & events))
			return 0;
		if (n > 0 && (p.revents & POLLERR))
			return -ENODEV;
		if (now_s() >= end)
			return -ETIMEDOUT;
		/* POLLHUP: no link yet, or not any more; look again. */
		if (n > 0)
			sleep_ms(10);
	}
}

/*
 * Datagrams go from the writer's buffer straight into the ring, copied
 * with page faults disabled: a page not yet there must be faulted in and
 * the datagram sent whole, and an address with nothing behind it must
 * give EFAULT and send nothing.
 */
static int fault_checks(int fd, double timeout_s)
{
	long page = sysconf(_SC_PAGESIZE);
	uint8_t back[256];
	uint8_t *mem;
	int i, n = -1;

	mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail(0, "mmap: %s", strerror(errno));
	/* The first page is never touched; the second goes away. */
	if (munmap(mem + page, page))
		return fail(0, "munmap: %s", strerror(errno));
	if (write(fd, mem + page - 100, 300) != -1 || errno != EFAULT)
		return fail(0, "%s", "a write reaching an unmapped page did not fail with EFAULT");
	if (write(fd, mem + page - 200, 200) != 200)
		return fail(0, "write from a page not yet touched: %s", strerror(errno));
	if (wait_for(fd, POLLIN, timeout_s))
		return fail(0, "%s", "no echo");
	/* Only the second write reached the peer: 200 bytes, not 300. */
	if (ioctl(fd, FIONREAD, &n) || n != 200)
		return fail(0, "%s", "the echo is not the 200 bytes of the second write");
	if (read(fd, back, sizeof(back)) != 200)
		return fail(0, "read: %s", strerror(errno));
	for (i = 0; i < 200; i++)
		if (back[i])
			return fail(0, "%s", "an untouched page did not arrive as zeros");
	munmap(mem, page);
	return 0;
}

/* The checks that need a live link; the queue must be empty. */
static int live_link_checks(int fd, double timeout_s)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	uint8_t buf[256];
	uint32_t rnd = 1;
	int fl, n = -1;

	fl = fcntl(fd, F_GETFL);
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return fail(0, "fcntl: %s", strerror(errno));
	if (read(fd, buf, sizeof(buf)) != -1 || errno != EAGAIN)
		return fail(0, "%s", "non-blocking read of an empty queue: not EAGAIN");
	if (fcntl(fd, F_SETFL, fl))
		return fail(0, "fcntl: %s", strerror(errno));
	if (poll(&p, 1, 0) != 1 || p.revents != POLLOUT)
		return fail(0, "%s", "poll of a connected, empty device is not just POLLOUT");

	msgdev_fill(buf, 0, 100, &rnd);
	if (write(fd, buf, 100) != 100)
		return fail(0, "write: %s", strerror(errno));
	if (wait_for(fd, POLLIN, timeout_s))
		return fail(0, "%s", "no echo");
	if (ioctl(fd, FIONREAD, &n) || n != 100)
		return fail(0, "%s", "FIONREAD does not give the size of the next datagram");
	if (read(fd, buf, 99) != -1 || errno != EMSGSIZE)
		return fail(0, "%s", "a read buffer one byte short did not fail with EMSGSIZE");
	if (ioctl(fd, FIONREAD, &n) || n != 100)
		return fail(0, "%s", "the datagram did not stay queued after EMSGSIZE");
	if (read(fd, buf, sizeof(buf)) != 100)
		return fail(0, "%s", "the datagram could not be read after EMSGSIZE");
	if (fault_checks(fd, timeout_s))
		return 1;
	/* Nothing else came back. */
	if (ioctl(fd, FIONREAD, &n) || n != 0)
		return fail(0, "%s", "a datagram too many came back");
	printf("msgdev_client: checks passed\n");
	return 0;
}

/*
 * The round trips wait in a blocking read(), as a pipe's reader does, not
 * in poll() and then read(): one system call an answer, not two. What
 * bounds the wait is a watchdog: a timer that interrupts the read every
 * timeout period and ends the run when no round trip finished since the
 * last tick.
 */
static int watchdog_ticks;

static void watchdog_tick(int sig)
{
	__atomic_fetch_add(&watchdog_ticks, 1, __ATOMIC_RELAXED);
}

static int watchdog_now(void)
{
	return __atomic_load_n(&watchdog_ticks, __ATOMIC_RELAXED);
}

static int watchdog_start(double timeout_s)
{
	struct sigaction sa = { .sa_handler = watchdog_tick };
	struct itimerval it = { };

	/* No SA_RESTART: the tick must end a read that waits. */
	if (sigaction(SIGALRM, &sa, NULL))
		return -errno;
	it.it_value.tv_sec = (time_t)timeout_s;
	it.it_value.tv_usec = (suseconds_t)((timeout_s - (time_t)timeout_s) * 1e6);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	it.it_interval = it.it_value;
	return setitimer(ITIMER_REAL, &it, NULL) ? -errno : 0;
}

static void watchdog_stop(void)
{
	struct itimerval it = { };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Read the answer to round trip @i: -ETIMEDOUT when a whole watchdog
 * period went by with no answer (two ticks since round trip @i began).
 */
static ssize_t read_answer(int fd, void *buf, size_t len, int began)
{
	ssize_t n;

	for (;;) {
		n = read(fd, buf, len);
		if (n >= 0 || errno != EINTR)
			return n < 0 ? -errno : n;
		if (watchdog_now() - began >= 2)
			return -ETIMEDOUT;
	}
}

static void print_usage(void)
{
	fprintf(stderr, "usage: msgdev_client [-c PEER] [-n N] [-s SIZE] [-t SEC] [-k] DEVICE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long long count = 10000, i;
	uint8_t *out, *in;
	uint32_t size = 64, len, rnd = 12345;
	double timeout_s = 30, start, took, t, writing = 0;
	bool check = false;
	const char *path;
	long peer = -1;
	int opt, fd, ret;
	ssize_t n;

	while ((opt = getopt(argc, argv, "c:n:s:t:k")) != -1) {
		switch (opt) {
		case 'c':
			peer = strtol(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout_s = strtod(optarg, NULL);
			break;
		case 'k':
			check = true;
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc - 1)
		print_usage();
	path = argv[optind];
	if (size && (size < sizeof(struct msgdev_probe) ||
		     size > MULTIKERNEL_USER_MAX)) {
		fprintf(stderr, "msgdev_client: -s takes 0 or %zu to %d\n",
			sizeof(struct msgdev_probe), MULTIKERNEL_USER_MAX);
		return 2;
	}

	out = malloc(MULTIKERNEL_USER_MAX);
	in = malloc(MULTIKERNEL_USER_MAX);
	if (!out || !in)
		return 1;
	fd = msgdev_open(path, peer, timeout_s);
	if (fd < 0)
		return fail(0, "open: %s", strerror(-fd));
	ret = wait_for(fd, POLLOUT, timeout_s);
	if (ret)
		return fail(0, "waiting for the link: %s", strerror(-ret));
	if (check && live_link_checks(fd, timeout_s))
		return 1;

	ret = watchdog_start(timeout_s);
	if (ret)
		return fail(0, "timer: %s", strerror(-ret));
	start = now_s();
	for (i = 0; i < count; i++) {
		int began = watchdog_now();

		len = size;
		if (!len) {
			rnd = rnd * 1103515245 + 12345;
			len = sizeof(struct msgdev_probe) +
			      (rnd >> 8) % (MULTIKERNEL_USER_MAX -
					    sizeof(struct msgdev_probe) + 1);
		}
		msgdev_fill(out, i, len, &rnd);
		t = now_s();
		do {
			n = write(fd, out, len);
		} while (n < 0 && errno == EINTR);
		writing += now_s() - t;
		if (n != len)
			return fail(i, "write: %s", n < 0 ? strerror(errno) : "short");
		n = read_answer(fd, in, MULTIKERNEL_USER_MAX, began);
		if (n == -ETIMEDOUT)
			return fail(i, "no answer: %s", strerror(-n));
		if (n < 0)
			return fail(i, "read: %s", strerror(-n));
		if (n != len)
			return fail(i, "%s", "answer of another length");
		if (((struct msgdev_probe *)in)->seq != i)
			return fail(i, "%s", "answer to another round trip");
		if (((struct msgdev_probe *)in)->sum !=
		    msgdev_sum(in + sizeof(struct msgdev_probe),
			       n - sizeof(struct msgdev_probe)) ||
		    memcmp(in, out, len))
			return fail(i, "%s", "answer differs from what was sent (checksum)");
	}
	took = now_s() - start;
	watchdog_stop();
	printf("msgdev_client: %llu round trips of %s%u bytes in %.3f s, %.1f us each\n",
	       count, size ? "" : "up to ", size ? size : MULTIKERNEL_USER_MAX,
	       took, count ? took * 1e6 / count : 0.0);
	/* What sending costs the sender, for the benchmark's breakdown. */
	printf("msgdev_client: write() took %.1f us each\n",
	       count ? writing * 1e6 / count : 0.0);
	close(fd);
	free(out);
	free(in);
	return 0;
}
