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
#include <linux/seqlock.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>

#include "pkram_internal.h"

static DEFINE_XARRAY(pkram_track_xa);
static DEFINE_SPINLOCK(pkram_track_lock);	/* the bits */
static unsigned long pkram_tracked;		/* pages with their bit set */

/* The bitmap covering @pfn, allocated if @gfp_mask allows it. */
static unsigned long *pkram_track_bitmap(unsigned long pfn, gfp_t gfp_mask)
{
	unsigned long key = pfn / PKRAM_TRACK_PFNS;
	unsigned long *bitmap, *old;

	bitmap = xa_load(&pkram_track_xa, key);
	if (bitmap || !gfp_mask)
		return bitmap;

	bitmap = (unsigned long *)get_zeroed_page(gfp_mask);
	if (!bitmap)
		return NULL;
	old = xa_cmpxchg(&pkram_track_xa, key, NULL, bitmap, gfp_mask);
	if (old) {
		free_page((unsigned long)bitmap);
		return xa_is_err(old) ? NULL : old;
	}
	return bitmap;
}

/*
 * pkram_track() within one bitmap: [@pfn, @pfn + @n) in one bitmap page.
 * The bitmap is looked up under the lock, which keeps an untrack from
 * freeing it meanwhile; only a missing one is allocated, outside it.
 */
static int pkram_track_one(unsigned long pfn, unsigned long n, gfp_t gfp_mask)
{
	unsigned long bit = pfn % PKRAM_TRACK_PFNS, *bitmap;

	for (;;) {
		spin_lock(&pkram_track_lock);
		bitmap = xa_load(&pkram_track_xa, pfn / PKRAM_TRACK_PFNS);
		if (bitmap)
			break;
		spin_unlock(&pkram_track_lock);
		if (!pkram_track_bitmap(pfn, gfp_mask))
			return -ENOMEM;
	}

	/* A page is preserved once: the first untrack would expose it. */
	if (n == 1 ? test_bit(bit, bitmap) :
		     find_next_bit(bitmap, bit + n, bit) < bit + n) {
		spin_unlock(&pkram_track_lock);
		return -EBUSY;
	}
	if (n == 1)
		__set_bit(bit, bitmap);
	else
		bitmap_set(bitmap, bit, n);
	/* page::private of a bitmap page counts the bits it has set */
	virt_to_page(bitmap)->private += n;
	pkram_tracked += n;
	spin_unlock(&pkram_track_lock);
	return 0;
}

/**
 * pkram_track - mark pages as preserved
 * @pfn: first page
 * @nr: number of pages
 * @gfp_mask: allocation flags for a new bitmap page
 *
 * Return: 0, -EBUSY if a page is marked already, or -ENOMEM (nothing
 * marked).
 */
int pkram_track(unsigned long pfn, unsigned long nr, gfp_t gfp_mask)
{
	unsigned long p, end = pfn + nr, n;
	int err;

	gfp_mask &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
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
 * A bitmap with no bit set any more is freed.
 */
void pkram_untrack(unsigned long pfn, unsigned long nr)
{
	unsigned long p, end = pfn + nr, n;
	unsigned long *bitmap;
	struct page *page, *tmp;
	LIST_HEAD(empty);

	spin_lock(&pkram_track_lock);
	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		bitmap = pkram_track_bitmap(p, 0);
		if (WARN_ON_ONCE(!bitmap))
			continue;
		bitmap_clear(bitmap, p % PKRAM_TRACK_PFNS, n);
		virt_to_page(bitmap)->private -= n;
		if (!virt_to_page(bitmap)->private) {
			xa_erase(&pkram_track_xa, p / PKRAM_TRACK_PFNS);
			list_add(&virt_to_page(bitmap)->lru, &empty);
		}
	}
	pkram_tracked -= nr;
	spin_unlock(&pkram_track_lock);
	list_for_each_entry_safe(page, tmp, &empty, lru)
		__free_page(page);
}

/**
 * pkram_tracked_pages - how many pages are marked as preserved
 *
 * Return: the number of pages.
 */
unsigned long pkram_tracked_pages(void)
{
	return READ_ONCE(pkram_tracked);
}

/**
 * pkram_bitmaps_next - find the next run of set bits in bitmaps of pfns
 * @xa: xarray of bitmap pages, each covering PKRAM_TRACK_PFNS pfns
 * @pfn: in: where to start looking; out: first pfn of the run found
 * @end: where to stop looking
 *
 * The caller keeps @xa from changing.
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

	spin_lock(&pkram_track_lock);
	n = pkram_bitmaps_next(&pkram_track_xa, pfn, end);
	spin_unlock(&pkram_track_lock);
	return n;
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
	int err;

	for (p = pfn; p < end; p += n) {
		n = min(end, ALIGN(p + 1, PKRAM_TRACK_PFNS)) - p;
		bitmap = xa_load(xa, p / PKRAM_TRACK_PFNS);
		if (!bitmap) {
			bitmap = (unsigned long *)get_zeroed_page(GFP_KERNEL);
			if (!bitmap)
				return -ENOMEM;
			err = xa_err(xa_store(xa, p / PKRAM_TRACK_PFNS, bitmap,
					      GFP_KERNEL));
			if (err) {
				free_page((unsigned long)bitmap);
				return err;
			}
		}
		bitmap_set(bitmap, p % PKRAM_TRACK_PFNS, n);
	}
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
		spin_lock(&pkram_track_lock);
		n = 0;
		xa_for_each(&pkram_track_xa, key, bitmap)
			n++;
		spin_unlock(&pkram_track_lock);
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

		spin_lock(&pkram_track_lock);
		n = 0;
		short_of_pages = false;
		xa_for_each(&pkram_track_xa, key, bitmap) {
			if (n == have) {
				short_of_pages = true;
				break;
			}
			memcpy(pages[n], bitmap, PAGE_SIZE);
			keys[n++] = key;
		}
		spin_unlock(&pkram_track_lock);
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
	unsigned long key, *src, *dst, weight;
	void *old;

	xa_for_each(xa, key, src) {
		xa_erase(xa, key);
		weight = bitmap_weight(src, PKRAM_TRACK_PFNS);
		if (!weight)
			goto free;
		virt_to_page(src)->private = 0;
		spin_lock(&pkram_track_lock);
		old = xa_cmpxchg(&pkram_track_xa, key, NULL, src, GFP_ATOMIC);
		dst = old ? old : src;
		if (xa_is_err(old)) {
			/* No memory for the xarray: merge into a bitmap, if any. */
			spin_unlock(&pkram_track_lock);
			dst = pkram_track_bitmap(key * PKRAM_TRACK_PFNS, GFP_KERNEL);
			if (WARN_ON_ONCE(!dst))
				goto free;
			spin_lock(&pkram_track_lock);
		}
		if (dst != src)
			bitmap_or(dst, dst, src, PKRAM_TRACK_PFNS);
		virt_to_page(dst)->private += weight;
		pkram_tracked += weight;
		spin_unlock(&pkram_track_lock);
		if (dst == src)
			continue;
free:
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
