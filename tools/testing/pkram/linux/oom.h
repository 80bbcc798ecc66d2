/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_OOM_H
#define _PKRAM_SIM_OOM_H
#include <linux/pkram_sim.h>

#define NOTIFY_OK	0x0001

struct notifier_block {
	int (*notifier_call)(struct notifier_block *nb, unsigned long action,
			     void *data);
};

/* No OOM killer in the simulation */
static inline int register_oom_notifier(struct notifier_block *nb)
{
	return 0;
}

static inline int unregister_oom_notifier(struct notifier_block *nb)
{
	return 0;
}
#endif
