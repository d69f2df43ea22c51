// SPDX-License-Identifier: GPL-2.0
/*
 * mk_vmcore_ranges [FILE]: in a crash kernel, print the memory a dump of
 * the crashed kernel holds: one "load PADDR SIZE" line (hexadecimal) per
 * PT_LOAD segment of FILE (default /proc/vmcore). Exits 1 when the file
 * cannot be read or is not a 64-bit ELF core.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/elf.h>

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/proc/vmcore";
	struct elf64_phdr ph;
	struct elf64_hdr eh;
	int fd, i;

	fd = open(path, O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh)) {
		perror(path);
		return 1;
	}
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(ph)) {
		fprintf(stderr, "%s: not a 64-bit ELF core\n", path);
		return 1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) !=
		    sizeof(ph)) {
			perror(path);
			return 1;
		}
		if (ph.p_type == PT_LOAD && ph.p_paddr != (__u64)-1)
			printf("load %#llx %#llx\n",
			       (unsigned long long)ph.p_paddr,
			       (unsigned long long)ph.p_memsz);
	}
	return 0;
}
