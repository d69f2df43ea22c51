// SPDX-License-Identifier: GPL-2.0
/*
 * mk_gap_probe - a workload that notices when it does not run
 *
 * Sleeps 1 ms at a time and measures the time between two wakeups. Once a
 * second it prints its uptime, the longest of those gaps since its last
 * line, and how many NMIs and IPIs (rescheduling, function call, TLB
 * shootdown) its kernel's CPUs took so far, from /proc/interrupts:
 *
 *	MK-INSTANCE: tick <uptime, s> longest <gap, ms> ms nmi <n> ipi <n>
 *
 * liveupdate_test.sh runs it in an instance across a host kexec: the
 * longest gap is the blackout the instance's own workload saw, and in an
 * instance of one CPU every NMI or IPI came from outside. A line that
 * could not be written in time shows in the next line's gap too, as it
 * would for any workload.
 *
 * Beside it, at the lowest priority, a second process keeps 8 MiB of
 * pseudo-random words and checks them against their checksum again and
 * again, a line a pass (at most one a second):
 *
 *	MK-INSTANCE: mem pass <n> ok sum <checksum>
 *	MK-INSTANCE: mem pass <n> BAD at word <i>
 *
 * so that memory the instance's kernel lost to a host (a new host after a
 * kexec that took it) shows. Both run until killed.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#define MEM_WORDS	((8u << 20) / sizeof(uint64_t))

static double now(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sum of the per-CPU counts of the /proc/interrupts row @label ("NMI"). */
static unsigned long long irq_row(const char *text, const char *label)
{
	unsigned long long sum = 0;
	const char *p = text;
	size_t n = strlen(label);
	char *end;

	while (p && *p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, label, n) && p[n] == ':') {
			p += n + 1;
			for (;;) {
				unsigned long long v = strtoull(p, &end, 10);

				if (end == p)
					return sum;
				sum += v;
				p = end;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return sum;
}

/* NMIs and IPIs taken so far; both 0 when /proc/interrupts is unreadable. */
static void irq_counts(unsigned long long *nmi, unsigned long long *ipi)
{
	static char text[65536];
	FILE *f = fopen("/proc/interrupts", "r");
	size_t len = 0;

	*nmi = *ipi = 0;
	if (!f)
		return;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	*nmi = irq_row(text, "NMI");
	*ipi = irq_row(text, "RES") + irq_row(text, "CAL") + irq_row(text, "TLB");
}

/* The next word of a xorshift64 sequence. */
static uint64_t next_word(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Fill MEM_WORDS words once, then check them forever; never returns. */
static void mem_check(void)
{
	uint64_t *mem = malloc(MEM_WORDS * sizeof(*mem));
	uint64_t x = 0x9e3779b97f4a7c15ull, sum = 0, want;
	unsigned long long pass = 0;
	size_t i;

	if (!mem) {
		printf("MK-INSTANCE: mem pass 0 BAD at word 0 (no memory)\n");
		exit(1);
	}
	for (i = 0; i < MEM_WORDS; i++) {
		mem[i] = next_word(&x);
		sum = sum * 31 + mem[i];
	}
	want = sum;
	for (;;) {
		x = 0x9e3779b97f4a7c15ull;
		sum = 0;
		pass++;
		for (i = 0; i < MEM_WORDS; i++) {
			if (mem[i] != next_word(&x)) {
				printf("MK-INSTANCE: mem pass %llu BAD at word %zu\n", pass, i);
				break;
			}
			sum = sum * 31 + mem[i];
		}
		if (i == MEM_WORDS)
			printf("MK-INSTANCE: mem pass %llu %s sum %016llx\n", pass,
			       sum == want ? "ok" : "BAD", (unsigned long long)sum);
		sleep(1);
	}
}

int main(void)
{
	unsigned long long nmi, ipi;
	const struct timespec one_ms = { .tv_nsec = 1000000 };
	double prev = now(CLOCK_MONOTONIC), next_line = prev + 1, longest = 0, t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fork() == 0) {
		/* Goes with its parent; never delays the sleeper. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setpriority(PRIO_PROCESS, 0, 19);
		mem_check();
	}
	for (;;) {
		nanosleep(&one_ms, NULL);
		t = now(CLOCK_MONOTONIC);
		if (t - prev > longest)
			longest = t - prev;
		prev = t;
		if (t < next_line)
			continue;
		irq_counts(&nmi, &ipi);
		printf("MK-INSTANCE: tick %.2f longest %.3f ms nmi %llu ipi %llu\n",
		       now(CLOCK_BOOTTIME), longest * 1e3, nmi, ipi);
		longest = 0;
		next_line = t + 1;
	}
	return 0;
}
