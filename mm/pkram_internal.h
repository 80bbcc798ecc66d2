/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM internals: what the parts of PKRAM share.  The on-memory format
 * is in include/linux/pkram_abi.h.
 */
#ifndef _MM_PKRAM_INTERNAL_H
#define _MM_PKRAM_INTERNAL_H

#include <linux/pkram.h>
#include <linux/pkram_abi.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <asm/page.h>

struct task_struct;

/**
 * struct pkram_stats - what PKRAM holds, for debugfs and the tests
 * @meta_pages: pages of metadata: nodes, objects, link pages and the data
 *	pages of byte streams
 * @folios: folios saved and not loaded or freed yet
 * @folio_pages: pages of those folios
 * @excluded_pfn: first page of the first range where nothing may be
 *	preserved (slot 0 of pkram_exclude(), the scratch region)
 * @excluded_pages: number of those pages, 0 if none
 * @absorbed_pages: pages of the excluded ranges the page allocator handed
 *	to PKRAM, which it keeps (see pkram_alloc_tracked())
 */
struct pkram_stats {
	long	meta_pages;
	long	folios;
	long	folio_pages;
	unsigned long	excluded_pfn;
	unsigned long	excluded_pages;
	unsigned long	absorbed_pages;
};

void pkram_get_stats(struct pkram_stats *stats);

/*
 * Walks of the metadata: node -> objects -> link pages of a stream ->
 * entries.  The lists are linked by pfn, 0 ending them.  Only for lists
 * this kernel made or has checked (pkram_check_node() walks the handed-over
 * ones by itself, claiming every page before it reads it).  The next
 * object or link page is read before the body runs, so that the body may
 * free the one it is given.
 */
static inline void *pkram_pfn_to_virt(u64 pfn)
{
	return pfn ? pfn_to_kaddr(pfn) : NULL;
}

#define pkram_for_each_obj(obj, next, node)				\
	for (obj = pkram_pfn_to_virt((node)->obj_pfn);			\
	     obj && ((next = pkram_pfn_to_virt(obj->obj_pfn)), 1);	\
	     obj = next)

static inline struct pkram_link *pkram_first_link(struct pkram_stream_head *head)
{
	return pkram_pfn_to_virt(head->head_pfn);
}

/* The link pages of a chain, from @first (pkram_first_link() of a stream) */
#define pkram_for_each_link(link, next, first)				\
	for (link = (first);						\
	     link && ((next = pkram_pfn_to_virt(link->link_pfn)), 1);	\
	     link = next)

/* The entries of a link page: folios, and index entries (PKRAM_ENTRY_INDEX) */
#define pkram_for_each_entry(e, i, link)				\
	for (i = 0; i < PKRAM_LINK_ENTRIES_MAX && ((e) = (link)->entry[i]); i++)

/* pkram.c: metadata pages and the node list, for the handover */
void *pkram_alloc_meta(gfp_t gfp_mask);
void pkram_free_meta(void *addr);
/**
 * struct pkram_span - a range of pages
 * @pfn: first page
 * @nr: number of pages, 0 if none
 */
struct pkram_span {
	u64	pfn;
	u64	nr;
};

/* The scratch regions (pkram_scratch.c), in the order of the super block */
enum {
	PKRAM_SCRATCH_MAIN,	/* early allocations, and the next kernel */
	PKRAM_SCRATCH_LOW,	/* those that must be below 4 GiB */
	PKRAM_NR_SCRATCH
};

/* Ranges where nothing may be preserved: one per scratch region */
#define PKRAM_NR_EXCLUDED	PKRAM_NR_SCRATCH
void pkram_exclude(unsigned int slot, unsigned long pfn, unsigned long nr);
bool pkram_pfn_excluded(unsigned long pfn, unsigned long nr);
int pkram_track_usable(unsigned long pfn, unsigned long nr, gfp_t gfp_mask);
struct folio *pkram_alloc_tracked(gfp_t gfp_mask, unsigned int order);
void pkram_prep_preserved(struct page *page, unsigned int order);
struct pkram_node *pkram_link_nodes(unsigned long *nr_nodes);
void pkram_unlink_nodes(void);
void pkram_add_node(struct pkram_node *node);
void pkram_free_saved_nodes(void);
void pkram_restore_begin(void);
void pkram_restore_end(void);
void pkram_restore_alone(struct task_struct *task);
bool pkram_restore_yields(void);

/* pkram_handover.c */
u32 pkram_sb_checksum(struct pkram_super_block *sb);
u32 pkram_range_checksum(struct pkram_range_page *rp);

/* pkram_scratch.c */
bool pkram_scratch_valid(const struct pkram_span *span, unsigned int kind);
void pkram_scratch_init(const struct pkram_span *handed, bool chained);
void pkram_scratch_release(void);
void pkram_scratch_for_next(struct pkram_span *next);

/* pkram_tracker.c */
int pkram_track(unsigned long pfn, unsigned long nr, gfp_t gfp_mask);
void pkram_untrack(unsigned long pfn, unsigned long nr);
unsigned long pkram_next_tracked(unsigned long *pfn, unsigned long end);
unsigned long pkram_bitmaps_next(struct xarray *xa, unsigned long *pfn,
				 unsigned long end);
void pkram_track_adopt(struct xarray *xa);
bool pkram_bitmap_claim(unsigned long *bitmap, unsigned long bit,
			unsigned long n);
int pkram_bitmaps_set(struct xarray *xa, unsigned long pfn, unsigned long nr);
void pkram_bitmaps_clear(struct xarray *xa, unsigned long pfn,
			 unsigned long nr);
int pkram_bitmaps_alike(struct xarray *xa, struct xarray *model);
void pkram_bitmaps_free(struct xarray *xa);
int pkram_track_snapshot(struct xarray *copy);
bool pkram_kexec_conflict(unsigned long pfn, unsigned long nr);
unsigned long pkram_kexec_dest_pages(void);

/* pfns a bitmap page of pkram_bitmaps_next() and pkram_track_adopt() covers */
#define PKRAM_TRACK_PFNS	(PAGE_SIZE * BITS_PER_BYTE)

#if IS_ENABLED(CONFIG_KUNIT)
struct seq_file;

struct page *pkram_alloc_page(gfp_t gfp_mask);
bool pkram_boot_memory(unsigned long pfn, unsigned long nr);
bool pkram_access_boot_memory(struct pkram_access *pa, unsigned long pfn,
			      unsigned long nr);
void pkram_access_boot_note(struct pkram_access *pa, unsigned long pfn,
			    unsigned long nr);
int pkram_nodes_show(struct seq_file *m, void *v);
#endif

#endif /* _MM_PKRAM_INTERNAL_H */
