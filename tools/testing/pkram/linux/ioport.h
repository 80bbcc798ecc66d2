/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_IOPORT_H
#define _PKRAM_SIM_IOPORT_H
#include <linux/pkram_sim.h>
int walk_system_ram_range(unsigned long start_pfn, unsigned long nr_pages,
			  void *arg, int (*func)(unsigned long, unsigned long,
						 void *));
#endif
