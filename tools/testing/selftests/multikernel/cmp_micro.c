// SPDX-License-Identifier: GPL-2.0
/*
 * cmp_micro - the microbenchmarks of the comparison suite, for the costs
 * no Debian package measures on its own
 *
 *   cmp_micro now
 *   cmp_micro OP [COUNT]
 *
 * "now" prints CLOCK_MONOTONIC in nanoseconds: the harness stamps the
 * start and the stop of a leg with it. Otherwise OP is done COUNT times
 * on the CPUs the caller allows, and one line is printed:
 *
 *   cmp_micro op=OP count=N total_ns=T ns_per_op=T/N
 *
 *   syscall  getppid() through syscall(2), so that no library caches it
 *   ctxsw    a context switch: a 1-byte token passed back and forth over
 *            two pipes between two processes on one CPU (lmbench's way);
 *            one op is half a round trip
 *   pipe     a 64-byte round trip over two pipes between two processes
 *   unix     the same over an AF_UNIX SOCK_SEQPACKET socket pair
 *   fork     fork(), _exit() in the child, waitpid() in the parent
 *   fault    the first write to a page of fresh anonymous memory; one op
 *            is one page (mmap and munmap are counted in)
 *
 * Both processes of ctxsw, pipe and unix run on the CPU the caller was
 * on when it started: the comparison legs give a workload one CPU. A
 * benchmark, not a test: it judges no figure. On a failure it prints
 * "cmp_micro: why" to stderr and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MSG_SIZE	64
#define FAULT_CHUNK	(4UL << 20)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "cmp_micro: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Keep this process and its children on the CPU it runs on now. */
static void pin_here(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		die("sched_getcpu");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static void reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		errno = ECHILD;
		die("the peer process failed");
	}
}

static unsigned long long op_syscall(unsigned long n)
{
	unsigned long long t = now_ns();
	unsigned long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now_ns() - t;
}

/* Echo messages of up to MSG_SIZE bytes from @rfd to @wfd until end of file. */
static void echo_loop(int rfd, int wfd)
{
	char buf[MSG_SIZE];
	ssize_t r;

	while ((r = read(rfd, buf, sizeof(buf))) > 0)
		if (write(wfd, buf, r) != r)
			_exit(1);
	_exit(r ? 1 : 0);
}

/* @n round trips of @len-byte messages, written to @wfd, read from @rfd. */
static unsigned long long round_trips(int wfd, int rfd, size_t len, unsigned long n)
{
	char buf[MSG_SIZE];
	unsigned long long t = now_ns();
	unsigned long i;

	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < n; i++) {
		if (write(wfd, buf, len) != (ssize_t)len)
			die("write");
		if (read(rfd, buf, len) != (ssize_t)len)
			die("read");
	}
	return now_ns() - t;
}

static unsigned long long pipe_trips(size_t len, unsigned long n)
{
	int to_echo[2], to_client[2];
	unsigned long long t;
	pid_t pid;

	pin_here();
	if (pipe(to_echo) || pipe(to_client))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(to_echo[1]);
		close(to_client[0]);
		echo_loop(to_echo[0], to_client[1]);
	}
	close(to_echo[0]);
	close(to_client[1]);
	t = round_trips(to_echo[1], to_client[0], len, n);
	close(to_echo[1]);
	reap(pid);
	close(to_client[0]);
	return t;
}

static unsigned long long op_ctxsw(unsigned long n)
{
	/* Two switches per round trip. */
	return pipe_trips(1, (n + 1) / 2);
}

static unsigned long long op_pipe(unsigned long n)
{
	return pipe_trips(MSG_SIZE, n);
}

static unsigned long long op_unix(unsigned long n)
{
	unsigned long long t;
	pid_t pid;
	int sv[2];

	pin_here();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv))
		die("socketpair");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		close(sv[0]);
		echo_loop(sv[1], sv[1]);
	}
	close(sv[1]);
	t = round_trips(sv[0], sv[0], MSG_SIZE, n);
	shutdown(sv[0], SHUT_WR);
	reap(pid);
	close(sv[0]);
	return t;
}

static unsigned long long op_fork(unsigned long n)
{
	unsigned long long t = now_ns();
	unsigned long i;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(0);
		reap(pid);
	}
	return now_ns() - t;
}

/* @n pages, in chunks of FAULT_CHUNK mapped, touched and unmapped. */
static unsigned long long op_fault(unsigned long n)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long per = FAULT_CHUNK / page, done = 0, i, k;
	unsigned long long t = now_ns();
	char *p;

	while (done < n) {
		k = n - done < per ? n - done : per;
		p = mmap(NULL, k * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (i = 0; i < k; i++)
			p[i * page] = 1;
		munmap(p, k * page);
		done += k;
	}
	return now_ns() - t;
}

static const struct {
	const char *name;
	unsigned long long (*fn)(unsigned long n);
	unsigned long count;
} ops[] = {
	{ "syscall", op_syscall, 100000 },
	{ "ctxsw", op_ctxsw, 10000 },
	{ "pipe", op_pipe, 5000 },
	{ "unix", op_unix, 5000 },
	{ "fork", op_fork, 200 },
	{ "fault", op_fault, 8192 },
};

static void usage(void)
{
	unsigned int i;

	fputs("cmp_micro now | cmp_micro OP [COUNT]\nOP:", stderr);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		fprintf(stderr, " %s", ops[i].name);
	fputc('\n', stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n;
	unsigned int i;
	unsigned long long t;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "now")) {
		printf("%llu\n", now_ns());
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(argv[1], ops[i].name))
			break;
	if (i == ARRAY_SIZE(ops))
		usage();
	n = argc > 2 ? strtoul(argv[2], NULL, 0) : ops[i].count;
	if (!n)
		usage();
	t = ops[i].fn(n);
	printf("cmp_micro op=%s count=%lu total_ns=%llu ns_per_op=%.1f\n",
	       ops[i].name, n, t, (double)t / n);
	return 0;
}
