/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SCHED_CLOCK_H
#define _PKRAM_SIM_SCHED_CLOCK_H
#include <linux/pkram_sim.h>
#endif
