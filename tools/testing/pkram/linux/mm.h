/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_MM_H
#define _PKRAM_SIM_MM_H
#include_next <linux/mm.h>
#undef pfn_to_page
#define pfn_to_page(pfn)	sim_pfn_to_page(pfn)
#include <linux/pfn.h>
#include <linux/pkram_sim.h>
#endif
