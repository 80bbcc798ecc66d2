/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_SPINLOCK_TYPES_H
#define _PKRAM_SIM_SPINLOCK_TYPES_H
#include <linux/spinlock.h>
#endif
