// SPDX-License-Identifier: GPL-2.0
/*
 * Run as root inside a multikernel instance: try each way userspace could
 * reach the machine outside the instance (physical memory, I/O ports,
 * MSRs, kexec, kernel modules, writable debugfs) and print one line per
 * path:
 *
 *   MK-CONTAIN: <path>: refused <ERRNO>
 *   MK-CONTAIN: <path>: ALLOWED
 *
 * then "MK-CONTAIN: done N allowed". It never goes through with a
 * dangerous step: each probe is refused before it could do harm, or does
 * something harmless if it is not (an MSR is written back with the value
 * just read, no I/O port is touched), so the comparison suite runs it on
 * the host too. link_test.sh's containment scenario reads these lines
 * from the instance's console.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kexec.h>

static int allowed;

/* Report a probe: @ret < 0 with errno set is a refusal. */
static void report(const char *what, long ret)
{
	if (ret < 0) {
		printf("MK-CONTAIN: %s: refused %s\n", what, strerrorname_np(errno));
	} else {
		printf("MK-CONTAIN: %s: ALLOWED\n", what);
		allowed++;
	}
	fflush(stdout);
}

static long try_open(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd >= 0)
		close(fd);
	return fd;
}

/*
 * TSC_AUX: the CPU number RDTSCP and RDPID return, constant for a CPU.
 * Writing back what was just read changes nothing, even where the write
 * goes through (the TSC, written back a few cycles late, would move).
 */
#define MSR_TSC_AUX	0xc0000103

/* Read TSC_AUX of CPU 0 and write back what was read: harmless. */
static long try_msr_write(void)
{
	uint64_t v;
	int fd = open("/dev/cpu/0/msr", O_RDWR);
	long ret;

	if (fd < 0)
		return -1;
	ret = pread(fd, &v, sizeof(v), MSR_TSC_AUX);
	if (ret == sizeof(v))
		ret = pwrite(fd, &v, sizeof(v), MSR_TSC_AUX);
	close(fd);
	return ret < 0 ? -1 : 0;
}

static long try_kexec_file(void)
{
	int fd = open("/init", O_RDONLY);
	long ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_kexec_file_load, fd, -1, 1UL, "",
		      (unsigned long)KEXEC_FILE_NO_INITRAMFS);
	close(fd);
	return ret;
}

static long try_finit_module(void)
{
	int fd = open("/init", O_RDONLY);
	long ret;

	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	return ret;
}

/* Write access to the config space of the first PCI device, if any. */
static long try_pci_config(void)
{
	char path[300];
	struct dirent *d;
	DIR *dir = opendir("/sys/bus/pci/devices");

	if (!dir)
		return -1;
	errno = ENODEV;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config",
			 d->d_name);
		closedir(dir);
		return try_open(path, O_RDWR);
	}
	closedir(dir);
	return -1;
}

int main(void)
{
	report("open /dev/mem read-only", try_open("/dev/mem", O_RDONLY));
	report("open /dev/mem read-write", try_open("/dev/mem", O_RDWR));
	report("open /dev/port", try_open("/dev/port", O_RDWR));
	report("iopl 3", iopl(3));
	report("ioperm 0xcf9 (reset control)", ioperm(0xcf9, 1, 1));
	report("ioperm 0x64 (keyboard controller)", ioperm(0x64, 1, 1));
	report("write an MSR", try_msr_write());
	report("kexec_load", syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0UL));
	report("kexec_file_load", try_kexec_file());
	report("finit_module", try_finit_module());
	report("open a writable debugfs file",
	       try_open("/sys/kernel/debug/provoke-crash/DIRECT", O_WRONLY));
	report("open /dev/snapshot (hibernation)",
	       try_open("/dev/snapshot", O_RDONLY));
	report("write PCI config space", try_pci_config());
	report("read the ACPI tables",
	       try_open("/sys/firmware/acpi/tables/DSDT", O_RDONLY));
	printf("MK-CONTAIN: done %d allowed\n", allowed);
	return allowed ? 1 : 0;
}
