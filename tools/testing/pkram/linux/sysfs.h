/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SYSFS_H
#define _PKRAM_SIM_SYSFS_H
#include <linux/kobject.h>
int sysfs_emit(char *buf, const char *fmt, ...) __printf(2, 3);
int sysfs_create_file(struct kobject *kobj, const struct attribute *attr);
#endif
