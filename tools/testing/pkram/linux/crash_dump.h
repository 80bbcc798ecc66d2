/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_CRASH_DUMP_H
#define _PKRAM_SIM_CRASH_DUMP_H
#include <linux/pkram_sim.h>
/* elfcorehdr= on the command line, as the kernel sees it */
bool is_kdump_kernel(void);
#endif
