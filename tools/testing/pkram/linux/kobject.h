/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_KOBJECT_H
#define _PKRAM_SIM_KOBJECT_H
#include <linux/pkram_sim.h>
struct kobject {
	int unused;
};

struct attribute {
	const char *name;
	unsigned short mode;
};

struct kobj_attribute {
	struct attribute attr;
	ssize_t (*show)(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf);
	ssize_t (*store)(struct kobject *kobj, struct kobj_attribute *attr,
			 const char *buf, size_t count);
};

#define __ATTR(_name, _mode, _show, _store) {				\
	.attr = { .name = __stringify(_name), .mode = _mode },		\
	.show = _show, .store = _store }

extern struct kobject *kernel_kobj;
#endif
