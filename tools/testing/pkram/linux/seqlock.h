/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SEQLOCK_H
#define _PKRAM_SIM_SEQLOCK_H
#include <linux/pkram_sim.h>
/*
 * One thread: a sequence count that only the writer moves.  PKRAM only
 * defines its lock, so the kernel's seqlock_t is not needed.
 */
struct sim_seqlock {
	unsigned int seq;
};

#define DEFINE_SEQLOCK(x)	struct sim_seqlock x = { 0 }
#define read_seqbegin(l)	((l)->seq)
#define read_seqretry(l, s)	((l)->seq != (s))
#define write_seqlock(l)	((l)->seq++)
#define write_sequnlock(l)	((l)->seq++)
#define write_seqlock_irqsave(l, f)	((void)(f), write_seqlock(l))
#define write_sequnlock_irqrestore(l, f) ((void)(f), write_sequnlock(l))
#endif
