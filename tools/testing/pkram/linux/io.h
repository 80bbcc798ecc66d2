/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_IO_H
#define _PKRAM_SIM_IO_H
#include <linux/pkram_sim.h>
/* Maps only RAM, with at most as many maps at once as x86 has slots. */
void *early_memremap(resource_size_t phys, unsigned long size);
void early_memunmap(void *addr, unsigned long size);
#endif
