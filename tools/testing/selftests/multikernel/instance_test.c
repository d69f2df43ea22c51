// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/multikernel ioctls and the instance sysfs files, from userspace.
 *
 * Needs a kernel booted with multikernel=<at least 64M> and CPUs 1-3
 * online (the harness boots 4 CPUs with multikernel=256M). Every test
 * checks one error path or one behaviour; the fixture destroys what a
 * test left and checks that the pool and the host's online CPUs are back
 * to what they were. Tests that need an instance kernel to run SKIP when
 * this kernel cannot load one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/kexec.h>
#include <linux/multikernel.h>
#include <linux/reboot.h>

#include "../kselftest_harness.h"
#include "mk_util.h"

#define MK_DEV		"/dev/multikernel"
#define MK_INSTANCES	MK_SYSFS "/instances"
#define CPU_SYSFS	"/sys/devices/system/cpu"
#define TEST_MEM	(4ULL << 20)

/* Names the fixture cleans up after every test. */
static const char * const test_names[] = { "mkst0", "mkst1", "mkst-cycle" };

static void set_name(__u8 *member, const char *name)
{
	snprintf((char *)member, MULTIKERNEL_NAME_LEN, "%s", name);
}

static int mk_create(int fd, const char *name, const char *cpus, __u64 mem,
		     __u32 *id)
{
	struct multikernel_create c = {
		.size = sizeof(c),
		.flags = MULTIKERNEL_CREATE_CPU_LIST,
		.mem_size = mem,
		.cpus_uptr = (uintptr_t)cpus,
		.cpus_len = strlen(cpus),
	};

	snprintf((char *)c.name, sizeof(c.name), "%s", name);
	if (ioctl(fd, MULTIKERNEL_CREATE, &c))
		return -errno;
	if (id)
		*id = c.out_id;
	return 0;
}

static int mk_destroy(int fd, const char *name)
{
	struct multikernel_destroy d = { .size = sizeof(d) };

	snprintf((char *)d.name, sizeof(d.name), "%s", name);
	return ioctl(fd, MULTIKERNEL_DESTROY, &d) ? -errno : 0;
}

static int mk_status(int fd, const char *name, struct multikernel_status *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	snprintf((char *)s->name, sizeof(s->name), "%s", name);
	return ioctl(fd, MULTIKERNEL_STATUS, s) ? -errno : 0;
}

/* Number of CPUs in a list such as "0-1,3" (/sys/devices/system/cpu/online). */
static int count_cpulist(const char *path)
{
	char buf[256], *p = buf, *end;
	int n = 0, fd;
	ssize_t len;
	long a, b;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = '\0';
	while (*p && *p != '\n') {
		a = strtol(p, &end, 10);
		b = a;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		n += b - a + 1;
		p = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int cpu_online(int cpu)
{
	char path[64];
	unsigned long long v = 0;

	snprintf(path, sizeof(path), CPU_SYSFS "/cpu%d/online", cpu);
	return read_u64(path, &v) ? -1 : (int)v;
}

/* Write a string to a file; returns 0 or -errno of the write. */
static int write_str(const char *path, const char *s)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a sysfs file into buf without the trailing newline. */
static int read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Whether the space-separated words of a sysfs file include @word. */
static bool file_has_word(const char *path, const char *word)
{
	char buf[256], *tok, *save;

	if (read_str(path, buf, sizeof(buf)))
		return false;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

static int inst_file(const char *name, const char *file, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), MK_INSTANCES "/%s/%s", name, file);
	return read_str(path, buf, len);
}

/*
 * Load something into an instance to see whether this kernel can load
 * instance kernels at all: -EOPNOTSUPP when it cannot.
 */
static int mk_load_probe(int fd, const char *name)
{
	struct multikernel_load l = { .size = sizeof(l) };
	int kfd, ret;

	kfd = memfd_create("not-a-kernel", 0);
	if (kfd < 0)
		return -errno;
	if (write(kfd, "garbage", 7) != 7) {
		close(kfd);
		return -EIO;
	}
	snprintf((char *)l.name, sizeof(l.name), "%s", name);
	l.kernel_fd = kfd;
	ret = ioctl(fd, MULTIKERNEL_LOAD, &l) ? -errno : 0;
	close(kfd);
	return ret;
}

/*
 * Create, load and start an instance on @cpus running the kernel named by
 * MK_INSTANCE_KERNEL (and MK_INSTANCE_INITRD). Returns NULL when it
 * started; otherwise why not: a reason to skip when this kernel cannot
 * load instance kernels or none was named, and a reason starting with
 * "FAIL: " when the start was tried and went wrong.
 */
/*
 * Memory for an instance that boots: MK_INSTANCE_MEM ("64M", "256M", as
 * mk_lib.sh takes it; a debug kernel needs more), 64M when unset.
 */
static unsigned long long instance_mem(void)
{
	const char *v = getenv("MK_INSTANCE_MEM");
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return 64ULL << 20;
	n = strtoull(v, &end, 10);
	if (*end == 'G')
		return n << 30;
	return n << 20;
}

static const char *mk_load_start(int fd, const char *name)
{
	struct multikernel_start s = { .size = sizeof(s) };
	struct multikernel_load l = { .size = sizeof(l) };
	const char *kpath = getenv("MK_INSTANCE_KERNEL");
	const char *ipath = getenv("MK_INSTANCE_INITRD");
	/*
	 * mkjob=wait: the instance's init waits until it is stopped
	 * (harness/instance-init.sh). Without it the instance powers off
	 * once its init ran, and a test that checks a running instance
	 * after something slow (kexec_file_load hashing a kernel, say)
	 * would find it stopped whenever the boot beat the check.
	 */
	static const char cmdline[] = "console=ttyS0 kunit.enable=0 mkjob=wait";
	int kfd, ifd = -1, ret;

	if (mk_load_probe(fd, name) == -EOPNOTSUPP)
		return "this kernel cannot load instance kernels (EOPNOTSUPP)";
	if (!kpath)
		return "no instance kernel: set MK_INSTANCE_KERNEL";
	kfd = open(kpath, O_RDONLY);
	if (kfd < 0)
		return "FAIL: cannot open MK_INSTANCE_KERNEL";
	if (ipath) {
		ifd = open(ipath, O_RDONLY);
		if (ifd < 0) {
			close(kfd);
			return "FAIL: cannot open MK_INSTANCE_INITRD";
		}
		l.flags = MULTIKERNEL_LOAD_INITRD;
		l.initrd_fd = ifd;
	}
	snprintf((char *)l.name, sizeof(l.name), "%s", name);
	l.kernel_fd = kfd;
	l.cmdline_uptr = (uintptr_t)cmdline;
	l.cmdline_len = sizeof(cmdline);
	ret = ioctl(fd, MULTIKERNEL_LOAD, &l);
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	if (ret)
		return "FAIL: loading MK_INSTANCE_KERNEL failed";
	snprintf((char *)s.name, sizeof(s.name), "%s", name);
	if (ioctl(fd, MULTIKERNEL_START, &s))
		return "FAIL: start failed";
	return NULL;
}

static const char *mk_start_instance(int fd, const char *name, const char *cpus)
{
	if (mk_create(fd, name, cpus, instance_mem(), NULL))
		return "FAIL: cannot create the instance";
	return mk_load_start(fd, name);
}

/* Whether mk_start_instance() tried to start an instance and failed. */
static bool start_failed(const char *why)
{
	return why && !strncmp(why, "FAIL: ", 6);
}

static int mk_force_stop(int fd, const char *name)
{
	struct multikernel_stop s = { .size = sizeof(s),
				      .flags = MULTIKERNEL_STOP_FORCE };

	snprintf((char *)s.name, sizeof(s.name), "%s", name);
	return ioctl(fd, MULTIKERNEL_STOP, &s) ? -errno : 0;
}

/* Open the device, or skip the test on a kernel without it. */
static int open_dev(struct __test_metadata *_metadata)
{
	int fd = open(MK_DEV, O_RDWR);

	if (fd < 0 && errno == ENOENT)
		SKIP(return -1, "no " MK_DEV ": kernel without CONFIG_MULTIKERNEL");
	ASSERT_LE(0, fd) TH_LOG("open " MK_DEV ": %s", strerror(errno));
	return fd;
}

/* Close what open_dev() opened, after removing what a test made. */
static void close_dev(int fd)
{
	if (fd < 0)
		return;
	mk_destroy(fd, "mkst0");
	close(fd);
}

FIXTURE(mk) {
	int fd;
	unsigned long long pool_free;
	int online;
};

FIXTURE_SETUP(mk)
{
	unsigned long long size = 0;
	unsigned int i;

	self->fd = open_dev(_metadata);
	if (self->fd < 0)
		return;
	ASSERT_EQ(0, read_u64(POOL_SIZE, &size));
	if (size < (64ULL << 20))
		SKIP(return, "needs a pool of 64M or more (multikernel=)");
	/*
	 * A test killed by the harness (timeout) ran no teardown: take its
	 * instances away, so that its failure does not become every later
	 * test's skip.
	 */
	for (i = 0; i < ARRAY_SIZE(test_names); i++) {
		mk_force_stop(self->fd, test_names[i]);
		mk_destroy(self->fd, test_names[i]);
	}
	if (cpu_online(3) != 1 || cpu_online(2) != 1)
		SKIP(return, "needs CPUs 2 and 3 online");
	ASSERT_EQ(0, read_u64(POOL_FREE, &self->pool_free));
	self->online = count_cpulist(CPU_SYSFS "/online");
	ASSERT_LT(0, self->online);
}

FIXTURE_TEARDOWN(mk)
{
	unsigned long long avail = 0;
	unsigned int i;

	if (self->fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(test_names); i++) {
		mk_force_stop(self->fd, test_names[i]);
		mk_destroy(self->fd, test_names[i]);
	}
	/* Nothing leaks: the pool and the host's CPUs are as before. */
	EXPECT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(self->pool_free, avail);
	EXPECT_EQ(self->online, count_cpulist(CPU_SYSFS "/online"));
	close(self->fd);
}

/* ---- the dispatcher ---- */

TEST_F(mk, unknown_command_is_enotty)
{
	__u32 buf[64] = { sizeof(buf) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(MULTIKERNEL_TYPE, 0x0f), buf));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(mk, foreign_type_is_enotty)
{
	__u32 buf[64] = { sizeof(buf) };

	EXPECT_EQ(-1, ioctl(self->fd, _IO(MULTIKERNEL_TYPE + 1,
					  MULTIKERNEL_CMD_STATUS), buf));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(mk, size_below_first_layout_is_einval)
{
	struct multikernel_status s = { .size = offsetof(struct multikernel_status,
						       out_crash_reason) };

	set_name(s.name, "mkst0");
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, unknown_nonzero_tail_is_e2big)
{
	struct {
		struct multikernel_list l;
		__u64 future;
	} big = { .l.size = sizeof(big), .future = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_LIST, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(mk, unknown_zero_tail_is_accepted)
{
	struct {
		struct multikernel_list l;
		__u64 future;
	} big = { .l.size = sizeof(big) };

	EXPECT_EQ(0, ioctl(self->fd, MULTIKERNEL_LIST, &big));
	EXPECT_EQ(0, big.l.count);
	EXPECT_EQ(0, big.future);
}

TEST_F(mk, bad_pointer_is_efault)
{
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_LIST, (void *)8));
	EXPECT_EQ(EFAULT, errno);
}

TEST(open_needs_privilege)
{
	int status;
	pid_t pid;

	if (access(MK_DEV, F_OK))
		SKIP(return, "no " MK_DEV);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (setuid(65534))
			_exit(2);
		_exit(open(MK_DEV, O_RDWR) < 0 && errno == EACCES ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * In a child: drop CAP_SYS_ADMIN from the effective set (capset(2), no
 * libcap), then run one ioctl on @fd, which was opened with it. Returns
 * the ioctl's errno, 0 when it worked, or -1 when the child could not get
 * that far.
 */
static int ioctl_errno_without_admin(int fd, unsigned long cmd, void *arg)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (syscall(SYS_capget, &hdr, data))
			_exit(255);
		data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &=
			~CAP_TO_MASK(CAP_SYS_ADMIN);
		if (syscall(SYS_capset, &hdr, data))
			_exit(255);
		_exit(ioctl(fd, cmd, arg) ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/*
 * open() checks CAP_SYS_ADMIN, but a descriptor can be passed on: whoever
 * uses it to change instances must hold CAP_SYS_ADMIN at the call. Reading
 * state stays open to the holder of the descriptor.
 */
TEST_F(mk, passed_fd_without_admin_cannot_change_instances)
{
	struct multikernel_create c = {
		.size = sizeof(c), .flags = MULTIKERNEL_CREATE_CPU_LIST,
		.mem_size = TEST_MEM, .cpus_uptr = (uintptr_t)"3", .cpus_len = 1,
	};
	struct multikernel_destroy d = { .size = sizeof(d) };
	struct multikernel_load l = { .size = sizeof(l) };
	struct multikernel_start st = { .size = sizeof(st) };
	struct multikernel_stop sp = { .size = sizeof(sp) };
	char names[4][MULTIKERNEL_NAME_LEN];
	struct multikernel_list li = { .size = sizeof(li), .count = 4,
				       .names_uptr = (uintptr_t)names };
	struct multikernel_status s;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	set_name(c.name, "mkst1");
	set_name(d.name, "mkst0");
	set_name(l.name, "mkst0");
	set_name(st.name, "mkst0");
	set_name(sp.name, "mkst0");
	l.kernel_fd = 0;

	EXPECT_EQ(EPERM, ioctl_errno_without_admin(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EPERM, ioctl_errno_without_admin(self->fd, MULTIKERNEL_DESTROY, &d));
	EXPECT_EQ(EPERM, ioctl_errno_without_admin(self->fd, MULTIKERNEL_LOAD, &l));
	EXPECT_EQ(EPERM, ioctl_errno_without_admin(self->fd, MULTIKERNEL_START, &st));
	EXPECT_EQ(EPERM, ioctl_errno_without_admin(self->fd, MULTIKERNEL_STOP, &sp));

	/* Nothing changed. */
	EXPECT_EQ(-ENOENT, mk_status(self->fd, "mkst1", &s));
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_EQ(MULTIKERNEL_STATE_EMPTY, s.out_state);

	/* Reading works without CAP_SYS_ADMIN. */
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	set_name(s.name, "mkst0");
	EXPECT_EQ(0, ioctl_errno_without_admin(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(0, ioctl_errno_without_admin(self->fd, MULTIKERNEL_LIST, &li));
}

/* ---- create ---- */

TEST_F(mk, create_makes_instance)
{
	struct multikernel_status s;
	__u32 id = ~0u;
	char buf[256];
	unsigned long long avail = 0;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, &id));
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_EQ(id, s.out_id);
	EXPECT_EQ(MULTIKERNEL_STATE_EMPTY, s.out_state);
	EXPECT_EQ(MULTIKERNEL_STATUS_CPUS_TAKEN | MULTIKERNEL_STATUS_MEMORY_HELD,
		  s.out_flags);
	EXPECT_EQ(1, s.out_nr_cpus);
	EXPECT_EQ(TEST_MEM, s.out_mem_size);
	EXPECT_EQ(0, s.out_mem_base % MULTIKERNEL_POOL_ALIGN);
	EXPECT_EQ(0, s.out_uptime_ns);
	EXPECT_EQ('\0', s.out_crash_reason[0]);

	/* The CPU left the host, the memory left the pool. */
	EXPECT_EQ(0, cpu_online(2));
	EXPECT_EQ(self->online - 1, count_cpulist(CPU_SYSFS "/online"));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(self->pool_free - TEST_MEM, avail);

	ASSERT_EQ(0, inst_file("mkst0", "id", buf, sizeof(buf)));
	EXPECT_EQ(id, strtoul(buf, NULL, 10));
}

TEST_F(mk, create_memory_inside_pool)
{
	unsigned long long start, end;
	struct multikernel_status s;

	ASSERT_EQ(1, iomem_pool(&start, &end));
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_LE(start, s.out_mem_base);
	EXPECT_LE(s.out_mem_base + s.out_mem_size - 1, end);
}

/*
 * kexec-tools builds the dump of a crash kernel loaded with kexec_load(2)
 * from every /proc/iomem line whose name holds "System RAM", at any depth.
 * None may cover the pool, or every instance's memory would land in the
 * host's vmcore: the pool is listed beside System RAM, at the top level.
 */
TEST(pool_is_beside_system_ram)
{
	unsigned long long ps, pe, s, e;
	int consumed, top = 0, ram = 0;
	char line[256];
	FILE *f;

	ASSERT_EQ(1, iomem_pool(&ps, &pe));
	f = fopen("/proc/iomem", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx : %n", &s, &e, &consumed) != 2)
			continue;
		if (strstr(line + consumed, "System RAM")) {
			ram++;
			EXPECT_TRUE(e < ps || s > pe)
				TH_LOG("covers the pool %llx-%llx: %s", ps, pe, line);
		}
		if (line[0] != ' ' && !strcmp(line + consumed, "Multikernel pool\n"))
			top++;
	}
	fclose(f);
	EXPECT_LT(0, ram);
	EXPECT_EQ(1, top);
}

TEST_F(mk, create_with_bitmap)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM };
	__u64 map = 1ULL << 3;
	char buf[64];

	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)&map;
	c.cpus_len = sizeof(map);
	ASSERT_EQ(0, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	ASSERT_EQ(0, inst_file("mkst0", "cpus", buf, sizeof(buf)));
	EXPECT_STREQ("3", buf);
	EXPECT_EQ(0, cpu_online(3));
}

TEST_F(mk, create_two_cpus)
{
	char buf[64];

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2-3", TEST_MEM, NULL));
	ASSERT_EQ(0, inst_file("mkst0", "cpus", buf, sizeof(buf)));
	EXPECT_STREQ("2-3", buf);
	EXPECT_EQ(0, cpu_online(2));
	EXPECT_EQ(0, cpu_online(3));
}

TEST_F(mk, create_two_instances)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ASSERT_EQ(0, mk_create(self->fd, "mkst1", "3", TEST_MEM, NULL));
	EXPECT_EQ(self->online - 2, count_cpulist(CPU_SYSFS "/online"));
}

TEST_F(mk, create_unknown_flag_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM,
					.flags = MULTIKERNEL_CREATE_CPU_LIST | 0x80 };

	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)"2";
	c.cpus_len = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
}

/* Bad names and CPU lists, one variant each, against a clean device. */
FIXTURE(bad_name) {
	int fd;
};

FIXTURE_VARIANT(bad_name) {
	const char *name;	/* copied into the name member */
	size_t len;		/* bytes to copy, 0 for strlen + 1 */
};

FIXTURE_VARIANT_ADD(bad_name, empty) { .name = "" };
FIXTURE_VARIANT_ADD(bad_name, upper_case) { .name = "Mkst0" };
FIXTURE_VARIANT_ADD(bad_name, slash) { .name = "mk/st" };
FIXTURE_VARIANT_ADD(bad_name, blank) { .name = "mk st" };
FIXTURE_VARIANT_ADD(bad_name, dots) { .name = ".." };
FIXTURE_VARIANT_ADD(bad_name, too_long) {
	.name = "abcdefghijklmnopqrstuvwxyz0123456",
};

FIXTURE_VARIANT_ADD(bad_name, no_nul) {
	.name = "abcdefghijklmnopqrstuvwxyz0123456789abcd",
	.len = MULTIKERNEL_NAME_LEN,
};

FIXTURE_VARIANT_ADD(bad_name, junk_after_nul) { .name = "mkst0\0x", .len = 7 };

FIXTURE_SETUP(bad_name)
{
	self->fd = open_dev(_metadata);
}

FIXTURE_TEARDOWN(bad_name)
{
	close_dev(self->fd);
}

TEST_F(bad_name, create_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM,
					.flags = MULTIKERNEL_CREATE_CPU_LIST };
	size_t len = variant->len ? : strlen(variant->name) + 1;

	memcpy(c.name, variant->name, len);
	c.cpus_uptr = (uintptr_t)"2";
	c.cpus_len = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, cpu_online(2));
}

FIXTURE(bad_cpus) {
	int fd;
};

FIXTURE_VARIANT(bad_cpus) {
	const char *list;
};

FIXTURE_VARIANT_ADD(bad_cpus, empty) { .list = "" };
FIXTURE_VARIANT_ADD(bad_cpus, open_range) { .list = "2-" };
FIXTURE_VARIANT_ADD(bad_cpus, leading_comma) { .list = ",2" };
FIXTURE_VARIANT_ADD(bad_cpus, empty_item) { .list = "2,,3" };
FIXTURE_VARIANT_ADD(bad_cpus, reversed) { .list = "3-2" };
FIXTURE_VARIANT_ADD(bad_cpus, word) { .list = "two" };
FIXTURE_VARIANT_ADD(bad_cpus, hex) { .list = "0x2" };
FIXTURE_VARIANT_ADD(bad_cpus, blank) { .list = "2 " };
FIXTURE_VARIANT_ADD(bad_cpus, newline) { .list = "2\n" };

FIXTURE_SETUP(bad_cpus)
{
	self->fd = open_dev(_metadata);
}

FIXTURE_TEARDOWN(bad_cpus)
{
	close_dev(self->fd);
}

TEST_F(bad_cpus, create_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM,
					.flags = MULTIKERNEL_CREATE_CPU_LIST };
	static const char dummy[1];

	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)(*variant->list ? variant->list : dummy);
	c.cpus_len = strlen(variant->list);
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-ENOENT, mk_destroy(self->fd, "mkst0"));
}

TEST_F(mk, create_long_cpu_list_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM,
					.flags = MULTIKERNEL_CREATE_CPU_LIST };
	static char list[4097];

	memset(list, '2', sizeof(list));
	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)list;
	c.cpus_len = sizeof(list);
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, create_bitmap_odd_length_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM };
	__u64 map = 1ULL << 2;

	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)&map;
	c.cpus_len = 4;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, create_bitmap_past_last_cpu_is_einval)
{
	struct multikernel_create c = { .size = sizeof(c), .mem_size = TEST_MEM };
	__u64 map[64] = { 1ULL << 2 };

	map[63] = 1ULL << 63;	/* CPU 4095 */
	set_name(c.name, "mkst0");
	c.cpus_uptr = (uintptr_t)map;
	c.cpus_len = sizeof(map);
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_CREATE, &c));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, create_cpu0_is_einval)
{
	EXPECT_EQ(-EINVAL, mk_create(self->fd, "mkst0", "0", TEST_MEM, NULL));
	EXPECT_EQ(-ENOENT, mk_destroy(self->fd, "mkst0"));
}

TEST_F(mk, create_missing_cpu_is_einval)
{
	char list[16];
	int ncpus = sysconf(_SC_NPROCESSORS_CONF);

	/* The first CPU number the kernel does not know. */
	snprintf(list, sizeof(list), "%d", ncpus);
	EXPECT_EQ(-EINVAL, mk_create(self->fd, "mkst0", list, TEST_MEM, NULL));
}

TEST_F(mk, create_huge_cpu_number_is_einval)
{
	EXPECT_EQ(-EINVAL, mk_create(self->fd, "mkst0", "99999999999999999999",
				     TEST_MEM, NULL));
}

TEST_F(mk, create_other_instances_cpu_is_ebusy)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2-3", TEST_MEM, NULL));
	EXPECT_EQ(-EBUSY, mk_create(self->fd, "mkst1", "3", TEST_MEM, NULL));
}

TEST_F(mk, create_duplicate_name_is_eexist)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EEXIST, mk_create(self->fd, "mkst0", "3", TEST_MEM, NULL));
	/* The refused create took nothing. */
	EXPECT_EQ(1, cpu_online(3));
}

TEST_F(mk, create_zero_memory_is_einval)
{
	EXPECT_EQ(-EINVAL, mk_create(self->fd, "mkst0", "2", 0, NULL));
}

TEST_F(mk, create_unaligned_memory_is_einval)
{
	EXPECT_EQ(-EINVAL, mk_create(self->fd, "mkst0", "2", 3ULL << 20, NULL));
}

TEST_F(mk, create_more_than_pool_is_enospc)
{
	EXPECT_EQ(-ENOSPC, mk_create(self->fd, "mkst0", "2",
				     self->pool_free + MULTIKERNEL_POOL_ALIGN, NULL));
	EXPECT_EQ(1, cpu_online(2));
}

TEST_F(mk, create_more_than_left_is_enospc)
{
	__u64 half = (self->pool_free / 2 / MULTIKERNEL_POOL_ALIGN + 1) *
		     MULTIKERNEL_POOL_ALIGN;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", half, NULL));
	EXPECT_EQ(-ENOSPC, mk_create(self->fd, "mkst1", "3", half, NULL));
	EXPECT_EQ(1, cpu_online(3));
}

/* ---- CPU ownership in the host ---- */

TEST_F(mk, owned_cpu_cannot_be_onlined)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "3", TEST_MEM, NULL));
	ASSERT_EQ(0, cpu_online(3));
	EXPECT_EQ(-EBUSY, write_str(CPU_SYSFS "/cpu3/online", "1"));
	EXPECT_EQ(0, cpu_online(3));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	EXPECT_EQ(1, cpu_online(3));
}

TEST_F(mk, offline_cpu_can_be_taken)
{
	ASSERT_EQ(0, write_str(CPU_SYSFS "/cpu3/online", "0"));
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "3", TEST_MEM, NULL));
	EXPECT_EQ(-EBUSY, write_str(CPU_SYSFS "/cpu3/online", "1"));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	/* Given back online, as every instance CPU is. */
	EXPECT_EQ(1, cpu_online(3));
}

TEST_F(mk, returned_cpu_runs_host_tasks)
{
	cpu_set_t set;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	CPU_ZERO(&set);
	CPU_SET(2, &set);
	EXPECT_EQ(-1, sched_setaffinity(0, sizeof(set), &set));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));

	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	EXPECT_EQ(2, sched_getcpu());
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Twenty CPU hotplug round trips: minutes on an emulated debug kernel. */
TEST_F_TIMEOUT(mk, create_destroy_cycles_leak_nothing, 600)
{
	unsigned long long avail = 0;
	int i;

	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, mk_create(self->fd, "mkst-cycle", "2-3", TEST_MEM, NULL))
			TH_LOG("cycle %d", i);
		ASSERT_EQ(self->online - 2, count_cpulist(CPU_SYSFS "/online"));
		ASSERT_EQ(0, mk_destroy(self->fd, "mkst-cycle")) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
		ASSERT_EQ(self->pool_free, avail) TH_LOG("cycle %d", i);
		ASSERT_EQ(self->online, count_cpulist(CPU_SYSFS "/online"))
			TH_LOG("cycle %d", i);
	}
}

/* ---- destroy ---- */

TEST_F(mk, destroy_unknown_is_enoent)
{
	EXPECT_EQ(-ENOENT, mk_destroy(self->fd, "mkst0"));
}

TEST_F(mk, destroy_twice_is_enoent)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	EXPECT_EQ(-ENOENT, mk_destroy(self->fd, "mkst0"));
}

TEST_F(mk, destroy_unknown_flag_is_einval)
{
	struct multikernel_destroy d = { .size = sizeof(d), .flags = 1 };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	set_name(d.name, "mkst0");
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_DESTROY, &d));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, cpu_online(2));
}

TEST_F(mk, destroy_bad_name_is_einval)
{
	EXPECT_EQ(-EINVAL, mk_destroy(self->fd, "MKST0"));
}

TEST_F_TIMEOUT(mk, destroy_running_is_ebusy, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	EXPECT_EQ(-EBUSY, mk_destroy(self->fd, "mkst0"));
}

/* ---- load ---- */

static int mk_load(int fd, struct multikernel_load *l, const char *name)
{
	l->size = sizeof(*l);
	snprintf((char *)l->name, sizeof(l->name), "%s", name);
	return ioctl(fd, MULTIKERNEL_LOAD, l) ? -errno : 0;
}

TEST_F(mk, load_unknown_flag_is_einval)
{
	struct multikernel_load l = { .flags = 0x80 };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_reserved_is_einval)
{
	struct multikernel_load l = { .__reserved = 1 };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_initrd_fd_without_flag_is_einval)
{
	struct multikernel_load l = { .initrd_fd = 1 };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_cmdline_without_nul_is_einval)
{
	struct multikernel_load l = { .cmdline_uptr = (uintptr_t)"quiet",
				      .cmdline_len = 5 };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_cmdline_pointer_without_length_is_einval)
{
	struct multikernel_load l = { .cmdline_uptr = (uintptr_t)"quiet" };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_long_cmdline_is_einval)
{
	static char line[65536];
	struct multikernel_load l = { .cmdline_uptr = (uintptr_t)line,
				      .cmdline_len = sizeof(line) };

	memset(line, 'a', sizeof(line) - 1);
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_unknown_instance_is_enoent)
{
	struct multikernel_load l = { };

	EXPECT_EQ(-ENOENT, mk_load(self->fd, &l, "mkst0"));
}

TEST_F(mk, load_not_a_kernel_is_enoexec)
{
	char buf[32];
	int ret;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ret = mk_load_probe(self->fd, "mkst0");
	if (ret == -EOPNOTSUPP)
		SKIP(return, "this kernel cannot load instance kernels (EOPNOTSUPP)");
	EXPECT_EQ(-ENOEXEC, ret);
	/* Nothing was loaded. */
	ASSERT_EQ(0, inst_file("mkst0", "state", buf, sizeof(buf)));
	EXPECT_STREQ("empty", buf);
}

TEST_F_TIMEOUT(mk, load_running_is_ebusy, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");
	struct multikernel_load l = { };

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	l.kernel_fd = 0;
	EXPECT_EQ(-EBUSY, mk_load(self->fd, &l, "mkst0"));
}

/* ---- start ---- */

static int mk_start(int fd, const char *name, __u32 flags)
{
	struct multikernel_start s = { .size = sizeof(s), .flags = flags };

	snprintf((char *)s.name, sizeof(s.name), "%s", name);
	return ioctl(fd, MULTIKERNEL_START, &s) ? -errno : 0;
}

TEST_F(mk, start_unknown_flag_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_start(self->fd, "mkst0", 1));
}

TEST_F(mk, start_unknown_instance_is_enoent)
{
	EXPECT_EQ(-ENOENT, mk_start(self->fd, "mkst0", 0));
}

TEST_F(mk, start_without_kernel_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_start(self->fd, "mkst0", 0));
	EXPECT_EQ(0, cpu_online(2));
}

TEST_F_TIMEOUT(mk, start_running_is_ebusy, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	EXPECT_EQ(-EBUSY, mk_start(self->fd, "mkst0", 0));
}

/* ---- stop ---- */

static int mk_stop(int fd, const char *name, __u32 flags, __u32 timeout_ms,
		   __u32 reserved)
{
	struct multikernel_stop s = { .size = sizeof(s), .flags = flags,
				      .timeout_ms = timeout_ms,
				      .__reserved = reserved };

	snprintf((char *)s.name, sizeof(s.name), "%s", name);
	return ioctl(fd, MULTIKERNEL_STOP, &s) ? -errno : 0;
}

TEST_F(mk, stop_unknown_flag_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_stop(self->fd, "mkst0", 2, 0, 0));
}

TEST_F(mk, stop_reserved_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_stop(self->fd, "mkst0", 0, 0, 1));
}

TEST_F(mk, stop_long_timeout_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_stop(self->fd, "mkst0", 0,
				   MULTIKERNEL_STOP_TIMEOUT_MAX_MS + 1, 0));
}

TEST_F(mk, stop_unknown_instance_is_enoent)
{
	EXPECT_EQ(-ENOENT, mk_stop(self->fd, "mkst0", 0, 0, 0));
}

TEST_F(mk, stop_not_running_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));
	/* Refusing the stop did not give the CPU back. */
	EXPECT_EQ(0, cpu_online(2));
}

TEST_F_TIMEOUT(mk, stop_gives_cpus_and_memory_back, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");
	struct multikernel_status s, again;
	unsigned long long avail = 0;
	char buf[32];

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_TRUE(s.out_flags & MULTIKERNEL_STATUS_MEMORY_HELD);
	EXPECT_EQ(0, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));
	ASSERT_EQ(0, inst_file("mkst0", "state", buf, sizeof(buf)));
	EXPECT_STREQ("stopped", buf);
	EXPECT_EQ(1, cpu_online(2));

	/* The memory is back in the pool: pool_free is as before create. */
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(self->pool_free, avail);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &again));
	EXPECT_EQ(0, again.out_flags & (MULTIKERNEL_STATUS_MEMORY_HELD |
					MULTIKERNEL_STATUS_CPUS_TAKEN));
	/* The range is still named: a start takes the same one back. */
	EXPECT_EQ(s.out_mem_base, again.out_mem_base);
	EXPECT_EQ(s.out_mem_size, again.out_mem_size);
	ASSERT_EQ(0, inst_file("mkst0", "memory", buf, sizeof(buf)));
	EXPECT_EQ(s.out_mem_size, strtoull(buf, NULL, 10));

	ASSERT_EQ(0, mk_start(self->fd, "mkst0", 0));
	ASSERT_EQ(0, read_u64(POOL_FREE, &avail));
	EXPECT_EQ(self->pool_free - s.out_mem_size, avail);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &again));
	EXPECT_EQ(s.out_mem_base, again.out_mem_base);
	EXPECT_TRUE(again.out_flags & MULTIKERNEL_STATUS_MEMORY_HELD);
}

TEST_F_TIMEOUT(mk, start_after_memory_given_away_is_eaddrinuse, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");
	struct multikernel_status s, other;

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	ASSERT_EQ(0, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));

	/* First fit hands the range of the stopped instance to a new one. */
	ASSERT_EQ(0, mk_create(self->fd, "mkst1", "3", s.out_mem_size, NULL));
	ASSERT_EQ(0, mk_status(self->fd, "mkst1", &other));
	ASSERT_EQ(s.out_mem_base, other.out_mem_base)
		TH_LOG("the pool did not hand out the stopped instance's range");

	EXPECT_EQ(-EADDRINUSE, mk_start(self->fd, "mkst0", 0));
	EXPECT_EQ(1, cpu_online(2));
	EXPECT_EQ(1, klog_count("instance mkst0: its memory", "given to another instance") > 0);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_EQ(MULTIKERNEL_STATE_STOPPED, s.out_state);
	EXPECT_EQ(0, s.out_flags & MULTIKERNEL_STATUS_MEMORY_HELD);

	/* Once the other one is gone, the stopped instance starts again. */
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst1"));
	EXPECT_EQ(0, mk_start(self->fd, "mkst0", 0));
}

TEST_F_TIMEOUT(mk, start_after_cpus_given_away_is_ebusy, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");
	struct multikernel_status s;

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));

	/* A stopped instance holds no CPUs: another one may have them. */
	ASSERT_EQ(0, mk_create(self->fd, "mkst1", "2", TEST_MEM, NULL));
	EXPECT_EQ(0, cpu_online(2));

	EXPECT_EQ(-EBUSY, mk_start(self->fd, "mkst0", 0));
	EXPECT_EQ(1, klog_count("instance mkst0: its CPUs", "given to another instance") > 0);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_EQ(MULTIKERNEL_STATE_STOPPED, s.out_state);
	EXPECT_EQ(0, s.out_flags & MULTIKERNEL_STATUS_MEMORY_HELD);

	/* Once the other one is gone, the stopped instance starts again. */
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst1"));
	EXPECT_EQ(1, cpu_online(2));
	EXPECT_EQ(0, mk_start(self->fd, "mkst0", 0));
	EXPECT_EQ(0, cpu_online(2));
}

/* ---- status ---- */

TEST_F(mk, status_unknown_flag_is_einval)
{
	struct multikernel_status s;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.flags = 1;
	set_name(s.name, "mkst0");
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, status_reserved_is_einval)
{
	struct multikernel_status s;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.__reserved = 1;
	set_name(s.name, "mkst0");
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, status_unknown_instance_is_enoent)
{
	struct multikernel_status s;

	EXPECT_EQ(-ENOENT, mk_status(self->fd, "mkst0", &s));
}

TEST_F(mk, status_cpu_bitmap)
{
	struct multikernel_status s;
	__u64 map[2] = { ~0ULL, ~0ULL };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2-3", TEST_MEM, NULL));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	set_name(s.name, "mkst0");
	s.cpus_uptr = (uintptr_t)map;
	s.cpus_len = sizeof(map);
	ASSERT_EQ(0, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(8, s.cpus_len);
	EXPECT_EQ(0xcULL, map[0]);
	/* The rest of the buffer is cleared. */
	EXPECT_EQ(0, map[1]);
	EXPECT_EQ(2, s.out_nr_cpus);
}

TEST_F(mk, status_small_cpu_buffer_is_emsgsize)
{
	struct multikernel_status s;
	__u64 map = 0;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	set_name(s.name, "mkst0");
	s.cpus_uptr = (uintptr_t)&map;
	s.cpus_len = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(8, s.cpus_len);
}

TEST_F(mk, status_odd_cpu_buffer_is_einval)
{
	struct multikernel_status s;
	__u64 map = 0;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	set_name(s.name, "mkst0");
	s.cpus_uptr = (uintptr_t)&map;
	s.cpus_len = 4;
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_STATUS, &s));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- list ---- */

TEST_F(mk, list_names_instances)
{
	char names[4][MULTIKERNEL_NAME_LEN];
	struct multikernel_list l = { .size = sizeof(l), .count = 4,
				      .names_uptr = (uintptr_t)names };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ASSERT_EQ(0, mk_create(self->fd, "mkst1", "3", TEST_MEM, NULL));
	ASSERT_EQ(0, ioctl(self->fd, MULTIKERNEL_LIST, &l));
	ASSERT_EQ(2, l.count);
	EXPECT_STREQ("mkst0", names[0]);
	EXPECT_STREQ("mkst1", names[1]);
}

TEST_F(mk, list_small_buffer_is_emsgsize)
{
	char names[1][MULTIKERNEL_NAME_LEN];
	struct multikernel_list l = { .size = sizeof(l), .count = 1,
				      .names_uptr = (uintptr_t)names };

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	ASSERT_EQ(0, mk_create(self->fd, "mkst1", "3", TEST_MEM, NULL));
	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_LIST, &l));
	EXPECT_EQ(EMSGSIZE, errno);
	EXPECT_EQ(2, l.count);
	EXPECT_STREQ("mkst0", names[0]);
}

TEST_F(mk, list_count_without_buffer_is_einval)
{
	struct multikernel_list l = { .size = sizeof(l), .count = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_LIST, &l));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(mk, list_unknown_flag_is_einval)
{
	struct multikernel_list l = { .size = sizeof(l), .flags = 1 };

	EXPECT_EQ(-1, ioctl(self->fd, MULTIKERNEL_LIST, &l));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- console ---- */

static int mk_console(int fd, const char *name, __u32 flags, __u32 reserved)
{
	struct multikernel_console c = { .size = sizeof(c), .flags = flags,
					 .__reserved = reserved };

	set_name(c.name, name);
	return ioctl(fd, MULTIKERNEL_CONSOLE, &c) ? -errno : (int)c.out_fd;
}

TEST_F(mk, console_unknown_instance_is_enoent)
{
	EXPECT_EQ(-ENOENT, mk_console(self->fd, "mkst0", 0, 0));
}

TEST_F(mk, console_unknown_flag_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_console(self->fd, "mkst0", 1, 0));
}

TEST_F(mk, console_reserved_is_einval)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(-EINVAL, mk_console(self->fd, "mkst0", 0, 1));
}

TEST_F(mk, console_is_empty_before_start)
{
	char buf[64];
	int cfd;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	cfd = mk_console(self->fd, "mkst0", 0, 0);
	ASSERT_LE(0, cfd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(cfd, F_GETFD));
	EXPECT_EQ(O_RDONLY, fcntl(cfd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(0, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(cfd, "x", 1));
	close(cfd);
}

TEST_F(mk, console_read_after_destroy_is_enodev)
{
	char buf[64];
	int cfd;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	cfd = mk_console(self->fd, "mkst0", 0, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	EXPECT_EQ(-1, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(cfd);
}

/*
 * poll() on a console waits for the instance's output and wakes when it
 * comes (mkctl console --follow sleeps in it); once the instance is
 * destroyed it reports a hang-up, and a read fails with ENODEV.
 */
TEST_F(mk, console_poll_wakes_for_output_and_hangs_up)
{
	struct pollfd p = { .events = POLLIN };
	const char *why;
	char buf[256];
	int cfd;

	if (!getenv("MK_INSTANCE_KERNEL"))
		SKIP(return, "no instance kernel: set MK_INSTANCE_KERNEL");
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", instance_mem(), NULL));
	cfd = mk_console(self->fd, "mkst0", 0, 0);
	ASSERT_LE(0, cfd);
	p.fd = cfd;
	EXPECT_EQ(0, poll(&p, 1, 0));

	why = mk_load_start(self->fd, "mkst0");
	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	/* Bounded only so that a missing wakeup fails instead of hanging. */
	ASSERT_EQ(1, poll(&p, 1, 300000));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_LT(0, read(cfd, buf, sizeof(buf)));

	ASSERT_EQ(0, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	EXPECT_EQ(-1, read(cfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(cfd);
}

/* ---- sysfs ---- */

TEST_F(mk, sysfs_files)
{
	static const char * const files[] = {
		"id", "state", "cpus", "apic_ids", "memory", "crash_reason",
	};
	char path[256], buf[64];
	struct stat st;
	unsigned int i;

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2-3", TEST_MEM, NULL));
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), MK_INSTANCES "/mkst0/%s", files[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_EQ(0444, st.st_mode & 07777) TH_LOG("%s", path);
		EXPECT_EQ(-1, open(path, O_WRONLY)) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, inst_file("mkst0", "state", buf, sizeof(buf)));
	EXPECT_STREQ("empty", buf);
	ASSERT_EQ(0, inst_file("mkst0", "cpus", buf, sizeof(buf)));
	EXPECT_STREQ("2-3", buf);
	ASSERT_EQ(0, inst_file("mkst0", "memory", buf, sizeof(buf)));
	EXPECT_EQ(TEST_MEM, strtoull(buf, NULL, 10));
	ASSERT_EQ(0, inst_file("mkst0", "crash_reason", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST_F(mk, sysfs_dir_goes_with_instance)
{
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", TEST_MEM, NULL));
	EXPECT_EQ(0, access(MK_INSTANCES "/mkst0", F_OK));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	EXPECT_EQ(-1, access(MK_INSTANCES "/mkst0", F_OK));
	EXPECT_EQ(ENOENT, errno);
}

/* The APIC IDs follow the CPUs, as /proc/cpuinfo showed them while online. */
TEST_F(mk, sysfs_apic_ids)
{
	char line[256], buf[64], want[64];
	int cpu = -1, apic, a2 = -1, a3 = -1;
	FILE *f;

	f = fopen("/proc/cpuinfo", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "processor : %d", &cpu) == 1)
			continue;
		if (sscanf(line, "apicid : %d", &apic) == 1) {
			if (cpu == 2)
				a2 = apic;
			if (cpu == 3)
				a3 = apic;
		}
	}
	fclose(f);
	ASSERT_LE(0, a2);
	ASSERT_LE(0, a3);

	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2-3", TEST_MEM, NULL));
	ASSERT_EQ(0, inst_file("mkst0", "apic_ids", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%d,%d", a2, a3);
	EXPECT_STREQ(want, buf);
}

TEST_F_TIMEOUT(mk, sysfs_state_is_pollable, 600)
{
	const char *why = mk_start_instance(self->fd, "mkst0", "2");
	struct pollfd p = { .events = POLLPRI | POLLERR };
	char buf[32];

	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	p.fd = open(MK_INSTANCES "/mkst0/state", O_RDONLY);
	ASSERT_LE(0, p.fd);
	ASSERT_LT(0, read(p.fd, buf, sizeof(buf)));
	ASSERT_EQ(0, mk_force_stop(self->fd, "mkst0"));
	/* The stop moved the state at least once since we read it. */
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(p.revents & POLLPRI);
	ASSERT_EQ(0, lseek(p.fd, 0, SEEK_SET));
	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, read(p.fd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("stopped\n", buf);
	close(p.fd);
}

/* ---- host safety ---- */

TEST_F_TIMEOUT(mk, suspend_refused_while_running, 600)
{
	const char *why;
	bool disk;

	if (access("/sys/power/state", W_OK) || access("/sys/power/pm_test", W_OK))
		SKIP(return, "no /sys/power/state or pm_test");
	why = mk_start_instance(self->fd, "mkst0", "2");
	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);
	/* Should the refusal fail, pm_test stops the suspend at the freezer. */
	ASSERT_EQ(0, write_str("/sys/power/pm_test", "freezer"));
	EXPECT_EQ(-EBUSY, write_str("/sys/power/state", "freeze"));
	/*
	 * Hibernation too: no image is written while an instance's memory
	 * is in use (pm_test stops a hibernation at the freezer as well).
	 */
	disk = file_has_word("/sys/power/state", "disk");
	if (disk)
		EXPECT_EQ(-EBUSY, write_str("/sys/power/state", "disk"));
	if (!disk)
		TH_LOG("no hibernation on this kernel: not tried");
	write_str("/sys/power/pm_test", "none");
}

#define KEXEC_LIMIT	"/proc/sys/kernel/kexec_load_limit_reboot"

static int read_int(const char *path, int *val)
{
	char buf[32];
	int ret;

	ret = read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	*val = atoi(buf);
	return 0;
}

static long kexec_load_file(const char *path, unsigned long flags)
{
	static const char cmdline[] = "console=ttyS0 mk_kexec_test_escaped";
	long ret;
	int kfd = -1;

	if (!(flags & KEXEC_FILE_UNLOAD)) {
		kfd = open(path, O_RDONLY);
		if (kfd < 0)
			return -errno;
	}
	ret = syscall(__NR_kexec_file_load, kfd, -1,
		      flags & KEXEC_FILE_UNLOAD ? 0 : sizeof(cmdline),
		      flags & KEXEC_FILE_UNLOAD ? NULL : cmdline,
		      flags | KEXEC_FILE_NO_INITRAMFS);
	if (ret)
		ret = -errno;
	if (kfd >= 0)
		close(kfd);
	return ret;
}

static long kexec_reboot(void)
{
	return syscall(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
		       LINUX_REBOOT_CMD_KEXEC, NULL) ? -errno : 0;
}

/*
 * Should the refusal fail, the host kexecs into MK_INSTANCE_KERNEL and this
 * run ends without its results.
 */
TEST_F_TIMEOUT(mk, kexec_refused_while_running, 600)
{
	const char *kpath = getenv("MK_INSTANCE_KERNEL");
	struct multikernel_status s;
	const char *why;
	int limit;
	long ret;

	if (!kpath)
		SKIP(return, "no kernel to load: set MK_INSTANCE_KERNEL");
	/* load_leaves_kexec_limit_alone, in an earlier run, used it up. */
	if (!read_int(KEXEC_LIMIT, &limit) && !limit)
		SKIP(return, "kexec_load_limit_reboot is 0: no kexec load left");
	why = mk_start_instance(self->fd, "mkst0", "2");
	ASSERT_FALSE(start_failed(why)) TH_LOG("%s", why);
	if (why)
		SKIP(return, "%s", why);

	/* Loading an image is not refused, only the jump. */
	ret = kexec_load_file(kpath, 0);
	ASSERT_EQ(0, ret) TH_LOG("kexec_file_load: %s", strerror(-ret));
	EXPECT_EQ(-EBUSY, kexec_reboot());
	EXPECT_EQ(1, klog_count("refusing to kexec", "instances run") > 0);
	ASSERT_EQ(0, mk_status(self->fd, "mkst0", &s));
	EXPECT_NE(MULTIKERNEL_STATE_STOPPED, s.out_state);
	EXPECT_EQ(0, cpu_online(2));

	/* Without an image kexec fails with EINVAL before it asks us. */
	ASSERT_EQ(0, kexec_load_file(NULL, KEXEC_FILE_UNLOAD));
	EXPECT_EQ(-EINVAL, kexec_reboot());

	/* A refused kexec leaves nothing behind: stop and start work. */
	EXPECT_EQ(0, mk_stop(self->fd, "mkst0", MULTIKERNEL_STOP_FORCE, 0, 0));
	EXPECT_EQ(0, mk_start(self->fd, "mkst0", 0));
}

/* The last occurrence of @needle in @hay, or NULL. */
static char *strstr_last(char *hay, const char *needle)
{
	char *p, *last = NULL;

	for (p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		last = p;
	return last;
}

#define KEXEC_MARK	"mk-test: kexec placement"

/*
 * A kernel that is to replace the host is copied into place only at
 * kexec time, over whatever runs there then: its segments must keep out
 * of the pool, where instances run. kexec_file says where it put them
 * when asked to (KEXEC_FILE_DEBUG).
 */
TEST_F(mk, kexec_image_stays_out_of_pool)
{
	const char *kpath = getenv("MK_INSTANCE_KERNEL");
	unsigned long long ps, pe, mem, memsz;
	char *log, *line, *save, *seg;
	int limit, n = 0;
	long ret;

	if (!kpath)
		SKIP(return, "no kernel to load: set MK_INSTANCE_KERNEL");
	if (!read_int(KEXEC_LIMIT, &limit) && !limit)
		SKIP(return, "kexec_load_limit_reboot is 0: no kexec load left");
	ASSERT_EQ(1, iomem_pool(&ps, &pe));
	ASSERT_EQ(0, write_str("/dev/kmsg", KEXEC_MARK "\n"));
	ret = kexec_load_file(kpath, KEXEC_FILE_DEBUG);
	ASSERT_EQ(0, ret) TH_LOG("kexec_file_load: %s", strerror(-ret));
	EXPECT_EQ(0, kexec_load_file(NULL, KEXEC_FILE_UNLOAD));

	log = klog_all();
	ASSERT_NE(NULL, log);
	line = strstr_last(log, KEXEC_MARK);
	ASSERT_NE(NULL, line);
	for (line = strtok_r(line, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		seg = strstr(line, "segment[");
		if (!seg || sscanf(seg, "segment[%*d]: buf=%*s bufsz=%*s mem=0x%llx memsz=0x%llx",
				   &mem, &memsz) != 2)
			continue;
		n++;
		EXPECT_TRUE(mem + memsz - 1 < ps || mem > pe)
			TH_LOG("segment at %#llx+%#llx is in the pool %#llx-%#llx",
			       mem, memsz, ps, pe);
	}
	free(log);
	/* Purgatory, boot parameters and the kernel, at least. */
	EXPECT_LE(3, n);
}

static int load_kernel(int fd, const char *name, const char *kpath)
{
	static const char cmdline[] = "console=ttyS0";
	struct multikernel_load l = {
		.cmdline_uptr = (uintptr_t)cmdline,
		.cmdline_len = sizeof(cmdline),
	};
	int kfd, ret;

	kfd = open(kpath, O_RDONLY);
	if (kfd < 0)
		return -errno;
	l.kernel_fd = kfd;
	ret = mk_load(fd, &l, name);
	close(kfd);
	return ret;
}

/* Copy @from to a new file @to (mode 0600); 0 or -errno. */
static int copy_file(const char *from, const char *to)
{
	int in, out, ret = 0;
	char buf[65536];
	ssize_t n;

	in = open(from, O_RDONLY);
	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	if (n < 0)
		ret = -errno;
	close(in);
	close(out);
	return ret;
}

/* Whether @path can be opened for writing; 0 or -errno. */
static int can_write(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * A loaded kernel is read again from its file at every start, so the file
 * cannot be written while it is loaded (ETXTBSY, as for a running
 * program), and a file open for writing cannot be loaded. Loading another
 * kernel or destroying the instance lets go of it.
 */
TEST_F(mk, loaded_kernel_file_cannot_be_written)
{
	const char *kpath = getenv("MK_INSTANCE_KERNEL");
	char copy[] = "/tmp/mk-kernel-copy";
	int wfd, ret;

	if (!kpath)
		SKIP(return, "no kernel to load: set MK_INSTANCE_KERNEL");
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", instance_mem(), NULL));
	if (mk_load_probe(self->fd, "mkst0") == -EOPNOTSUPP)
		SKIP(return, "this kernel cannot load instance kernels (EOPNOTSUPP)");
	unlink(copy);
	ASSERT_EQ(0, copy_file(kpath, copy));

	wfd = open(copy, O_WRONLY);
	ASSERT_LE(0, wfd);
	EXPECT_EQ(-ETXTBSY, load_kernel(self->fd, "mkst0", copy));
	close(wfd);

	ret = load_kernel(self->fd, "mkst0", copy);
	ASSERT_EQ(0, ret) TH_LOG("load: %s", strerror(-ret));
	EXPECT_EQ(-ETXTBSY, can_write(copy));
	EXPECT_EQ(-ETXTBSY, truncate(copy, 0) ? -errno : 0);

	ASSERT_EQ(0, load_kernel(self->fd, "mkst0", kpath));
	EXPECT_EQ(0, can_write(copy));

	ASSERT_EQ(0, load_kernel(self->fd, "mkst0", copy));
	EXPECT_EQ(-ETXTBSY, can_write(copy));
	ASSERT_EQ(0, mk_destroy(self->fd, "mkst0"));
	EXPECT_EQ(0, can_write(copy));
	unlink(copy);
}

/*
 * kexec_load_limit_reboot counts the kernels the host could be replaced
 * with; loading an instance kernel does not use one up. The limit can only
 * go down until the next boot, so this runs last and leaves it at 0.
 */
TEST_F(mk, load_leaves_kexec_limit_alone)
{
	const char *kpath = getenv("MK_INSTANCE_KERNEL");
	int limit, i, ret;

	if (!kpath)
		SKIP(return, "no kernel to load: set MK_INSTANCE_KERNEL");
	if (read_int(KEXEC_LIMIT, &limit))
		SKIP(return, "no " KEXEC_LIMIT);
	if (limit != -1 && limit < 2)
		SKIP(return, "kexec_load_limit_reboot is %d already", limit);
	ASSERT_EQ(0, mk_create(self->fd, "mkst0", "2", instance_mem(), NULL));
	if (mk_load_probe(self->fd, "mkst0") == -EOPNOTSUPP)
		SKIP(return, "this kernel cannot load instance kernels (EOPNOTSUPP)");

	if (limit != 2)
		ASSERT_EQ(0, write_str(KEXEC_LIMIT, "2"));
	for (i = 0; i < 3; i++) {
		ret = load_kernel(self->fd, "mkst0", kpath);
		ASSERT_EQ(0, ret) TH_LOG("instance load %d: %s", i + 1,
					 strerror(-ret));
	}
	ASSERT_EQ(0, read_int(KEXEC_LIMIT, &limit));
	EXPECT_EQ(2, limit);

	/* The host's own kexec loads still count, and still work. */
	ret = kexec_load_file(kpath, 0);
	ASSERT_EQ(0, ret) TH_LOG("kexec_file_load: %s", strerror(-ret));
	ASSERT_EQ(0, kexec_load_file(NULL, KEXEC_FILE_UNLOAD));
	ASSERT_EQ(0, read_int(KEXEC_LIMIT, &limit));
	EXPECT_EQ(0, limit);
	EXPECT_EQ(-EPERM, kexec_load_file(kpath, 0));

	/* With no kexec load left, instances still load. */
	EXPECT_EQ(0, load_kernel(self->fd, "mkst0", kpath));
}

TEST_HARNESS_MAIN
