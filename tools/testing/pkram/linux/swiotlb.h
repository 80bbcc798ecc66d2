/* SPDX-License-Identifier: GPL-2.0 */
/* What mm/pkram_scratch.c needs of swiotlb: its size, 64 MiB by default. */
#ifndef _PKRAM_SIM_SWIOTLB_H
#define _PKRAM_SIM_SWIOTLB_H

static inline unsigned long swiotlb_size_or_default(void)
{
	return 64UL << 20;
}

#endif
