// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: preserved memory in the next kernel's memblock and memory map.
 *
 * The previous kernel hands over a sorted list of preserved ranges: one per
 * page, at worst, when every other page of memory is preserved.  Reserved
 * one by one, the ranges would grow memblock's array of reserved regions to
 * as many entries, which every early allocation and reservation after them
 * scans, and memblock would initialize the struct page of each preserved
 * page on the boot CPU (memmap_init_reserved_pages()).
 *
 * So pkram_reserve() reserves covers instead.  A cover is a run of ranges
 * together with the free memory between them, up to memory that is not
 * free: a hole, an earlier reservation (the kernel, the initrd), the
 * scratch region, or memory reserved later at a fixed place.  There are as
 * many covers as such breaks, however many ranges there are.  The early
 * allocations go around them, into the scratch region and whatever else is
 * free.  The covers are MEMBLOCK_RSRV_NOINIT: memblock neither initializes
 * their struct pages nor frees any of them, and PKRAM does both:
 *
 * - When memblock hands its free memory to the page allocator
 *   (pkram_memmap_early(), on the boot CPU), PKRAM initializes the struct
 *   pages of each cover's edges, the MAX_ORDER blocks it shares with other
 *   memory, which the buddy allocator reads when it frees that memory.  If
 *   memblock freed less than PKRAM_EARLY_FREE outside the covers, it also
 *   initializes and frees the covers' whole blocks, from the first, until
 *   the boot has that much free memory before the rest is initialized, or
 *   PKRAM_EARLY_MAX of blocks are done.  This is bounded: nothing here
 *   grows with what was preserved.
 * - After deferred struct page init (pkram_memmap_late(), on every CPU),
 *   it does the same for the rest: a preserved page becomes a reserved
 *   page, as memblock would have left it, and the free pages between the
 *   ranges go to the page allocator in blocks as large as they allow.
 *
 * Memory this kernel keeps for good that ends up inside a cover
 * (pkram_late_reserved()) is initialized reserved and never freed.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/init.h>
#include <linux/log2.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/page-isolation.h>
#include <linux/sched/clock.h>

#include "internal.h"
#include "pkram_internal.h"

/*
 * At most this many covers.  They break where memory is not free at the
 * first reservation, of which a machine has a few, and at free memory of
 * PKRAM_COVER_GAP or more while there is room.
 */
#define PKRAM_NR_COVERS		256
#define PKRAM_COVER_GAP		(SZ_1G >> PAGE_SHIFT)

/*
 * Free memory the boot gets before page_alloc_init_late(): what memblock
 * freed outside the covers, and as much again from the covers' blocks,
 * of which the boot CPU does at most PKRAM_EARLY_MAX.
 */
#define PKRAM_EARLY_FREE	(SZ_128M >> PAGE_SHIFT)
#define PKRAM_EARLY_MAX		(SZ_1G >> PAGE_SHIFT)

/* The share of a cover's blocks one thread takes at a time. */
#define PKRAM_CHUNK_PAGES	(SZ_64M >> PAGE_SHIFT)

/*
 * A cover, [@pfn, @end): its interior, the whole MAX_ORDER blocks in it,
 * is initialized from @done on by pkram_memmap_late().
 */
struct pkram_cover {
	unsigned long pfn;
	unsigned long end;
	unsigned long done;
};

static struct pkram_cover pkram_covers[PKRAM_NR_COVERS] __initdata;
static unsigned int pkram_nr_covers __initdata;

/* The pages of the range list, in order, for lookups by pfn. */
static u64 pkram_list_first __initdata;
static u64 *pkram_list __initdata;
static u64 pkram_list_pages __initdata;
/* The preserved pages, all in the covers. */
static u64 pkram_cover_preserved __initdata;

/* pkram_memmap_early(): the time it took, the pages it did. */
static u64 pkram_early_ns __initdata;
static unsigned long pkram_early_pages __initdata;
static unsigned long pkram_early_freed __initdata;

/* What pkram_memmap_late() shares among its threads. */
static atomic_long_t pkram_next_chunk __initdata;
static atomic_long_t pkram_freed __initdata;

/**
 * pkram_cover_add - add a range to the covers
 * @pfn: first page of the range
 * @end: page past its end
 * @free: the pages between the last range and this one are free memory
 *	(none at all for the first range)
 *
 * Called by pkram_check_ranges() for each range, in ascending order.  The
 * range joins the last cover if the memory between them is free and less
 * than PKRAM_COVER_GAP, or, once there is no room for more covers, free.
 * Larger free parts of memory stay out of the covers, for the early
 * allocations.
 *
 * Return: false if a new cover is needed and there is no room for it.
 */
bool __init pkram_cover_add(unsigned long pfn, unsigned long end, bool free)
{
	struct pkram_cover *c = &pkram_covers[pkram_nr_covers];
	bool full = pkram_nr_covers == PKRAM_NR_COVERS;

	if (free && pkram_nr_covers &&
	    (full || pfn - c[-1].end < PKRAM_COVER_GAP)) {
		c[-1].end = end;
		return true;
	}
	if (full)
		return false;
	c->pfn = pfn;
	c->end = end;
	pkram_nr_covers++;
	return true;
}

/**
 * pkram_covers_reset - forget the covers added so far
 */
void __init pkram_covers_reset(void)
{
	pkram_nr_covers = 0;
}

static phys_addr_t __init pkram_cover_base(unsigned int i)
{
	return PFN_PHYS(pkram_covers[i].pfn);
}

static phys_addr_t __init pkram_cover_size(unsigned int i)
{
	return PFN_PHYS(pkram_covers[i].end - pkram_covers[i].pfn);
}

static bool __init pkram_next_cover(void *arg, bool restart,
				    phys_addr_t *base, phys_addr_t *size)
{
	unsigned int *i = arg;

	if (restart)
		*i = 0;
	if (*i >= pkram_nr_covers)
		return false;
	*base = pkram_cover_base(*i);
	*size = pkram_cover_size(*i);
	(*i)++;
	return true;
}

/**
 * pkram_reserve_covers - reserve the covers in memblock
 * @range_pfn: first page of the range list
 * @nr_range_pages: its number of pages
 * @nr_pages: the number of preserved pages, all in the ranges
 *
 * Called by pkram_reserve() once every range is checked and added, before
 * anything is allocated from memblock.
 *
 * Return: the number of covers reserved, or a negative error, and then
 * nothing is reserved.
 */
int __init pkram_reserve_covers(u64 range_pfn, u64 nr_range_pages,
				u64 nr_pages)
{
	unsigned int i = 0;
	int err;

	err = memblock_reserve_sorted(pkram_nr_covers, pkram_next_cover, &i);
	if (err)
		goto fail;
	for (i = 0; i < pkram_nr_covers && !err; i++)
		err = memblock_reserved_mark_noinit(pkram_cover_base(i),
						    pkram_cover_size(i));
	pkram_list = err ? NULL : memblock_alloc(nr_range_pages * sizeof(u64),
						 sizeof(u64));
	if (!pkram_list) {
		for (i = 0; i < pkram_nr_covers; i++)
			memblock_phys_free(pkram_cover_base(i),
					   pkram_cover_size(i));
		err = err ?: -ENOMEM;
		goto fail;
	}
	pkram_list_first = range_pfn;
	pkram_list_pages = nr_range_pages;
	pkram_cover_preserved = nr_pages;
	return pkram_nr_covers;
fail:
	pkram_covers_reset();
	return err;
}

/* --- the ranges, by pfn ---------------------------------------------------- */

/* A position in the range list: range @i of its page @page. */
struct pkram_rpos {
	u64 page;
	unsigned int i;
};

static struct pkram_range_page * __init pkram_rpage(u64 n)
{
	return pfn_to_kaddr(pkram_list[n]);
}

static unsigned long __init pkram_range_end(struct pkram_range *r)
{
	return r->pfn + r->nr_pages;
}

/* Put @pos on the first range that ends after @pfn. */
static void __init pkram_rseek(struct pkram_rpos *pos, unsigned long pfn)
{
	struct pkram_range_page *rp;
	u64 lo = 0, hi = pkram_list_pages, mid;
	unsigned int l, h, m;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		rp = pkram_rpage(mid);
		if (pkram_range_end(&rp->range[rp->nr_ranges - 1]) <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	pos->page = lo;
	pos->i = 0;
	if (lo == pkram_list_pages)
		return;
	rp = pkram_rpage(lo);
	for (l = 0, h = rp->nr_ranges; l < h;) {
		m = l + (h - l) / 2;
		if (pkram_range_end(&rp->range[m]) <= pfn)
			l = m + 1;
		else
			h = m;
	}
	pos->i = l;
}

/*
 * The pages from @pfn on, up to @end, that are all kept or all free: @kept
 * tells which.  Kept are the preserved pages and the memory this kernel
 * keeps for good.  @pos must be at or before the range that ends after @pfn.
 * Returns the end of the run.
 */
static unsigned long __init pkram_run(struct pkram_rpos *pos,
				      unsigned long pfn, unsigned long end,
				      bool *kept)
{
	struct pkram_range_page *rp;
	struct pkram_range *r = NULL;

	while (pos->page < pkram_list_pages) {
		rp = pkram_rpage(pos->page);
		r = &rp->range[pos->i];
		if (pkram_range_end(r) > pfn)
			break;
		r = NULL;
		if (++pos->i == rp->nr_ranges) {
			pos->page++;
			pos->i = 0;
		}
	}
	if (r && r->pfn <= pfn) {
		*kept = true;
		return min(end, pkram_range_end(r));
	}
	if (r)
		end = min_t(unsigned long, end, r->pfn);
	return pkram_late_run(pfn, end, kept);
}

/* --- struct pages ------------------------------------------------------------ */

/* The zone of @nid that spans @pfn; *@end is clipped to the zone's end. */
static int __init pkram_zone_idx(int nid, unsigned long pfn,
				 unsigned long *end)
{
	struct zone *zone = NODE_DATA(nid)->node_zones;
	int i;

	for (i = 0; i < MAX_NR_ZONES; i++, zone++) {
		if (zone_spans_pfn(zone, pfn)) {
			*end = min(*end, zone_end_pfn(zone));
			return i;
		}
	}
	return ZONE_NORMAL;
}

static void __init pkram_init_page(unsigned long pfn, int zid, int nid,
				   bool kept)
{
	struct page *page = pfn_to_page(pfn);

	__init_single_page(page, pfn, zid, nid);
	if (pageblock_aligned(pfn))
		set_pageblock_migratetype(page, MIGRATE_MOVABLE);
	if (kept) {
		/* As reserve_bootmem_region() leaves a reserved page. */
		INIT_LIST_HEAD(&page->lru);
		__SetPageReserved(page);
	}
}

/*
 * The end of the part of [@pfn, @end) in one memory region (one node) and
 * one zone, in *@nid and *@zid: neither a struct page nor a free block may
 * cross their boundaries, which need not be aligned.
 */
static unsigned long __init pkram_same_zone(unsigned long pfn,
					    unsigned long end, int *nid,
					    int *zid)
{
	unsigned long start, stop;

	*nid = memblock_search_pfn_nid(pfn, &start, &stop);
	if (WARN_ON_ONCE(*nid < 0))
		return end;
	stop = min(stop, end);
	*zid = pkram_zone_idx(*nid, pfn, &stop);
	return stop;
}

/* Initialize the struct pages of [@pfn, @end), pages of one cover. */
static void __init pkram_init_pages(unsigned long pfn, unsigned long end)
{
	unsigned long stop, run;
	struct pkram_rpos pos;
	int nid = 0, zid = 0;
	bool kept;

	pkram_rseek(&pos, pfn);
	while (pfn < end) {
		stop = pkram_same_zone(pfn, end, &nid, &zid);
		while (pfn < stop) {
			run = pkram_run(&pos, pfn, stop, &kept);
			for (; pfn < run; pfn++)
				pkram_init_page(pfn, zid, nid, kept);
		}
	}
}

/* Free [@pfn, @end), in one zone, in naturally aligned blocks. */
static void __init pkram_free_run(unsigned long pfn, unsigned long end)
{
	unsigned int order;

	for (; pfn < end; pfn += 1UL << order) {
		order = min_t(unsigned int, MAX_PAGE_ORDER, ilog2(end - pfn));
		if (pfn)
			order = min_t(unsigned int, order, __ffs(pfn));
		if (order < MAX_PAGE_ORDER)
			accept_memory(PFN_PHYS(pfn), PAGE_SIZE << order);
		__free_pages_core(pfn_to_page(pfn), order, MEMINIT_EARLY);
	}
}

/*
 * Free the pages of [@pfn, @end) that nothing keeps; their struct pages
 * are initialized.  Returns how many.
 */
static unsigned long __init pkram_free_pages(unsigned long pfn,
					     unsigned long end)
{
	unsigned long stop, run, freed = 0;
	struct pkram_rpos pos;
	int nid, zid;
	bool kept;

	pkram_rseek(&pos, pfn);
	while (pfn < end) {
		stop = pkram_same_zone(pfn, end, &nid, &zid);
		for (; pfn < stop; pfn = run) {
			run = pkram_run(&pos, pfn, stop, &kept);
			if (kept)
				continue;
			pkram_free_run(pfn, run);
			freed += run - pfn;
		}
	}
	return freed;
}

/* The whole MAX_ORDER blocks of @c: [*@lo, *@hi), maybe empty. */
static void __init pkram_cover_blocks(struct pkram_cover *c,
				      unsigned long *lo, unsigned long *hi)
{
	*lo = min(ALIGN(c->pfn, MAX_ORDER_NR_PAGES), c->end);
	*hi = max(ALIGN_DOWN(c->end, MAX_ORDER_NR_PAGES), *lo);
}

/* Initialize and free the whole blocks of [@pfn, @end). */
static unsigned long __init pkram_memmap_blocks(unsigned long pfn,
						unsigned long end)
{
	unsigned long next, freed = 0;

	for (; pfn < end; pfn = next) {
		next = min(pfn + MAX_ORDER_NR_PAGES, end);
		pkram_init_pages(pfn, next);
		freed += pkram_free_pages(pfn, next);
	}
	return freed;
}

/* The pages of the covers that are neither preserved nor kept for good. */
static unsigned long __init pkram_covers_free(void)
{
	unsigned long pages = 0, pfn, run;
	struct pkram_cover *c;
	bool kept;

	for (c = pkram_covers; c < pkram_covers + pkram_nr_covers; c++) {
		pages += c->end - c->pfn;
		for (pfn = c->pfn; pfn < c->end; pfn = run) {
			run = pkram_late_run(pfn, c->end, &kept);
			if (kept)
				pages -= run - pfn;
		}
	}
	return pages > pkram_cover_preserved ? pages - pkram_cover_preserved : 0;
}

/**
 * pkram_covers_free_pages - the pages of the covers that are free
 *
 * For memblock_estimated_nr_free_pages(), which fork_init() sizes the
 * number of threads by: the covers are reserved, but only what they
 * preserve is in use.
 *
 * Return: the pages of the covers that are neither preserved nor kept for
 * good, 0 once their memory map is done.
 */
unsigned long __init pkram_covers_free_pages(void)
{
	return pkram_covers_free();
}

/**
 * pkram_memmap_early - the covers' struct pages the boot needs now
 * @free_pages: the pages memblock has just freed, outside the covers
 *
 * Called by memblock_free_all() once memblock has freed its free memory:
 * initializes the struct pages of the covers' edges, and initializes and
 * frees the covers' whole blocks, from the first, until the boot has
 * PKRAM_EARLY_FREE of free memory or PKRAM_EARLY_MAX of blocks are done.
 */
void __init pkram_memmap_early(unsigned long free_pages)
{
	unsigned long budget = PKRAM_EARLY_MAX, freed = 0, lo, hi, n;
	u64 pfn, i, start = sched_clock();
	struct pkram_cover *c;

	if (!pkram_nr_covers)
		return;
	for (i = 0, pfn = pkram_list_first; i < pkram_list_pages; i++) {
		pkram_list[i] = pfn;
		pfn = ((struct pkram_range_page *)pfn_to_kaddr(pfn))->next_pfn;
	}
	for (c = pkram_covers; c < pkram_covers + pkram_nr_covers; c++) {
		pkram_cover_blocks(c, &lo, &hi);
		pkram_init_pages(c->pfn, lo);
		pkram_init_pages(hi, c->end);
		for (n = 0; lo + n < hi && n < budget &&
		     free_pages + freed < PKRAM_EARLY_FREE;
		     n += MAX_ORDER_NR_PAGES)
			freed += pkram_memmap_blocks(lo + n,
						     lo + n + MAX_ORDER_NR_PAGES);
		budget -= n;
		c->done = lo + n;
		pkram_early_pages += lo - c->pfn + c->end - hi + n;
	}
	pkram_early_freed = freed;
	pkram_early_ns = sched_clock() - start;
	/*
	 * As memblock counts the deferred pages it has not freed yet: what is
	 * free in the covers counts now (fork_init() sizes max_threads by it).
	 */
	totalram_pages_add(pkram_covers_free());
}

/* Take chunks of the covers' remaining blocks until none is left. */
static int __init pkram_memmap_work(void *unused)
{
	unsigned long k, chunks, lo, hi, pfn, freed = 0;
	struct pkram_cover *c;

	for (;;) {
		k = atomic_long_fetch_inc(&pkram_next_chunk);
		for (c = pkram_covers; c < pkram_covers + pkram_nr_covers; c++) {
			pkram_cover_blocks(c, &lo, &hi);
			chunks = DIV_ROUND_UP(hi - c->done, PKRAM_CHUNK_PAGES);
			if (k < chunks)
				break;
			k -= chunks;
		}
		if (c == pkram_covers + pkram_nr_covers)
			break;
		pfn = c->done + k * PKRAM_CHUNK_PAGES;
		freed += pkram_memmap_blocks(pfn, min(pfn + PKRAM_CHUNK_PAGES,
						      hi));
		cond_resched();
	}
	atomic_long_add(freed, &pkram_freed);
	return 0;
}

/**
 * pkram_memmap_late - the rest of the covers' struct pages
 *
 * Called by page_alloc_init_late() once deferred struct page init is done,
 * and before memblock is discarded: initializes the covers' remaining
 * blocks on every CPU, and frees what is free of them and of their edges.
 */
void __init pkram_memmap_late(void)
{
	unsigned long freed, lo, hi, pages = 0;
	struct pkram_cover *c;
	u64 start;

	if (!pkram_nr_covers)
		return;
	start = sched_clock();
	pkram_run_parallel(pkram_memmap_work, NULL);
	freed = atomic_long_read(&pkram_freed);
	for (c = pkram_covers; c < pkram_covers + pkram_nr_covers; c++) {
		pkram_cover_blocks(c, &lo, &hi);
		freed += pkram_free_pages(c->pfn, lo) + pkram_free_pages(hi, c->end);
		pages += c->end - c->pfn;
	}
	memblock_free_late(__pa(pkram_list), pkram_list_pages * sizeof(u64));
	pr_info("memory map of %u covers, %lu MiB: %lu MiB on the boot CPU in %llu us, the rest on every CPU in %llu us; %lu MiB free between the preserved ranges\n",
		pkram_nr_covers, pages >> (20 - PAGE_SHIFT),
		pkram_early_pages >> (20 - PAGE_SHIFT),
		pkram_early_ns / NSEC_PER_USEC,
		(sched_clock() - start) / NSEC_PER_USEC,
		(freed + pkram_early_freed) >> (20 - PAGE_SHIFT));
	pkram_nr_covers = 0;
}
