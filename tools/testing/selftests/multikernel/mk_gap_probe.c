// SPDX-License-Identifier: GPL-2.0
/*
 * mk_gap_probe - a workload that notices when it does not run
 *
 * Sleeps 1 ms at a time and measures the time between two wakeups. Once a
 * second it prints its uptime and the longest of those gaps since its last
 * line:
 *
 *	MK-INSTANCE: tick <uptime, s> longest <gap, ms> ms
 *
 * liveupdate_test.sh runs it in an instance across a host kexec: the
 * longest gap is the blackout the instance's own workload saw. A line
 * that could not be written in time shows in the next line's gap too, as
 * it would for any workload. Runs until killed.
 */
#include <stdio.h>
#include <time.h>

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	const struct timespec one_ms = { .tv_nsec = 1000000 };
	double prev = now(CLOCK_MONOTONIC), next_line = prev + 1, longest = 0, t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		nanosleep(&one_ms, NULL);
		t = now(CLOCK_MONOTONIC);
		if (t - prev > longest)
			longest = t - prev;
		prev = t;
		if (t < next_line)
			continue;
		printf("MK-INSTANCE: tick %.2f longest %.3f ms\n",
		       now(CLOCK_BOOTTIME), longest * 1e3);
		longest = 0;
		next_line = t + 1;
	}
	return 0;
}
