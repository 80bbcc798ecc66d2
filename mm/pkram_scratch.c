// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: the scratch region, room for the next kernel's early allocations.
 *
 * Preserved pages can be scattered over all of memory: every other page,
 * in the worst case.  The next kernel reserves them before it allocates
 * anything, and must then still find contiguous memory for its early
 * allocations: the new array of reserved regions, the memory map in 2 MiB
 * blocks, per-CPU areas, hash tables, and the kernel and initrd kexec loads.
 *
 * So the kernels of a PKRAM chain keep one contiguous region in which
 * nothing is ever preserved, and pass it on in the super block:
 *
 * - A kernel booted with pkram= takes the region its predecessor recorded,
 *   once it is checked to be RAM clear of every preserved range.  Its early
 *   allocations are free to use the region.
 * - A kernel booted with pkram_scratch=<size>, or with a pkram= that hands
 *   over no region, sets aside a new region of that size at boot: by
 *   default 1/64 of memory, at least 32 MiB, plus 128 MiB for the kernel.
 *   A pkram= found invalid counts as absent; found invalid late, once its
 *   region is reserved, what the early allocations left of the region goes
 *   back to the page allocator.
 * - A kernel that has no region (booted without either parameter) records,
 *   at its kexec reboot, the largest part of memory clear of preserved pages,
 *   up to the default size: no memory is set aside until PKRAM is used.
 *
 * The region also takes the next kernel itself: on x86 the decompressor
 * reads the super block and places the kernel at a random address in the
 * region (arch/x86/boot/compressed/kaslr.c), so that physical KASLR stays
 * on without overwriting preserved pages.
 *
 * Once the early allocations are done, what they left of the region goes
 * back to the page allocator, for movable allocations only (with
 * CONFIG_CMA): no memory is lost to the region, and the next kernel's
 * early allocations find it as free as it was.  PKRAM never preserves a
 * page of it: the region is excluded (pkram_exclude()), so metadata
 * allocations pick other pages and pkram_save_folio() saves a copy of a
 * folio there.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/init.h>
#include <linux/ioport.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/page-isolation.h>
#include <linux/sizes.h>

#include "pkram_internal.h"

/* The scratch region of this kernel, none if pkram_scratch_pages is 0. */
static unsigned long pkram_scratch_pfn;
static unsigned long pkram_scratch_pages;

/* The region was inherited: early allocations may be in it. */
static bool pkram_scratch_late;

/*
 * The parts of the region the early allocations left free, at most this
 * many (they are few and packed); the rest stays ordinary free memory.
 * Held from pkram_reserve_scratch() to pkram_scratch_give_back(), with the
 * region as it was then.
 */
#define PKRAM_SCRATCH_PARTS	16

struct pkram_scratch_part {
	phys_addr_t start;
	phys_addr_t end;
};

static struct pkram_scratch_part pkram_scratch_parts[PKRAM_SCRATCH_PARTS] __initdata;
static unsigned int pkram_scratch_nr_parts __initdata;
static struct pkram_scratch_part pkram_scratch_given __initdata;

/* pkram_scratch=: 0 if not given, PKRAM_SCRATCH_OFF for pkram_scratch=0. */
#define PKRAM_SCRATCH_OFF	PHYS_ADDR_MAX
static phys_addr_t pkram_scratch_param __initdata;

/* Alignment of the region, so that it holds whole PMD-size blocks. */
#define PKRAM_SCRATCH_ALIGN	SZ_2M
/* The least room for the early allocations the default leaves. */
#define PKRAM_SCRATCH_MIN	SZ_32M
/*
 * The default region also holds the next kernel: on x86 the decompressor
 * places it at a random address in the region (physical KASLR), the only
 * memory known to hold no preserved page.  A distribution kernel takes up
 * to about 64 MiB with its bss; the rest gives the random choice room.
 */
#define PKRAM_SCRATCH_KERNEL	SZ_128M

static int __init pkram_scratch_setup(char *arg)
{
	if (!arg)
		return -EINVAL;
	pkram_scratch_param = memparse(arg, &arg);
	if (!pkram_scratch_param)
		pkram_scratch_param = PKRAM_SCRATCH_OFF;
	return 0;
}
early_param("pkram_scratch", pkram_scratch_setup);

/*
 * The default size for @ram bytes of memory: 1/64 of it, at least 32 MiB,
 * plus 128 MiB for the kernel.
 */
static phys_addr_t pkram_scratch_default(phys_addr_t ram)
{
	return ALIGN(max_t(phys_addr_t, ram / 64, PKRAM_SCRATCH_MIN) +
		     PKRAM_SCRATCH_KERNEL, PKRAM_SCRATCH_ALIGN);
}

static void __init pkram_scratch_set(phys_addr_t base, phys_addr_t size,
				     const char *how)
{
	pkram_scratch_pfn = PHYS_PFN(base);
	pkram_scratch_pages = PHYS_PFN(size);
	pkram_exclude(pkram_scratch_pfn, pkram_scratch_pages);
	pr_info("scratch region for early allocations: %llu MiB at %pa (%s)\n",
		(u64)size >> 20, &base, how);
}

/**
 * pkram_scratch_valid - can a region handed over be the scratch region?
 * @pfn: first page
 * @nr: number of pages
 *
 * Called early, before the preserved ranges are reserved: the caller checks
 * that no range overlaps the region.
 *
 * Return: true if the region is aligned and all of it is RAM.
 */
bool __init pkram_scratch_valid(u64 pfn, u64 nr)
{
	phys_addr_t base = PFN_PHYS(pfn), size = PFN_PHYS(nr);

	return nr && pfn + nr > pfn &&
	       pfn + nr <= PHYS_PFN(memblock_end_of_DRAM()) &&
	       IS_ALIGNED(base | size, PKRAM_SCRATCH_ALIGN) &&
	       memblock_is_region_memory(base, size);
}

/**
 * pkram_scratch_init - set up this kernel's scratch region
 * @pfn: first page of the region handed over, checked with
 *	pkram_scratch_valid() and clear of every preserved range
 * @nr: its number of pages; 0 if none was handed over or it is not usable
 * @chained: this kernel was booted with pkram=
 *
 * Called by pkram_reserve() once the preserved ranges are reserved, and
 * before anything else is allocated from memblock.
 */
void __init pkram_scratch_init(u64 pfn, u64 nr, bool chained)
{
	phys_addr_t size = pkram_scratch_param, base;

	if (size == PKRAM_SCRATCH_OFF)
		return;
	if (nr) {
		pkram_scratch_late = true;
		pkram_scratch_set(PFN_PHYS(pfn), PFN_PHYS(nr), "handed over");
		return;
	}
	if (!size && !chained)
		return;
	if (!size)
		size = pkram_scratch_default(memblock_phys_mem_size());
	size = ALIGN(size, PKRAM_SCRATCH_ALIGN);
	/* The memblock limit is still low here: give the end explicitly. */
	base = memblock_phys_alloc_range(size, PKRAM_SCRATCH_ALIGN, SZ_16M,
					 memblock_end_of_DRAM());
	if (!base) {
		pr_err("no room for a scratch region of %llu MiB: the next kernel may not find room if preserved pages are scattered\n",
		       (u64)size >> 20);
		return;
	}
	pkram_scratch_set(base, size, "new");
}

/**
 * pkram_reserve_scratch - hold what is free of the scratch region
 *
 * Called right before memblock hands free memory to the page allocator:
 * the early allocations are done.  With CONFIG_CMA, what they left of the
 * region (all of a region set aside at this boot) stays reserved a little
 * longer, so that its struct pages are initialized now, not by deferred
 * struct page init, which would make its pageblocks movable again:
 * pkram_scratch_give_back() then gives it to the page allocator for
 * movable allocations only.  Without CONFIG_CMA it is ordinary free memory.
 */
void __init pkram_reserve_scratch(void)
{
	phys_addr_t base = PFN_PHYS(pkram_scratch_pfn);
	phys_addr_t end = base + PFN_PHYS(pkram_scratch_pages);
	phys_addr_t start, stop;
	unsigned int i;
	u64 j;

	if (!pkram_scratch_pages)
		return;
	/* Set aside at this boot: nothing else is in it. */
	if (!pkram_scratch_late)
		memblock_phys_free(base, end - base);
	if (!IS_ENABLED(CONFIG_CMA))
		return;
	/* The free parts first: reserving them changes the free ranges. */
	for_each_free_mem_range(j, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &stop,
				NULL) {
		start = max(start, base);
		stop = min(stop, end);
		if (start >= stop)
			continue;
		if (pkram_scratch_nr_parts == PKRAM_SCRATCH_PARTS)
			break;
		pkram_scratch_parts[pkram_scratch_nr_parts].start = start;
		pkram_scratch_parts[pkram_scratch_nr_parts++].end = stop;
	}
	for (i = 0; i < pkram_scratch_nr_parts; i++)
		memblock_reserve(pkram_scratch_parts[i].start,
				 pkram_scratch_parts[i].end -
				 pkram_scratch_parts[i].start);
	pkram_scratch_given.start = base;
	pkram_scratch_given.end = end;
}

/*
 * Give the scratch region to the page allocator for movable allocations
 * only, as KHO does with its scratch areas: its pageblocks become
 * MIGRATE_CMA, and what the early allocations left of it is freed there
 * (the early allocations go there too once freed).  A core initcall: every
 * struct page is initialized, deferred ones too.  Whatever became of the
 * region meanwhile (pkram_scratch_release()), its memory is given back.
 */
static int __init pkram_scratch_give_back(void)
{
	unsigned long pfn = PHYS_PFN(pkram_scratch_given.start);
	unsigned long end = PHYS_PFN(pkram_scratch_given.end);
	unsigned long freed = 0;
	unsigned int i;

	if (pfn == end)
		return 0;
#ifdef CONFIG_CMA
	for (pfn = ALIGN(pfn, pageblock_nr_pages);
	     pfn + pageblock_nr_pages <= end; pfn += pageblock_nr_pages)
		set_pageblock_migratetype(pfn_to_page(pfn), MIGRATE_CMA);
#endif
	for (i = 0; i < pkram_scratch_nr_parts; i++)
		freed += free_reserved_area(__va(pkram_scratch_parts[i].start),
					    __va(pkram_scratch_parts[i].end),
					    -1, NULL);
	pr_info("scratch region: %lu of its %lu MiB free, for movable allocations only\n",
		freed >> (20 - PAGE_SHIFT),
		PHYS_PFN(pkram_scratch_given.end - pkram_scratch_given.start) >>
		(20 - PAGE_SHIFT));
	return 0;
}
core_initcall(pkram_scratch_give_back);

/**
 * pkram_scratch_release - forget an inherited region
 *
 * Called by pkram_restore() when what was handed over turns out
 * inconsistent: as when pkram= is found invalid early, the kernel goes on
 * as if it had not been given one, with no scratch region.  Its memory is
 * given back all the same (pkram_scratch_give_back()).
 */
void pkram_scratch_release(void)
{
	if (!pkram_scratch_late)
		return;
	pr_info("scratch region released\n");
	pkram_scratch_late = false;
	pkram_scratch_pfn = 0;
	pkram_scratch_pages = 0;
	pkram_exclude(0, 0);
}

/* The largest aligned gap between preserved pages, in a range of RAM. */
struct pkram_gap {
	unsigned long pfn;
	unsigned long nr;
};

static int pkram_find_gap(unsigned long start, unsigned long nr, void *arg)
{
	unsigned long align = PHYS_PFN(PKRAM_SCRATCH_ALIGN);
	unsigned long end = start + nr, pfn = start, run, lo, hi;
	struct pkram_gap *gap = arg;

	while (start < end) {
		run = pkram_next_tracked(&pfn, end);
		if (!run)
			pfn = end;
		lo = ALIGN(start, align);
		hi = ALIGN_DOWN(pfn, align);
		if (hi > lo && hi - lo > gap->nr) {
			gap->pfn = lo;
			gap->nr = hi - lo;
		}
		start = pfn + run;
		pfn = start;
	}
	return 0;
}

/**
 * pkram_scratch_for_next - the scratch region to hand to the next kernel
 * @pfn: set to its first page
 * @nr: set to its number of pages, 0 if there is none
 *
 * Called at the kexec reboot, with the tracker final: this kernel's region,
 * or, if it has none, the top of the largest aligned part of RAM clear of
 * preserved pages, up to the default size.
 */
void pkram_scratch_for_next(u64 *pfn, u64 *nr)
{
	struct pkram_gap gap = { };
	unsigned long want;

	if (pkram_scratch_pages) {
		*pfn = pkram_scratch_pfn;
		*nr = pkram_scratch_pages;
		return;
	}
	walk_system_ram_range(0, max_pfn, &gap, pkram_find_gap);
	want = PHYS_PFN(pkram_scratch_default(PFN_PHYS(totalram_pages())));
	if (gap.nr > want) {
		gap.pfn += gap.nr - want;
		gap.nr = want;
	}
	*pfn = gap.pfn;
	*nr = gap.nr;
}
