/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A digest of the physical pages behind a file's data, from
 * /proc/self/pagemap and /proc/kpageflags: the same digest in the next
 * kernel means the very same pages came back, none copied.  Shared by the
 * tmpfs kselftest and file_pfns (the VM scenario).
 */
#ifndef PKRAM_PFN_DIGEST_H
#define PKRAM_PFN_DIGEST_H

#include <stdint.h>
#include <unistd.h>

#define PFN_DIGEST_PAGE		4096UL
#define PFN_DIGEST_KPF_THP	22

struct pfn_digest {
	int pagemap, kpageflags;	/* open by the caller */
	uint64_t hash;			/* start: PFN_DIGEST_INIT */
	unsigned long pages, thp;	/* pages seen, of them in huge pages */
};

#define PFN_DIGEST_INIT	0xcbf29ce484222325ULL

/*
 * Fault in and add the pages of [@off, @off + @len) of @map, a shared
 * mapping of the file from offset 0, to @d; @salt tells files apart.
 * Returns -1 if a page is not there.
 */
static inline int pfn_digest_range(struct pfn_digest *d, const char *map,
				   unsigned long off, unsigned long len,
				   unsigned long salt)
{
	uint64_t e, flags;
	unsigned long end = off + len;

	for (off &= ~(PFN_DIGEST_PAGE - 1); off < end; off += PFN_DIGEST_PAGE) {
		asm volatile("" : : "r" (map[off]) : "memory");
		if (pread(d->pagemap, &e, 8,
			  ((unsigned long)map + off) / PFN_DIGEST_PAGE * 8) != 8 ||
		    !(e & (1ULL << 63)))
			return -1;
		e &= (1ULL << 55) - 1;
		if (pread(d->kpageflags, &flags, 8, e * 8) != 8)
			return -1;
		d->thp += !!(flags & (1ULL << PFN_DIGEST_KPF_THP));
		d->pages++;
		d->hash = (d->hash ^ (e + salt * 7919 + off)) * 0x100000001b3ULL;
	}
	return 0;
}

#endif
