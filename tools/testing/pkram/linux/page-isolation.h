/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_PAGE_ISOLATION_H
#define _PKRAM_SIM_PAGE_ISOLATION_H
/* No CMA in the simulation: pkram_reserve_scratch() is not part of the parse. */
#include <linux/pkram_sim.h>
#endif
