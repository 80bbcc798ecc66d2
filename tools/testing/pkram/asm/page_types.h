/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_ASM_PAGE_TYPES_H
#define _PKRAM_SIM_ASM_PAGE_TYPES_H
#include <linux/mm.h>
#endif
