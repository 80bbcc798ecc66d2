/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_PKRAM_H
#define _LINUX_PKRAM_H

/* The simulator runs memblock without PKRAM. */
static inline void pkram_memmap_early(unsigned long free_pages) { }
static inline unsigned long pkram_covers_free_pages(void) { return 0; }

#endif
