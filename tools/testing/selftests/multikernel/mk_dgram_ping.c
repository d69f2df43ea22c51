// SPDX-License-Identifier: GPL-2.0
/*
 * mk_dgram_ping - datagram round trips that notice when a host is away
 *
 *   mk_dgram_ping [-w SECONDS] [DEVICE]	in an instance: the pinger
 *   mk_dgram_ping -e DEVICE			on a host: its echo
 *
 * The pinger sends a datagram every 10 ms on DEVICE (default
 * /dev/mkmsg/host), with its number and the time it was sent, keeping at
 * most 32 unanswered, and times each one that comes back. Every other
 * datagram it sends back unchanged, as msgdev_echo does. Every 5 s it
 * prints
 *
 *	MK-INSTANCE: ping sent <n> back <n> longest <ms> ms
 *
 * When a datagram "MKPING-STOP" arrives it sends no more pings, waits up
 * to 10 s for those still out, then sends and prints its summary:
 *
 *	MKPING-END sent <n> back <n> lost <n> longest <ms> ms over1s <n> full <n>
 *
 * "over1s" counts the pings that took longer than a second to come back:
 * across a live update (liveupdate_test.sh), those the instance sent
 * while no host answered, delivered to the new host afterwards. "full"
 * counts the sends put off because the ring to the host was full. It then
 * only echoes, until killed.
 *
 * The echo sends back every ping that arrives on DEVICE and exits with
 * the summary on stdout once it arrives; it ignores everything else.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgdev_util.h"

#define PERIOD_MS	10
#define WINDOW		32
#define MAX_PINGS	65536
#define DRAIN_S		10
#define REPORT_S	5

static const char ping_tag[] = "MKPING ";
static const char stop_tag[] = "MKPING-STOP";
static const char end_tag[] = "MKPING-END";

static bool starts(const char *buf, ssize_t n, const char *tag)
{
	size_t len = strlen(tag);

	return n >= (ssize_t)len && !memcmp(buf, tag, len);
}

static void print_usage(void)
{
	fprintf(stderr, "usage: mk_dgram_ping [-w SECONDS] [DEVICE] | -e DEVICE\n");
	exit(2);
}

/* On a host: send back every ping, until the pinger's summary. */
static int echo_pings(const char *path)
{
	char buf[MULTIKERNEL_USER_MAX + 1];
	ssize_t n;
	int fd;

	fd = msgdev_open(path, -1, 60);
	if (fd < 0) {
		fprintf(stderr, "mk_dgram_ping: %s: %s\n", path, strerror(-fd));
		return 1;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "mk_dgram_ping: read: %s\n", strerror(errno));
			return 1;
		}
		buf[n] = '\0';
		if (starts(buf, n, end_tag)) {
			printf("%s\n", buf);
			return 0;
		}
		if (starts(buf, n, ping_tag) && write(fd, buf, n) != n)
			fprintf(stderr, "mk_dgram_ping: write: %s\n", strerror(errno));
	}
}

struct pinger {
	int fd;
	double *sent_at;	/* per ping; 0 once back */
	unsigned int sent, back, over1s, full;
	double longest, period_longest;
	bool stopping;
};

static void send_ping(struct pinger *p, double now)
{
	char buf[64];
	int len;

	len = snprintf(buf, sizeof(buf), "%s%u", ping_tag, p->sent);
	if (write(p->fd, buf, len) == len) {
		p->sent_at[p->sent++] = now;
		return;
	}
	/* A full ring: the host takes nothing in; try again next time. */
	if (errno == EAGAIN || errno == ENOBUFS) {
		p->full++;
		return;
	}
	fprintf(stderr, "mk_dgram_ping: write: %s\n", strerror(errno));
	exit(1);
}

/* One datagram in: a ping back, the stop, or something to echo. */
static void take(struct pinger *p, char *buf, ssize_t n, double now)
{
	unsigned long seq;
	double rtt;

	buf[n] = '\0';
	if (starts(buf, n, stop_tag)) {
		p->stopping = true;
		return;
	}
	if (!starts(buf, n, ping_tag)) {
		if (write(p->fd, buf, n) != n)
			fprintf(stderr, "mk_dgram_ping: echo: %s\n", strerror(errno));
		return;
	}
	seq = strtoul(buf + strlen(ping_tag), NULL, 10);
	/* A ping of ours, once: anything else is not counted. */
	if (seq >= p->sent || !p->sent_at[seq])
		return;
	rtt = now - p->sent_at[seq];
	p->sent_at[seq] = 0;
	p->back++;
	if (rtt > 1)
		p->over1s++;
	if (rtt > p->longest)
		p->longest = rtt;
	if (rtt > p->period_longest)
		p->period_longest = rtt;
}

/* Wait for datagrams until @until, taking each. */
static void take_until(struct pinger *p, double until)
{
	char buf[MULTIKERNEL_USER_MAX + 1];
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	double now;
	ssize_t n;
	int ms;

	for (;;) {
		now = now_s();
		if (now >= until)
			return;
		ms = (int)((until - now) * 1000) + 1;
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		while ((n = read(p->fd, buf, sizeof(buf) - 1)) > 0)
			take(p, buf, n, now_s());
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "mk_dgram_ping: read: %s\n", strerror(errno));
			exit(1);
		}
	}
}

static int run_pinger(const char *path, double wait_s)
{
	struct pinger p = { 0 };
	double next, report, end;
	char line[160];
	int len;

	p.sent_at = calloc(MAX_PINGS, sizeof(*p.sent_at));
	if (!p.sent_at)
		return 1;
	p.fd = msgdev_open(path, -1, wait_s);
	if (p.fd < 0) {
		fprintf(stderr, "mk_dgram_ping: %s: %s\n", path, strerror(-p.fd));
		return 1;
	}
	if (fcntl(p.fd, F_SETFL, O_NONBLOCK)) {
		perror("mk_dgram_ping: O_NONBLOCK");
		return 1;
	}

	next = now_s();
	report = next + REPORT_S;
	while (!p.stopping) {
		if (p.sent - p.back < WINDOW && p.sent < MAX_PINGS)
			send_ping(&p, now_s());
		next += PERIOD_MS / 1000.0;
		take_until(&p, next);
		if (now_s() >= report) {
			printf("MK-INSTANCE: ping sent %u back %u longest %.1f ms\n",
			       p.sent, p.back, p.period_longest * 1000);
			fflush(stdout);
			p.period_longest = 0;
			report += REPORT_S;
		}
	}

	/* Stopped: the pings still out get their chance to come back. */
	end = now_s() + DRAIN_S;
	while (p.back < p.sent && now_s() < end)
		take_until(&p, now_s() + 0.1);
	len = snprintf(line, sizeof(line),
		       "%s sent %u back %u lost %u longest %.1f ms over1s %u full %u",
		       end_tag, p.sent, p.back, p.sent - p.back,
		       p.longest * 1000, p.over1s, p.full);
	printf("MK-INSTANCE: %s\n", line);
	fflush(stdout);
	if (write(p.fd, line, len) != len)
		fprintf(stderr, "mk_dgram_ping: summary: %s\n", strerror(errno));

	/* From here on an echo only. */
	for (;;)
		take_until(&p, now_s() + 3600);
}

int main(int argc, char **argv)
{
	const char *path = "/dev/mkmsg/host";
	double wait_s = 60;
	bool echo = false;
	int opt;

	while ((opt = getopt(argc, argv, "ew:")) != -1) {
		switch (opt) {
		case 'e':
			echo = true;
			break;
		case 'w':
			wait_s = strtod(optarg, NULL);
			break;
		default:
			print_usage();
		}
	}
	/* The echo names its device: a host has one per instance. */
	if (optind < argc)
		path = argv[optind++];
	else if (echo)
		print_usage();
	if (optind < argc)
		print_usage();
	return echo ? echo_pings(path) : run_pinger(path, wait_s);
}
