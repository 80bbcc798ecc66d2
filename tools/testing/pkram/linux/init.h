/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_INIT_H
#define _PKRAM_SIM_INIT_H
/* __init, __initdata, __section() and the rest: the tools' own */
#include_next <linux/init.h>
#include <linux/pkram_sim.h>
#endif
