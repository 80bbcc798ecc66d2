/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_H
#define _PKRAM_H

/* What mm/memblock.c calls of PKRAM: nothing, in the simulator. */
static inline void pkram_reserve_scratch(void)
{
}

#endif
