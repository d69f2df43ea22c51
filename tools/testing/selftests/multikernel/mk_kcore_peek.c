// SPDX-License-Identifier: GPL-2.0
/*
 * mk_kcore_peek PA LEN: read LEN bytes of physical address PA through the
 * host's /proc/kcore (through the direct map, the way kcore reads RAM)
 * and print "nonzero N", the count of bytes that are not zero. kcore
 * reads zeros where the direct map maps nothing. Exit 2 when PA is in no
 * RAM segment of kcore.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/elf.h>

int main(int argc, char **argv)
{
	unsigned long long pa, len, done, nonzero = 0;
	static unsigned char buf[65536];
	struct elf64_hdr eh;
	struct elf64_phdr ph;
	int fd, i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PA LEN\n", argv[0]);
		return 2;
	}
	pa = strtoull(argv[1], NULL, 0);
	len = strtoull(argv[2], NULL, 0);
	fd = open("/proc/kcore", O_RDONLY);
	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh)) {
		perror("/proc/kcore");
		return 2;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize) != sizeof(ph))
			return 2;
		/* RAM segments carry their physical address; others -1. */
		if (ph.p_type != PT_LOAD || ph.p_paddr == ~0ULL ||
		    pa < ph.p_paddr || pa + len > ph.p_paddr + ph.p_memsz)
			continue;
		for (done = 0; done < len; ) {
			size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
			off_t at = ph.p_offset + (pa - ph.p_paddr) + done;
			ssize_t got = pread(fd, buf, n, at);
			ssize_t k;

			if (got <= 0) {
				perror("read /proc/kcore");
				return 2;
			}
			for (k = 0; k < got; k++)
				nonzero += buf[k] != 0;
			done += got;
		}
		printf("nonzero %llu\n", nonzero);
		return 0;
	}
	fprintf(stderr, "%#llx+%llu is in no RAM segment of /proc/kcore\n", pa, len);
	return 2;
}
