// SPDX-License-Identifier: GPL-2.0
/*
 * ipc_bench - round trips between two processes of one kernel, the
 * baseline for the multikernel messaging benchmark
 *
 *   ipc_bench [-t pipe|unix|vsock] [-n COUNT] [-s SIZE] [-a CPU] [-b CPU]
 *   ipc_bench -t vsock -c CID[:PORT] [-n COUNT] [-s SIZE] [-a CPU]
 *   ipc_bench -t vsock -l PORT
 *
 * A client pinned to CPU -a (default 0) sends COUNT (default 10000)
 * messages of SIZE bytes (default 64, 16 to 65536) to an echo process
 * pinned to CPU -b (default 1), which sends each back unchanged; the
 * client waits for every answer before it sends the next message.
 * -t pipe (default) uses two pipes, one per direction; -t unix one
 * AF_UNIX SOCK_SEQPACKET socket pair, whose messages keep their
 * boundaries like the multikernel user datagrams do; -t vsock an
 * AF_VSOCK stream connection over the kernel's loopback transport.
 *
 * With -c the echo is elsewhere: the client connects to an AF_VSOCK
 * stream on context CID (PORT, default 5000) and starts no echo of its
 * own; this is how the comparison suite measures a KVM guest's
 * messaging (vhost-vsock), with the guest running the echo as
 * "ipc_bench -t vsock -l PORT". That echo prints "ipc_bench: vsock echo
 * listening on port PORT" once it listens, then answers one connection
 * after another, each until its end, and never exits by itself.
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
 * time spent sending (write()); with -c, "cpus=A,remote peer=CID[:PORT]";
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
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "msgdev_util.h"

#define IPC_MAX		65536
#define VSOCK_PORT	5000

/* The descriptors of both directions. */
struct ipc_chan {
	int to_echo[2];		/* [0] echo reads, [1] client writes */
	int to_client[2];	/* [0] client reads, [1] echo writes */
	int pipes;		/* -t pipe: four ends, two to close per side */
	int seqpacket;
	int listener;		/* -t vsock: the echo's listening socket */
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

/*
 * Echo a byte stream on @fd until its end: whatever arrives goes back
 * unchanged, so the echo needs no message size. Returns 0 at the end of
 * the stream, -1 on an error.
 */
static int echo_stream(int fd, uint8_t *buf)
{
	ssize_t n;

	for (;;) {
		n = read(fd, buf, IPC_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		if (send_msg(fd, buf, n))
			return -1;
	}
}

/* The echo process: answer messages of @len bytes until the end. */
static int serve_echo(struct ipc_chan *c, size_t len, int cpu)
{
	uint8_t *buf = malloc(IPC_MAX);
	ssize_t n;

	if (!buf)
		return 1;
	pin(cpu);
	if (c->listener >= 0) {
		int fd = accept4(c->listener, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			die("echo process: vsock accept");
		close(c->listener);
		return echo_stream(fd, buf) ? 1 : 0;
	}
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

/* An AF_VSOCK stream socket, and in @addr context @cid's @port. */
static int vsock_socket(unsigned int cid, unsigned int port,
			struct sockaddr_vm *addr)
{
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("vsock socket");
	memset(addr, 0, sizeof(*addr));
	addr->svm_family = AF_VSOCK;
	addr->svm_cid = cid;
	addr->svm_port = port;
	return fd;
}

/* An AF_VSOCK stream socket listening on @port of any context. */
static int vsock_listen(unsigned int port)
{
	struct sockaddr_vm addr;
	int fd = vsock_socket(VMADDR_CID_ANY, port, &addr);

	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("vsock bind");
	if (listen(fd, 1))
		die("vsock listen");
	return fd;
}

static unsigned int vsock_port_of(int fd)
{
	struct sockaddr_vm addr;
	socklen_t len = sizeof(addr);

	if (getsockname(fd, (struct sockaddr *)&addr, &len))
		die("vsock getsockname");
	return addr.svm_port;
}

/* A stream connected to @port of context @cid. */
static int vsock_connect(unsigned int cid, unsigned int port)
{
	struct sockaddr_vm addr;
	int fd = vsock_socket(cid, port, &addr);

	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "ipc_bench: cannot connect to vsock %u:%u: %s\n",
			cid, port, strerror(errno));
		exit(1);
	}
	return fd;
}

/* -l PORT: the echo of a remote client, one connection after another. */
static void serve_vsock(unsigned int port)
{
	uint8_t *buf = malloc(IPC_MAX);
	int lfd, fd;

	if (!buf)
		die("malloc");
	lfd = vsock_listen(port);
	printf("ipc_bench: vsock echo listening on port %u\n", port);
	fflush(stdout);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("vsock accept");
		}
		if (echo_stream(fd, buf))
			fprintf(stderr, "ipc_bench: vsock echo: %s\n", strerror(errno));
		close(fd);
	}
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: ipc_bench [-t pipe|unix|vsock] [-n COUNT] [-s SIZE] [-a CPU] [-b CPU]\n"
		"       ipc_bench -t vsock -c CID[:PORT] [-n COUNT] [-s SIZE] [-a CPU]\n"
		"       ipc_bench -t vsock -l PORT\n");
	exit(2);
}

static void open_chan(struct ipc_chan *c, const char *transport)
{
	int sv[2];

	c->listener = -1;
	if (!strcmp(transport, "pipe")) {
		if (pipe(c->to_echo) || pipe(c->to_client))
			die("pipe");
		c->pipes = 1;
		return;
	}
	if (!strcmp(transport, "vsock")) {
		/* The echo accepts once forked; the client connects after. */
		c->listener = vsock_listen(VMADDR_PORT_ANY);
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

/* "CID" or "CID:PORT" of -c into @cid and @port. */
static void parse_peer(const char *arg, unsigned int *cid, unsigned int *port)
{
	char *end;

	*cid = strtoul(arg, &end, 10);
	*port = VSOCK_PORT;
	if (*end == ':')
		*port = strtoul(end + 1, &end, 10);
	if (end == arg || *end)
		print_usage();
}

int main(int argc, char **argv)
{
	const char *transport = "pipe", *peer = NULL;
	unsigned long long count = 10000, i;
	uint32_t size = 64, rnd = 12345;
	int cpu_a = 0, cpu_b = 1, opt, status, fd;
	unsigned int cid, port, listen_port = 0;
	struct ipc_chan c = { 0 };
	double start, took, t, xfer = 0, writing = 0;
	uint8_t *out, *in;
	pid_t pid = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "t:n:s:a:b:c:l:")) != -1) {
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
		case 'c':
			peer = optarg;
			break;
		case 'l':
			listen_port = strtoul(optarg, NULL, 10);
			if (!listen_port)
				print_usage();
			break;
		default:
			print_usage();
		}
	}
	if (optind != argc || !count || size < sizeof(struct msgdev_probe) ||
	    size > IPC_MAX)
		print_usage();
	if ((peer || listen_port) && strcmp(transport, "vsock"))
		print_usage();
	if (listen_port) {
		serve_vsock(listen_port);	/* returns only on a failure */
		return 1;
	}

	out = malloc(IPC_MAX);
	in = malloc(IPC_MAX);
	if (!out || !in)
		die("malloc");
	/* The client's end stays writable if the echo dies: no SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	if (peer) {
		/* A remote echo: one connection, both directions. */
		parse_peer(peer, &cid, &port);
		fd = vsock_connect(cid, port);
		c.to_echo[1] = fd;
		c.to_client[0] = fd;
	} else {
		open_chan(&c, transport);
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			/* Gone with the client, whatever way it ends. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (c.pipes) {
				close(c.to_echo[1]);
				close(c.to_client[0]);
			}
			exit(serve_echo(&c, size, cpu_b));
		}
		if (c.pipes) {
			close(c.to_echo[0]);
			close(c.to_client[1]);
		}
		if (c.listener >= 0) {
			port = vsock_port_of(c.listener);
			close(c.listener);
			fd = vsock_connect(VMADDR_CID_LOCAL, port);
			c.to_echo[1] = fd;
			c.to_client[0] = fd;
		}
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
	if (c.pipes)
		close(c.to_echo[1]);
	else
		shutdown(c.to_echo[1], SHUT_WR);
	if (pid) {
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "ipc_bench: the echo process failed\n");
			return 1;
		}
		printf("ipc_bench transport=%s size=%u count=%llu cpus=%d,%d",
		       transport, size, count, cpu_a, cpu_b);
	} else {
		printf("ipc_bench transport=%s size=%u count=%llu cpus=%d,remote peer=%s",
		       transport, size, count, cpu_a, peer);
	}
	printf(" total_ns=%.0f xfer_ns=%.0f", took * 1e9, xfer * 1e9);
	printf(" rtt_ns=%.0f bytes_per_s=%.0f xfer_rtt_ns=%.0f xfer_bytes_per_s=%.0f",
	       took * 1e9 / count, size * count / took,
	       xfer * 1e9 / count, size * count / xfer);
	printf(" write_ns=%.0f\n", writing * 1e9 / count);
	free(out);
	free(in);
	return 0;
}
