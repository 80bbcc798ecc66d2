/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SCHED_TASK_H
#define _PKRAM_SIM_SCHED_TASK_H
#include <linux/pkram_sim.h>

/*
 * One thread, at the default priority: kthread_create() never gives
 * another one (linux/kthread.h).
 */
struct task_struct;
extern struct task_struct *const sim_current;
#define current			sim_current
#define MAX_NICE		19
#define set_user_nice(p, nice)	((void)(p), (void)(nice))
#define get_task_struct(p)	((void)(p))
#define put_task_struct(p)	((void)(p))
#define wake_up_process(p)	((void)(p))
#endif
