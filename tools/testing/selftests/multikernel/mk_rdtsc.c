// SPDX-License-Identifier: GPL-2.0
/*
 * mk_rdtsc - print the time stamp counter
 *
 * The one clock that two kernels running one after the other on the same
 * machine share: liveupdate_test.sh reads it just before a host kexec,
 * and the new kernel's init reads it again, to time the switch as a
 * workload on the host sees it.
 */
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
	printf("%llu\n", (unsigned long long)__rdtsc());
	return 0;
}
