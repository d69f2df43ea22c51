// SPDX-License-Identifier: GPL-2.0
/*
 * mkctl - control multikernel instances
 *
 * A thin client of /dev/multikernel and /sys/kernel/multikernel: create an
 * instance with CPUs and memory, load a kernel into it, start, stop and
 * destroy it, list instances and show their state and console. send and
 * recv exchange datagrams with programs in another kernel through
 * /dev/mkmsg/NAME. See mkctl(8) and Documentation/multikernel/.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/multikernel.h>

#define MK_DEV		"/dev/multikernel"
#define MK_MSG_DIR	"/dev/mkmsg/"
#define MK_SYSFS	"/sys/kernel/multikernel"
#define CPU_PRESENT	"/sys/devices/system/cpu/present"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Exit statuses: 0 success, 1 an operation failed, 2 bad usage. */
#define EXIT_USAGE	2

static const char usage_text[] =
"Usage: mkctl COMMAND [ARGS]\n"
"Control multikernel instances: further Linux kernels on CPUs and memory\n"
"this kernel set aside.\n"
"\n"
"  mkctl create NAME --cpus LIST --mem SIZE    LIST like 2-3 or 2,3\n"
"  mkctl load NAME --kernel FILE [--initrd FILE] [--cmdline STR]\n"
"  mkctl start NAME\n"
"  mkctl stop NAME [--force] [--timeout SEC]\n"
"  mkctl destroy NAME\n"
"  mkctl list\n"
"  mkctl status NAME\n"
"  mkctl console NAME [--follow]\n"
"  mkctl run NAME --cpus LIST --mem SIZE --kernel FILE [--initrd F] [--cmdline S]\n"
"  mkctl send NAME [--to ID] [TEXT]\n"
"  mkctl recv NAME [--from ID] [--timeout SEC] [--count N]\n"
"\n"
"NAME is 1 to 32 characters of [a-z0-9_-]. SIZE takes a K, M or G suffix\n"
"and must be a multiple of 2M. CPUs are the host's logical CPU numbers;\n"
"CPU 0 stays with the host. stop asks the instance to shut down and\n"
"resets its CPUs after --timeout seconds (default 30), or at once with\n"
"--force. run is create, load and start in one; it destroys the instance\n"
"again when a step fails.\n"
"\n"
"send sends TEXT, or all of standard input, as one datagram to the programs\n"
"reading /dev/mkmsg/NAME in the other kernel; recv prints the next N\n"
"datagrams (default 1, 0 for no limit), each followed by a newline unless\n"
"it ends with one, waiting at most SEC seconds for each. On the host NAME\n"
"is an instance; in an instance it is \"host\", and --to/--from name another\n"
"instance by id, reached through the host.\n"
"\n"
"Exit status: 0 on success, 1 when an operation failed, 2 for bad usage.\n"
"See mkctl(8).\n";

static const char * const state_names[] = {
	[MULTIKERNEL_STATE_EMPTY] = "empty",
	[MULTIKERNEL_STATE_LOADED] = "loaded",
	[MULTIKERNEL_STATE_STARTING] = "starting",
	[MULTIKERNEL_STATE_RUNNING] = "running",
	[MULTIKERNEL_STATE_STOPPING] = "stopping",
	[MULTIKERNEL_STATE_STOPPED] = "stopped",
	[MULTIKERNEL_STATE_CRASHED] = "crashed",
};

/* Print "mkctl: <what>: <why>" and return the exit status for a failure. */
static int fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkctl: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* Bad usage: "mkctl: <what>: <why> (see mkctl --help)", exit status 2. */
static int usage_error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mkctl: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see mkctl --help)\n", stderr);
	return EXIT_USAGE;
}

static const char *state_name(__u32 state)
{
	if (state < ARRAY_SIZE(state_names) && state_names[state])
		return state_names[state];
	return "unknown";
}

static bool name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > MULTIKERNEL_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
		    name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static void set_name(__u8 *member, const char *name)
{
	memset(member, 0, MULTIKERNEL_NAME_LEN);
	memcpy(member, name, strlen(name));
}

/* "64M", "1G", "4194304": bytes, or 0 when not a size. */
static unsigned long long parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return 0;
	switch (*end) {
	case 'G': case 'g':
		if (v > ~0ULL >> 30)
			return 0;
		v <<= 30;
		end++;
		break;
	case 'M': case 'm':
		if (v > ~0ULL >> 20)
			return 0;
		v <<= 20;
		end++;
		break;
	case 'K': case 'k':
		if (v > ~0ULL >> 10)
			return 0;
		v <<= 10;
		end++;
		break;
	}
	return *end ? 0 : v;
}

static void format_size(unsigned long long bytes, char *buf, size_t len)
{
	if (bytes && !(bytes % (1ULL << 30)))
		snprintf(buf, len, "%lluG", bytes >> 30);
	else if (bytes && !(bytes % (1ULL << 20)))
		snprintf(buf, len, "%lluM", bytes >> 20);
	else
		snprintf(buf, len, "%llu", bytes);
}

static void format_uptime(unsigned long long ns, char *buf, size_t len)
{
	unsigned long long s = ns / 1000000000ULL;

	if (!ns)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s / 60 % 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s / 3600 % 24);
}

/* A CPU bitmap as a list such as "2-3,5". */
static void format_cpus(const __u64 *map, unsigned int words, char *buf, size_t len)
{
	unsigned int cpu, nbits = words * 64, first;
	size_t n = 0;

	buf[0] = '\0';
	for (cpu = 0; cpu < nbits; cpu++) {
		if (!(map[cpu / 64] >> (cpu % 64) & 1))
			continue;
		first = cpu;
		while (cpu + 1 < nbits && map[(cpu + 1) / 64] >> ((cpu + 1) % 64) & 1)
			cpu++;
		if (n >= len)
			break;
		if (first == cpu)
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "", first);
		else
			n += snprintf(buf + n, len - n, "%s%u-%u", n ? "," : "", first, cpu);
	}
}

/*
 * Check a CPU list the way the kernel will, to name the CPU that is
 * refused. Returns NULL when the kernel's verdict is needed, else why.
 */
static const char *cpus_problem(const char *list, char *why, size_t len)
{
	unsigned long present_last = 0;
	bool have_present = false;
	unsigned long a, b;
	const char *p = list;
	char buf[256], *end;
	FILE *f;

	f = fopen(CPU_PRESENT, "r");
	if (f) {
		have_present = true;
		/* The last number in the list is the highest present CPU. */
		if (fgets(buf, sizeof(buf), f)) {
			end = buf + strcspn(buf, "\n");
			while (end > buf && isdigit((unsigned char)end[-1]))
				end--;
			present_last = strtoul(end, NULL, 10);
		}
		fclose(f);
	}

	for (;;) {
		if (!isdigit((unsigned char)*p))
			goto syntax;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (!isdigit((unsigned char)*p))
				goto syntax;
			b = strtoul(p, &end, 10);
			if (b < a)
				goto syntax;
		}
		if (a == 0) {
			snprintf(why, len, "CPU 0 stays with the host");
			return why;
		}
		if (have_present && b > present_last) {
			snprintf(why, len, "CPU %lu does not exist (the last is %lu)",
				 b, present_last);
			return why;
		}
		if (!*end)
			return NULL;
		if (*end != ',')
			goto syntax;
		p = end + 1;
	}
syntax:
	snprintf(why, len, "'%s' is not a CPU list (like 2-3 or 2,3)", list);
	return why;
}

static int open_dev(const char *what)
{
	int fd = open(MK_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			fail(what, "%s is missing: kernel without CONFIG_MULTIKERNEL",
			     MK_DEV);
		else
			fail(what, "cannot open %s: %s", MK_DEV, strerror(errno));
	}
	return fd;
}

static unsigned long long read_pool_free(void)
{
	unsigned long long v = 0;
	FILE *f = fopen(MK_SYSFS "/pool_free", "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static const char no_loader[] =
	"kernel without multikernel support, or this host cannot load instance kernels";
static const char eperm_load[] =
	"permission denied (needs CAP_SYS_ADMIN, CAP_SYS_BOOT; locked down: signed kernels only)";

/* Why an ioctl failed, in words, for the operation @op. */
static const char *why(const char *op, int err)
{
	static const char busy_start[] =
		"running or crashed (stop it first), CPUs taken meanwhile, or host kexec/suspend";
	static char buf[128];

	switch (err) {
	case ENOENT:
		return "no such instance";
	case EEXIST:
		return "an instance of that name exists";
	case ENOSPC:
		format_size(read_pool_free(), buf, sizeof(buf));
		strncat(buf, " of pool memory free in one piece is not enough",
			sizeof(buf) - strlen(buf) - 1);
		return buf;
	case EBUSY:
		if (!strcmp(op, "create"))
			return "CPU busy: it belongs to another instance, or the host needs it";
		if (!strcmp(op, "start") || !strcmp(op, "load"))
			return busy_start;
		return "instance is running or crashed (stop it first)";
	case EINVAL:
		if (!strcmp(op, "create"))
			return "invalid CPU list or memory size";
		if (!strcmp(op, "start"))
			return "no kernel loaded";
		if (!strcmp(op, "stop"))
			return "instance is not running";
		return "invalid argument";
	case EADDRINUSE:
		return "its memory went to another instance meanwhile (destroy, create again)";
	case ENOEXEC:
		return "not a kernel image";
	case EFBIG:
		return "kernel or initramfs does not fit the instance's memory";
	case EOPNOTSUPP:
		if (!strcmp(op, "load"))
			return no_loader;
		return "not supported by this kernel";
	case EPROTO:
		return "kernel speaks another version of the multikernel handoff";
	case ETIMEDOUT:
		return "a CPU did not respond to the reset; the instance is marked crashed";
	case EINTR:
		return "interrupted; the instance is still stopping";
	case EKEYREJECTED:
		return "signature rejected";
	case EPERM:
	case EACCES:
		if (!strcmp(op, "load"))
			return eperm_load;
		return "permission denied (needs CAP_SYS_ADMIN)";
	}
	return strerror(err);
}

/* Run one ioctl; on failure print "mkctl: OP NAME: why" and return 1. */
static int do_ioctl(int fd, unsigned long cmd, void *arg, const char *op,
		    const char *name)
{
	char what[80];

	if (!ioctl(fd, cmd, arg))
		return 0;
	snprintf(what, sizeof(what), "%s %s", op, name);
	return fail(what, "%s", why(op, errno));
}

static int get_status(int fd, const char *name, struct multikernel_status *s,
		      __u64 *map, unsigned int words)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	set_name(s->name, name);
	s->cpus_uptr = (uintptr_t)map;
	s->cpus_len = words * 8;
	return do_ioctl(fd, MULTIKERNEL_STATUS, s, "status", name);
}

/* ---- commands ---- */

struct args {
	const char *name;
	const char *cpus;
	const char *mem;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	bool force;
	bool follow;
	long timeout;
	const char *text;
	long peer;
	long count;
};

static int cmd_create(int fd, const struct args *a)
{
	struct multikernel_create c = { .size = sizeof(c) };
	unsigned long long mem = parse_size(a->mem);
	char what[80], buf[128];
	const char *problem;

	snprintf(what, sizeof(what), "create %s", a->name);
	if (!mem || mem % MULTIKERNEL_POOL_ALIGN)
		return fail(what, "'%s' is not a memory size in multiples of 2M", a->mem);
	problem = cpus_problem(a->cpus, buf, sizeof(buf));
	if (problem)
		return fail(what, "%s", problem);

	c.flags = MULTIKERNEL_CREATE_CPU_LIST;
	set_name(c.name, a->name);
	c.mem_size = mem;
	c.cpus_uptr = (uintptr_t)a->cpus;
	c.cpus_len = strlen(a->cpus);
	return do_ioctl(fd, MULTIKERNEL_CREATE, &c, "create", a->name);
}

static int cmd_load(int fd, const struct args *a)
{
	struct multikernel_load l = { .size = sizeof(l) };
	int kfd, ifd = -1, ret;
	char what[80];

	snprintf(what, sizeof(what), "load %s", a->name);
	kfd = open(a->kernel, O_RDONLY | O_CLOEXEC);
	if (kfd < 0)
		return fail(what, "cannot open %s: %s", a->kernel, strerror(errno));
	if (a->initrd) {
		ifd = open(a->initrd, O_RDONLY | O_CLOEXEC);
		if (ifd < 0) {
			close(kfd);
			return fail(what, "cannot open %s: %s", a->initrd,
				    strerror(errno));
		}
		l.flags |= MULTIKERNEL_LOAD_INITRD;
		l.initrd_fd = ifd;
	}
	set_name(l.name, a->name);
	l.kernel_fd = kfd;
	if (a->cmdline) {
		l.cmdline_uptr = (uintptr_t)a->cmdline;
		l.cmdline_len = strlen(a->cmdline) + 1;
	}
	ret = do_ioctl(fd, MULTIKERNEL_LOAD, &l, "load", a->name);
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return ret;
}

static int cmd_start(int fd, const struct args *a)
{
	struct multikernel_start s = { .size = sizeof(s) };

	set_name(s.name, a->name);
	return do_ioctl(fd, MULTIKERNEL_START, &s, "start", a->name);
}

static int cmd_stop(int fd, const struct args *a)
{
	struct multikernel_stop s = { .size = sizeof(s) };

	set_name(s.name, a->name);
	if (a->force)
		s.flags |= MULTIKERNEL_STOP_FORCE;
	s.timeout_ms = a->timeout * 1000;
	return do_ioctl(fd, MULTIKERNEL_STOP, &s, "stop", a->name);
}

static int cmd_destroy(int fd, const struct args *a)
{
	struct multikernel_destroy d = { .size = sizeof(d) };

	set_name(d.name, a->name);
	return do_ioctl(fd, MULTIKERNEL_DESTROY, &d, "destroy", a->name);
}

/* The instance's APIC IDs from sysfs, or "?". */
static void read_apic_ids(const char *name, char *buf, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), MK_SYSFS "/instances/%s/apic_ids", name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, len, f))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

#define MAP_WORDS	64	/* 4096 CPUs */

static int cmd_status(int fd, const struct args *a)
{
	char cpus[256], apic[256], mem[32], up[32];
	struct multikernel_status s;
	__u64 map[MAP_WORDS];

	if (get_status(fd, a->name, &s, map, MAP_WORDS))
		return 1;
	format_cpus(map, s.cpus_len / 8, cpus, sizeof(cpus));
	read_apic_ids(a->name, apic, sizeof(apic));
	format_size(s.out_mem_size, mem, sizeof(mem));
	format_uptime(s.out_uptime_ns, up, sizeof(up));

	printf("name:        %s\n", a->name);
	printf("id:          %u\n", s.out_id);
	printf("state:       %s\n", state_name(s.out_state));
	printf("cpus:        %s (%s)\n", cpus,
	       s.out_flags & MULTIKERNEL_STATUS_CPUS_TAKEN ?
	       "offline in the host" : "online in the host");
	printf("apic ids:    %s\n", apic);
	printf("memory:      %s at %#llx (%s)\n", mem,
	       (unsigned long long)s.out_mem_base,
	       s.out_flags & MULTIKERNEL_STATUS_MEMORY_HELD ?
	       "taken from the pool" : "back in the pool");
	printf("kernel:      %s\n",
	       s.out_flags & MULTIKERNEL_STATUS_LOADED ? "loaded" : "none");
	printf("uptime:      %s\n", up);
	if (s.out_state == MULTIKERNEL_STATE_CRASHED)
		printf("crash:       %s\n", (char *)s.out_crash_reason);
	return 0;
}

static int cmd_list(int fd, const struct args *a)
{
	struct multikernel_list l = { .size = sizeof(l) };
	char (*names)[MULTIKERNEL_NAME_LEN] = NULL;
	unsigned int i, room = 0;
	int ret = 0;

	/* Ask for the count first; grow until everything fits. */
	for (;;) {
		l.count = room;
		l.names_uptr = (uintptr_t)names;
		if (!ioctl(fd, MULTIKERNEL_LIST, &l))
			break;
		if (errno != EMSGSIZE) {
			free(names);
			return fail("list", "%s", why("list", errno));
		}
		room = l.count;
		free(names);
		names = calloc(room, MULTIKERNEL_NAME_LEN);
		if (!names)
			return fail("list", "%s", strerror(ENOMEM));
	}

	printf("%-32s %4s %-9s %-12s %7s %8s\n", "NAME", "ID", "STATE", "CPUS",
	       "MEMORY", "UPTIME");
	for (i = 0; i < l.count; i++) {
		char cpus[256], mem[32], up[32];
		struct multikernel_status s;
		__u64 map[MAP_WORDS];

		/* Gone in between: not an error, just not listed. */
		memset(&s, 0, sizeof(s));
		s.size = sizeof(s);
		set_name(s.name, names[i]);
		s.cpus_uptr = (uintptr_t)map;
		s.cpus_len = sizeof(map);
		if (ioctl(fd, MULTIKERNEL_STATUS, &s)) {
			if (errno == ENOENT)
				continue;
			ret = fail("list", "status %s: %s", names[i],
				   why("status", errno));
			break;
		}
		format_cpus(map, s.cpus_len / 8, cpus, sizeof(cpus));
		format_size(s.out_mem_size, mem, sizeof(mem));
		format_uptime(s.out_uptime_ns, up, sizeof(up));
		printf("%-32s %4u %-9s %-12s %7s %8s\n", names[i], s.out_id,
		       state_name(s.out_state), cpus, mem, up);
	}
	free(names);
	return ret;
}

/*
 * Wait for new console output. The console file wakes poll() when bytes
 * come; a kernel whose console file cannot be polled says it is readable
 * at once and then reads nothing, so after such an empty read look again
 * every 100 ms instead.
 */
static void wait_console(int cfd, bool *polled)
{
	struct pollfd p = { .fd = cfd, .events = POLLIN };

	if (!*polled) {
		*polled = true;
		while (poll(&p, 1, -1) < 0 && errno == EINTR)
			;
		return;
	}
	*polled = false;
	nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
}

static int cmd_console(int fd, const struct args *a)
{
	struct multikernel_console c = { .size = sizeof(c) };
	char buf[4096], what[80];
	bool polled = false;
	ssize_t n;
	int cfd;

	set_name(c.name, a->name);
	if (do_ioctl(fd, MULTIKERNEL_CONSOLE, &c, "console", a->name))
		return 1;
	cfd = c.out_fd;
	snprintf(what, sizeof(what), "console %s", a->name);
	for (;;) {
		n = read(cfd, buf, sizeof(buf));
		if (n > 0) {
			polled = false;
			if (fwrite(buf, 1, n, stdout) != (size_t)n)
				break;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(cfd);
			if (errno == ENODEV)
				return a->follow ? 0 : fail(what, "instance destroyed");
			return fail(what, "%s", strerror(errno));
		}
		if (!a->follow)
			break;
		fflush(stdout);
		wait_console(cfd, &polled);
	}
	close(cfd);
	return fflush(stdout) ? fail(what, "writing output: %s", strerror(errno)) : 0;
}

static int cmd_run(int fd, const struct args *a)
{
	int ret;

	ret = cmd_create(fd, a);
	if (ret)
		return ret;
	ret = cmd_load(fd, a);
	if (!ret)
		ret = cmd_start(fd, a);
	if (ret) {
		/* Leave nothing behind: the error above said what went wrong. */
		struct multikernel_destroy d = { .size = sizeof(d) };

		set_name(d.name, a->name);
		ioctl(fd, MULTIKERNEL_DESTROY, &d);
	}
	return ret;
}

/* ---- datagrams ---- */

/* Why a datagram device operation failed, in words. */
static const char *msg_why(int err)
{
	static char buf[80];

	switch (err) {
	case ENOENT:
		return "no such instance here (in an instance, use \"host\")";
	case ENOTCONN:
		return "no link to that kernel: it is not running";
	case ENODEV:
		return "instance destroyed";
	case EMSGSIZE:
		snprintf(buf, sizeof(buf), "message longer than %d bytes",
			 MULTIKERNEL_USER_MAX);
		return buf;
	case EINVAL:
		return "invalid peer id, or an empty message";
	case EPERM:
	case EACCES:
		return "permission denied";
	}
	return strerror(err);
}

/* Open /dev/mkmsg/NAME and point it at kernel @peer unless @peer is -1. */
static int open_msg(const char *what, const char *name, long peer)
{
	struct multikernel_user_connect c = { .size = sizeof(c) };
	char path[64];
	int fd;

	snprintf(path, sizeof(path), MK_MSG_DIR "%s", name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail(what, "cannot open %s: %s", path, msg_why(errno));
		return -1;
	}
	if (peer < 0)
		return fd;
	c.peer_id = peer;
	if (ioctl(fd, MULTIKERNEL_USER_CONNECT, &c)) {
		fail(what, "cannot talk to kernel %ld: %s", peer, msg_why(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int cmd_send(int unused, const struct args *a)
{
	size_t len = 0, room = MULTIKERNEL_USER_MAX + 1;
	char what[80], *buf;
	ssize_t n;
	int fd, ret = 0;

	snprintf(what, sizeof(what), "send %s", a->name);
	buf = malloc(room);
	if (!buf)
		return fail(what, "%s", strerror(ENOMEM));
	if (a->text) {
		len = strnlen(a->text, room);
		memcpy(buf, a->text, len);
	} else {
		/* Read one byte more than fits, to tell "too long" apart. */
		while (len < room) {
			n = read(STDIN_FILENO, buf + len, room - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				ret = fail(what, "reading standard input: %s",
					   strerror(errno));
				goto free_buf;
			}
			if (!n)
				break;
			len += n;
		}
	}
	if (!len) {
		ret = fail(what, "empty message");
		goto free_buf;
	}
	if (len > MULTIKERNEL_USER_MAX) {
		ret = fail(what, "%s", msg_why(EMSGSIZE));
		goto free_buf;
	}

	fd = open_msg(what, a->name, a->peer);
	if (fd < 0) {
		ret = 1;
		goto free_buf;
	}
	do {
		n = write(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = fail(what, "%s", msg_why(errno));
	close(fd);
free_buf:
	free(buf);
	return ret;
}

static int cmd_recv(int unused, const struct args *a)
{
	struct pollfd p = { .events = POLLIN };
	long got = 0, count = a->count;
	char what[80], *buf;
	int fd, ret = 0;
	ssize_t n;

	snprintf(what, sizeof(what), "recv %s", a->name);
	buf = malloc(MULTIKERNEL_USER_MAX);
	if (!buf)
		return fail(what, "%s", strerror(ENOMEM));
	fd = open_msg(what, a->name, a->peer);
	if (fd < 0) {
		free(buf);
		return 1;
	}
	p.fd = fd;
	while (!count || got < count) {
		n = poll(&p, 1, a->timeout ? (int)a->timeout * 1000 : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = fail(what, "poll: %s", strerror(errno));
			break;
		}
		if (!n) {
			ret = fail(what, "nothing received for %ld s", a->timeout);
			break;
		}
		/* A link that is down still lets queued datagrams be read. */
		n = read(fd, buf, MULTIKERNEL_USER_MAX);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			ret = fail(what, "%s", msg_why(errno));
			break;
		}
		if (fwrite(buf, 1, n, stdout) != (size_t)n ||
		    (buf[n - 1] != '\n' && putchar('\n') == EOF) ||
		    fflush(stdout)) {
			ret = fail(what, "writing output: %s", strerror(errno));
			break;
		}
		got++;
	}
	close(fd);
	free(buf);
	return ret;
}

/* ---- command line ---- */

enum {
	OPT_CPUS = 1, OPT_MEM, OPT_KERNEL, OPT_INITRD, OPT_CMDLINE, OPT_FORCE,
	OPT_TIMEOUT, OPT_FOLLOW, OPT_TO, OPT_FROM, OPT_COUNT, OPT_HELP
};

/* Options each command takes, as bits of 1 << OPT_*. */
#define O(x)	(1u << (x))

static const struct command {
	const char *name;
	int (*fn)(int fd, const struct args *a);
	bool needs_name;
	unsigned int opts;	/* allowed */
	unsigned int required;
} commands[] = {
	{ "create", cmd_create, true, O(OPT_CPUS) | O(OPT_MEM), O(OPT_CPUS) | O(OPT_MEM) },
	{ "load", cmd_load, true, O(OPT_KERNEL) | O(OPT_INITRD) | O(OPT_CMDLINE),
	  O(OPT_KERNEL) },
	{ "start", cmd_start, true, 0, 0 },
	{ "stop", cmd_stop, true, O(OPT_FORCE) | O(OPT_TIMEOUT), 0 },
	{ "destroy", cmd_destroy, true, 0, 0 },
	{ "list", cmd_list, false, 0, 0 },
	{ "status", cmd_status, true, 0, 0 },
	{ "console", cmd_console, true, O(OPT_FOLLOW), 0 },
	{ "run", cmd_run, true, O(OPT_CPUS) | O(OPT_MEM) | O(OPT_KERNEL) |
	  O(OPT_INITRD) | O(OPT_CMDLINE),
	  O(OPT_CPUS) | O(OPT_MEM) | O(OPT_KERNEL) },
	{ "send", cmd_send, true, O(OPT_TO), 0 },
	{ "recv", cmd_recv, true, O(OPT_FROM) | O(OPT_TIMEOUT) | O(OPT_COUNT), 0 },
};

static const struct option long_opts[] = {
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "to", required_argument, NULL, OPT_TO },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ }
};

static const char *opt_name(int opt)
{
	const struct option *o;

	for (o = long_opts; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "?";
}

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct args a = { .timeout = 0, .peer = -1, .count = 1 };
	unsigned int seen = 0, i;
	char what[80], *end;
	int opt, fd, ret;

	if (argc < 2)
		return usage_error("usage", "no command given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			cmd = &commands[i];
	if (!cmd)
		return usage_error(argv[1], "unknown command");

	/* "COMMAND [NAME] [options]": getopt permutes, so NAME may come anywhere. */
	argv++;
	argc--;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (opt == OPT_HELP || opt == 'h') {
			fputs(usage_text, stdout);
			return 0;
		}
		if (opt == '?' || opt == ':')
			return usage_error(cmd->name, "bad option '%s'",
					   argv[optind - 1]);
		if (!(cmd->opts & O(opt)))
			return usage_error(cmd->name, "does not take --%s",
					   opt_name(opt));
		seen |= O(opt);
		switch (opt) {
		case OPT_CPUS:
			a.cpus = optarg;
			break;
		case OPT_MEM:
			a.mem = optarg;
			break;
		case OPT_KERNEL:
			a.kernel = optarg;
			break;
		case OPT_INITRD:
			a.initrd = optarg;
			break;
		case OPT_CMDLINE:
			a.cmdline = optarg;
			break;
		case OPT_FORCE:
			a.force = true;
			break;
		case OPT_FOLLOW:
			a.follow = true;
			break;
		case OPT_TO:
		case OPT_FROM:
			errno = 0;
			a.peer = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || a.peer < 0 ||
			    a.peer > UINT32_MAX)
				return usage_error(cmd->name,
						   "--%s takes a kernel id (0 for the host)",
						   opt_name(opt));
			break;
		case OPT_COUNT:
			errno = 0;
			a.count = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || a.count < 0)
				return usage_error(cmd->name,
						   "--count takes a number, 0 for no limit");
			break;
		case OPT_TIMEOUT:
			errno = 0;
			a.timeout = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || a.timeout < 1 ||
			    a.timeout > MULTIKERNEL_STOP_TIMEOUT_MAX_MS / 1000)
				return usage_error(cmd->name,
						   "--timeout takes 1 to %d seconds",
						   MULTIKERNEL_STOP_TIMEOUT_MAX_MS / 1000);
			break;
		}
	}
	if (cmd->needs_name) {
		if (optind >= argc)
			return usage_error(cmd->name, "needs an instance NAME");
		a.name = argv[optind++];
		if (!name_ok(a.name))
			return usage_error(cmd->name,
					   "invalid name '%s': use 1 to %d of [a-z0-9_-]",
					   a.name, MULTIKERNEL_NAME_MAX);
	}
	if (cmd->fn == cmd_send && optind < argc)
		a.text = argv[optind++];
	if (optind < argc)
		return usage_error(cmd->name, "unexpected argument '%s'",
				   argv[optind]);
	if ((seen & cmd->required) != cmd->required) {
		for (opt = OPT_CPUS; opt < OPT_HELP; opt++)
			if ((cmd->required & O(opt)) && !(seen & O(opt)))
				return usage_error(cmd->name, "needs --%s",
						   opt_name(opt));
	}

	/* Datagrams go through /dev/mkmsg/NAME, in an instance too. */
	if (cmd->fn == cmd_send || cmd->fn == cmd_recv)
		return cmd->fn(-1, &a);

	snprintf(what, sizeof(what), "%s%s%s", cmd->name, a.name ? " " : "",
		 a.name ? a.name : "");
	fd = open_dev(what);
	if (fd < 0)
		return 1;
	ret = cmd->fn(fd, &a);
	close(fd);
	return ret;
}
