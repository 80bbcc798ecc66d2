/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SLAB_H
#define _PKRAM_SIM_SLAB_H
#include_next <linux/slab.h>
#include <linux/pkram_sim.h>
#endif
