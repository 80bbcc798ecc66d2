/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_COMPLETION_H
#define _PKRAM_SIM_COMPLETION_H
#include <linux/pkram_sim.h>

/* One thread: what is waited for must be done already. */
struct completion {
	bool done;
};

#define DECLARE_COMPLETION(c)	struct completion c = { false }
#define completion_done(c)	((c)->done)
#define reinit_completion(c)	((c)->done = false)
/* The simulation checks what is done at each completion (pkram_sim.c). */
void sim_complete_all(struct completion *c);
#define complete_all(c)		sim_complete_all(c)
static inline unsigned long
wait_for_completion_timeout(struct completion *c, unsigned long timeout)
{
	if (!c->done)
		sim_bug("waits for a completion that never comes", 0);
	return timeout ? timeout : 1;
}
#endif
