/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_MEMORY_HOTPLUG_H
#define _PKRAM_SIM_MEMORY_HOTPLUG_H
#include <linux/pkram_sim.h>

/* No memory hotplug in the simulation */
static inline void mem_hotplug_begin(void)
{
}

static inline void mem_hotplug_done(void)
{
}
#endif
