/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_RCUPDATE_H
#define _PKRAM_SIM_RCUPDATE_H
/* RCU, for one thread: in pkram_sim.h, next to struct page's rcu_head. */
#include <linux/pkram_sim.h>
#endif
