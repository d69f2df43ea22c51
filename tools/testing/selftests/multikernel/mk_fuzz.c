// SPDX-License-Identifier: GPL-2.0
/*
 * mk_fuzz - random operations on the multikernel user interfaces
 *
 *   mk_fuzz [-s SEED] [-n OPS] [-p] [-v]
 *
 * Runs OPS (default 10000) random operations: every /dev/multikernel
 * ioctl with random and boundary sizes, flags, names, CPU lists, memory
 * sizes, file descriptors, command lines and bad user pointers, unknown
 * ioctl numbers; reads and writes of random strings to the files under
 * /sys/kernel/multikernel; open, read, write, poll and ioctl on the
 * /dev/mkmsg devices and on console file descriptors. Every call must
 * succeed or fail with an errno the ABI documents for it; the instances
 * it makes must stay within what the ABI says of them. It never starts an
 * instance. At the end it destroys the instances it made (their names
 * start with "fz"), restores the heartbeat and boot timeout it found, and
 * checks that the pool and the online CPUs are as they were.
 *
 * The first line gives the seed: "mk_fuzz -s SEED -n OPS" replays the
 * run. -v prints every operation before it is done. -p says that an
 * instance of someone else runs meanwhile: heartbeat periods it could
 * not keep under emulation (1 to 999 ms) are then written as 1000. The
 * instance kernel named by $MK_INSTANCE_KERNEL (and $MK_INSTANCE_INITRD)
 * is one of the files loads are tried with. Exits 1 on an unexpected
 * errno, a broken invariant or an operation that did not return within a
 * minute.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <linux/multikernel.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef MKDEV
#define MKDEV		"/dev/multikernel"
#endif
#define MKSYS		"/sys/kernel/multikernel"
#define MSGDIR		"/dev/mkmsg"
#define MB		(1024ULL * 1024)
#define POOL_ALIGN	MULTIKERNEL_POOL_ALIGN
/* The name prefix of the instances mk_fuzz makes and destroys. */
#define PREFIX		"fz"
/* Seconds one operation may take before it counts as hung. */
#define OP_TIMEOUT	60
#define ARENA_SIZE	(64 * 1024)
#define MAX_FDS		8
#define MAX_FILES	128
#define MAX_ERRNO	256

enum op {
	OP_CREATE, OP_DESTROY, OP_LOAD, OP_START, OP_STOP, OP_STATUS, OP_LIST,
	OP_CONSOLE, OP_BAD_IOCTL, OP_SYSFS_READ, OP_SYSFS_WRITE, OP_MSG_OPEN,
	OP_MSG_READ, OP_MSG_WRITE, OP_MSG_POLL, OP_MSG_IOCTL, OP_CON_READ,
	OP_CON_OTHER, OP_NR
};

static const char * const op_name[OP_NR] = {
	"create", "destroy", "load", "start", "stop", "status", "list",
	"console", "bad-ioctl", "sysfs-read", "sysfs-write", "msg-open",
	"msg-read", "msg-write", "msg-poll", "msg-ioctl", "con-read",
	"con-other",
};

/* Errnos the ABI documents for each operation; success is always fine. */
static const int ok_errnos[OP_NR][16] = {
	[OP_CREATE] = { EINVAL, EFAULT, E2BIG, EEXIST, ENOSPC, EBUSY, ENOMEM },
	[OP_DESTROY] = { EINVAL, EFAULT, E2BIG, ENOENT, EBUSY },
	[OP_LOAD] = { EINVAL, EFAULT, E2BIG, ENOENT, EBUSY, EADDRINUSE, EBADF,
		      ENOEXEC, EFBIG, EOPNOTSUPP, EPROTO, ENOMEM, ETXTBSY,
		      ESTALE },
	[OP_START] = { EINVAL, EFAULT, E2BIG, ENOENT, EBUSY, EADDRINUSE, EIO },
	[OP_STOP] = { EINVAL, EFAULT, E2BIG, ENOENT },
	[OP_STATUS] = { EINVAL, EFAULT, E2BIG, ENOENT, EMSGSIZE, ENOMEM },
	[OP_LIST] = { EINVAL, EFAULT, E2BIG, EMSGSIZE, ENOMEM },
	[OP_CONSOLE] = { EINVAL, EFAULT, E2BIG, ENOENT, EMFILE },
	[OP_BAD_IOCTL] = { ENOTTY },
	[OP_SYSFS_READ] = { EFAULT, ENOENT, ENODEV },
	[OP_SYSFS_WRITE] = { EINVAL, ERANGE, EFAULT, EACCES, ENOENT, ENODEV },
	[OP_MSG_OPEN] = { ENOENT, ENODEV },
	[OP_MSG_READ] = { ENOTCONN, EAGAIN, EMSGSIZE, EFAULT, ENODEV, EBADF },
	[OP_MSG_WRITE] = { EINVAL, EMSGSIZE, EFAULT, ENOTCONN, ENODEV, EAGAIN,
			   ENOMEM, EBADF },
	[OP_MSG_POLL] = { 0 },
	[OP_MSG_IOCTL] = { EINVAL, E2BIG, EFAULT, ENODEV, ENOMEM, ENOTTY },
	[OP_CON_READ] = { EFAULT, ENODEV },
	[OP_CON_OTHER] = { EBADF, ESPIPE, ENOTTY, EINVAL },
};

struct unexpected {
	int op;
	int err;
	unsigned long count;
	unsigned long first;
};

static struct {
	unsigned long calls[OP_NR];
	unsigned long ok[OP_NR];
	unsigned long errnos[MAX_ERRNO];
	struct unexpected bad[64];
	unsigned int nr_bad;
	unsigned long violations;
	unsigned long created, loaded, destroyed, skipped_starts;
} st;

static uint64_t rng;
static unsigned long cur_op;
static bool verbose;
static bool peer_runs;
static sig_atomic_t alarmed;

/* xorshift64*: fast, and the same sequence for the same seed everywhere. */
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* True one time in @n. */
static bool one_in(unsigned int n)
{
	return below(n) == 0;
}

static void violation(const char *fmt, ...)
{
	va_list ap;

	st.violations++;
	if (st.violations > 50)
		return;
	printf("mk_fuzz: VIOLATION at op %lu: ", cur_op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Count the result of one call of operation @op: @ret < 0 means errno. */
static void account(int op, long ret, int err)
{
	unsigned int i;

	st.calls[op]++;
	if (alarmed) {
		violation("%s did not return within %d s", op_name[op], OP_TIMEOUT);
		alarmed = 0;
	}
	if (ret >= 0) {
		st.ok[op]++;
		st.errnos[0]++;
		return;
	}
	st.errnos[err < MAX_ERRNO && err > 0 ? err : MAX_ERRNO - 1]++;
	for (i = 0; i < ARRAY_SIZE(ok_errnos[op]) && ok_errnos[op][i]; i++)
		if (ok_errnos[op][i] == err)
			return;
	for (i = 0; i < st.nr_bad; i++) {
		if (st.bad[i].op == op && st.bad[i].err == err) {
			st.bad[i].count++;
			return;
		}
	}
	violation("%s: unexpected errno %s", op_name[op], strerrorname_np(err) ?: "?");
	if (st.nr_bad < ARRAY_SIZE(st.bad))
		st.bad[st.nr_bad++] = (struct unexpected){ op, err, 1, cur_op };
}

/* ---- memory to hand to the kernel ---- */

/* Two arenas, each followed by an inaccessible page, and a freed page. */
static uint8_t *arena[2];
static void *unmapped;

static void arenas_init(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned int i;
	uint8_t *p;

	for (i = 0; i < 2; i++) {
		p = mmap(NULL, ARENA_SIZE + pg, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("mk_fuzz: mmap");
			exit(1);
		}
		mprotect(p + ARENA_SIZE, pg, PROT_NONE);
		arena[i] = p;
	}
	unmapped = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(unmapped, pg);
}

/* A user pointer the kernel must refuse with EFAULT. */
static void *bad_ptr(void)
{
	switch (below(7)) {
	case 0:
		return NULL;
	case 1:
		return (void *)1;
	case 2:
		return unmapped;
	case 3:
		return (void *)0xffffffff81000000ULL;	/* kernel text */
	case 4:
		return (void *)0xffff888000000000ULL;	/* direct map */
	case 5:
		return (void *)0x8000000000000000ULL;	/* not canonical */
	default:
		return arena[1] + ARENA_SIZE - 1;	/* runs into the guard */
	}
}

/*
 * Put @len bytes of @src into arena @a, mostly so that they end at its
 * guard page (a read past them faults). Returns where they went.
 */
static void *place(int a, const void *src, size_t len)
{
	uint8_t *p;

	if (len > ARENA_SIZE)
		len = ARENA_SIZE;
	p = one_in(4) ? arena[a] : arena[a] + ARENA_SIZE - len;
	memcpy(p, src, len);
	return p;
}

static void fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd();
}

/* ---- values ---- */

static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";

/* Instances the ABI lets us touch: ours. Other names come from LIST. */
static char foreign[8][MULTIKERNEL_NAME_LEN];
static unsigned int nr_foreign;
/* The names of the last instances we made, some of them random. */
static char made[4][MULTIKERNEL_NAME_LEN];
static unsigned int nr_made;

/* Fill a name member: valid names of ours mostly, else every way to be wrong. */
static void gen_name(uint8_t *name, bool may_be_foreign)
{
	unsigned int i, len;

	memset(name, 0, MULTIKERNEL_NAME_LEN);
	switch (below(16)) {
	case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7:
		sprintf((char *)name, PREFIX "%u", (unsigned int)below(3));
		break;
	case 8:
		if (nr_made && one_in(2)) {
			memcpy(name, made[below(nr_made < 4 ? nr_made : 4)], MULTIKERNEL_NAME_LEN);
			break;
		}
		len = 3 + below(MULTIKERNEL_NAME_MAX - 1);
		memcpy(name, PREFIX, 2);
		for (i = 2; i < len; i++)
			name[i] = name_chars[below(sizeof(name_chars) - 1)];
		break;
	case 9:
		/* Another's instance, or the empty name. */
		if (may_be_foreign && nr_foreign)
			memcpy(name, foreign[below(nr_foreign)], MULTIKERNEL_NAME_LEN);
		break;
	case 10:
		break;
	case 11:	/* one too long, or not terminated at all */
		len = one_in(2) ? MULTIKERNEL_NAME_MAX + 1 : MULTIKERNEL_NAME_LEN;
		memcpy(name, PREFIX, 2);
		for (i = 2; i < len; i++)
			name[i] = name_chars[below(26)];
		break;
	case 12:	/* a character outside [a-z0-9_-] */
		sprintf((char *)name, PREFIX "%u", (unsigned int)below(3));
		name[below(3)] = "A/. \xff\x01*"[below(7)];
		break;
	case 13:	/* bytes after the NUL */
		sprintf((char *)name, PREFIX "%u", (unsigned int)below(3));
		name[4 + below(MULTIKERNEL_NAME_LEN - 4)] = 1 + below(255);
		break;
	case 14:
		fill_random(name, MULTIKERNEL_NAME_LEN);
		break;
	default:
		snprintf((char *)name, MULTIKERNEL_NAME_LEN, "%s", one_in(2) ? ".." : PREFIX "0.");
		break;
	}
}

static uint64_t pool_size;

static uint64_t gen_mem(void)
{
	static const uint64_t sizes[] = {
		0, 1, 2 * MB - 1, 2 * MB, 4 * MB, 2 * MB + 4096, 16 * MB, 64 * MB,
		1ULL << 63, ~0ULL, 1ULL << 40,
	};

	switch (below(8)) {
	case 0:
		return pool_size;
	case 1:
		return pool_size + POOL_ALIGN;
	case 2:
	case 3:
		return (1 + below(32)) * POOL_ALIGN;
	case 4:
		return (1 + below(1024)) * POOL_ALIGN;
	default:
		return sizes[below(ARRAY_SIZE(sizes))];
	}
}

/* A CPU list in text or a CPU bitmap for CREATE; sets flags and length. */
static void gen_cpus(struct multikernel_create *c)
{
	static const char * const lists[] = {
		"2", "3", "2-3", "2,3", "0", "0-3", "1", "1-3", "4", "63",
		"4096", "2-", "-3", "3-2", "2,,3", "", "2-3:1/2", "garbage",
		"2\n", " 2", "18446744073709551616", "2-3,2", "2 3", "0x2",
	};
	static char text[8192];
	uint64_t words[9] = {};
	unsigned int n, i;
	size_t len;
	void *p;

	if (!one_in(4)) {
		c->flags = MULTIKERNEL_CREATE_CPU_LIST;
		switch (below(8)) {
		case 0:	/* random digits and separators, possibly very long */
			len = one_in(4) ? 4090 + below(16) : below(64);
			for (i = 0; i < len; i++)
				text[i] = "0123456789,-:/"[below(14)];
			break;
		case 1:
			len = below(128);
			fill_random(text, len);
			break;
		case 2:
		case 3:
		case 4:	/* the CPUs an instance can have here */
			len = snprintf(text, sizeof(text), "%s", lists[below(4)]);
			break;
		default:
			len = snprintf(text, sizeof(text), "%s", lists[below(ARRAY_SIZE(lists))]);
			len += one_in(4) ? 1 : 0;
			break;
		}
		p = place(1, text, len);
	} else {
		n = 1 + below(ARRAY_SIZE(words) - 1);
		switch (below(8)) {
		case 0:
			words[0] = 1ULL << 2;
			break;
		case 1:
			words[0] = 1ULL << 3;
			break;
		case 2:
			words[0] = 3ULL << 2;
			break;
		case 3:
			words[0] = 1;		/* CPU 0 */
			break;
		case 4:
			words[n - 1] = 1ULL << 63;
			break;
		case 5:
			words[n - 1] = ~0ULL;
			break;
		case 6:
			fill_random(words, n * 8);
			break;
		default:
			break;			/* no CPU at all */
		}
		len = n * 8;
		p = place(1, words, len);
	}
	c->cpus_uptr = (uintptr_t)p;
	c->cpus_len = len;
	switch (below(32)) {
	case 0:
		c->cpus_uptr = (uintptr_t)bad_ptr();
		break;
	case 1:
		c->cpus_len = 0;
		break;
	case 2:
		c->cpus_len = 4097;
		break;
	case 3:
		c->cpus_len = rnd();
		break;
	case 4:
		c->cpus_len += 1 + below(8);
		break;
	}
}

/* File descriptors a load may be given. */
static int fd_kernel = -1, fd_initrd = -1, fd_null = -1, fd_garbage = -1;
static int fd_fake = -1, fd_short = -1, fd_empty = -1, fd_dir = -1, fd_closed = -1;
static int fd_mk = -1;

static uint32_t gen_fd(void)
{
	const int fds[] = {
		fd_kernel, fd_kernel, fd_initrd, fd_null, fd_garbage, fd_fake,
		fd_short, fd_empty, fd_dir, fd_closed, fd_mk, 0,
	};

	switch (below(12)) {
	case 0:
		return -1;
	case 1:
		return 0x7fffffff;
	case 2:
		return rnd();
	default:
		return fds[below(ARRAY_SIZE(fds))];
	}
}

/* ---- ioctls on /dev/multikernel ---- */

/*
 * Call ioctl @nr with structure @s of the kernel's @ksize bytes, after
 * mutating its size: the user's copy sits in arena 0, mostly against the
 * guard page, with zero or non-zero bytes past the kernel's size. The
 * kernel's answer is copied back into @s. Returns the ioctl's result.
 */
static long call_struct(int fd, unsigned long nr, void *s, size_t ksize, int *err)
{
	static uint8_t buf[ARENA_SIZE];
	uint32_t usize = ksize;
	size_t len;
	void *p;
	long ret;

	switch (below(24)) {
	case 0:
		usize = 0;
		break;
	case 1:
		usize = ksize - 1 - below(8);
		break;
	case 2:
		usize = ksize + 8;			/* zero tail */
		break;
	case 3:
		usize = ksize + 1 + below(64);		/* non-zero tail */
		break;
	case 4:
		usize = ksize + 4096;
		break;
	case 5:
		usize = 0xffffffff;
		break;
	case 6:
		usize = below(512);
		break;
	}
	if (one_in(32))
		fill_random((uint8_t *)s + 4, ksize - 4);
	memcpy(s, &usize, sizeof(usize));
	len = usize > ksize ? usize : ksize;
	if (len > ARENA_SIZE)
		len = ARENA_SIZE;
	memset(buf, 0, len);
	memcpy(buf, s, ksize);
	if (usize > ksize && usize <= ARENA_SIZE && one_in(2))
		fill_random(buf + ksize, usize - ksize);
	p = place(0, buf, len);
	if (one_in(24))
		p = bad_ptr();
	alarm(OP_TIMEOUT);
	ret = ioctl(fd, nr, p);
	*err = errno;
	alarm(0);
	if (p && (uint8_t *)p >= arena[0] && (uint8_t *)p < arena[0] + ARENA_SIZE)
		memcpy(s, p, ksize < len ? ksize : len);
	return ret;
}

/* Name member as a C string of at most 40 bytes, for messages. */
static const char *show_name(const uint8_t *name)
{
	static char out[4 * MULTIKERNEL_NAME_LEN + 1];
	unsigned int i;
	char *o = out;

	for (i = 0; i < MULTIKERNEL_NAME_LEN && name[i]; i++)
		o += sprintf(o, name[i] >= 0x20 && name[i] < 0x7f ? "%c" : "\\x%02x", name[i]);
	*o = '\0';
	return out;
}

static bool ours(const uint8_t *name)
{
	return !memcmp(name, PREFIX, 2);
}

static void op_create(void)
{
	struct multikernel_create c = {};
	int err;
	long ret;

	gen_name(c.name, false);
	c.mem_size = gen_mem();
	gen_cpus(&c);
	if (one_in(16))
		c.flags |= 1U << (1 + below(31));
	ret = call_struct(fd_mk, MULTIKERNEL_CREATE, &c, sizeof(c), &err);
	account(OP_CREATE, ret, err);
	if (ret)
		return;
	st.created++;
	memcpy(made[nr_made++ % 4], c.name, MULTIKERNEL_NAME_LEN);
	if (!ours(c.name))
		violation("created an instance named '%s'", show_name(c.name));
	if (c.mem_size % POOL_ALIGN || !c.mem_size)
		violation("created '%s' with %llu bytes", show_name(c.name),
			  (unsigned long long)c.mem_size);
}

static void op_destroy(void)
{
	struct multikernel_destroy d = {};
	int err;
	long ret;

	gen_name(d.name, false);
	if (one_in(16))
		d.flags = 1U << below(32);
	ret = call_struct(fd_mk, MULTIKERNEL_DESTROY, &d, sizeof(d), &err);
	account(OP_DESTROY, ret, err);
	if (!ret)
		st.destroyed++;
}

static void op_load(void)
{
	static const char * const lines[] = {
		"console=ttyMK0 mkjob=wait", "", "quiet", "mkjob=fault mkfault=stall",
	};
	static char text[4096];
	struct multikernel_load l = {};
	size_t len;
	int err;
	long ret;

	gen_name(l.name, false);
	l.kernel_fd = one_in(4) ? fd_kernel : gen_fd();
	if (!one_in(3)) {
		l.flags = MULTIKERNEL_LOAD_INITRD;
		l.initrd_fd = one_in(2) ? fd_initrd : gen_fd();
	} else if (one_in(8)) {
		l.initrd_fd = gen_fd();
	}
	if (one_in(16))
		l.flags |= 1U << (1 + below(31));
	if (one_in(16))
		l.__reserved = rnd();
	switch (below(6)) {
	case 0:
		break;
	case 1:		/* not NUL-terminated, or longer than the host takes */
		len = one_in(2) ? 1 + below(64) : 2048 + below(2048);
		memset(text, 'a', len);
		l.cmdline_uptr = (uintptr_t)place(1, text, len);
		l.cmdline_len = len;
		break;
	case 2:
		l.cmdline_uptr = (uintptr_t)bad_ptr();
		l.cmdline_len = 1 + below(64);
		break;
	case 3:
		l.cmdline_uptr = (uintptr_t)arena[1];
		break;
	default:
		len = snprintf(text, sizeof(text), "%s", lines[below(ARRAY_SIZE(lines))]) + 1;
		l.cmdline_uptr = (uintptr_t)place(1, text, len);
		l.cmdline_len = len;
		break;
	}
	ret = call_struct(fd_mk, MULTIKERNEL_LOAD, &l, sizeof(l), &err);
	account(OP_LOAD, ret, err);
	if (!ret)
		st.loaded++;
}

/* Whether @name is an instance with a kernel loaded: a start would boot it. */
static bool loaded(const uint8_t *name)
{
	struct multikernel_status s = { .size = sizeof(s) };

	memcpy(s.name, name, MULTIKERNEL_NAME_LEN);
	if (ioctl(fd_mk, MULTIKERNEL_STATUS, &s))
		return false;
	return s.out_flags & MULTIKERNEL_STATUS_LOADED ||
	       s.out_state != MULTIKERNEL_STATE_EMPTY;
}

static void op_start(void)
{
	struct multikernel_start s = {};
	int err;
	long ret;

	gen_name(s.name, false);
	if (one_in(8))
		s.flags = 1U << below(32);
	/* An instance boot takes seconds under emulation: never start one. */
	if (loaded(s.name)) {
		st.skipped_starts++;
		return;
	}
	ret = call_struct(fd_mk, MULTIKERNEL_START, &s, sizeof(s), &err);
	account(OP_START, ret, err);
	if (!ret)
		violation("started '%s', which has no kernel", show_name(s.name));
}

static void op_stop(void)
{
	static const uint32_t timeouts[] = {
		0, 1, 1000, MULTIKERNEL_STOP_TIMEOUT_MAX_MS,
		MULTIKERNEL_STOP_TIMEOUT_MAX_MS + 1, ~0U,
	};
	struct multikernel_stop s = {};
	int err;
	long ret;

	gen_name(s.name, false);
	s.flags = one_in(2) ? MULTIKERNEL_STOP_FORCE : 0;
	if (one_in(16))
		s.flags |= 1U << (1 + below(31));
	if (one_in(16))
		s.__reserved = rnd();
	s.timeout_ms = timeouts[below(ARRAY_SIZE(timeouts))];
	ret = call_struct(fd_mk, MULTIKERNEL_STOP, &s, sizeof(s), &err);
	account(OP_STOP, ret, err);
	if (!ret && ours(s.name))
		violation("stopped '%s', which never ran", show_name(s.name));
}

static void check_status(const struct multikernel_status *s, uint32_t room, uint64_t *bits)
{
	unsigned int i, n = 0;

	if (s->out_state > MULTIKERNEL_STATE_CRASHED || !s->out_nr_cpus ||
	    s->out_mem_size % POOL_ALIGN || s->cpus_len % 8 ||
	    !memchr(s->out_crash_reason, 0, sizeof(s->out_crash_reason)))
		violation("status of '%s': state %u, %u CPUs, %llu bytes, cpus_len %u",
			  show_name(s->name), s->out_state, s->out_nr_cpus,
			  (unsigned long long)s->out_mem_size, s->cpus_len);
	if (ours(s->name) && s->out_state != MULTIKERNEL_STATE_EMPTY &&
	    s->out_state != MULTIKERNEL_STATE_LOADED)
		violation("'%s' is in state %u", show_name(s->name), s->out_state);
	if (!bits || s->cpus_len > room)
		return;
	for (i = 0; i < s->cpus_len / 8; i++)
		n += __builtin_popcountll(bits[i]);
	if (n != s->out_nr_cpus || (bits[0] & 1))
		violation("status of '%s': bitmap of %u CPUs (CPU 0: %d), out_nr_cpus %u",
			  show_name(s->name), n, (int)(bits[0] & 1), s->out_nr_cpus);
}

static void op_status(void)
{
	static const uint32_t lens[] = { 0, 8, 16, 4096, 7, 12 };
	struct multikernel_status s = {};
	uint8_t *bits = NULL;
	uint32_t room;
	int err;
	long ret;

	gen_name(s.name, true);
	s.cpus_len = lens[below(ARRAY_SIZE(lens))];
	room = s.cpus_len;
	switch (below(4)) {
	case 0:
		s.cpus_uptr = 0;
		break;
	case 1:
		s.cpus_uptr = (uintptr_t)bad_ptr();
		break;
	default:
		bits = arena[1] + (one_in(2) ? 0 : ARENA_SIZE - room);
		memset(bits, 0xa5, room);
		s.cpus_uptr = (uintptr_t)bits;
		break;
	}
	if (one_in(16))
		s.flags = 1U << below(32);
	if (one_in(16))
		s.__reserved = rnd();
	ret = call_struct(fd_mk, MULTIKERNEL_STATUS, &s, sizeof(s), &err);
	account(OP_STATUS, ret, err);
	if (!ret)
		check_status(&s, room, (uint64_t *)bits);
	else if (err == EMSGSIZE && s.cpus_len <= room)
		violation("status: EMSGSIZE, but %u bytes needed of %u", s.cpus_len, room);
}

/* Remember the instances that are not ours, for read-only commands. */
static void note_foreign(const uint8_t *names, unsigned int n)
{
	unsigned int i;

	nr_foreign = 0;
	for (i = 0; i < n && nr_foreign < ARRAY_SIZE(foreign); i++)
		if (!ours(names + i * MULTIKERNEL_NAME_LEN))
			memcpy(foreign[nr_foreign++], names + i * MULTIKERNEL_NAME_LEN,
			       MULTIKERNEL_NAME_LEN);
}

static void op_list(void)
{
	static const uint32_t counts[] = { 0, 1, 2, 3, 64, 0xffffffff };
	struct multikernel_list l = {};
	uint8_t *names = NULL;
	unsigned int i;
	uint32_t room, in_count;
	int err;
	long ret;

	l.count = counts[below(ARRAY_SIZE(counts))];
	room = l.count;
	in_count = l.count;
	switch (below(4)) {
	case 0:
		l.names_uptr = (uintptr_t)bad_ptr();
		break;
	case 1:
		names = arena[1] + ARENA_SIZE - MULTIKERNEL_NAME_LEN;
		l.names_uptr = (uintptr_t)names;
		room = 1;
		break;
	default:
		names = arena[1];
		memset(names, 0xa5, ARENA_SIZE);
		l.names_uptr = (uintptr_t)names;
		break;
	}
	if (!l.count && one_in(2))
		l.names_uptr = 0;
	if (one_in(16))
		l.flags = 1U << below(32);
	if (one_in(16))
		l.__reserved = rnd();
	ret = call_struct(fd_mk, MULTIKERNEL_LIST, &l, sizeof(l), &err);
	account(OP_LIST, ret, err);
	if (ret && err == EMSGSIZE && l.count <= in_count)
		violation("list: EMSGSIZE with %u instances for room %u", l.count, in_count);
	if (ret || !names || l.count > room || l.count > ARENA_SIZE / MULTIKERNEL_NAME_LEN)
		return;
	for (i = 0; i < l.count; i++) {
		const uint8_t *n = names + i * MULTIKERNEL_NAME_LEN;

		if (!memchr(n, 0, MULTIKERNEL_NAME_LEN) || !n[0] ||
		    strspn((const char *)n, name_chars) != strlen((const char *)n))
			violation("list: bad name '%s'", show_name(n));
	}
	note_foreign(names, l.count);
}

/* Open file descriptors: console logs and datagram devices. */
static int con_fds[MAX_FDS], msg_fds[MAX_FDS];
static char msg_paths[MAX_FDS][80];

static void keep_fd(int *fds, int fd)
{
	unsigned int i = below(MAX_FDS);

	if (fds[i] >= 0)
		close(fds[i]);
	fds[i] = fd;
}

static void op_console(void)
{
	struct multikernel_console c = {};
	int err, flags;
	long ret;

	gen_name(c.name, true);
	if (one_in(16))
		c.flags = 1U << below(32);
	if (one_in(16))
		c.__reserved = rnd();
	ret = call_struct(fd_mk, MULTIKERNEL_CONSOLE, &c, sizeof(c), &err);
	account(OP_CONSOLE, ret, err);
	if (ret)
		return;
	flags = fcntl(c.out_fd, F_GETFD);
	if (flags < 0 || !(flags & FD_CLOEXEC)) {
		violation("console of '%s': fd %u is not open close-on-exec",
			  show_name(c.name), c.out_fd);
		return;
	}
	keep_fd(con_fds, c.out_fd);
}

/* An ioctl number no driver of ours knows, nor the VFS. */
static unsigned long unknown_nr(void)
{
	/* Types the VFS answers itself: FIO*, FI*, FS_IOC_*, FICLONE. */
	static const char vfs_types[] = { 0, 'T', 'X', 'f', 0x94, 0x15 };
	unsigned long nr;
	unsigned int i;

	for (;;) {
		if (one_in(2))
			nr = _IOC(below(4), MULTIKERNEL_TYPE, below(256), below(1 << 14));
		else
			nr = (uint32_t)rnd();
		if (nr == MULTIKERNEL_CREATE || nr == MULTIKERNEL_DESTROY ||
		    nr == MULTIKERNEL_LOAD || nr == MULTIKERNEL_START ||
		    nr == MULTIKERNEL_STOP || nr == MULTIKERNEL_STATUS ||
		    nr == MULTIKERNEL_LIST || nr == MULTIKERNEL_CONSOLE ||
		    nr == MULTIKERNEL_USER_CONNECT)
			continue;
		for (i = 0; i < sizeof(vfs_types); i++)
			if (_IOC_TYPE(nr) == (uint8_t)vfs_types[i])
				break;
		if (i == sizeof(vfs_types))
			return nr;
	}
}

static void op_bad_ioctl(void)
{
	long ret;

	ret = ioctl(fd_mk, unknown_nr(), one_in(2) ? bad_ptr() : arena[0]);
	account(OP_BAD_IOCTL, ret, errno);
}

/* ---- /sys/kernel/multikernel ---- */

static char files[MAX_FILES][160];
static unsigned int nr_files;

static void add_dir(const char *dir, bool recurse)
{
	struct dirent *e;
	char path[160];
	struct stat sb;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) && nr_files < MAX_FILES) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%.80s/%.70s", dir, e->d_name);
		if (lstat(path, &sb))
			continue;
		if (S_ISDIR(sb.st_mode) && recurse)
			add_dir(path, !strcmp(e->d_name, "instances"));
		else if (S_ISREG(sb.st_mode))
			memcpy(files[nr_files++], path, sizeof(path));
	}
	closedir(d);
}

static void scan_files(void)
{
	nr_files = 0;
	add_dir(MKSYS, true);
}

static char *pick_file(void)
{
	if (!nr_files || one_in(16))
		scan_files();
	return nr_files ? files[below(nr_files)] : NULL;
}

static void op_sysfs_read(void)
{
	static const size_t sizes[] = { 0, 1, 7, 4095, 4096, 65536 };
	static const off_t offs[] = { 0, 0, 0, 1, 4, 4096, 1 << 30 };
	char *path = pick_file();
	size_t size = sizes[below(ARRAY_SIZE(sizes))];
	void *buf = arena[1];
	int fd, err;
	long ret;

	if (!path)
		return;
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		account(OP_SYSFS_READ, -1, errno);
		return;
	}
	if (one_in(8))
		buf = bad_ptr();
	else if (size > ARENA_SIZE)
		size = ARENA_SIZE;
	ret = pread(fd, buf, size, offs[below(ARRAY_SIZE(offs))]);
	err = errno;
	close(fd);
	account(OP_SYSFS_READ, ret, err);
}

static unsigned long long read_num(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		close(fd);
	}
	return strtoull(buf, NULL, 10);
}

static int write_str(const char *path, const char *s, size_t len)
{
	int fd = open(path, O_WRONLY);
	int ret;

	if (fd < 0)
		return -errno;
	ret = write(fd, s, len) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* The settings found at the start, restored at the end and on a signal. */
static char saved_hb[32], saved_bt[32];

static void restore_settings(void)
{
	write_str(MKSYS "/heartbeat_ms", saved_hb, strlen(saved_hb));
	write_str(MKSYS "/boot_timeout_ms", saved_bt, strlen(saved_bt));
}

static void op_sysfs_write(void)
{
	static const char * const values[] = {
		"0", "10", "9", "60000", "60001", "3600000", "3600001", "-1",
		"0x10", "010", "4294967296", "99999999999999999999", "abc", "",
		" 5", "5 ", "5\n", "\n", "1000\n\n", "+7", "1e3",
	};
	static char text[8192];
	bool setting = one_in(4) ? false : true;
	const char *path;
	const void *buf = text;
	size_t len, i;
	int fd, err;
	long ret;

	if (setting)
		path = one_in(2) ? MKSYS "/heartbeat_ms" : MKSYS "/boot_timeout_ms";
	else
		path = pick_file();
	if (!path)
		return;
	switch (below(8)) {
	case 0:
		len = below(5000);
		for (i = 0; i < len; i++)
			text[i] = '0' + below(10);
		break;
	case 1:
		len = below(64);
		fill_random(text, len);
		break;
	case 2:		/* a value, a NUL, then more */
		len = sprintf(text, "%u", (unsigned int)below(70000)) + 1;
		len += sprintf(text + len, "junk");
		break;
	default:
		len = snprintf(text, sizeof(text), "%s", values[below(ARRAY_SIZE(values))]);
		break;
	}
	if (one_in(16))
		buf = bad_ptr();
	if (peer_runs && strstr(path, "heartbeat_ms") &&
	    strtoul(text, NULL, 10) - 1 < 999)
		len = snprintf(text, sizeof(text), "1000");
	fd = open(path, one_in(8) ? O_RDWR : O_WRONLY);
	if (fd < 0) {
		account(OP_SYSFS_WRITE, -1, errno);
		return;
	}
	ret = write(fd, buf, len);
	err = errno;
	close(fd);
	account(OP_SYSFS_WRITE, ret, err);
	if (ret < 0 || !setting)
		return;
	if (strstr(path, "heartbeat")) {
		unsigned long long v = read_num(path);

		if (v > 60000 || (v && v < 10))
			violation("heartbeat_ms reads %llu after writing '%.20s'", v, text);
	} else if (read_num(path) > MULTIKERNEL_STOP_TIMEOUT_MAX_MS) {
		violation("boot_timeout_ms reads %llu", read_num(path));
	}
}

/* ---- /dev/mkmsg ---- */

static int pick_msg_fd(unsigned int *slot)
{
	unsigned int i, start = below(MAX_FDS);

	for (i = 0; i < MAX_FDS; i++) {
		*slot = (start + i) % MAX_FDS;
		if (msg_fds[*slot] >= 0)
			return msg_fds[*slot];
	}
	return -1;
}

static void op_msg_open(void)
{
	char names[16][64], path[80];
	unsigned int n = 0, i;
	struct dirent *e;
	int fd, flags;
	DIR *d;

	d = opendir(MSGDIR);
	while (d && (e = readdir(d)) && n < ARRAY_SIZE(names) - 1)
		if (e->d_name[0] != '.')
			snprintf(names[n++], sizeof(names[0]), "%.60s", e->d_name);
	if (d)
		closedir(d);
	if (!n || one_in(16))
		snprintf(names[n++], sizeof(names[0]), PREFIX "-none");
	snprintf(path, sizeof(path), MSGDIR "/%s", names[below(n)]);
	flags = below(3) == 0 ? O_RDONLY : O_RDWR;
	if (one_in(3))
		flags = O_WRONLY;
	if (!one_in(4))
		flags |= O_NONBLOCK;
	fd = open(path, flags | O_CLOEXEC);
	account(OP_MSG_OPEN, fd, errno);
	if (fd < 0)
		return;
	i = below(MAX_FDS);
	if (msg_fds[i] >= 0)
		close(msg_fds[i]);
	msg_fds[i] = fd;
	snprintf(msg_paths[i], sizeof(msg_paths[i]), "%s", path);
}

static size_t gen_len(void)
{
	static const size_t lens[] = {
		0, 1, 7, 8, 64, 4096, MULTIKERNEL_USER_MAX, MULTIKERNEL_USER_MAX + 1,
		65536, 1 << 20,	/* the largest kernel message, and beyond */
	};

	return one_in(4) ? below(ARENA_SIZE) : lens[below(ARRAY_SIZE(lens))];
}

/* A blocking read or write on a connected device could wait forever: poll first. */
static bool would_block(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (fcntl(fd, F_GETFL) & O_NONBLOCK)
		return false;
	return poll(&p, 1, 0) != 1;
}

/* What the host knows of the link behind a datagram device that hung. */
static void dump_link(const char *dev)
{
	static const char * const stats[] = {
		"tx_datagrams", "rx_datagrams", "rx_dropped", "rx_invalid",
	};
	const char *name = strrchr(dev, '/') + 1;
	char path[160], line[256];
	unsigned int i;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/multikernel/%.60s/stats", name);
	f = fopen(path, "r");
	if (f) {
		printf("mk_fuzz: %s:\n", path);
		while (fgets(line, sizeof(line), f))
			printf("mk_fuzz:   %s", line);
		fclose(f);
	}
	printf("mk_fuzz: %s:", dev);
	for (i = 0; i < ARRAY_SIZE(stats); i++) {
		snprintf(path, sizeof(path), "/sys/class/misc/mkmsg-%.60s/statistics/%s",
			 name, stats[i]);
		printf(" %s %llu", stats[i], read_num(path));
	}
	printf("\n");
}

static void op_msg_rw(bool is_write)
{
	struct iovec iov[3];
	unsigned int slot, n, i;
	int fd = pick_msg_fd(&slot), err;
	size_t len;
	long ret;

	if (fd < 0) {
		op_msg_open();
		return;
	}
	if (would_block(fd, is_write ? POLLOUT : POLLIN))
		return;
	n = one_in(4) ? 1 + below(3) : 1;
	for (i = 0; i < n; i++) {
		len = gen_len();
		iov[i].iov_len = len;
		if (one_in(12)) {
			iov[i].iov_base = bad_ptr();
			continue;
		}
		if (len > ARENA_SIZE)
			len = ARENA_SIZE;
		iov[i].iov_len = len;
		iov[i].iov_base = arena[i & 1] + (one_in(2) ? ARENA_SIZE - len : 0);
		if (is_write)
			fill_random(iov[i].iov_base, len < 256 ? len : 256);
	}
	alarm(OP_TIMEOUT);
	if (is_write)
		ret = n == 1 ? write(fd, iov[0].iov_base, iov[0].iov_len) : writev(fd, iov, n);
	else
		ret = n == 1 ? read(fd, iov[0].iov_base, iov[0].iov_len) : readv(fd, iov, n);
	err = errno;
	alarm(0);
	if (alarmed)
		dump_link(msg_paths[slot]);
	account(is_write ? OP_MSG_WRITE : OP_MSG_READ, ret, err);
	if (ret > MULTIKERNEL_USER_MAX)
		violation("%s of %s returned %ld", is_write ? "write" : "read",
			  msg_paths[slot], ret);
}

static void op_msg_poll(void)
{
	unsigned int slot;
	int fd = pick_msg_fd(&slot);
	struct pollfd p;
	long ret;

	if (fd < 0) {
		op_msg_open();
		return;
	}
	p.fd = fd;
	p.events = rnd() & (POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM);
	p.revents = 0;
	ret = poll(&p, 1, 0);
	account(OP_MSG_POLL, ret, errno);
	if (ret == 1 && p.revents & POLLNVAL)
		violation("poll of %s: POLLNVAL", msg_paths[slot]);
	/* Our instances never run: their devices are never connected. */
	if (!strncmp(msg_paths[slot], MSGDIR "/" PREFIX, strlen(MSGDIR "/" PREFIX)) &&
	    !(p.revents & (POLLHUP | POLLERR)))
		violation("poll of %s: revents %#x without POLLHUP or POLLERR",
			  msg_paths[slot], p.revents);
}

static void op_msg_ioctl(void)
{
	struct multikernel_user_connect c = {};
	unsigned int slot;
	int fd = pick_msg_fd(&slot), err, *nread;
	char idpath[128];
	long ret;

	if (fd < 0) {
		op_msg_open();
		return;
	}
	switch (below(4)) {
	case 0:
		nread = one_in(4) ? bad_ptr() : (int *)(arena[0] + ARENA_SIZE - sizeof(int));
		ret = ioctl(fd, FIONREAD, nread);
		err = errno;
		account(OP_MSG_IOCTL, ret, err);
		if (!ret && (unsigned int)*nread > MULTIKERNEL_USER_MAX)
			violation("FIONREAD of %s: %d", msg_paths[slot], *nread);
		return;
	case 1:
		ret = ioctl(fd, unknown_nr(), arena[0]);
		account(OP_MSG_IOCTL, ret, errno);
		if (!ret || errno != ENOTTY)
			violation("unknown ioctl on %s: %ld (%s)", msg_paths[slot], ret,
				  strerrorname_np(errno) ?: "?");
		return;
	}
	/* The device's own instance, the host, or anything. */
	snprintf(idpath, sizeof(idpath), MKSYS "/instances/%s/id",
		 msg_paths[slot] + strlen(MSGDIR "/"));
	switch (below(3)) {
	case 0:
		c.peer_id = read_num(idpath);
		break;
	case 1:
		c.peer_id = MULTIKERNEL_HOST_ID;
		break;
	default:
		c.peer_id = rnd();
		break;
	}
	if (one_in(16))
		c.flags = 1U << below(32);
	if (one_in(16))
		c.__reserved = rnd();
	ret = call_struct(fd, MULTIKERNEL_USER_CONNECT, &c, sizeof(c), &err);
	account(OP_MSG_IOCTL, ret, err);
}

/* ---- console file descriptors ---- */

static int pick_con_fd(void)
{
	unsigned int i, start = below(MAX_FDS);

	for (i = 0; i < MAX_FDS; i++)
		if (con_fds[(start + i) % MAX_FDS] >= 0)
			return con_fds[(start + i) % MAX_FDS];
	return -1;
}

static void op_con_read(void)
{
	int fd = pick_con_fd();
	size_t len = gen_len();
	void *buf = arena[1];
	long ret;

	if (fd < 0) {
		op_console();
		return;
	}
	if (one_in(8))
		buf = bad_ptr();
	else if (len > ARENA_SIZE)
		len = ARENA_SIZE;
	ret = read(fd, buf, len);
	account(OP_CON_READ, ret, errno);
	if (ret > 4096)
		violation("console read returned %ld bytes", ret);
}

static void op_con_other(void)
{
	int fd = pick_con_fd();
	struct pollfd p;
	long ret;

	if (fd < 0) {
		op_console();
		return;
	}
	switch (below(4)) {
	case 0:
		ret = write(fd, arena[0], 1 + below(64));
		account(OP_CON_OTHER, ret, errno);
		if (ret >= 0)
			violation("a console file descriptor took a write");
		break;
	case 1:
		ret = pread(fd, arena[1], 64, below(1 << 20));
		account(OP_CON_OTHER, ret, errno);
		break;
	case 2:
		ret = ioctl(fd, unknown_nr(), arena[0]);
		account(OP_CON_OTHER, ret, errno);
		break;
	default:
		p.fd = fd;
		p.events = POLLIN | POLLOUT;
		ret = poll(&p, 1, 0);
		account(OP_CON_OTHER, ret, errno);
		break;
	}
}

/* ---- setup, the run, and the end ---- */

static void make_file(int *fd, const char *what, const void *data, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/tmp/mk_fuzz.%s.%d", what, getpid());
	*fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (*fd < 0 || (len && write(*fd, data, len) != (ssize_t)len)) {
		perror("mk_fuzz: making a test file");
		exit(1);
	}
	/* Read-only, as kexec_file wants it: no writer may hold it. */
	close(*fd);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
}

static void files_init(void)
{
	const char *kernel = getenv("MK_INSTANCE_KERNEL");
	const char *initrd = getenv("MK_INSTANCE_INITRD");
	static uint8_t buf[65536];
	ssize_t n;

	fd_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	fd_dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd_closed = open("/dev/null", O_RDONLY);
	close(fd_closed);
	fill_random(buf, sizeof(buf));
	make_file(&fd_garbage, "garbage", buf, sizeof(buf));
	make_file(&fd_empty, "empty", NULL, 0);
	/* Random bytes under a bzImage's "HdrS" signature. */
	memcpy(buf + 0x202, "HdrS", 4);
	buf[0x1fe] = 0x55;
	buf[0x1ff] = 0xaa;
	make_file(&fd_fake, "fake", buf, sizeof(buf));
	fd_kernel = kernel ? open(kernel, O_RDONLY | O_CLOEXEC) : -1;
	fd_initrd = initrd ? open(initrd, O_RDONLY | O_CLOEXEC) : -1;
	if (fd_kernel < 0) {
		printf("mk_fuzz: no $MK_INSTANCE_KERNEL; loads get other files\n");
		fd_kernel = fd_fake;
	}
	if (fd_initrd < 0)
		fd_initrd = fd_garbage;
	/* The real kernel cut short: a header and some of its payload. */
	n = pread(fd_kernel, buf, sizeof(buf), 0);
	make_file(&fd_short, "short", buf, n > 0 ? n : 0);
}

static void on_alarm(int sig)
{
	alarmed = 1;
}

static void on_exit_signal(int sig)
{
	restore_settings();
	_exit(1);
}

static void signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	/* No SA_RESTART: a hung call returns EINTR and is reported. */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_exit_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void read_setting(const char *path, char *out)
{
	snprintf(out, 32, "%llu", read_num(path));
}

static void read_text(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, out, len - 1);

	out[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Stop and destroy every instance of ours; returns how many there were. */
static unsigned int destroy_ours(void)
{
	uint8_t names[64 * MULTIKERNEL_NAME_LEN];
	struct multikernel_list l = {
		.size = sizeof(l), .count = 64, .names_uptr = (uintptr_t)names,
	};
	unsigned int i, n = 0;

	if (ioctl(fd_mk, MULTIKERNEL_LIST, &l)) {
		violation("list at the end: %s", strerror(errno));
		return 0;
	}
	for (i = 0; i < l.count; i++) {
		uint8_t *name = names + i * MULTIKERNEL_NAME_LEN;
		struct multikernel_stop s = {
			.size = sizeof(s), .flags = MULTIKERNEL_STOP_FORCE,
		};
		struct multikernel_destroy d = { .size = sizeof(d) };

		if (!ours(name))
			continue;
		n++;
		memcpy(s.name, name, MULTIKERNEL_NAME_LEN);
		memcpy(d.name, name, MULTIKERNEL_NAME_LEN);
		if (ioctl(fd_mk, MULTIKERNEL_DESTROY, &d) && errno == EBUSY) {
			violation("'%s' is busy at the end", show_name(name));
			ioctl(fd_mk, MULTIKERNEL_STOP, &s);
			if (ioctl(fd_mk, MULTIKERNEL_DESTROY, &d))
				violation("destroy '%s': %s", show_name(name), strerror(errno));
		}
	}
	return n;
}

static void summary(unsigned long ops, double secs)
{
	unsigned int i;

	printf("mk_fuzz: %lu operations in %.1f s; instances created %lu, loaded %lu,",
	       ops, secs, st.created, st.loaded);
	printf(" destroyed %lu; starts skipped (instance loaded) %lu\n",
	       st.destroyed, st.skipped_starts);
	printf("mk_fuzz: %-12s %9s %9s %9s\n", "operation", "calls", "ok", "failed");
	for (i = 0; i < OP_NR; i++)
		printf("mk_fuzz: %-12s %9lu %9lu %9lu\n", op_name[i], st.calls[i], st.ok[i],
		       st.calls[i] - st.ok[i]);
	printf("mk_fuzz: errno histogram:");
	for (i = 0; i < MAX_ERRNO; i++)
		if (st.errnos[i])
			printf(" %s=%lu", i ? strerrorname_np(i) ?: "?" : "ok", st.errnos[i]);
	printf("\n");
	for (i = 0; i < st.nr_bad; i++)
		printf("mk_fuzz: unexpected: %s -> %s, %lu times, first at op %lu\n",
		       op_name[st.bad[i].op], strerrorname_np(st.bad[i].err) ?: "?",
		       st.bad[i].count, st.bad[i].first);
	printf("mk_fuzz: %lu violations\n", st.violations);
}

static void print_usage(void)
{
	fprintf(stderr, "usage: mk_fuzz [-s SEED] [-n OPS] [-p] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char cpus0[64], cpus1[64], hb[32], bt[32];
	unsigned long long seed, ops = 10000, free0, free1;
	struct timespec t0, t1;
	unsigned int i, left;
	int opt;

	clock_gettime(CLOCK_REALTIME, &t0);
	seed = (unsigned long long)t0.tv_nsec ^ ((unsigned long long)t0.tv_sec << 20) ^ getpid();
	while ((opt = getopt(argc, argv, "s:n:pv")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			ops = strtoull(optarg, NULL, 0);
			break;
		case 'p':
			peer_runs = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			print_usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("mk_fuzz: seed %llu ops %llu (replay: mk_fuzz -s %llu -n %llu)\n",
	       seed, ops, seed, ops);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;

	fd_mk = open(MKDEV, O_RDWR | O_CLOEXEC);
	if (fd_mk < 0) {
		printf("mk_fuzz: cannot open " MKDEV ": %s\n", strerror(errno));
		return 4;	/* KSFT_SKIP */
	}
	for (i = 0; i < MAX_FDS; i++) {
		con_fds[i] = -1;
		msg_fds[i] = -1;
	}
	arenas_init();
	files_init();
	signals_init();
	pool_size = read_num(MKSYS "/pool_size");
	free0 = read_num(MKSYS "/pool_free");
	read_text("/sys/devices/system/cpu/online", cpus0, sizeof(cpus0));
	read_setting(MKSYS "/heartbeat_ms", saved_hb);
	read_setting(MKSYS "/boot_timeout_ms", saved_bt);
	left = destroy_ours();
	if (left) {
		printf("mk_fuzz: destroyed %u instances of an earlier run\n", left);
		free0 = read_num(MKSYS "/pool_free");
		read_text("/sys/devices/system/cpu/online", cpus0, sizeof(cpus0));
	}
	printf("mk_fuzz: pool_size %llu pool_free %llu, online CPUs %.*s,",
	       (unsigned long long)pool_size, free0, (int)strcspn(cpus0, "\n"), cpus0);
	printf(" heartbeat_ms %s, boot_timeout_ms %s\n", saved_hb, saved_bt);

	for (cur_op = 0; cur_op < ops; cur_op++) {
		static const uint8_t weights[OP_NR] = {
			[OP_CREATE] = 10, [OP_DESTROY] = 7, [OP_LOAD] = 8, [OP_START] = 3,
			[OP_STOP] = 5, [OP_STATUS] = 8, [OP_LIST] = 6, [OP_CONSOLE] = 5,
			[OP_BAD_IOCTL] = 4, [OP_SYSFS_READ] = 10, [OP_SYSFS_WRITE] = 8,
			[OP_MSG_OPEN] = 3, [OP_MSG_READ] = 5, [OP_MSG_WRITE] = 5,
			[OP_MSG_POLL] = 3, [OP_MSG_IOCTL] = 4, [OP_CON_READ] = 4,
			[OP_CON_OTHER] = 2,
		};
		unsigned int w = below(100), op = 0;

		while (op < OP_NR - 1 && w >= weights[op])
			w -= weights[op++];
		if (verbose)
			printf("mk_fuzz: op %lu: %s\n", cur_op, op_name[op]);
		switch (op) {
		case OP_CREATE:
			op_create();
			break;
		case OP_DESTROY:
			op_destroy();
			break;
		case OP_LOAD:
			op_load();
			break;
		case OP_START:
			op_start();
			break;
		case OP_STOP:
			op_stop();
			break;
		case OP_STATUS:
			op_status();
			break;
		case OP_LIST:
			op_list();
			break;
		case OP_CONSOLE:
			op_console();
			break;
		case OP_BAD_IOCTL:
			op_bad_ioctl();
			break;
		case OP_SYSFS_READ:
			op_sysfs_read();
			break;
		case OP_SYSFS_WRITE:
			op_sysfs_write();
			break;
		case OP_MSG_OPEN:
			op_msg_open();
			break;
		case OP_MSG_READ:
		case OP_MSG_WRITE:
			op_msg_rw(op == OP_MSG_WRITE);
			break;
		case OP_MSG_POLL:
			op_msg_poll();
			break;
		case OP_MSG_IOCTL:
			op_msg_ioctl();
			break;
		case OP_CON_READ:
			op_con_read();
			break;
		default:
			op_con_other();
			break;
		}
		if (cur_op % 256 == 255) {
			free1 = read_num(MKSYS "/pool_free");
			if (free1 > pool_size || free1 % POOL_ALIGN)
				violation("pool_free %llu of %llu", free1,
					  (unsigned long long)pool_size);
		}
		if (cur_op && cur_op % 10000 == 0) {
			clock_gettime(CLOCK_REALTIME, &t1);
			printf("mk_fuzz: %lu operations, %ld s\n", cur_op,
			       (long)(t1.tv_sec - t0.tv_sec));
		}
	}

	for (i = 0; i < MAX_FDS; i++) {
		if (con_fds[i] >= 0)
			close(con_fds[i]);
		if (msg_fds[i] >= 0)
			close(msg_fds[i]);
	}
	left = destroy_ours();
	restore_settings();
	free1 = read_num(MKSYS "/pool_free");
	read_text("/sys/devices/system/cpu/online", cpus1, sizeof(cpus1));
	read_setting(MKSYS "/heartbeat_ms", hb);
	read_setting(MKSYS "/boot_timeout_ms", bt);
	printf("mk_fuzz: destroyed %u instances at the end; pool_free %llu, online CPUs %.*s\n",
	       left, free1, (int)strcspn(cpus1, "\n"), cpus1);
	if (free1 != free0)
		violation("pool_free %llu at the end, %llu at the start", free1, free0);
	if (strcmp(cpus0, cpus1))
		violation("online CPUs %.*s at the end, %.*s at the start",
			  (int)strcspn(cpus1, "\n"), cpus1, (int)strcspn(cpus0, "\n"), cpus0);
	if (strcmp(hb, saved_hb) || strcmp(bt, saved_bt))
		violation("heartbeat_ms %s boot_timeout_ms %s at the end, %s %s at the start",
			  hb, bt, saved_hb, saved_bt);
	clock_gettime(CLOCK_REALTIME, &t1);
	summary(ops, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("mk_fuzz: seed %llu: %s\n", seed, st.violations ? "FAILED" : "passed");
	return st.violations ? 1 : 0;
}
