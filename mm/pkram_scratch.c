// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: the scratch regions, room for the next kernel's early allocations.
 *
 * Preserved pages can be scattered over all of memory: every other page,
 * in the worst case.  The next kernel reserves them before it allocates
 * anything, and must then still find contiguous memory for its early
 * allocations: the new array of reserved regions, the memory map in 2 MiB
 * blocks, per-CPU areas, hash tables, the kernel and initrd kexec loads,
 * and, below 4 GiB, swiotlb's bounce buffers and crashkernel=,low.
 *
 * So the kernels of a PKRAM chain keep contiguous regions in which nothing
 * is ever preserved, and pass them on in the super block: the scratch
 * region, and on a machine with memory above 4 GiB a low scratch region
 * below 4 GiB, for the allocations that must be there.
 *
 * - A kernel booted with pkram= takes the regions its predecessor recorded,
 *   once they are checked to be RAM clear of every preserved range.  Its
 *   early allocations go there first, to the highest region below their
 *   limit, and elsewhere only when it has no room for them
 *   (memblock_set_scratch_only()): so they stay together, and those that
 *   must be below 4 GiB find the low region, which the others leave alone,
 *   whatever room the preserved pages left elsewhere.  If pkram_scratch=
 *   (or pkram_scratch_low=) gives a region another size, it sets aside a
 *   new one of that size instead, as below, when there is room; the early
 *   allocations go there first all the same.
 * - A kernel booted with pkram_scratch=<size>, or with a pkram= that hands
 *   over no region, sets aside a new region of that size at boot: by
 *   default 1/64 of memory, at least 32 MiB, plus 128 MiB for the kernel;
 *   and a new low region (pkram_scratch_low=<size>, by default swiotlb's
 *   size plus the 256 MiB of crashkernel=,low).  A pkram= found invalid
 *   counts as absent; found invalid late, once its regions are reserved,
 *   what the early allocations left of them goes back to the page
 *   allocator.
 * - A kernel that has no region (booted without either parameter) records,
 *   at its kexec reboot, the largest parts of memory clear of preserved
 *   pages, up to the default sizes: no memory is set aside until PKRAM is
 *   used.
 *
 * The scratch region also takes the next kernel itself: on x86 the
 * decompressor reads the super block and places the kernel at a random
 * address in the region (arch/x86/boot/compressed/kaslr.c), so that
 * physical KASLR stays on without overwriting preserved pages.
 *
 * Once the early allocations are done, what they left of the regions goes
 * back to the page allocator, for movable allocations only (with
 * CONFIG_CMA): no memory is lost to them, and the next kernel's early
 * allocations find them as free as they were.  PKRAM never preserves a
 * page of them: they are excluded (pkram_exclude()), so metadata
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
#include <linux/swiotlb.h>

#include "pkram_internal.h"

/* The scratch regions of this kernel, none where the size is 0. */
static struct pkram_span pkram_scratch[PKRAM_NR_SCRATCH];

/*
 * Early allocations went into the region first: it was handed over, or set
 * aside in a kernel handed preserved memory.  What they left of it is held
 * at pkram_reserve_scratch(), not the whole region.
 */
static bool pkram_scratch_late[PKRAM_NR_SCRATCH];

static const char *const pkram_scratch_name[PKRAM_NR_SCRATCH] = {
	[PKRAM_SCRATCH_MAIN] = "scratch region",
	[PKRAM_SCRATCH_LOW] = "low scratch region",
};

/*
 * The parts of the regions the early allocations left free, whole pages,
 * at most this many per region (they are few: the early allocations are
 * packed); the rest stays ordinary free memory.  Held from
 * pkram_reserve_scratch() to pkram_scratch_give_back(), with the regions
 * as they were then.
 */
#define PKRAM_SCRATCH_PARTS	16

struct pkram_scratch_part {
	phys_addr_t start;
	phys_addr_t end;
};

static struct pkram_scratch_part
	pkram_scratch_parts[PKRAM_NR_SCRATCH][PKRAM_SCRATCH_PARTS] __initdata;
static unsigned int pkram_scratch_nr_parts[PKRAM_NR_SCRATCH] __initdata;
static struct pkram_scratch_part pkram_scratch_given[PKRAM_NR_SCRATCH] __initdata;

/*
 * pkram_scratch= and pkram_scratch_low=: 0 if not given, PKRAM_SCRATCH_OFF
 * for 0.
 */
#define PKRAM_SCRATCH_OFF	PHYS_ADDR_MAX
static phys_addr_t pkram_scratch_param[PKRAM_NR_SCRATCH] __initdata;

/* Alignment of the regions, so that they hold whole PMD-size blocks. */
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
/* The low region: what it holds must be below 4 GiB. */
#define PKRAM_SCRATCH_LOW_LIMIT	SZ_4G
/*
 * crashkernel=,low's default size (DEFAULT_CRASH_KERNEL_LOW_SIZE on x86,
 * swiotlb's size for the kdump kernel included), which the default low
 * region has room for, besides swiotlb's bounce buffers.
 */
#define PKRAM_SCRATCH_CRASH_LOW	SZ_256M

static int __init pkram_scratch_parse(char *arg, unsigned int kind)
{
	if (!arg)
		return -EINVAL;
	pkram_scratch_param[kind] = memparse(arg, &arg);
	if (!pkram_scratch_param[kind])
		pkram_scratch_param[kind] = PKRAM_SCRATCH_OFF;
	return 0;
}

static int __init pkram_scratch_setup(char *arg)
{
	return pkram_scratch_parse(arg, PKRAM_SCRATCH_MAIN);
}
early_param("pkram_scratch", pkram_scratch_setup);

static int __init pkram_scratch_low_setup(char *arg)
{
	return pkram_scratch_parse(arg, PKRAM_SCRATCH_LOW);
}
early_param("pkram_scratch_low", pkram_scratch_low_setup);

/*
 * The default size of the scratch region for @ram bytes of memory: 1/64 of
 * it, at least 32 MiB, plus 128 MiB for the kernel.
 */
static phys_addr_t pkram_scratch_default(phys_addr_t ram)
{
	return ALIGN(max_t(phys_addr_t, ram / 64, PKRAM_SCRATCH_MIN) +
		     PKRAM_SCRATCH_KERNEL, PKRAM_SCRATCH_ALIGN);
}

/*
 * The default size of the low scratch region: swiotlb's bounce buffers
 * (swiotlb=) and crashkernel=,low.
 */
static phys_addr_t pkram_scratch_low_default(void)
{
	phys_addr_t size = PKRAM_SCRATCH_CRASH_LOW;

	if (IS_ENABLED(CONFIG_SWIOTLB))
		size += swiotlb_size_or_default();
	return ALIGN(size, PKRAM_SCRATCH_ALIGN);
}

/* The end of the memory a region of @kind may be in. */
static phys_addr_t pkram_scratch_limit(unsigned int kind, phys_addr_t end)
{
	if (kind == PKRAM_SCRATCH_LOW)
		return min_t(phys_addr_t, end, PKRAM_SCRATCH_LOW_LIMIT);
	return end;
}

/* Does this machine need a low region: has it memory above 4 GiB? */
static bool pkram_scratch_low_needed(phys_addr_t end)
{
	return end > PKRAM_SCRATCH_LOW_LIMIT;
}

static void __init pkram_scratch_set(unsigned int kind, phys_addr_t base,
				     phys_addr_t size, const char *how)
{
	pkram_scratch[kind].pfn = PHYS_PFN(base);
	pkram_scratch[kind].nr = PHYS_PFN(size);
	pkram_exclude(kind, PHYS_PFN(base), PHYS_PFN(size));
	pr_info("%s for early allocations: %llu MiB at %pa (%s)\n",
		pkram_scratch_name[kind], (u64)size >> 20, &base, how);
}

/**
 * pkram_scratch_valid - can a region handed over be a scratch region?
 * @span: the region
 * @kind: PKRAM_SCRATCH_MAIN or PKRAM_SCRATCH_LOW
 *
 * Called early, before the preserved ranges are reserved: the caller checks
 * that no range overlaps the region, and that the regions are disjoint.
 *
 * Return: true if the region is aligned, all of it is RAM, and a low
 * region is below 4 GiB.
 */
bool __init pkram_scratch_valid(const struct pkram_span *span,
				unsigned int kind)
{
	phys_addr_t base = PFN_PHYS(span->pfn), size = PFN_PHYS(span->nr);
	u64 end = PHYS_PFN(pkram_scratch_limit(kind, memblock_end_of_DRAM()));

	return span->nr && span->pfn + span->nr > span->pfn &&
	       span->pfn + span->nr <= end &&
	       IS_ALIGNED(base | size, PKRAM_SCRATCH_ALIGN) &&
	       memblock_is_region_memory(base, size);
}

/*
 * Early allocations go into the region of @kind, free memory, before any
 * other memory, until pkram_reserve_scratch() holds what they left of it.
 */
static void __init pkram_scratch_first(unsigned int kind)
{
	phys_addr_t base = PFN_PHYS(pkram_scratch[kind].pfn);
	int err;

	pkram_scratch_late[kind] = true;
	err = memblock_mark_scratch(base, PFN_PHYS(pkram_scratch[kind].nr));
	if (err) {
		pr_warn("%s: early allocations not kept to it (error %d)\n",
			pkram_scratch_name[kind], err);
		return;
	}
	memblock_set_scratch_only(true);
}

/*
 * Find @size bytes below @limit for a new region of @kind, clear of the
 * region of the other kind: the one set already, or else the one handed
 * over in @handed (NULL if none), which may yet be kept.  A new region in
 * another would make two regions of one, and the early allocations that
 * memblock puts at the top of it would miss the lower.  Above the other
 * region first, as memblock allocates top down.  Return: the base, or 0.
 */
static phys_addr_t __init pkram_scratch_alloc(unsigned int kind,
					      phys_addr_t size,
					      phys_addr_t limit,
					      const struct pkram_span *handed)
{
	const struct pkram_span *other = &pkram_scratch[!kind];
	phys_addr_t base;

	BUILD_BUG_ON(PKRAM_NR_SCRATCH != 2);
	if (!other->nr && handed)
		other = &handed[!kind];
	if (!other->nr)
		return memblock_phys_alloc_range(size, PKRAM_SCRATCH_ALIGN,
						 SZ_16M, limit);
	base = memblock_phys_alloc_range(size, PKRAM_SCRATCH_ALIGN,
					 max_t(phys_addr_t, SZ_16M,
					       PFN_PHYS(other->pfn + other->nr)),
					 limit);
	if (!base)
		base = memblock_phys_alloc_range(size, PKRAM_SCRATCH_ALIGN,
						 SZ_16M,
						 min_t(phys_addr_t, limit,
						       PFN_PHYS(other->pfn)));
	return base;
}

/*
 * Set aside a new region of @kind at boot, as asked; @handed are the
 * regions handed over (NULL if none): the one of @kind is kept if there is
 * no room for the new one.  In a kernel @chained to one that preserved
 * memory, the new region takes the early allocations first, as a region
 * handed over does: where the preserved pages leave little room (below
 * 4 GiB, say), holding it whole would leave none for them.  Otherwise it is
 * held whole until pkram_reserve_scratch().  Return: true if it is set
 * aside.
 */
static bool __init pkram_scratch_new(unsigned int kind,
				     const struct pkram_span *handed,
				     bool chained)
{
	phys_addr_t size = pkram_scratch_param[kind], base, end, old = 0;

	end = memblock_end_of_DRAM();
	if (kind == PKRAM_SCRATCH_LOW && !pkram_scratch_low_needed(end))
		return false;
	if (!size && kind == PKRAM_SCRATCH_MAIN)
		size = pkram_scratch_default(memblock_phys_mem_size());
	else if (!size)
		size = pkram_scratch_low_default();
	size = ALIGN(size, PKRAM_SCRATCH_ALIGN);
	/* The memblock limit is still low here: give the end explicitly. */
	base = pkram_scratch_alloc(kind, size, pkram_scratch_limit(kind, end),
				   handed);
	if (handed)
		old = PFN_PHYS(handed[kind].nr);
	if (!base && old) {
		pr_warn("no room for a %s of %llu MiB: the one of %llu MiB handed over is kept\n",
			pkram_scratch_name[kind], (u64)size >> 20,
			(u64)old >> 20);
		return false;
	}
	if (!base) {
		pr_err("no room for a %s of %llu MiB: the next kernel may not find room if preserved pages are scattered\n",
		       pkram_scratch_name[kind], (u64)size >> 20);
		return false;
	}
	pkram_scratch_set(kind, base, size,
			  old ? "new, of the size asked for" : "new");
	if (chained) {
		memblock_phys_free(base, size);
		pkram_scratch_first(kind);
	}
	return true;
}

/*
 * The size of the region of @kind is given on the command line, and the
 * region handed over in @span is of another size.
 */
static bool __init pkram_scratch_resized(unsigned int kind,
					 const struct pkram_span *span)
{
	phys_addr_t size = pkram_scratch_param[kind];

	return size && ALIGN(size, PKRAM_SCRATCH_ALIGN) != PFN_PHYS(span->nr);
}

/**
 * pkram_scratch_init - set up this kernel's scratch regions
 * @handed: the regions handed over, PKRAM_NR_SCRATCH of them, each checked
 *	with pkram_scratch_valid() and clear of every preserved range (a size
 *	of 0 if none was handed over or it is not usable); NULL if none
 * @chained: this kernel was booted with pkram=
 *
 * Called by pkram_reserve() once the preserved ranges are reserved, and
 * before anything else is allocated from memblock.  A region not handed
 * over is set aside anew, if pkram_scratch= or pkram= asks for regions;
 * so is a region handed over whose size pkram_scratch= (or
 * pkram_scratch_low=) gives otherwise, if there is room.
 * pkram_scratch=0 turns both off, pkram_scratch_low=0 the low one.
 */
void __init pkram_scratch_init(const struct pkram_span *handed, bool chained)
{
	unsigned int kind;

	if (pkram_scratch_param[PKRAM_SCRATCH_MAIN] == PKRAM_SCRATCH_OFF)
		return;
	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++) {
		const struct pkram_span *span;

		if (pkram_scratch_param[kind] == PKRAM_SCRATCH_OFF)
			continue;
		span = handed && handed[kind].nr ? &handed[kind] : NULL;
		if (span && (!pkram_scratch_resized(kind, span) ||
			     !pkram_scratch_new(kind, handed, true))) {
			pkram_scratch_set(kind, PFN_PHYS(span->pfn),
					  PFN_PHYS(span->nr), "handed over");
			pkram_scratch_first(kind);
		} else if (!span &&
			   (chained || pkram_scratch_param[PKRAM_SCRATCH_MAIN])) {
			pkram_scratch_new(kind, handed, chained);
		}
	}
}

/*
 * Note what is free of the region of @kind, and hold it: see
 * pkram_reserve_scratch().
 */
static void __init pkram_reserve_region(unsigned int kind)
{
	struct pkram_scratch_part *parts = pkram_scratch_parts[kind];
	unsigned int i, *nr_parts = &pkram_scratch_nr_parts[kind];
	phys_addr_t base = PFN_PHYS(pkram_scratch[kind].pfn);
	phys_addr_t end = base + PFN_PHYS(pkram_scratch[kind].nr);
	phys_addr_t start, stop;
	u64 j;

	/* Set aside at this boot: nothing else is in it. */
	if (!pkram_scratch_late[kind])
		memblock_phys_free(base, end - base);
	if (!IS_ENABLED(CONFIG_CMA))
		return;
	/* The free parts first: reserving them changes the free ranges. */
	for_each_free_mem_range(j, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &stop,
				NULL) {
		/* The bytes between packed early allocations are no use. */
		start = PAGE_ALIGN(max(start, base));
		stop = PAGE_ALIGN_DOWN(min(stop, end));
		if (start >= stop)
			continue;
		if (*nr_parts == PKRAM_SCRATCH_PARTS)
			break;
		parts[*nr_parts].start = start;
		parts[(*nr_parts)++].end = stop;
	}
	for (i = 0; i < *nr_parts; i++)
		memblock_reserve(parts[i].start, parts[i].end - parts[i].start);
	pkram_scratch_given[kind].start = base;
	pkram_scratch_given[kind].end = end;
}

/**
 * pkram_reserve_scratch - hold what is free of the scratch regions
 *
 * Called by memblock_free_all(), right before memblock hands free memory
 * to the page allocator: the early allocations are done, the
 * architecture's last ones too (swiotlb's, in mem_init() on x86), so
 * memblock stops taking the regions first.  With CONFIG_CMA, what the
 * early allocations left of the regions (all of a region held whole since
 * boot) stays reserved a little longer, so that its struct pages are
 * initialized now, not by deferred struct page init, which would make its
 * pageblocks movable again: pkram_scratch_give_back() then gives it to the
 * page allocator for movable allocations only.  Without CONFIG_CMA it is
 * ordinary free memory.
 */
void __init pkram_reserve_scratch(void)
{
	unsigned int kind;

	memblock_set_scratch_only(false);
	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++)
		if (pkram_scratch[kind].nr)
			pkram_reserve_region(kind);
}

/* Give the region of @kind back: see pkram_scratch_give_back(). */
static void __init pkram_scratch_give_back_region(unsigned int kind)
{
	unsigned long pfn = PHYS_PFN(pkram_scratch_given[kind].start);
	unsigned long end = PHYS_PFN(pkram_scratch_given[kind].end);
	unsigned long freed = 0;
	unsigned int i;

	if (pfn == end)
		return;
#ifdef CONFIG_CMA
	/*
	 * Pages of the region early allocations freed since are in the buddy
	 * allocator already, on the lists of their pageblock's type: they go
	 * to the MIGRATE_CMA ones with their pageblock.
	 */
	drain_all_pages(NULL);
	for (pfn = ALIGN(pfn, pageblock_nr_pages);
	     pfn + pageblock_nr_pages <= end; pfn += pageblock_nr_pages)
		set_pageblock_migratetype_free(pfn_to_page(pfn), MIGRATE_CMA);
#endif
	for (i = 0; i < pkram_scratch_nr_parts[kind]; i++)
		freed += free_reserved_area(__va(pkram_scratch_parts[kind][i].start),
					    __va(pkram_scratch_parts[kind][i].end),
					    -1, NULL);
	pr_info("%s: %lu of its %lu MiB free, for movable allocations only\n",
		pkram_scratch_name[kind], freed >> (20 - PAGE_SHIFT),
		PHYS_PFN(pkram_scratch_given[kind].end -
			 pkram_scratch_given[kind].start) >> (20 - PAGE_SHIFT));
}

/*
 * Give the scratch regions to the page allocator for movable allocations
 * only, as KHO does with its scratch areas: their pageblocks become
 * MIGRATE_CMA, and what the early allocations left of them is freed there
 * (the early allocations go there too once freed).  A core initcall: every
 * struct page is initialized, deferred ones too.  Whatever became of the
 * regions meanwhile (pkram_scratch_release()), their memory is given back.
 */
static int __init pkram_scratch_give_back(void)
{
	unsigned int kind;

	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++)
		pkram_scratch_give_back_region(kind);
	return 0;
}
core_initcall(pkram_scratch_give_back);

/**
 * pkram_scratch_release - forget the regions of a handover
 *
 * Called by pkram_restore() when what was handed over turns out
 * inconsistent: as when pkram= is found invalid early, the kernel goes on
 * as if it had not been given one, with no scratch region inherited.  Their
 * memory is given back all the same (pkram_scratch_give_back()).
 */
void pkram_scratch_release(void)
{
	unsigned int kind;

	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++) {
		if (!pkram_scratch_late[kind])
			continue;
		pr_info("%s released\n", pkram_scratch_name[kind]);
		pkram_scratch_late[kind] = false;
		pkram_scratch[kind].pfn = 0;
		pkram_scratch[kind].nr = 0;
		pkram_exclude(kind, 0, 0);
	}
}

/*
 * The largest aligned gap between preserved pages below @limit, and clear
 * of @avoid (the scratch region, when looking for the low one).
 */
struct pkram_gap {
	unsigned long pfn;
	unsigned long nr;
	unsigned long limit;
	struct pkram_span avoid;
};

/* The largest aligned gap of [@start, @end) into @gap. */
static void pkram_gap_in(struct pkram_gap *gap, unsigned long start,
			 unsigned long end)
{
	unsigned long align = PHYS_PFN(PKRAM_SCRATCH_ALIGN);
	unsigned long pfn = start, run, lo, hi;

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
}

static int pkram_find_gap(unsigned long start, unsigned long nr, void *arg)
{
	struct pkram_gap *gap = arg;
	unsigned long end = min(start + nr, gap->limit);
	unsigned long a = gap->avoid.pfn, a_end = a + gap->avoid.nr;

	pkram_gap_in(gap, start, a_end > start ? min(end, a) : end);
	if (a_end > start)
		pkram_gap_in(gap, max(start, a_end), end);
	return 0;
}

/* The top @want pages of the largest gap of RAM below @limit, avoiding @avoid. */
static struct pkram_span pkram_scratch_gap(unsigned long limit,
					   const struct pkram_span *avoid,
					   unsigned long want)
{
	struct pkram_gap gap = { .limit = limit, .avoid = *avoid };

	walk_system_ram_range(0, limit, &gap, pkram_find_gap);
	if (gap.nr > want) {
		gap.pfn += gap.nr - want;
		gap.nr = want;
	}
	return (struct pkram_span){ .pfn = gap.pfn, .nr = gap.nr };
}

/**
 * pkram_scratch_for_next - the scratch regions to hand to the next kernel
 * @next: set to the regions, PKRAM_NR_SCRATCH of them (a size of 0 for
 *	none)
 *
 * Called at the kexec reboot, with the tracker final: this kernel's
 * regions, or, if it has none, the top of the largest aligned parts of RAM
 * clear of preserved pages, up to the default sizes (the low one below
 * 4 GiB and clear of the other, if there is memory above 4 GiB).
 */
void pkram_scratch_for_next(struct pkram_span *next)
{
	const struct pkram_span none = { };
	unsigned long low = PHYS_PFN(PKRAM_SCRATCH_LOW_LIMIT);

	if (pkram_scratch[PKRAM_SCRATCH_MAIN].nr) {
		memcpy(next, pkram_scratch, sizeof(pkram_scratch));
		return;
	}
	next[PKRAM_SCRATCH_MAIN] =
		pkram_scratch_gap(max_pfn, &none,
				  PHYS_PFN(pkram_scratch_default(PFN_PHYS(totalram_pages()))));
	next[PKRAM_SCRATCH_LOW] = none;
	if (pkram_scratch_low_needed(PFN_PHYS(max_pfn)))
		next[PKRAM_SCRATCH_LOW] =
			pkram_scratch_gap(low, &next[PKRAM_SCRATCH_MAIN],
					  PHYS_PFN(pkram_scratch_low_default()));
}
