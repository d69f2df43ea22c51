// SPDX-License-Identifier: GPL-2.0
/*
 * mk_rdtsc - print the time stamp counter
 *
 * The one clock that two kernels running one after the other on the same
 * machine share: liveupdate_test.sh reads it just before a host kexec,
 * and the new kernel's init reads it again, to time the switch as a
 * workload on the host sees it.
 *
 * mk_rdtsc -r prints "TSC REALTIME_NS": the counter and this kernel's
 * CLOCK_REALTIME at one moment. Two kernels of one machine print such
 * pairs, and spawn_test.sh tells from them whether their wall clocks
 * agree. Of many tries it keeps the one whose clock_gettime() took the
 * fewest cycles, so that an interrupt between the two readings does not
 * count.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#define TRIES	1000

int main(int argc, char **argv)
{
	unsigned long long t0, t1, best = ~0ULL, tsc = 0, ns = 0;
	struct timespec ts;
	int i;

	if (argc == 1) {
		printf("%llu\n", (unsigned long long)__rdtsc());
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "-r")) {
		fprintf(stderr, "usage: mk_rdtsc [-r]\n");
		return 2;
	}
	for (i = 0; i < TRIES; i++) {
		t0 = __rdtsc();
		if (clock_gettime(CLOCK_REALTIME, &ts)) {
			perror("clock_gettime");
			return 1;
		}
		t1 = __rdtsc();
		if (t1 >= t0 && t1 - t0 < best) {
			best = t1 - t0;
			tsc = t0 + (t1 - t0) / 2;
			ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
		}
	}
	if (!tsc) {
		fprintf(stderr, "mk_rdtsc: the TSC went backwards in every try\n");
		return 1;
	}
	printf("%llu %llu\n", tsc, ns);
	return 0;
}
