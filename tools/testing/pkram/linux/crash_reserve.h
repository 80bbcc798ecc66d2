/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_CRASH_RESERVE_H
#define _PKRAM_SIM_CRASH_RESERVE_H
#include <linux/pkram_sim.h>
/* crashkernel=SIZE[@BASE] only (sim.c): what PKRAM cares about */
int parse_crashkernel(char *cmdline, unsigned long long system_ram,
		      unsigned long long *crash_size,
		      unsigned long long *crash_base,
		      unsigned long long *low_size, bool *high);
#endif
