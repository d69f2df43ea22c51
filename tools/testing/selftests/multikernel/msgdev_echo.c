// SPDX-License-Identifier: GPL-2.0
/*
 * msgdev_echo - send every datagram that arrives back to its sender
 *
 *   msgdev_echo [-c PEER] [-n COUNT] [-w SECONDS] [DEVICE]
 *
 * Reads datagrams from DEVICE (default /dev/mkmsg/host, the instance's
 * device) and writes each back unchanged. -c points the device at kernel
 * PEER first (another instance, reached through the host). Stops after
 * COUNT datagrams (default: no limit) or when the link goes down after
 * the first datagram; waits up to SECONDS (default 60) for the device to
 * appear and the link to come up. Prints "msgdev_echo: ready on DEVICE"
 * once it reads, and "msgdev_echo: echoed N datagrams" at the end. For
 * the spawn scenarios; not run as a test on its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msgdev_util.h"

static void print_usage(void)
{
	fprintf(stderr, "usage: msgdev_echo [-c PEER] [-n COUNT] [-w SECONDS] [DEVICE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *path = "/dev/mkmsg/host";
	unsigned long long count = 0, done = 0;
	long peer = -1;
	double wait_s = 60, end;
	ssize_t n, w;
	char *buf;
	int opt, fd, ret = 0;

	while ((opt = getopt(argc, argv, "c:n:w:")) != -1) {
		switch (opt) {
		case 'c':
			peer = strtol(optarg, NULL, 10);
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 'w':
			wait_s = strtod(optarg, NULL);
			break;
		default:
			print_usage();
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc)
		print_usage();

	buf = malloc(MULTIKERNEL_USER_MAX);
	if (!buf)
		return 1;
	fd = msgdev_open(path, peer, wait_s);
	if (fd < 0) {
		fprintf(stderr, "msgdev_echo: %s: %s\n", path, strerror(-fd));
		return 1;
	}
	printf("msgdev_echo: ready on %s\n", path);
	fflush(stdout);

	end = now_s() + wait_s;
	while (!count || done < count) {
		n = read(fd, buf, MULTIKERNEL_USER_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		/* Not up yet (a host device before its instance runs). */
		if (n < 0 && errno == ENOTCONN && !done && now_s() < end) {
			sleep_ms(100);
			continue;
		}
		if (n < 0) {
			/* The peer going away after it talked is the end. */
			if (!done || (errno != ENOTCONN && errno != ENODEV)) {
				fprintf(stderr, "msgdev_echo: read: %s\n",
					strerror(errno));
				ret = 1;
			}
			break;
		}
		do {
			w = write(fd, buf, n);
		} while (w < 0 && errno == EINTR);
		if (w != n) {
			fprintf(stderr, "msgdev_echo: write: %s\n",
				w < 0 ? strerror(errno) : "short write");
			ret = 1;
			break;
		}
		done++;
	}
	printf("msgdev_echo: echoed %llu datagrams\n", done);
	close(fd);
	free(buf);
	return ret;
}
