// SPDX-License-Identifier: GPL-2.0
/*
 * A checksummed buffer in the host for the wild-write scenario: lock one
 * page in memory, fill it with a pattern, print "pa 0x<physical address>"
 * (from /proc/self/pagemap, root only), wait for a line on stdin (the
 * instance tried to write there meanwhile), then print "intact" and exit
 * 0 if every byte still holds the pattern, or "corrupted at <offset>"
 * and exit 1.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 131 + 7);
}

int main(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t entry;
	uint8_t *p;
	char line[16];
	size_t i;
	int fd;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (i = 0; i < (size_t)psz; i++)
		p[i] = pattern(i);
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &entry, sizeof(entry),
			    (uintptr_t)p / psz * sizeof(entry)) != sizeof(entry)) {
		perror("pagemap");
		return 2;
	}
	close(fd);
	if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1))) {
		fprintf(stderr, "page not present or no frame number (not root?)\n");
		return 2;
	}
	printf("pa 0x%llx\n", (unsigned long long)((entry & ((1ULL << 55) - 1)) * psz));
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	for (i = 0; i < (size_t)psz; i++) {
		if (p[i] != pattern(i)) {
			printf("corrupted at %zu\n", i);
			return 1;
		}
	}
	printf("intact\n");
	return 0;
}
