/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_KTHREAD_H
#define _PKRAM_SIM_KTHREAD_H
#include <linux/pkram_sim.h>

struct task_struct;

/* No threads in the simulation: the caller does the work itself. */
#define kthread_run(fn, data, name)					\
	((void)(fn), (void)(data), (void)(name),			\
	 (struct task_struct *)ERR_PTR(-EAGAIN))
#define kthread_create(fn, data, name)					\
	((void)(fn), (void)(data), (void)(name),			\
	 (struct task_struct *)ERR_PTR(-EAGAIN))
#endif
