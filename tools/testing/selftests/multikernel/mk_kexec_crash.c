// SPDX-License-Identifier: GPL-2.0
/*
 * mk_kexec_crash KERNEL INITRD CMDLINE: load a crash kernel with
 * kexec_file_load(2) and KEXEC_FILE_ON_CRASH, as `kexec -s -p` would,
 * without kexec-tools. Prints "loaded" and exits 0, or the error and
 * exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kexec.h>

int main(int argc, char **argv)
{
	int kfd, ifd;
	long ret;

	if (argc != 4) {
		fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE\n", argv[0]);
		return 2;
	}
	kfd = open(argv[1], O_RDONLY);
	ifd = open(argv[2], O_RDONLY);
	if (kfd < 0 || ifd < 0) {
		fprintf(stderr, "cannot open %s or %s: %s\n", argv[1], argv[2],
			strerror(errno));
		return 1;
	}
	ret = syscall(SYS_kexec_file_load, kfd, ifd, strlen(argv[3]) + 1,
		      argv[3], KEXEC_FILE_ON_CRASH);
	if (ret) {
		fprintf(stderr, "kexec_file_load: %s\n", strerror(errno));
		return 1;
	}
	printf("loaded\n");
	return 0;
}
