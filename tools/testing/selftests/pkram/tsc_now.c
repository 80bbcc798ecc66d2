// SPDX-License-Identifier: GPL-2.0
/*
 * tsc_now: print the time stamp counter.  Unlike the kernel's clocks, it
 * goes on across kexec, so the VM scenario can time what happens between
 * two kernels (QEMU's TSC follows the host's under TCG).
 */
#include <stdio.h>
#include <x86intrin.h>

int main(void)
{
	printf("%llu\n", (unsigned long long)__rdtsc());
	return 0;
}
