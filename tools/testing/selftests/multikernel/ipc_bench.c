// SPDX-License-Identifier: GPL-2.0
/*
 * ipc_bench - round trips between two processes of one kernel, the
 * baseline for the multikernel messaging benchmark
 *
 *   ipc_bench [-t pipe|unix] [-n COUNT] [-s SIZE] [-a CPU] [-b CPU]
 *
 * A client pinned to CPU -a (default 0) sends COUNT (default 10000)
 * messages of SIZE bytes (default 64, 16 to 65536) to an echo process
 * pinned to CPU -b (default 1), which sends each back unchanged; the
 * client waits for every answer before it sends the next message.
 * -t pipe (default) uses two pipes, one per direction; -t unix one
 * AF_UNIX SOCK_SEQPACKET socket pair, whose messages keep their
 * boundaries like the multikernel user datagrams do.
 *
 * Every message costs what msgdev_client spends on one of its own: a
 * fresh payload of pseudo-random bytes with a sequence number and an
 * FNV-1a sum in front, checked (sum and bytes) when it comes back. Two
 * times are kept: the whole loop, timed like msgdev_client times its
 * own, and the transport alone (from sending a message until its answer
 * is in), timed like the multikernel debugfs echo file times a request.
 *
 * Prints one line of key=value pairs:
 *   ipc_bench transport=T size=S count=N cpus=A,B total_ns=X xfer_ns=Y
 *   rtt_ns=X/N bytes_per_s=S*N/X xfer_rtt_ns=Y/N xfer_bytes_per_s=S*N/Y
 *   write_ns=W/N
 * where X is the whole loop, Y the sum of the transport times and W the
 * time spent sending (write());
 * bytes_per_s is payload bytes per second in each direction. On a
 * failure prints "ipc_bench: why" to stderr and exits 1. A benchmark,
 * not a test: it judges no figure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msgdev_util.h"

#define IPC_MAX		65536

/* The descriptors of both directions. */
struct ipc_chan {
	int to_echo[2];		/* [0] echo reads, [1] client writes */
	int to_client[2];	/* [0] client reads, [1] echo writes */
	int seqpacket;
};

static void die(const char *what)
{
	fprintf(stderr, "ipc_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		fprintf(stderr, "ipc_bench: cannot run on CPU %d: %s\n",
			cpu, strerror(errno));
		exit(1);
	}
}

/* Send one message of @len bytes; a pipe may take it in pieces. */
static int send_msg(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

/*
 * Receive one message of @len bytes into @buf (room for IPC_MAX): a
 * socket gives it whole or not at all, a pipe in pieces. Returns its
 * length, 0 at the end of the stream, -1 on an error.
 */
static ssize_t recv_msg(int fd, uint8_t *buf, size_t len, int seqpacket)
{
	size_t done = 0;
	ssize_t n;

	if (seqpacket) {
		do {
			n = recv(fd, buf, IPC_MAX, MSG_TRUNC);
		} while (n < 0 && errno == EINTR);
		return n;
	}
	while (done < len) {
		n = read(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

/* The echo process: answer messages of @len bytes until the end. */
static int serve_echo(struct ipc_chan *c, size_t len, int cpu)
{
	uint8_t *buf = malloc(IPC_MAX);
	ssize_t n;

	if (!buf)
		return 1;
	pin(cpu);
	for (;;) {
		n = recv_msg(c->to_echo[0], buf, len, c->seqpacket);
		if (!n)
			return 0;
		if (n < 0)
			die("echo process: read");
		if (send_msg(c->to_client[1], buf, n))
			die("echo process: write");
	}
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: ipc_bench [-t pipe|unix] [-n COUNT] [-s SIZE] [-a CPU] [-b CPU]\n");
	exit(2);
}

static void open_chan(struct ipc_chan *c, const char *transport)
{
	int sv[2];

	if (!strcmp(transport, "pipe")) {
		if (pipe(c->to_echo) || pipe(c->to_client))
			die("pipe");
		return;
	}
	if (strcmp(transport, "unix"))
		print_usage();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		die("socketpair");
	c->seqpacket = 1;
	/* One socket each: the client's end writes and reads, so does the echo's. */
	c->to_echo[1] = sv[0];
	c->to_client[0] = sv[0];
	c->to_echo[0] = sv[1];
	c->to_client[1] = sv[1];
}

int main(int argc, char **argv)
{
	const char *transport = "pipe";
	unsigned long long count = 10000, i;
	uint32_t size = 64, rnd = 12345;
	int cpu_a = 0, cpu_b = 1, opt, status;
	struct ipc_chan c = { 0 };
	double start, took, t, xfer = 0, writing = 0;
	uint8_t *out, *in;
	pid_t pid;
	ssize_t n;

	while ((opt = getopt(argc, argv, "t:n:s:a:b:")) != -1) {
		switch (opt) {
		case 't':
			transport = optarg;
			break;
		case 'n':
			count = strtoull(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 'a':
			cpu_a = atoi(optarg);
			break;
		case 'b':
			cpu_b = atoi(optarg);
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || !count || size < sizeof(struct msgdev_probe) ||
	    size > IPC_MAX)
		print_usage();

	out = malloc(IPC_MAX);
	in = malloc(IPC_MAX);
	if (!out || !in)
		die("malloc");
	open_chan(&c, transport);
	/* The client's pipe end stays writable if the echo dies: no SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		if (!c.seqpacket) {
			close(c.to_echo[1]);
			close(c.to_client[0]);
		}
		exit(serve_echo(&c, size, cpu_b));
	}
	if (!c.seqpacket) {
		close(c.to_echo[0]);
		close(c.to_client[1]);
	}
	pin(cpu_a);

	start = now_s();
	for (i = 0; i < count; i++) {
		msgdev_fill(out, i, size, &rnd);
		t = now_s();
		if (send_msg(c.to_echo[1], out, size))
			die("write");
		writing += now_s() - t;
		n = recv_msg(c.to_client[0], in, size, c.seqpacket);
		xfer += now_s() - t;
		if (n < 0)
			die("read");
		if (n != size) {
			fprintf(stderr, "ipc_bench: round trip %llu: %zd bytes back, not %u\n",
				i, n, size);
			return 1;
		}
		if (((struct msgdev_probe *)in)->seq != i ||
		    ((struct msgdev_probe *)in)->sum !=
		    msgdev_sum(in + sizeof(struct msgdev_probe),
			       n - sizeof(struct msgdev_probe)) ||
		    memcmp(in, out, size)) {
			fprintf(stderr, "ipc_bench: round trip %llu: answer differs\n", i);
			return 1;
		}
	}
	took = now_s() - start;

	/* End of the stream for the echo, then its verdict. */
	if (c.seqpacket)
		shutdown(c.to_echo[1], SHUT_WR);
	else
		close(c.to_echo[1]);
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ipc_bench: the echo process failed\n");
		return 1;
	}
	printf("ipc_bench transport=%s size=%u count=%llu cpus=%d,%d total_ns=%.0f xfer_ns=%.0f",
	       transport, size, count, cpu_a, cpu_b, took * 1e9, xfer * 1e9);
	printf(" rtt_ns=%.0f bytes_per_s=%.0f xfer_rtt_ns=%.0f xfer_bytes_per_s=%.0f",
	       took * 1e9 / count, size * count / took,
	       xfer * 1e9 / count, size * count / xfer);
	printf(" write_ns=%.0f\n", writing * 1e9 / count);
	free(out);
	free(in);
	return 0;
}
