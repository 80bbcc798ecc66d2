/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SORT_H
#define _PKRAM_SIM_SORT_H
#include <linux/pkram_sim.h>
#endif
