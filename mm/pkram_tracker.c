// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: tracking of preserved pages.
 *
 * Every page PKRAM will hand to the next kernel, data and metadata alike, has
 * a bit set in a bitmap over physical memory.  The bitmaps are one page each,
 * covering 128 MiB of memory with 4 KiB pages, allocated on first use and
 * kept in an xarray indexed by pfn / PKRAM_TRACK_PFNS: at most 32 KiB per GiB
 * of memory in use by PKRAM.  They let kexec ask, quickly, whether a range of
 * memory holds preserved pages, and give the sorted list of preserved ranges
 * handed to the next kernel.  The bitmaps themselves are not preserved.
 *
 * The other way round, PKRAM notes where the kexec images loaded will be
 * copied at reboot, and keeps preserved pages out of there.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/kexec.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/pkram.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/xarray.h>

#include "pkram_internal.h"

/*
 * Saves on every CPU track their pages at once, so the bits are kept
 * without a lock.  A bitmap is found with xa_load() under RCU, and its bits
 * are set and cleared by compare-and-exchange on whole words.  A bitmap
 * counts the bits it has set, as references in the private field of its
 * page (not in the page's reference count, which anyone may raise for a
 * while: a page cache lookup that raced with the page's free, or a pfn
 * walker such as compaction).  A track takes references for the bits it is
 * about to set unless the count is zero.  A bitmap with none left is
 * dying: its last bit was cleared, and the untrack that cleared
 * it takes it out of the xarray and frees it after a grace period.  No bit
 * is set in it any more; a track that meets it takes it out itself and puts
 * a new bitmap there.  A new bitmap goes into the xarray with its first
 * bits and their references already set, so one with no reference is
 * always a dying one.
 */
static DEFINE_XARRAY(pkram_track_xa);

/* The mask of the bits of [@bit, @end) in word @w of a bitmap. */
static unsigned long pkram_word_mask(unsigned long w, unsigned long bit,
				     unsigned long end)
{
	unsigned long mask = ~0UL;

	if (w == BIT_WORD(bit))
		mask &= BITMAP_FIRST_WORD_MASK(bit);
	if (w == BIT_WORD(end - 1))
		mask &= BITMAP_LAST_WORD_MASK(end);
	return mask;
}

/*
 * Clear bits [@bit, @bit + @n) of @bitmap, atomically word by word.
 * Return: how many of them were set.
 */
static unsigned long pkram_bitmap_release(unsigned long *bitmap,
					  unsigned long bit, unsigned long n)
{
	unsigned long end = bit + n, w, mask, old, cleared = 0;

	for (w = BIT_WORD(bit); w * BITS_PER_LONG < end; w++) {
		mask = pkram_word_mask(w, bit, end);
		old = READ_ONCE(bitmap[w]);
		while (!try_cmpxchg(&bitmap[w], &old, old & ~mask))
			;
		cleared += hweight_long(old & mask);
	}
	return cleared;
}

/* Set the bits of @mask in *@word, unless one of them is set already. */
static bool pkram_word_claim(unsigned long *word, unsigned long mask)
{
	unsigned long old = READ_ONCE(*word);

	do {
		if (old & mask)
			return false;
	} while (!try_cmpxchg(word, &old, old | mask));
	return true;
}

/**
 * pkram_bitmap_claim - set bits of a bitmap that others set bits in too
 * @bitmap: the bitmap
 * @bit: first bit
 * @n: number of bits, at least 1
 *
 * Atomically word by word: other threads may set and clear other bits of
 * the same words meanwhile.
 *
 * Return: true if every bit of [@bit, @bit + @n) was clear, and is set now;
 * false if one was set already: then the bitmap is as it was.
 */
bool pkram_bitmap_claim(unsigned long *bitmap, unsigned long bit,
			unsigned long n)
{
	unsigned long end = bit + n, w;

	for (w = BIT_WORD(bit); w * BITS_PER_LONG < end; w++) {
		if (pkram_word_claim(&bitmap[w], pkram_word_mask(w, bit, end)))
			continue;
		/* The words before this one are ours: give them back. */
		if (w > BIT_WORD(bit))
			pkram_bitmap_release(bitmap, bit, w * BITS_PER_LONG - bit);
		return false;
	}
	return true;
}

/* Take @n references to @bitmap, unless it has none left (it is dying). */
static bool pkram_bitmap_ref_unless_zero(unsigned long *bitmap,
					 unsigned long n)
{
	struct page *page = virt_to_page(bitmap);
	unsigned long old = READ_ONCE(page->private);

	do {
		if (!old)
			return false;
	} while (!try_cmpxchg(&page->private, &old, old + n));
	return true;
}

/* Drop @n references to @bitmap; return whether none is left. */
static bool pkram_bitmap_unref(unsigned long *bitmap, unsigned long n)
{
	struct page *page = virt_to_page(bitmap);
	unsigned long old = READ_ONCE(page->private);

	while (!try_cmpxchg(&page->private, &old, old - n))
		;
	return old == n;
}

/* Free a bitmap page, with its count: the page's own reference is ours. */
static void pkram_bitmap_free(unsigned long *bitmap)
{
	set_page_private(virt_to_page(bitmap), 0);
	free_page((unsigned long)bitmap);
}

static void pkram_bitmap_free_rcu(struct rcu_head *head)
{
	struct page *page = container_of(head, struct page, rcu_head);

	pkram_bitmap_free(page_address(page));
}

/*
 * The tracker's bitmap at @key, with @n references taken for bits to be set
 * in it; NULL if there is none alive.  A dying one is taken out on the way.
 */
static unsigned long *pkram_bitmap_get(unsigned long key, unsigned long n)
{
	unsigned long *bitmap;

	rcu_read_lock();
	bitmap = xa_load(&pkram_track_xa, key);
	if (bitmap && !pkram_bitmap_ref_unless_zero(bitmap, n)) {
		/* Under RCU: the page at @bitmap is still the dying one. */
		xa_cmpxchg(&pkram_track_xa, key, bitmap, NULL, 0);
		bitmap = NULL;
	}
	rcu_read_unlock();
	return bitmap;
}

/* Drop @n references of the tracker's bitmap at @key: its bits cleared. */
static void pkram_bitmap_put(unsigned long key, unsigned long *bitmap,
			     unsigned long n)
{
	if (!pkram_bitmap_unref(bitmap, n))
		return;
	/* Dying: out of the xarray, unless a track took it out already. */
	xa_cmpxchg(&pkram_track_xa, key, bitmap, NULL, 0);
	call_rcu(&virt_to_page(bitmap)->rcu_head, pkram_bitmap_free_rcu);
}

/* A new bitmap with bits [@bit, @bit + @n) set, and references for them. */
static unsigned long *pkram_bitmap_new(unsigned long bit, unsigned long n,
				       gfp_t gfp_mask)
{
	unsigned long *bitmap = (unsigned long *)get_zeroed_page(gfp_mask);

	if (!bitmap)
		return NULL;
	bitmap_set(bitmap, bit, n);
	set_page_private(virt_to_page(bitmap), n);
	return bitmap;
}

/* pkram_track() within one bitmap: [@pfn, @pfn + @n) in one bitmap page. */
static int pkram_track_one(unsigned long pfn, unsigned long n, gfp_t gfp_mask)
{
	unsigned long key = pfn / PKRAM_TRACK_PFNS, bit = pfn % PKRAM_TRACK_PFNS;
	unsigned long *bitmap, *new = NULL;
	int err;

	while (!(bitmap = pkram_bitmap_get(key, n))) {
		if (!new)
			new = pkram_bitmap_new(bit, n, gfp_mask);
		if (!new)
			return -ENOMEM;
		err = xa_insert(&pkram_track_xa, key, new, gfp_mask);
		if (!err)
			return 0;
		if (err != -EBUSY)
			goto out;
		/* Another track put one there first. */
	}
	/* A page is preserved once: the first untrack would expose it. */
	err = 0;
	if (!pkram_bitmap_claim(bitmap, bit, n)) {
		pkram_bitmap_put(key, bitmap, n);
		err = -EBUSY;
	}
out:
	if (new)
		pkram_bitmap_free(new);
	return err;
}

/**
 * pkram_track - mark pages as preserved
 * @pfn: first page
 * @nr: number of pages
 * @gfp_mask: allocation flags for a new bitmap page
 *
 * Context: any context @gfp_mask allows; takes no lock but the xarray's,
 * when a bitmap comes or goes.
 * Return: 0, -EBUSY if a page is marked already, or -ENOMEM (nothing
 * marked).
 */
int pkram_track(unsigned long pfn, unsigned long nr, gfp_t gfp_mask)
{
	unsigned long p, end = pfn + nr, n;
	int err;

	/* For a bitmap page and xarray nodes: zeroed, if at all, by the callee. */
	gfp_mask &= ~(__GFP_HIGHMEM | __GFP_MOVABLE | __GFP_ZERO | __GFP_COMP);
	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		err = pkram_track_one(p, n, gfp_mask);
		if (err) {
			if (p > pfn)
				pkram_untrack(pfn, p - pfn);
			return err;
		}
	}
	return 0;
}

/**
 * pkram_untrack - mark pages as no longer preserved
 * @pfn: first page
 * @nr: number of pages, all marked by pkram_track()
 *
 * A bitmap with no bit set any more is freed, after a grace period.  A
 * page that is not marked is a bug, and warned about: only the references
 * of the bits cleared are dropped, so the bitmap's count stays right.
 */
void pkram_untrack(unsigned long pfn, unsigned long nr)
{
	unsigned long p, end = pfn + nr, n, key, *bitmap, cleared;

	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		key = p / PKRAM_TRACK_PFNS;
		/* Alive: its bits of [p, p + n) hold references. */
		bitmap = xa_load(&pkram_track_xa, key);
		if (WARN_ON_ONCE(!bitmap))
			continue;
		cleared = pkram_bitmap_release(bitmap, p % PKRAM_TRACK_PFNS, n);
		WARN_ON_ONCE(cleared != n);
		if (cleared)
			pkram_bitmap_put(key, bitmap, cleared);
	}
}

/**
 * pkram_bitmaps_next - find the next run of set bits in bitmaps of pfns
 * @xa: xarray of bitmap pages, each covering PKRAM_TRACK_PFNS pfns
 * @pfn: in: where to start looking; out: first pfn of the run found
 * @end: where to stop looking
 *
 * The caller keeps @xa from changing, or holds the RCU read lock: then the
 * run is made of bits as they were at some point of the walk.
 *
 * Return: the length of the run found at @pfn, which ends before @end, or
 * 0 if there is none.
 */
unsigned long pkram_bitmaps_next(struct xarray *xa, unsigned long *pfn,
				 unsigned long end)
{
	unsigned long p = *pfn, start = 0, bit, key;
	unsigned long *bitmap;
	bool in_range = false;

	while (p < end) {
		key = p / PKRAM_TRACK_PFNS;
		bitmap = xa_find(xa, &key, end / PKRAM_TRACK_PFNS, XA_PRESENT);
		if (!bitmap || key * PKRAM_TRACK_PFNS > p) {
			/* No bitmap over p: a run stops here. */
			if (in_range || !bitmap)
				break;
			p = key * PKRAM_TRACK_PFNS;
		}
		bit = p % PKRAM_TRACK_PFNS;
		if (!in_range) {
			bit = find_next_bit(bitmap, PKRAM_TRACK_PFNS, bit);
			if (bit == PKRAM_TRACK_PFNS) {
				p = (key + 1) * PKRAM_TRACK_PFNS;
				continue;
			}
			start = key * PKRAM_TRACK_PFNS + bit;
			if (start >= end)
				break;
			in_range = true;
		}
		bit = find_next_zero_bit(bitmap, PKRAM_TRACK_PFNS, bit);
		p = key * PKRAM_TRACK_PFNS + bit;
		if (bit < PKRAM_TRACK_PFNS)
			break;
	}
	if (!in_range)
		return 0;
	*pfn = start;
	return min(p, end) - start;
}

/**
 * pkram_next_tracked - find the next range of preserved pages
 * @pfn: in: where to start looking; out: first page of the range found
 * @end: where to stop looking
 *
 * Return: the number of pages of the range found at @pfn, which ends before
 * @end, or 0 if there is none.
 */
unsigned long pkram_next_tracked(unsigned long *pfn, unsigned long end)
{
	unsigned long n;

	/* Bitmaps freed meanwhile are not reused until after the walk. */
	rcu_read_lock();
	n = pkram_bitmaps_next(&pkram_track_xa, pfn, end);
	rcu_read_unlock();
	return n;
}

/* The bitmap of @key in @xa (the caller's own), added empty if none; or NULL */
static unsigned long *pkram_bitmaps_page(struct xarray *xa, unsigned long key)
{
	unsigned long *bitmap = xa_load(xa, key);

	if (bitmap)
		return bitmap;
	bitmap = (unsigned long *)get_zeroed_page(GFP_KERNEL);
	if (bitmap && xa_err(xa_store(xa, key, bitmap, GFP_KERNEL))) {
		free_page((unsigned long)bitmap);
		bitmap = NULL;
	}
	return bitmap;
}

/**
 * pkram_bitmaps_set - set the bits of pfns in bitmaps of pfns
 * @xa: xarray of bitmap pages (see pkram_bitmaps_next()), the caller's own
 * @pfn: first pfn
 * @nr: number of pfns
 *
 * Return: 0, or -ENOMEM (some bits may be set).
 */
int pkram_bitmaps_set(struct xarray *xa, unsigned long pfn, unsigned long nr)
{
	unsigned long p, end = pfn + nr, n, *bitmap;

	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		bitmap = pkram_bitmaps_page(xa, p / PKRAM_TRACK_PFNS);
		if (!bitmap)
			return -ENOMEM;
		bitmap_set(bitmap, p % PKRAM_TRACK_PFNS, n);
	}
	return 0;
}

/**
 * pkram_bitmaps_clear - clear the bits of pfns in bitmaps of pfns
 * @xa: xarray of bitmap pages (see pkram_bitmaps_next()), the caller's own
 * @pfn: first pfn
 * @nr: number of pfns
 *
 * Bitmaps that become empty stay, for pkram_bitmaps_free().
 */
void pkram_bitmaps_clear(struct xarray *xa, unsigned long pfn,
			 unsigned long nr)
{
	unsigned long p, end = pfn + nr, n, *bitmap;

	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		bitmap = xa_load(xa, p / PKRAM_TRACK_PFNS);
		if (bitmap)
			bitmap_clear(bitmap, p % PKRAM_TRACK_PFNS, n);
	}
}

/**
 * pkram_bitmaps_alike - give bitmaps of pfns a bitmap wherever others have one
 * @xa: xarray of bitmap pages (see pkram_bitmaps_next()), the caller's own
 * @model: another
 *
 * So that bits of @xa can then be set where bits of @model are, without an
 * allocation, and by several threads at once (pkram_bitmap_claim()): the
 * bitmaps added are empty.
 *
 * Return: 0, or -ENOMEM.
 */
int pkram_bitmaps_alike(struct xarray *xa, struct xarray *model)
{
	unsigned long key, *bitmap;

	xa_for_each(model, key, bitmap)
		if (!pkram_bitmaps_page(xa, key))
			return -ENOMEM;
	return 0;
}

/**
 * pkram_bitmaps_free - free bitmaps of pfns
 * @xa: xarray of bitmap pages (see pkram_bitmaps_next()), emptied
 */
void pkram_bitmaps_free(struct xarray *xa)
{
	unsigned long key, *bitmap;

	xa_for_each(xa, key, bitmap)
		free_page((unsigned long)bitmap);
	xa_destroy(xa);
}

/**
 * pkram_track_snapshot - copy the bitmaps of the preserved pages
 * @copy: an empty xarray, filled with copies of the tracker's bitmap pages
 *
 * The copy does not follow the tracker: pages tracked later are not in it,
 * and pages untracked later still are.  So a list of what is preserved can
 * be made from it while pages are still being saved and freed.  Free it
 * with pkram_bitmaps_free().
 *
 * Return: 0, or -ENOMEM (@copy is empty).
 */
int pkram_track_snapshot(struct xarray *copy)
{
	unsigned long key, *bitmap, *keys = NULL, n, i, have = 0;
	bool short_of_pages;
	void **pages = NULL;
	int err = 0;

	do {
		/* Pages for as many bitmaps as there are, and a few more. */
		rcu_read_lock();
		n = 0;
		xa_for_each(&pkram_track_xa, key, bitmap)
			n++;
		rcu_read_unlock();
		for (i = 0; i < have; i++)
			free_page((unsigned long)pages[i]);
		kvfree(pages);
		kvfree(keys);
		have = n + 8;
		pages = kvcalloc(have, sizeof(*pages), GFP_KERNEL);
		keys = kvcalloc(have, sizeof(*keys), GFP_KERNEL);
		for (i = 0; pages && keys && i < have; i++) {
			pages[i] = (void *)__get_free_page(GFP_KERNEL);
			if (!pages[i])
				break;
		}
		if (!pages || !keys || i < have) {
			have = pages ? i : 0;
			err = -ENOMEM;
			goto out;
		}

		rcu_read_lock();
		n = 0;
		short_of_pages = false;
		xa_for_each(&pkram_track_xa, key, bitmap) {
			if (n == have) {
				short_of_pages = true;
				break;
			}
			/* Each bit as it was at some point of the copy. */
			memcpy(pages[n], bitmap, PAGE_SIZE);
			keys[n++] = key;
		}
		rcu_read_unlock();
	} while (short_of_pages);

	for (i = 0; i < n && !err; i++) {
		err = xa_err(xa_store(copy, keys[i], pages[i], GFP_KERNEL));
		if (!err)
			pages[i] = NULL;
	}
out:
	for (i = 0; i < have; i++)
		if (pages[i])
			free_page((unsigned long)pages[i]);
	kvfree(pages);
	kvfree(keys);
	if (err)
		pkram_bitmaps_free(copy);
	return err;
}

/*
 * Make @src, a bitmap with @weight bits set, none of them tracked, the
 * tracker's bitmap at @key, or merge its bits into the one there.  Return
 * whether @src was taken.
 */
static bool pkram_track_merge(unsigned long key, unsigned long *src,
			      unsigned long weight)
{
	unsigned long *dst, w, missed = 0;
	int err, tries = 2;

	set_page_private(virt_to_page(src), weight);
	while (!(dst = pkram_bitmap_get(key, weight))) {
		err = xa_insert(&pkram_track_xa, key, src, GFP_KERNEL);
		if (!err)
			return true;
		/* No memory for a slot, twice: the pages stay untracked. */
		if (err != -EBUSY && WARN_ON_ONCE(!--tries))
			break;
		/* Or another one came meanwhile. */
	}
	for (w = 0; dst && w < BITS_TO_LONGS(PKRAM_TRACK_PFNS); w++)
		if (src[w] && WARN_ON_ONCE(!pkram_word_claim(&dst[w], src[w])))
			missed += hweight_long(src[w]);
	/* The references of bits not set go back. */
	if (missed)
		pkram_bitmap_put(key, dst, missed);
	set_page_private(virt_to_page(src), 0);
	return false;
}

/**
 * pkram_track_adopt - mark as preserved every pfn set in bitmaps
 * @xa: xarray of bitmap pages (see pkram_bitmaps_next()), emptied
 *
 * For many pages at once, when they were checked outside the tracker: the
 * bitmap pages move to the tracker, or are merged into its own.  No pfn of
 * @xa may be tracked already.
 */
void pkram_track_adopt(struct xarray *xa)
{
	unsigned long key, *src, weight;

	xa_for_each(xa, key, src) {
		xa_erase(xa, key);
		weight = bitmap_weight(src, PKRAM_TRACK_PFNS);
		if (!weight || !pkram_track_merge(key, src, weight))
			free_page((unsigned long)src);
	}
}

/**
 * pkram_range_tracked - does a range of memory hold preserved pages?
 * @start: first byte
 * @end: last byte
 * @run_start: if not NULL, set to the first preserved byte in the range
 * @run_end: if not NULL, set to the last byte of the run of preserved pages
 *	from there, which may go on past @end: a search for free memory can
 *	skip the whole run at once
 *
 * Context: process context; waits until the nodes handed over by the
 * previous kernel are tracked (pkram_wait_restore()).
 * Return: true if a page of [@start, @end] is marked as preserved.
 */
bool pkram_range_tracked(phys_addr_t start, phys_addr_t end,
			 phys_addr_t *run_start, phys_addr_t *run_end)
{
	unsigned long pfn = PHYS_PFN(start), n;

	pkram_wait_restore();
	n = pkram_next_tracked(&pfn, ULONG_MAX);
	if (!n || pfn > PHYS_PFN(end))
		return false;
	if (run_start)
		*run_start = PFN_PHYS(pfn);
	if (run_end)
		*run_end = PFN_PHYS(pfn + n) - 1;
	return true;
}

/*
 * Where the kexec images that exist will be copied at reboot: the image
 * loaded, and the one being loaded in its place.  kexec loads one image at
 * a time, under its lock, so two are enough.  Crash images go to memory of
 * their own and are left out.  Written by kexec (pkram_kexec_prepare() and
 * pkram_kexec_forget()), read locklessly by every save.
 */
#define PKRAM_KEXEC_IMAGES	2

struct pkram_kexec_dest {
	const struct kimage *image;
	unsigned long nr_segments;
	struct {
		phys_addr_t start;
		phys_addr_t end;
	} seg[KEXEC_SEGMENT_MAX + 1];	/* and where a kernel moves to */
};

static struct pkram_kexec_dest pkram_kexec_dest[PKRAM_KEXEC_IMAGES];
static DEFINE_SEQLOCK(pkram_kexec_lock);

/**
 * pkram_kexec_conflict - would a kexec image be copied over pages?
 * @pfn: first page
 * @nr: number of pages
 *
 * Safe against a concurrent kexec load or unload: the destinations are
 * PKRAM's copy (see pkram_kexec_prepare()), not the image's.
 *
 * Return: true if a segment of a kexec image that is loaded or being loaded
 * has its destination in [@pfn, @pfn + @nr).
 */
bool pkram_kexec_conflict(unsigned long pfn, unsigned long nr)
{
	phys_addr_t start = PFN_PHYS(pfn), end = PFN_PHYS(pfn + nr);
	const struct pkram_kexec_dest *d;
	unsigned int seq;
	bool hit;
	int i, j;

	do {
		seq = read_seqbegin(&pkram_kexec_lock);
		hit = false;
		for (i = 0; i < PKRAM_KEXEC_IMAGES && !hit; i++) {
			d = &pkram_kexec_dest[i];
			for (j = 0; j < d->nr_segments && !hit; j++)
				hit = d->seg[j].start < end &&
				      start < d->seg[j].end;
		}
	} while (read_seqretry(&pkram_kexec_lock, seq));
	return hit;
}

/**
 * pkram_kexec_dest_pages - how many pages kexec images will be copied over
 *
 * Return: the pages of the destinations noted (see pkram_kexec_conflict()),
 * of every image loaded or being loaded.
 */
unsigned long pkram_kexec_dest_pages(void)
{
	const struct pkram_kexec_dest *d;
	unsigned long nr;
	unsigned int seq;
	int i, j;

	do {
		seq = read_seqbegin(&pkram_kexec_lock);
		nr = 0;
		for (i = 0; i < PKRAM_KEXEC_IMAGES; i++) {
			d = &pkram_kexec_dest[i];
			for (j = 0; j < d->nr_segments; j++)
				nr += PFN_UP(d->seg[j].end) -
				      PHYS_PFN(d->seg[j].start);
		}
	} while (read_seqretry(&pkram_kexec_lock, seq));
	return nr;
}

#ifdef CONFIG_X86_64
/*
 * The x86 kernel runs at LOAD_PHYSICAL_ADDR at the lowest: loaded below it,
 * its decompressor moves it there (arch/x86/boot/compressed/head_64.S),
 * over memory that no segment covers.  kexec_load() does not say which
 * segment is the kernel: each that starts below LOAD_PHYSICAL_ADDR may be,
 * and where the largest of them would move to is a destination too.  (The
 * next kernel's LOAD_PHYSICAL_ADDR is taken to be this one's: 16 MiB, the
 * default, in every distribution kernel.)
 */
static void pkram_kexec_moved(struct pkram_kexec_dest *d)
{
	phys_addr_t size = 0;
	unsigned long i;

	for (i = 0; i < d->nr_segments; i++)
		if (d->seg[i].start < LOAD_PHYSICAL_ADDR)
			size = max(size, d->seg[i].end - d->seg[i].start);
	if (!size)
		return;
	d->seg[d->nr_segments].start = LOAD_PHYSICAL_ADDR;
	d->seg[d->nr_segments].end = LOAD_PHYSICAL_ADDR + size;
	d->nr_segments++;
}
#else
static void pkram_kexec_moved(struct pkram_kexec_dest *d)
{
}
#endif

/**
 * pkram_kexec_prepare - check and note where a kexec image will be copied
 * @image: the image being loaded, its segments final
 *
 * Called by sanity_check_segment_list(), under the kexec lock.  The
 * destinations are noted first and the tracker checked after, with a full
 * barrier in between; a save tracks its pages first and checks the
 * destinations after (pkram_track_usable()).  So of a load and a save that
 * race, at least one sees the other.  They stay noted until the image is
 * freed (pkram_kexec_forget()) or, if its load fails before it is loaded,
 * until the next load: pages saved meanwhile are kept out of them.
 *
 * Return: 0, or -EADDRNOTAVAIL if a segment would overwrite preserved pages.
 */
int pkram_kexec_prepare(const struct kimage *image)
{
	struct pkram_kexec_dest *d = NULL;
	unsigned long flags, i;
	int slot;

	if (image->type == KEXEC_TYPE_CRASH)
		return 0;

	pkram_wait_restore();	/* the tracker is complete */
	write_seqlock_irqsave(&pkram_kexec_lock, flags);
	for (slot = 0; slot < PKRAM_KEXEC_IMAGES; slot++) {
		/* Of the images noted before, only the loaded one lives on. */
		if (pkram_kexec_dest[slot].image != kexec_image) {
			pkram_kexec_dest[slot].image = NULL;
			pkram_kexec_dest[slot].nr_segments = 0;
		}
		if (!d && !pkram_kexec_dest[slot].image)
			d = &pkram_kexec_dest[slot];
	}
	if (d) {
		d->image = image;
		d->nr_segments = min_t(unsigned long, image->nr_segments,
				       KEXEC_SEGMENT_MAX);
		for (i = 0; i < d->nr_segments; i++) {
			d->seg[i].start = image->segment[i].mem;
			d->seg[i].end = image->segment[i].mem +
					image->segment[i].memsz;
		}
		pkram_kexec_moved(d);
	}
	write_sequnlock_irqrestore(&pkram_kexec_lock, flags);
	/* Cannot happen: only the loaded image was left. */
	if (WARN_ON_ONCE(!d))
		return -EBUSY;

	smp_mb();	/* pairs with pkram_track_usable() */
	for (i = 0; i < d->nr_segments; i++) {
		phys_addr_t start = d->seg[i].start, last = d->seg[i].end - 1;

		if (d->seg[i].end > start && pkram_range_tracked(start, last, NULL, NULL)) {
			pr_err("kexec segment %pa-%pa overlaps preserved memory%s\n",
			       &start, &last, i < image->nr_segments ? "" :
			       " (where a kernel loaded lower moves itself to)");
			pkram_kexec_forget(image);
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

/**
 * pkram_kexec_forget - forget where a kexec image would have been copied
 * @image: the image, being freed
 *
 * Called by kimage_free().  Nothing happens for an image
 * pkram_kexec_prepare() did not note.
 */
void pkram_kexec_forget(const struct kimage *image)
{
	unsigned long flags;
	int slot;

	write_seqlock_irqsave(&pkram_kexec_lock, flags);
	for (slot = 0; slot < PKRAM_KEXEC_IMAGES; slot++) {
		if (pkram_kexec_dest[slot].image == image) {
			pkram_kexec_dest[slot].image = NULL;
			pkram_kexec_dest[slot].nr_segments = 0;
		}
	}
	write_sequnlock_irqrestore(&pkram_kexec_lock, flags);
}

#ifdef CONFIG_PKRAM_KUNIT_TEST
#include "pkram_tracker_test.c"
#endif
