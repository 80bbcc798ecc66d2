// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: handing preserved memory to the next kernel across kexec.
 *
 * Old kernel: every kernel has a super block page, whose pfn it shows in
 * /sys/kernel/pkram.  When kexec -e asks it to reboot into the next kernel,
 * and before the point of no return (pkram_kexec_handover(), which can
 * fail, and then the kexec does not happen), it links its saved nodes by
 * pfn, writes the sorted list of preserved ranges (from a snapshot of the
 * tracker) into pages of their own, and fills in the super block.
 *
 * New kernel, booted with pkram=<pfn>: right after the firmware memory map is
 * in memblock, and before anything is allocated from memblock, it validates
 * the super block and the range list and reserves the ranges in one pass
 * (memblock_reserve_sorted()).  Later, with the page allocator up and in a
 * thread of its own while the boot goes on, it walks the nodes, validates
 * every pfn and count (the entries of folio streams on every CPU), and puts
 * them back on the node list, where pkram_prepare_load() finds them;
 * whatever uses PKRAM meanwhile waits for it.  Anything wrong: one log line,
 * everything handed over is released, and the kernel boots normally.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/capability.h>
#include <linux/completion.h>
#include <linux/crash_dump.h>
#include <linux/crash_reserve.h>
#include <linux/crc32.h>
#include <linux/init.h>
#include <linux/io.h>
#include <linux/kexec.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/memblock.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/oom.h>
#include <linux/pkram.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/sysfs.h>
#include <linux/xarray.h>

#include "internal.h"
#include "pkram_internal.h"

/* This kernel's super block, filled in by pkram_kexec_handover(). */
static struct pkram_super_block *pkram_sb;

/* The super block handed to this kernel (pkram=), 0 if none or invalid. */
static unsigned long pkram_sb_pfn;
/* Its ranges are reserved: memory reserved for good from now on is noted. */
static bool pkram_ranges_reserved __initdata;

/* The one the kexec image gave (pkram_set_super_block()), if it did. */
static u64 pkram_image_pfn __initdata;
static bool pkram_image_given __initdata;

static int __init pkram_setup(char *arg)
{
	/* A bare "pkram" has no value: nothing to parse. */
	if (!arg)
		return -EINVAL;
	return kstrtoul(arg, 16, &pkram_sb_pfn);
}
early_param("pkram", pkram_setup);

/**
 * pkram_set_super_block - where the super block handed over is, from the
 * kexec image
 * @pfn: its page frame number
 *
 * Called by the architecture as it reads what the boot loader passed (on
 * x86, a SETUP_PKRAM entry of setup_data, which kexec_file_load() writes),
 * before pkram_reserve().  It takes the place of pkram= on the command
 * line: a command line reused from an earlier boot (kexec --reuse-cmdline)
 * may carry a stale one.  The super block is checked as one given with
 * pkram= is.
 */
void __init pkram_set_super_block(u64 pfn)
{
	pkram_image_pfn = pfn;
	pkram_image_given = true;
}

/**
 * pkram_sb_checksum - the checksum of a super block
 * @sb: the super block
 *
 * Return: crc32 of @sb with its checksum field taken as 0.
 */
u32 pkram_sb_checksum(struct pkram_super_block *sb)
{
	u32 saved = sb->checksum, crc;

	sb->checksum = 0;
	crc = crc32_le(~0, (void *)sb, sizeof(*sb));
	sb->checksum = saved;
	return crc;
}

/**
 * pkram_range_checksum - the checksum of a page of the range list
 * @rp: the page
 *
 * Return: crc32 of the ranges of @rp.
 */
u32 pkram_range_checksum(struct pkram_range_page *rp)
{
	return crc32_le(~0, (void *)rp->range,
			rp->nr_ranges * sizeof(struct pkram_range));
}

/* The checksum of the covers of @sb, of which there are at most the most. */
static u32 pkram_cover_checksum(struct pkram_super_block *sb)
{
	return crc32_le(~0, (void *)sb->cover,
			min_t(u32, sb->nr_covers, PKRAM_COVERS_MAX) *
			sizeof(struct pkram_range));
}

/* A place in the range list: range @i of page @rp, or past the end. */
struct pkram_range_pos {
	struct pkram_range_page *rp;	/* NULL past the end */
	unsigned int i;
};

static void pkram_range_pos_next(struct pkram_range_pos *pos)
{
	if (++pos->i < pos->rp->nr_ranges)
		return;
	pos->rp = pos->rp->next_pfn ? pfn_to_kaddr(pos->rp->next_pfn) : NULL;
	pos->i = 0;
	cond_resched();
}

/*
 * The next run of MAX_ORDER blocks that hold ranges, from @pos on:
 * [*@pfn, *@end).  A run goes on while the next range begins in one of its
 * blocks or in the block right after it.  False past the end.
 */
static bool pkram_next_block_run(struct pkram_range_pos *pos, u64 *pfn,
				 u64 *end)
{
	struct pkram_range *r;

	if (!pos->rp)
		return false;
	r = &pos->rp->range[pos->i];
	*pfn = ALIGN_DOWN(r->pfn, MAX_ORDER_NR_PAGES);
	*end = ALIGN(r->pfn + r->nr_pages, MAX_ORDER_NR_PAGES);
	for (pkram_range_pos_next(pos); pos->rp; pkram_range_pos_next(pos)) {
		r = &pos->rp->range[pos->i];
		if (ALIGN_DOWN(r->pfn, MAX_ORDER_NR_PAGES) > *end)
			break;
		*end = max_t(u64, *end,
			     ALIGN(r->pfn + r->nr_pages, MAX_ORDER_NR_PAGES));
	}
	return true;
}

/* --- old kernel: at kexec ------------------------------------------------ */

static unsigned long pkram_count_ranges(struct xarray *snap)
{
	unsigned long pfn = 0, n, nr = 0;

	while ((n = pkram_bitmaps_next(snap, &pfn, ULONG_MAX))) {
		nr++;
		pfn += n;
	}
	return nr;
}

static void pkram_free_range_pages(struct pkram_range_page *rp)
{
	struct pkram_range_page *next;

	for (; rp; rp = next) {
		next = rp->next_pfn ? pfn_to_kaddr(rp->next_pfn) : NULL;
		pkram_free_meta(rp);
	}
}

static int pkram_cmp_addr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int pkram_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Link the @nr pages of the list at *@first in ascending order of address,
 * as the next kernel requires (see pkram_list_in_ranges()).
 */
static int pkram_sort_range_pages(struct pkram_range_page **first,
				  unsigned long nr)
{
	struct pkram_range_page *rp = *first;
	unsigned long *addr, i;

	addr = kvmalloc_array(nr, sizeof(*addr), GFP_KERNEL);
	if (!addr)
		return -ENOMEM;
	for (i = 0; i < nr; i++, rp = pfn_to_kaddr(rp->next_pfn))
		addr[i] = (unsigned long)rp;
	sort(addr, nr, sizeof(*addr), pkram_cmp_addr, NULL);
	for (i = 0; i < nr; i++) {
		rp = (struct pkram_range_page *)addr[i];
		rp->next_pfn = i + 1 < nr ?
			page_to_pfn(virt_to_page((void *)addr[i + 1])) : 0;
	}
	*first = (struct pkram_range_page *)addr[0];
	kvfree(addr);
	return 0;
}

/*
 * Write the list of preserved ranges, from @snap, a snapshot of the tracker
 * (pkram_track_snapshot()): pages saved meanwhile are not in it, and belong
 * to nodes still being saved, which are not handed over.  The list's own
 * pages are preserved too, and change the ranges: allocate until there are
 * enough of them.
 */
static int pkram_write_ranges(struct pkram_super_block *sb, struct xarray *snap)
{
	struct pkram_range_page *first = NULL, *rp, *last = NULL;
	unsigned long have = 0, need, pfn = 0, n, nr = 0, pages = 0;
	int err;

	/* Each page adds at most one range: a few rounds, not one per page. */
	for (;;) {
		need = DIV_ROUND_UP(pkram_count_ranges(snap), PKRAM_RANGES_PER_PAGE);
		if (have >= need)
			break;
		while (have < need) {
			rp = pkram_alloc_meta(GFP_KERNEL);
			if (!rp) {
				err = -ENOMEM;
				goto fail;
			}
			rp->next_pfn = first ? page_to_pfn(virt_to_page(first)) : 0;
			first = rp;
			have++;
			err = pkram_bitmaps_set(snap, page_to_pfn(virt_to_page(rp)), 1);
			if (err)
				goto fail;
		}
	}
	err = pkram_sort_range_pages(&first, have);
	if (err)
		goto fail;

	rp = first;
	while (rp && (n = pkram_bitmaps_next(snap, &pfn, ULONG_MAX))) {
		if (rp->nr_ranges == PKRAM_RANGES_PER_PAGE) {
			rp->checksum = pkram_range_checksum(rp);
			/* The snapshot does not change: as counted. */
			if (WARN_ON_ONCE(!rp->next_pfn)) {
				err = -EINVAL;
				goto fail;
			}
			rp = pfn_to_kaddr(rp->next_pfn);
		}
		rp->range[rp->nr_ranges].pfn = pfn;
		rp->range[rp->nr_ranges].nr_pages = n;
		if (++rp->nr_ranges == PKRAM_RANGES_PER_PAGE)
			cond_resched();
		nr++;
		pages += n;
		if (pkram_pfn_excluded(pfn, n)) {
			pr_err("preserved pages at %#lx are in the scratch region or where the kexec image goes\n",
			       pfn);
			err = -EADDRNOTAVAIL;
			goto fail;
		}
		pfn += n;
		last = rp;
	}
	if (!last) {
		err = -EINVAL;
		goto fail;
	}
	last->checksum = pkram_range_checksum(last);
	/*
	 * Pages left over end the list: in the ranges, but in no node, the
	 * next kernel frees them.
	 */
	last->next_pfn = 0;

	sb->range_pfn = page_to_pfn(virt_to_page(first));
	for (have = 1, rp = first; rp != last; have++)
		rp = pfn_to_kaddr(rp->next_pfn);
	sb->nr_range_pages = have;
	sb->nr_ranges = nr;
	sb->nr_pages = pages;
	return 0;
fail:
	pkram_free_range_pages(first);
	return err;
}

/*
 * The gap between runs of blocks at or below which they are merged into one
 * cover, for @n runs to make at most PKRAM_COVERS_MAX covers: the smallest
 * gaps go first.  Sets *@limit, 0 if the runs fit as they are.
 */
static int pkram_cover_gap_limit(struct pkram_super_block *sb, u64 n,
				 u64 *limit)
{
	struct pkram_range_pos pos = { pfn_to_kaddr(sb->range_pfn), 0 };
	u64 pfn, end, prev = 0, *gap, i = 0;

	*limit = 0;
	if (n <= PKRAM_COVERS_MAX)
		return 0;
	gap = kvmalloc_array(n - 1, sizeof(*gap), GFP_KERNEL);
	if (!gap)
		return -ENOMEM;
	while (pkram_next_block_run(&pos, &pfn, &end)) {
		if (prev && i < n - 1)
			gap[i++] = pfn - prev;
		prev = end;
	}
	sort(gap, i, sizeof(*gap), pkram_cmp_u64, NULL);
	/* Merge all gaps up to the one that leaves PKRAM_COVERS_MAX - 1 */
	*limit = gap[n - PKRAM_COVERS_MAX];
	kvfree(gap);
	return 0;
}

/*
 * Write the covers of the ranges in @sb (see struct pkram_super_block): the
 * runs of MAX_ORDER blocks that hold them, those closest to each other
 * merged if there are more than the super block holds.
 */
static int pkram_write_covers(struct pkram_super_block *sb)
{
	struct pkram_range_pos pos = { pfn_to_kaddr(sb->range_pfn), 0 };
	struct pkram_range *c = NULL;
	u64 pfn, end, n = 0, limit;
	int err;

	while (pkram_next_block_run(&pos, &pfn, &end))
		n++;
	err = pkram_cover_gap_limit(sb, n, &limit);
	if (err)
		return err;
	pos = (struct pkram_range_pos){ pfn_to_kaddr(sb->range_pfn), 0 };
	sb->nr_covers = 0;
	while (pkram_next_block_run(&pos, &pfn, &end)) {
		if (c && pfn - (c->pfn + c->nr_pages) <= limit) {
			c->nr_pages = end - c->pfn;
			continue;
		}
		if (WARN_ON_ONCE(sb->nr_covers == PKRAM_COVERS_MAX))
			return -EINVAL;
		c = &sb->cover[sb->nr_covers++];
		c->pfn = pfn;
		c->nr_pages = end - pfn;
	}
	sb->cover_checksum = pkram_cover_checksum(sb);
	return 0;
}

/**
 * pkram_kexec_handover - tell the next kernel what is preserved
 *
 * Called by kernel_kexec() before the point of no return: from here on no
 * node can be saved, loaded or freed any more.  Links every node that
 * finished saving (one still being saved is left out, alone, with a
 * warning), writes the list of preserved ranges and fills in the super
 * block.  It can fail, and then says so to whoever asked for the kexec,
 * which does not happen: nothing was handed over, and everything stays as
 * it was.  What is left to the reboot cannot fail.
 *
 * Context: process context, under the kexec lock.
 * Return: 0; -ENOMEM, or -EADDRNOTAVAIL if preserved pages are where the
 * kexec image goes (a kexec_load() image placed after they were saved).
 */
int pkram_kexec_handover(void)
{
	struct pkram_span scratch[PKRAM_NR_SCRATCH];
	struct pkram_super_block *sb = pkram_sb;
	struct pkram_node *node;
	unsigned long nr_nodes;
	struct xarray snap;
	int err;

	if (!sb)
		return 0;
	/* Until it is complete, the next kernel is told nothing is preserved. */
	memset(sb, 0, sizeof(*sb));
	node = pkram_link_nodes(&nr_nodes);
	xa_init(&snap);
	err = pkram_track_snapshot(&snap) ?: pkram_write_ranges(sb, &snap);
	pkram_bitmaps_free(&snap);
	if (!err) {
		err = pkram_write_covers(sb);
		if (err)
			pkram_free_range_pages(pfn_to_kaddr(sb->range_pfn));
	}
	if (err) {
		memset(sb, 0, sizeof(*sb));
		pkram_unlink_nodes();
		pr_err("cannot hand over preserved memory (error %d): no kexec\n",
		       err);
		return err;
	}
	sb->node_pfn = node ? page_to_pfn(virt_to_page(node)) : 0;
	sb->nr_nodes = nr_nodes;
	pkram_scratch_for_next(scratch);
	sb->scratch_pfn = scratch[PKRAM_SCRATCH_MAIN].pfn;
	sb->nr_scratch_pages = scratch[PKRAM_SCRATCH_MAIN].nr;
	sb->low_scratch_pfn = scratch[PKRAM_SCRATCH_LOW].pfn;
	sb->nr_low_scratch_pages = scratch[PKRAM_SCRATCH_LOW].nr;
	sb->version = PKRAM_VERSION;
	sb->page_shift = PAGE_SHIFT;
	sb->magic = PKRAM_MAGIC;
	sb->checksum = pkram_sb_checksum(sb);
	pr_info("handing over %lu nodes, %llu pages in %llu ranges, super block at pfn %#lx, scratch region of %llu MiB, low scratch region of %llu MiB\n",
		nr_nodes, sb->nr_pages, sb->nr_ranges,
		page_to_pfn(virt_to_page(sb)),
		sb->nr_scratch_pages >> (20 - PAGE_SHIFT),
		sb->nr_low_scratch_pages >> (20 - PAGE_SHIFT));
	return 0;
}

/* --- new kernel: early reservation ----------------------------------------- */

/*
 * Is @r, the next span of a sorted list, at or above @end, at least a page
 * long, and below the top of the address space?
 */
static bool pkram_range_after(const struct pkram_range *r, u64 end)
{
	return r->nr_pages && r->pfn >= end && r->pfn + r->nr_pages > r->pfn;
}

/* Does @r hold @pfn? */
static bool pkram_range_holds(const struct pkram_range *r, u64 pfn)
{
	return r->pfn <= pfn && pfn - r->pfn < r->nr_pages;
}

/* Is [@pfn, @pfn + @nr) usable RAM that nothing has reserved yet? */
static bool __init pkram_early_usable(u64 pfn, u64 nr)
{
	phys_addr_t base = PFN_PHYS(pfn), size = PFN_PHYS(nr);

	if (!nr || pfn + nr < pfn || pfn + nr > PHYS_PFN(memblock_end_of_DRAM()))
		return false;
	return memblock_is_region_memory(base, size) &&
	       !memblock_is_region_reserved(base, size);
}

/* A cursor over the ranges handed over, for memblock_reserve_sorted(). */
struct pkram_range_cursor {
	u64 first_pfn;
	u64 page_pfn;
	struct pkram_range_page *page;
	unsigned int i;
};

static void __init pkram_cursor_unmap(struct pkram_range_cursor *c)
{
	if (c->page)
		early_memunmap(c->page, PAGE_SIZE);
	c->page = NULL;
}

static bool __init pkram_next_range(void *arg, bool restart, phys_addr_t *base,
				    phys_addr_t *size)
{
	struct pkram_range_cursor *c = arg;

	if (restart) {
		pkram_cursor_unmap(c);
		c->page_pfn = c->first_pfn;
		c->i = 0;
	}
	while (!c->page || c->i >= c->page->nr_ranges) {
		u64 next = c->page ? c->page->next_pfn : c->page_pfn;

		pkram_cursor_unmap(c);
		if (!next)
			return false;
		c->page = early_memremap(PFN_PHYS(next), PAGE_SIZE);
		if (!c->page)
			return false;
		c->i = 0;
	}
	*base = PFN_PHYS(c->page->range[c->i].pfn);
	*size = PFN_PHYS(c->page->range[c->i].nr_pages);
	c->i++;
	return true;
}

/*
 * The pages of the range list must come in ascending order, each inside a
 * range: memblock_reserve_sorted() writes its new array outside the ranges
 * while it still reads the list, and a list page outside them would be
 * taken by the first allocation.  @q is the next list page to find in the
 * ranges, which come in ascending order: with @r, move it past the list
 * pages @r holds.  Those are mapped before pkram_check_ranges() gets to
 * them, but they are in @r, which is checked to be usable RAM.
 */
static const char * __init pkram_list_in_ranges(u64 *q, struct pkram_range *r)
{
	struct pkram_range_page *rp;
	u64 next;

	while (*q && *q < r->pfn + r->nr_pages) {
		if (*q < r->pfn)
			return "a page of the range list is in no range";
		rp = early_memremap(PFN_PHYS(*q), PAGE_SIZE);
		if (!rp)
			return "cannot map the range list";
		next = rp->next_pfn;
		early_memunmap(rp, PAGE_SIZE);
		if (next && next <= *q)
			return "the pages of the range list are not in ascending order";
		*q = next;
	}
	return NULL;
}

/*
 * Memory that this kernel reserves, or hands to others, only after
 * pkram_reserve(): a range over it would be used twice.  @why is the error.
 */
struct pkram_later {
	u64 pfn, end;
	const char *why;
};

#define PKRAM_NR_LATER	3

#ifdef CONFIG_DMA_CMA
/*
 * cma=X@Y, the default CMA area at a fixed place: kernel/dma/contiguous.c
 * reserves it after pkram_reserve().  (cma=X@Y-Z only bounds where it is
 * placed, clear of what is reserved, preserved ranges included.)
 */
static phys_addr_t pkram_cma_base __initdata;
static phys_addr_t pkram_cma_size __initdata;

static int __init pkram_cma_param(char *p)
{
	phys_addr_t size;

	if (!p)
		return 0;
	size = memparse(p, &p);
	if (*p != '@')
		return 0;
	pkram_cma_base = memparse(p + 1, &p);
	pkram_cma_size = *p == '-' ? 0 : size;
	return 0;
}
early_param("cma", pkram_cma_param);
#endif

static void __init pkram_later_add(struct pkram_later *later, unsigned int *n,
				   phys_addr_t base, phys_addr_t size,
				   const char *why)
{
	if (!size || *n >= PKRAM_NR_LATER)
		return;
	later[*n].pfn = PHYS_PFN(base);
	later[*n].end = PHYS_PFN(base + size - 1) + 1;
	later[*n].why = why;
	(*n)++;
}

/* Fill @later: the regions with a fixed place.  Returns how many. */
static unsigned int __init pkram_find_later(struct pkram_later *later)
{
	unsigned int n = 0;

	/* x86 reserves all of it, for the real-mode trampoline and the BIOS. */
	if (IS_ENABLED(CONFIG_X86))
		pkram_later_add(later, &n, 0, SZ_1M,
				"a range is in the first MiB, reserved later");
#ifdef CONFIG_CRASH_RESERVE
	{
		unsigned long long size = 0, base = 0;

		/* crashkernel=X@Y; without @Y it goes where memory is free. */
		if (!parse_crashkernel(boot_command_line,
				       memblock_phys_mem_size(), &size, &base,
				       NULL, NULL) && base)
			pkram_later_add(later, &n, base, size,
					"a range is in the crashkernel= region");
	}
#endif
#ifdef CONFIG_DMA_CMA
	pkram_later_add(later, &n, pkram_cma_base, pkram_cma_size,
			"a range is in the cma= region");
#endif
	return n;
}

static const char * __init pkram_range_later(struct pkram_later *later,
					     unsigned int n, struct pkram_range *r)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r->pfn < later[i].end && later[i].pfn < r->pfn + r->nr_pages)
			return later[i].why;
	return NULL;
}

/* The scratch regions of a super block, in pkram_scratch_init()'s order. */
static void __init pkram_sb_scratch(const struct pkram_super_block *sb,
				    struct pkram_span *scratch)
{
	scratch[PKRAM_SCRATCH_MAIN].pfn = sb->scratch_pfn;
	scratch[PKRAM_SCRATCH_MAIN].nr = sb->nr_scratch_pages;
	scratch[PKRAM_SCRATCH_LOW].pfn = sb->low_scratch_pfn;
	scratch[PKRAM_SCRATCH_LOW].nr = sb->nr_low_scratch_pages;
}

static bool __init pkram_spans_overlap(const struct pkram_span *a, u64 pfn,
				       u64 nr)
{
	return a->nr && pfn < a->pfn + a->nr && a->pfn < pfn + nr;
}

/* Check the scratch regions of a super block: usable, and disjoint. */
static const char * __init pkram_check_scratch(const struct pkram_span *scratch)
{
	const struct pkram_span *low = &scratch[PKRAM_SCRATCH_LOW];
	unsigned int kind;

	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++)
		if (scratch[kind].nr &&
		    !pkram_scratch_valid(&scratch[kind], kind))
			return kind == PKRAM_SCRATCH_LOW ?
			       "the low scratch region is not aligned RAM below 4 GiB" :
			       "the scratch region is not aligned RAM";
	if (pkram_spans_overlap(&scratch[PKRAM_SCRATCH_MAIN], low->pfn, low->nr))
		return "the scratch regions overlap";
	return NULL;
}

/*
 * Check the list of ranges early, where the ranges are reserved themselves
 * (see pkram_reserve()): every page, every range, every count.
 */
static const char * __init pkram_check_ranges(struct pkram_super_block *sb)
{
	u64 pfn = sb->range_pfn, pages = 0, ranges = 0, end = 0, n = 0;
	struct pkram_span scratch[PKRAM_NR_SCRATCH];
	struct pkram_later later[PKRAM_NR_LATER];
	unsigned int i, nr_later = pkram_find_later(later);
	u64 q = sb->range_pfn;
	struct pkram_range_page *rp;
	const char *why;
	bool sb_in = false;

	pkram_sb_scratch(sb, scratch);
	for (; pfn; n++) {
		if (n >= sb->nr_range_pages)
			return "the range list does not end";
		if (!pkram_early_usable(pfn, 1))
			return "a page of the range list is not usable RAM";
		rp = early_memremap(PFN_PHYS(pfn), PAGE_SIZE);
		if (!rp)
			return "cannot map the range list";
		if (!rp->nr_ranges || rp->nr_ranges > PKRAM_RANGES_PER_PAGE ||
		    rp->checksum != pkram_range_checksum(rp)) {
			early_memunmap(rp, PAGE_SIZE);
			return "bad checksum or count in the range list";
		}
		for (i = 0; i < rp->nr_ranges; i++) {
			struct pkram_range *r = &rp->range[i];

			if (!pkram_range_after(r, end) ||
			    !pkram_early_usable(r->pfn, r->nr_pages)) {
				early_memunmap(rp, PAGE_SIZE);
				return "a range is unsorted, overlaps or is not usable RAM";
			}
			if (pkram_spans_overlap(&scratch[PKRAM_SCRATCH_MAIN],
						r->pfn, r->nr_pages) ||
			    pkram_spans_overlap(&scratch[PKRAM_SCRATCH_LOW],
						r->pfn, r->nr_pages)) {
				early_memunmap(rp, PAGE_SIZE);
				return "a range is in the scratch region";
			}
			why = pkram_range_later(later, nr_later, r) ?:
			      pkram_list_in_ranges(&q, r);
			if (why) {
				early_memunmap(rp, PAGE_SIZE);
				return why;
			}
			if (pkram_range_holds(r, pkram_sb_pfn))
				sb_in = true;
			end = r->pfn + r->nr_pages;
			pages += r->nr_pages;
			ranges++;
		}
		pfn = rp->next_pfn;
		early_memunmap(rp, PAGE_SIZE);
	}
	if (n != sb->nr_range_pages || ranges != sb->nr_ranges ||
	    pages != sb->nr_pages)
		return "the range list does not match the counts of the super block";
	if (q)
		return "a page of the range list is in no range";
	if (!sb_in)
		return "the super block is not in a preserved range";
	return pkram_check_scratch(scratch);
}

/*
 * Memory that this kernel keeps for good once pkram_reserve() has run, at a
 * place of its own: the EFI tables that efi_mem_reserve() keeps (the ESRT,
 * the MOK variables), whose extent is known only once they are parsed, and
 * whatever memblock_reserve() reserves inside a cover.
 * The previous kernel could not have preserved any of it (it kept it too):
 * a range over it is a wrong handover, and those pages are not PKRAM's to
 * free or hand out.  Noted here, checked by pkram_restore(), which has the
 * ranges at hand.  Beyond PKRAM_NR_LATE, the last one grows to cover them.
 */
#define PKRAM_NR_LATE	32

static struct pkram_later pkram_late[PKRAM_NR_LATE];
static unsigned int pkram_nr_late;

static void __init pkram_note_late(phys_addr_t base, phys_addr_t size,
				   const char *why)
{
	struct pkram_later *l = &pkram_late[pkram_nr_late];
	u64 pfn = PHYS_PFN(base), end = PHYS_PFN(base + size - 1) + 1;

	if (!pkram_ranges_reserved || !size)
		return;
	if (pkram_nr_late < PKRAM_NR_LATE) {
		pkram_nr_late++;
		*l = (struct pkram_later){ pfn, end, why };
		return;
	}
	l--;
	l->pfn = min(l->pfn, pfn);
	l->end = max(l->end, end);
}

/**
 * pkram_late_reserved - memory reserved for good after pkram_reserve()
 * @base: physical address
 * @size: bytes
 *
 * Called by efi_mem_reserve() before the page allocator is up: if memory
 * was handed over in [@base, @base + @size), pkram_restore() gives back
 * nothing of it and drops the whole handover, with one log line.
 */
void __init pkram_late_reserved(phys_addr_t base, phys_addr_t size)
{
	pkram_note_late(base, size, "a range is in an EFI table kept for good");
}

/*
 * memblock_reserve() of memory that overlaps a cover, after pkram_reserve():
 * kept for good, as an EFI table is (the cover's owner is told of it by
 * memblock, see memblock_set_late_ops()).
 */
static void __init pkram_cover_reserved(phys_addr_t base, phys_addr_t size)
{
	pkram_note_late(base, size, "a range is in memory reserved after the handover");
}

/* Is @pfn memory this kernel keeps for good (pkram_late_reserved())? */
static bool pkram_in_late(u64 pfn)
{
	unsigned int i;

	for (i = 0; i < pkram_nr_late; i++)
		if (pkram_late[i].pfn <= pfn && pfn < pkram_late[i].end)
			return true;
	return false;
}

/* --- new kernel: covers ----------------------------------------------------- */

/*
 * The previous kernel hands over covers (struct pkram_super_block): spans
 * of memory, runs of MAX_ORDER blocks, that hold every preserved range.
 * pkram_reserve() reserves the covers, not the ranges, as
 * MEMBLOCK_RSRV_LATE_INIT regions, less what is not free memory (holes,
 * what is reserved already) and less the regions that must stay clear of
 * preserved memory (the scratch regions, and those reserved later at a
 * fixed place): however scattered the ranges, memblock holds a few regions,
 * and nothing on the boot CPU's path grows with the ranges.  Once the
 * struct pages of the covers are initialized (as reserved pages, on every
 * CPU, by the deferred struct page init threads), page_alloc_init_late()
 * hands them back to PKRAM (pkram_take_piece()).  The late pass, in the
 * restore thread while the system comes up, checks the range list, then
 * frees what lies between the ranges, both on every CPU: nothing on the way
 * to /init grows with what was preserved.  Until it is over, the OOM killer
 * waits for it (pkram_late_oom()).
 */
#define PKRAM_NR_CLEAR	(PKRAM_NR_LATER + PKRAM_NR_SCRATCH)

/* Regions that nothing preserved may be in: sorted by pfn */
struct pkram_clear {
	struct pkram_later span[PKRAM_NR_CLEAR];
	unsigned int nr;
};

static void __init pkram_clear_add(struct pkram_clear *clear, u64 pfn,
				   u64 end, const char *why)
{
	unsigned int i = clear->nr++;

	for (; i && clear->span[i - 1].pfn > pfn; i--)
		clear->span[i] = clear->span[i - 1];
	clear->span[i] = (struct pkram_later){ pfn, end, why };
}

/* The regions of @sb's kernel that nothing preserved may be in */
static const struct pkram_clear * __init
pkram_clear_init(struct pkram_clear *clear, const struct pkram_super_block *sb)
{
	struct pkram_span scratch[PKRAM_NR_SCRATCH];
	struct pkram_later later[PKRAM_NR_LATER];
	unsigned int i, n = pkram_find_later(later);

	clear->nr = 0;
	for (i = 0; i < n; i++)
		pkram_clear_add(clear, later[i].pfn, later[i].end,
				later[i].why);
	pkram_sb_scratch(sb, scratch);
	for (i = 0; i < PKRAM_NR_SCRATCH; i++)
		if (scratch[i].nr)
			pkram_clear_add(clear, scratch[i].pfn,
					scratch[i].pfn + scratch[i].nr,
					"a range is in the scratch region");
	return clear;
}

/* Why [@pfn, @pfn + @nr) may not be preserved, or NULL */
static const char *pkram_clear_why(const struct pkram_clear *clear, u64 pfn,
				   u64 nr)
{
	unsigned int i;

	for (i = 0; i < clear->nr; i++)
		if (pfn < clear->span[i].end && clear->span[i].pfn < pfn + nr)
			return clear->span[i].why;
	return NULL;
}

/*
 * Check the covers of @sb: counted, checksummed, sorted and disjoint, the
 * super block in one of them and clear of the regions where nothing may be
 * preserved.  The range list is checked late (pkram_check_late()).
 */
static const char * __init pkram_check_covers(struct pkram_super_block *sb,
					      const struct pkram_clear *clear)
{
	struct pkram_span scratch[PKRAM_NR_SCRATCH];
	u64 end = 0, pages = 0;
	bool sb_in = false;
	unsigned int i;
	const char *why;

	if (!sb->nr_covers || sb->nr_covers > PKRAM_COVERS_MAX ||
	    sb->cover_checksum != pkram_cover_checksum(sb))
		return "bad checksum or count of the covers";
	for (i = 0; i < sb->nr_covers; i++) {
		struct pkram_range *c = &sb->cover[i];

		if (!pkram_range_after(c, end))
			return "the covers are unsorted or overlap";
		/* Its last block may go past the end: not its first page */
		if (c->pfn >= PHYS_PFN(memblock_end_of_DRAM()))
			return "a cover is beyond the end of memory";
		if (pkram_range_holds(c, pkram_sb_pfn))
			sb_in = true;
		end = c->pfn + c->nr_pages;
		pages += c->nr_pages;
	}
	if (!sb_in)
		return "the super block is not in a preserved range";
	why = pkram_clear_why(clear, pkram_sb_pfn, 1);
	if (why)
		return why;
	/*
	 * Each page of the list holds a range at least, each range takes a
	 * page at least, and no more pages than memory has can be preserved.
	 */
	if (sb->nr_range_pages > sb->nr_ranges || sb->nr_ranges > sb->nr_pages ||
	    sb->nr_pages > pages ||
	    sb->nr_pages > PHYS_PFN(memblock_end_of_DRAM()))
		return "the range list does not match the counts of the super block";
	pkram_sb_scratch(sb, scratch);
	return pkram_check_scratch(scratch);
}

/* A walk along the covers of a super block, for memblock_reserve_sorted() */
struct pkram_cover_cursor {
	struct pkram_super_block *sb;
	const struct pkram_clear *clear;
	unsigned int next;		/* the next cover of @sb */
	u64 pfn, end;			/* what is left of the current one */
	u64 nr_pages;			/* pages of the pieces given so far */
	u64 nr_pieces;
};

/*
 * The first piece of free memory in what is left of the current cover,
 * clear of @c->clear: [*@pfn, *@end).  False if there is none.  All of
 * memory counts (hotpluggable, nomap), as for pkram_early_usable().
 */
static bool __init pkram_cover_piece(struct pkram_cover_cursor *c, u64 *pfn,
				     u64 *end)
{
	const int flags = MEMBLOCK_HOTPLUG | MEMBLOCK_NOMAP |
			  MEMBLOCK_DRIVER_MANAGED;
	u64 idx = __memblock_free_range_from(PFN_PHYS(c->pfn)), s, e;
	const struct pkram_later *span;
	phys_addr_t start, stop;
	unsigned int i;

	for (__next_mem_range(&idx, NUMA_NO_NODE, flags, &memblock.memory,
			      &memblock.reserved, &start, &stop, NULL);
	     idx != (u64)ULLONG_MAX && PFN_UP(start) < c->end;
	     __next_mem_range(&idx, NUMA_NO_NODE, flags, &memblock.memory,
			      &memblock.reserved, &start, &stop, NULL)) {
		s = max_t(u64, c->pfn, PFN_UP(start));
		e = min_t(u64, c->end, PFN_DOWN(stop));
		for (i = 0; i < c->clear->nr && s < e; i++) {
			span = &c->clear->span[i];
			if (span->end <= s)
				continue;
			if (span->pfn > s) {
				e = min(e, span->pfn);
				break;
			}
			s = span->end;
		}
		if (s < e) {
			*pfn = s;
			*end = e;
			return true;
		}
	}
	return false;
}

/* Gives the pieces of the covers to memblock_reserve_sorted(). */
static bool __init pkram_next_cover(void *arg, bool restart, phys_addr_t *base,
				    phys_addr_t *size)
{
	struct pkram_cover_cursor *c = arg;
	u64 pfn, end;

	if (restart) {
		c->next = 0;
		c->pfn = 0;
		c->end = 0;
		c->nr_pages = 0;
		c->nr_pieces = 0;
	}
	for (;;) {
		if (c->pfn >= c->end) {
			if (c->next >= c->sb->nr_covers)
				return false;
			c->pfn = c->sb->cover[c->next].pfn;
			c->end = c->pfn + c->sb->cover[c->next].nr_pages;
			c->next++;
		}
		if (pkram_cover_piece(c, &pfn, &end))
			break;
		c->pfn = c->end;
	}
	c->pfn = end;
	c->nr_pages += end - pfn;
	c->nr_pieces++;
	*base = PFN_PHYS(pfn);
	*size = PFN_PHYS(end - pfn);
	return true;
}

/* The pfns of the pages of the range list, in order, once checked */
static u64 *pkram_list;
/* Are the covers reserved?  Pages of them pkram_late_pass() is to free */
static bool pkram_covers;
static unsigned long pkram_cover_nr_free;
static atomic_long_t pkram_cover_freed;
/*
 * The range list is bad (pkram_check_late()): nothing is preserved, and all
 * of the late regions are freed; or there is no memory to check it: nothing
 * is preserved, and all of them stay reserved (@pkram_kept).
 */
static bool pkram_bad, pkram_kept;

/*
 * The late regions (the covers, or the ranges themselves if they are
 * reserved one by one), as memblock hands them over (pkram_take_piece()):
 * sorted, disjoint pieces, each on one node and in one memory section at
 * most.  The late pass checks the range list against them and frees what
 * no range holds of them, once memblock is gone.
 */
struct pkram_piece {
	u64 pfn, end;
};

static struct pkram_piece *pkram_pieces;
static unsigned long pkram_nr_pieces, pkram_max_pieces;
static atomic_long_t pkram_next_piece;
/* The regions where nothing may be preserved, for pkram_check_late() */
static struct pkram_clear pkram_late_clear;
/* The late pass is over: each page of the late regions is free or kept */
static DECLARE_COMPLETION(pkram_late_done);
static bool pkram_oom_on;
/* The thread of the late pass, while it runs */
static struct task_struct *pkram_late_task;

/*
 * Find the first range that ends above @pfn, by binary search of @list, the
 * @nr pages of the range list.
 */
static void pkram_range_seek(u64 *list, u64 nr, u64 pfn,
			     struct pkram_range_pos *pos)
{
	u64 lo = 0, hi = nr, mid;
	unsigned int l, h, m;

	/* the last page whose first range begins at or below @pfn */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		pos->rp = pfn_to_kaddr(list[mid]);
		if (pos->rp->range[0].pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	pos->rp = pfn_to_kaddr(list[lo ? lo - 1 : 0]);
	for (l = 0, h = pos->rp->nr_ranges; l < h; ) {
		m = l + (h - l) / 2;
		if (pos->rp->range[m].pfn + pos->rp->range[m].nr_pages <= pfn)
			l = m + 1;
		else
			h = m;
	}
	pos->i = l;
	if (l == pos->rp->nr_ranges) {
		pos->i--;
		pkram_range_pos_next(pos);
	}
}

/*
 * Free [@pfn, @end) but the memory this kernel keeps for good
 * (pkram_note_late()).  Returns how many pages it freed.
 */
static unsigned long pkram_free_gap(u64 pfn, u64 end)
{
	unsigned long freed = 0;
	u64 next, after, s;
	unsigned int i;

	while (pfn < end) {
		/* the first kept region in [@pfn, @end), if any */
		next = end;
		after = end;
		for (i = 0; i < pkram_nr_late; i++) {
			if (pkram_late[i].end <= pfn || pkram_late[i].pfn >= end)
				continue;
			s = max(pkram_late[i].pfn, pfn);
			if (s < next || (s == next && pkram_late[i].end > after)) {
				next = s;
				after = min(pkram_late[i].end, end);
			}
		}
		freed += memblock_free_pages_range(pfn, next);
		pfn = after;
	}
	return freed;
}

/*
 * Free the pages of [@spfn, @epfn), a piece of a late region, that no range
 * holds (all of them if the range list is bad).
 */
static void pkram_free_piece(u64 spfn, u64 epfn)
{
	struct pkram_super_block *sb;
	struct pkram_range_pos pos = { };
	unsigned long freed = 0;
	u64 pfn = spfn, next, end;

	/* If the list is bad, the super block may be freed already */
	if (!pkram_bad) {
		sb = pfn_to_kaddr(pkram_sb_pfn);
		pkram_range_seek(pkram_list, sb->nr_range_pages, spfn, &pos);
	}
	while (pfn < epfn) {
		struct pkram_range *r = pos.rp ? &pos.rp->range[pos.i] : NULL;

		next = r ? clamp_t(u64, r->pfn, pfn, epfn) : epfn;
		freed += pkram_free_gap(pfn, next);
		if (!r)
			break;
		end = r->pfn + r->nr_pages;
		pfn = max(pfn, end);
		pkram_range_pos_next(&pos);
	}
	atomic_long_add(freed, &pkram_cover_freed);
}

/* Free the next piece of the late regions; false if none is left. */
static bool pkram_free_next_piece(void)
{
	unsigned long i = atomic_long_fetch_inc(&pkram_next_piece);

	if (i >= pkram_nr_pieces)
		return false;
	pkram_free_piece(pkram_pieces[i].pfn, pkram_pieces[i].end);
	cond_resched();
	return true;
}

/* The free of the late pass, on each CPU */
static int pkram_free_pieces(void *unused)
{
	while (pkram_free_next_piece())
		;
	return 0;
}

/*
 * Until the late pass is over, the free pages of the covers are not in the
 * page allocator: rather than kill, the OOM killer waits for them, a second
 * at most each time (an allocation of the pass itself must not wait for the
 * pass), and hears how many came since it last asked.
 */
static int pkram_late_oom(struct notifier_block *nb, unsigned long unused,
			  void *parm)
{
	static long told;	/* oom_lock serializes the OOM notifiers */
	long freed;

	/* The pass allocates little, all of it may fail: it never waits */
	if (current != READ_ONCE(pkram_late_task))
		wait_for_completion_timeout(&pkram_late_done, HZ);
	freed = atomic_long_read(&pkram_cover_freed);
	*(unsigned long *)parm += freed - told;
	told = freed;
	return NOTIFY_OK;
}

static struct notifier_block pkram_late_oom_nb = {
	.notifier_call = pkram_late_oom,
};

/*
 * memblock_late_ops.take: note [@spfn, @epfn), a piece of a late region,
 * cut at section boundaries, so that each CPU of the late pass takes a
 * share of a large one.
 */
static void __init pkram_take_piece(unsigned long spfn, unsigned long epfn)
{
	unsigned long end;

	for (; pkram_pieces && spfn < epfn; spfn = end) {
		end = min(epfn, ALIGN(spfn + 1, PAGES_PER_SECTION));
		/* pkram_late_prepare() made room for all of them */
		if (WARN_ON_ONCE(pkram_nr_pieces >= pkram_max_pieces))
			return;
		pkram_pieces[pkram_nr_pieces].pfn = spfn;
		pkram_pieces[pkram_nr_pieces].end = end;
		pkram_nr_pieces++;
	}
}

/* --- new kernel: the late check of the range list ---------------------------- */

/* The check of the range list on every CPU: see pkram_check_late() */
struct pkram_late_check {
	struct pkram_super_block *sb;
	u64 *list;
	u64 nr;				/* pages of @list */
	atomic_long_t next;		/* the next page of @list to check */
	atomic_long_t ranges, pages;	/* counted so far */
	const char *why;		/* the first error found, or NULL */
	bool sb_in;			/* a range holds the super block */
};

#define PKRAM_RANGE_PAGES_AT_ONCE	16

/* Allocated before the late pass, as the system comes up: pkram_late_prepare() */
static struct pkram_late_check *pkram_late_check;

/*
 * Is [@pfn, @pfn + @nr) inside the late regions, one or more pieces of them
 * that touch (pkram_take_piece())?
 */
static bool pkram_in_pieces(u64 pfn, u64 nr)
{
	unsigned long lo = 0, hi = pkram_nr_pieces, mid;
	u64 end = pfn + nr;

	if (!nr || end < pfn)
		return false;
	/* the first piece that ends above @pfn */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (pkram_pieces[mid].end <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < pkram_nr_pieces && pkram_pieces[lo].pfn <= pfn; lo++) {
		pfn = pkram_pieces[lo].end;
		if (pfn >= end)
			return true;
	}
	return false;
}

static void pkram_late_error(struct pkram_late_check *lc, const char *why)
{
	const char *none = NULL;

	try_cmpxchg(&lc->why, &none, why);
}

/* The end of the last range of list page @k - 1, 0 if none */
static u64 pkram_range_page_prev_end(struct pkram_late_check *lc, u64 k)
{
	struct pkram_range_page *rp;
	struct pkram_range *r;

	if (!k)
		return 0;
	rp = pfn_to_kaddr(lc->list[k - 1]);
	if (!rp->nr_ranges || rp->nr_ranges > PKRAM_RANGES_PER_PAGE)
		return 0;	/* bad, and found so by its own check */
	r = &rp->range[rp->nr_ranges - 1];
	return r->pfn + r->nr_pages;
}

/*
 * Check page @k of the range list: its count and checksum, and each range:
 * in order, clear of the regions where nothing may be preserved, inside the
 * late regions.  Returns why it is wrong, or NULL.
 */
static const char *pkram_check_range_page(struct pkram_late_check *lc, u64 k)
{
	struct pkram_range_page *rp = pfn_to_kaddr(lc->list[k]);
	u64 end = pkram_range_page_prev_end(lc, k), pages = 0;
	const char *why;
	unsigned int i;

	if (!rp->nr_ranges || rp->nr_ranges > PKRAM_RANGES_PER_PAGE ||
	    rp->checksum != pkram_range_checksum(rp))
		return "bad checksum or count in the range list";
	for (i = 0; i < rp->nr_ranges; i++) {
		struct pkram_range *r = &rp->range[i];

		if (!pkram_range_after(r, end))
			return "a range is unsorted, overlaps or is not usable RAM";
		why = pkram_clear_why(&pkram_late_clear, r->pfn, r->nr_pages);
		if (why)
			return why;
		if (!pkram_in_pieces(r->pfn, r->nr_pages))
			return "a range is unsorted, overlaps or is not usable RAM";
		if (pkram_range_holds(r, pkram_sb_pfn))
			WRITE_ONCE(lc->sb_in, true);
		end = r->pfn + r->nr_pages;
		pages += r->nr_pages;
	}
	atomic_long_add(rp->nr_ranges, &lc->ranges);
	atomic_long_add(pages, &lc->pages);
	return NULL;
}

static int pkram_check_range_pages(void *arg)
{
	struct pkram_late_check *lc = arg;
	const char *why;
	u64 k, end;

	while (!READ_ONCE(lc->why)) {
		k = atomic_long_fetch_add(PKRAM_RANGE_PAGES_AT_ONCE, &lc->next);
		if (k >= lc->nr)
			break;
		end = min(k + PKRAM_RANGE_PAGES_AT_ONCE, lc->nr);
		for (; k < end; k++) {
			why = pkram_check_range_page(lc, k);
			if (why) {
				pkram_late_error(lc, why);
				break;
			}
		}
		cond_resched();
	}
	return 0;
}

/*
 * Look up the pages of the range list into @lc->list: each inside the late
 * regions, and not in memory kept for good, before it is read; as many as
 * the super block says.
 */
static const char *pkram_list_range_pages(struct pkram_late_check *lc)
{
	u64 n, pfn = lc->sb->range_pfn;

	for (n = 0; pfn; n++) {
		if (n >= lc->sb->nr_range_pages)
			return "the range list does not end";
		if (!pkram_in_pieces(pfn, 1) || pkram_in_late(pfn))
			return "a page of the range list is in no range";
		lc->list[n] = pfn;
		pfn = ((struct pkram_range_page *)pfn_to_kaddr(pfn))->next_pfn;
		cond_resched();
	}
	lc->nr = n;
	return NULL;
}

/* Is each page of the list (its ranges checked) in a range? */
static bool pkram_list_pages_in_ranges(struct pkram_late_check *lc)
{
	struct pkram_range_pos pos;
	struct pkram_range *r;
	u64 k;

	for (k = 0; k < lc->nr; k++) {
		pkram_range_seek(lc->list, lc->nr, lc->list[k], &pos);
		r = pos.rp ? &pos.rp->range[pos.i] : NULL;
		if (!r || r->pfn > lc->list[k])
			return false;
	}
	return true;
}

/* No memory for the late pass: all of what was handed over stays reserved */
static void pkram_late_nomem(void)
{
	/* Nothing is lost: a later kernel can be handed it again. */
	pr_err("no memory to take back what was handed over: %llu preserved pages stay reserved, nothing preserved\n",
	       ((struct pkram_super_block *)pfn_to_kaddr(pkram_sb_pfn))->nr_pages);
	pkram_kept = true;
}

/*
 * Check the range list, in the late pass, before anything of the late
 * regions is freed, in order: its pages, each inside the late regions (so
 * not written by this kernel yet) and not in memory kept for good, as many
 * as the super block says; then on every CPU, each page's count and
 * checksum, and each range, sorted and disjoint over the whole list, clear
 * of the regions where nothing may be preserved, inside the late regions
 * (so free memory at pkram_reserve()); each page of the list and the super
 * block inside a range; the counts of the super block.  If any of that
 * fails, the super block is consumed, nothing is preserved and the late
 * pass frees all of the late regions, with one log line.
 */
static void pkram_check_late(void)
{
	struct pkram_late_check *lc = pkram_late_check;
	u64 start = sched_clock();
	const char *why;

	pkram_late_check = NULL;
	why = pkram_list_range_pages(lc);
	if (!why) {
		pkram_run_parallel(pkram_check_range_pages, lc);
		why = lc->why;
	}
	if (!why && (lc->nr != lc->sb->nr_range_pages ||
		     atomic_long_read(&lc->ranges) != lc->sb->nr_ranges ||
		     atomic_long_read(&lc->pages) != lc->sb->nr_pages))
		why = "the range list does not match the counts of the super block";
	if (!why && !pkram_list_pages_in_ranges(lc))
		why = "a page of the range list is in no range";
	if (!why && !lc->sb_in)
		why = "the super block is not in a preserved range";
	if (!why) {
		pkram_list = lc->list;
		pr_info("checked %llu preserved pages in %llu ranges in %llu us\n",
			lc->sb->nr_pages, lc->sb->nr_ranges,
			(sched_clock() - start) / NSEC_PER_USEC);
		kvfree(lc);
		return;
	}
	kvfree(lc->list);
	kvfree(lc);
	pr_err("%s at pfn %#lx: nothing preserved\n", why, pkram_sb_pfn);
	if (!pkram_in_late(pkram_sb_pfn))
		((struct pkram_super_block *)pfn_to_kaddr(pkram_sb_pfn))->magic = 0;
	pkram_bad = true;
}

/*
 * The late pass, first thing in the restore thread, while the system comes
 * up (nothing of it is on the way to /init): check the range list, then free
 * on every CPU what no range holds of the late regions, all of them if the
 * list is bad.  Then the zones' watermarks count those pages.
 */
static void pkram_late_pass(void)
{
	u64 start = sched_clock();
	long freed;

	WRITE_ONCE(pkram_late_task, current);
	if (!pkram_kept)
		pkram_check_late();
	if (!pkram_kept && (pkram_covers || pkram_bad)) {
		/* Alone while the boot runs (pkram_restore_yields()) */
		while (pkram_restore_yields() && pkram_free_next_piece())
			;
		pkram_run_parallel(pkram_free_pieces, NULL);
	}
	freed = atomic_long_read(&pkram_cover_freed);
	/* memblock_free_all() counted what the late pass was to free */
	totalram_pages_add(freed - (long)pkram_cover_nr_free);
	kvfree(pkram_pieces);
	pkram_pieces = NULL;
	pkram_nr_pieces = 0;
	WRITE_ONCE(pkram_late_task, NULL);
	complete_all(&pkram_late_done);
	if (pkram_oom_on)
		unregister_oom_notifier(&pkram_late_oom_nb);
	if (freed) {
		/* As after memory hotplug, which it serializes with */
		mem_hotplug_begin();
		init_per_zone_wmark_min();
		mem_hotplug_done();
		pr_info("freed %ld pages of the memory handed over in %llu us\n",
			freed, (sched_clock() - start) / NSEC_PER_USEC);
	}
}

/*
 * memblock_late_ops.prepare: what the late pass needs, which runs once
 * memblock is gone, and must not wait for memory while the boot runs on
 * what is outside the late regions: room for their pieces
 * (pkram_take_piece()) and for the pfns of the range list, and the regions
 * where nothing may be preserved.  With no memory for them, nothing is
 * preserved, and all of it stays reserved.
 */
static void __init pkram_late_prepare(void)
{
	struct pkram_super_block *sb = pfn_to_kaddr(pkram_sb_pfn);
	unsigned long n = memblock.memory.cnt +
			  DIV_ROUND_UP(PHYS_PFN(memblock_end_of_DRAM()),
				       PAGES_PER_SECTION);
	struct pkram_late_check *lc;
	struct memblock_region *r;

	for_each_reserved_mem_region(r)
		if (r->flags & MEMBLOCK_RSRV_LATE_INIT)
			n++;
	pkram_clear_init(&pkram_late_clear, sb);
	pkram_pieces = kvmalloc_array(n, sizeof(*pkram_pieces), GFP_KERNEL);
	lc = kvzalloc(sizeof(*lc), GFP_KERNEL);
	if (lc) {
		lc->sb = sb;
		/* counts bounded by the size of memory (pkram_check_covers()) */
		lc->list = kvmalloc_array(sb->nr_range_pages, sizeof(*lc->list),
					  GFP_KERNEL | __GFP_NOWARN);
	}
	if (!pkram_pieces || !lc || !lc->list) {
		kvfree(pkram_pieces);
		pkram_pieces = NULL;
		if (lc)
			kvfree(lc->list);
		kvfree(lc);
		pkram_late_nomem();
		return;
	}
	pkram_max_pieces = n;
	pkram_late_check = lc;
}

static const struct memblock_late_ops pkram_late_ops __initconst = {
	.prepare = pkram_late_prepare,
	.take = pkram_take_piece,
	.reserved = pkram_cover_reserved,
};

/* Reserve the covers of @sb, less what is not free and @clear. */
static int __init pkram_reserve_covers(struct pkram_super_block *sb,
				       const struct pkram_clear *clear)
{
	struct pkram_cover_cursor c = { .sb = sb, .clear = clear };
	unsigned long nr;
	int err;

	/* A cover is cut by what is not free memory and by @clear */
	nr = sb->nr_covers + memblock.memory.cnt + memblock.reserved.cnt +
	     clear->nr;
	err = memblock_reserve_sorted(nr, pkram_next_cover, &c,
				      MEMBLOCK_RSRV_LATE_INIT);
	if (err)
		return err;
	pkram_covers = true;
	/* at most: the ranges are checked late */
	pkram_cover_nr_free = c.nr_pages - min_t(u64, c.nr_pages, sb->nr_pages);
	pr_info("%u covers, %llu pieces, %llu MiB, over the preserved ranges\n",
		sb->nr_covers, c.nr_pieces, c.nr_pages >> (20 - PAGE_SHIFT));
	return 0;
}

/**
 * pkram_reserve - reserve the memory the previous kernel preserved
 *
 * Called by the architecture right after the firmware memory map is in
 * memblock and before the first allocation from memblock (on x86, in
 * setup_arch() right after e820__memblock_setup(): the allocations that
 * follow, from the MP table to the page tables of init_mem_mapping(), could
 * land on preserved pages).  Validates the super block given with pkram= and
 * the range list, then reserves the ranges.  On any inconsistency, logs one
 * line and reserves nothing: the kernel boots as if pkram= were not given.
 * Then sets up the scratch region (see pkram_scratch_init()).
 */
void __init pkram_reserve(void)
{
	struct pkram_span scratch[PKRAM_NR_SCRATCH];
	struct pkram_range_cursor cursor = { };
	struct pkram_super_block *sb;
	struct pkram_clear clear;
	const char *why = NULL;
	u64 start;
	int err;

	if (pkram_image_given) {
		if (pkram_sb_pfn && pkram_sb_pfn != pkram_image_pfn)
			pr_info("pkram=%lx ignored: the kexec image gives the super block at pfn %#llx\n",
				pkram_sb_pfn, pkram_image_pfn);
		pkram_sb_pfn = pkram_image_pfn;
	}
	if (!pkram_sb_pfn) {
		pkram_scratch_init(NULL, false);
		return;
	}
	if (is_kdump_kernel()) {
		pr_info("ignoring pkram= in a kdump kernel\n");
		pkram_sb_pfn = 0;
		return;
	}
	if (!pkram_early_usable(pkram_sb_pfn, 1)) {
		pr_err("pkram=%lx is not usable RAM: nothing preserved\n",
		       pkram_sb_pfn);
		goto none;
	}
	sb = early_memremap(PFN_PHYS(pkram_sb_pfn), PAGE_SIZE);
	if (!sb) {
		pr_err("cannot map the super block: nothing preserved\n");
		goto none;
	}
	if (sb->magic != PKRAM_MAGIC)
		why = "no super block (bad magic)";
	else if (sb->version != PKRAM_VERSION || sb->page_shift != PAGE_SHIFT)
		why = "super block of another format version";
	else if (sb->checksum != pkram_sb_checksum(sb))
		why = "bad super block checksum";
	else if (sb->__reserved)
		why = "super block of another format version (reserved field set)";
	else if (!sb->range_pfn || !sb->nr_ranges)
		why = "empty range list";
	else
		why = pkram_check_covers(sb, pkram_clear_init(&clear, sb));
	if (why)
		goto bad;

	start = sched_clock();
	err = pkram_reserve_covers(sb, &clear);
	if (err) {
		/*
		 * No room for memblock's array outside the covers: reserve
		 * the ranges themselves, checked first, as they are read.
		 */
		why = pkram_check_ranges(sb);
		if (why)
			goto bad;
		cursor.first_pfn = sb->range_pfn;
		err = memblock_reserve_sorted(sb->nr_ranges, pkram_next_range,
					      &cursor, MEMBLOCK_RSRV_LATE_INIT);
		pkram_cursor_unmap(&cursor);
	}
	if (err) {
		early_memunmap(sb, PAGE_SIZE);
		pr_err("cannot reserve the preserved ranges (error %d): nothing preserved\n",
		       err);
		goto none;
	}
	pkram_ranges_reserved = true;
	memblock_set_late_ops(&pkram_late_ops, pkram_cover_nr_free);
	pkram_restore_begin();
	pr_info("reserved %llu preserved pages in %llu ranges in %llu us\n",
		sb->nr_pages, sb->nr_ranges, (sched_clock() - start) / 1000);
	pkram_sb_scratch(sb, scratch);
	early_memunmap(sb, PAGE_SIZE);
	pkram_scratch_init(scratch, true);
	return;
bad:
	early_memunmap(sb, PAGE_SIZE);
	pr_err("%s at pfn %#lx: nothing preserved\n", why, pkram_sb_pfn);
none:
	/* As if pkram= were not given: no scratch region unless asked for. */
	pkram_sb_pfn = 0;
	pkram_scratch_init(NULL, false);
}

/* --- new kernel: taking the nodes back ----------------------------------- */

/*
 * While the nodes are checked, two sets of pfns: the pages handed over (the
 * ranges), and the pages reached from the super block and the nodes.  Once
 * all is checked, the second set becomes the tracker's.
 *
 * Every page reached is claimed in @own, and a page claimed twice is an
 * error.  The metadata pages are reached by one thread, which walks the
 * lists and notes the link pages of folio streams in @links; then the
 * entries of those link pages, which are nearly all of the work, are checked
 * on every CPU (pkram_check_folio_links()).  Nothing else runs PKRAM
 * meanwhile: whatever would waits (pkram_wait_restore()).
 */
struct pkram_restore {
	struct xarray in;		/* pages handed over, as bitmaps */
	struct xarray own;		/* pages reached, as bitmaps */
	atomic_long_t owned;		/* how many */
	struct list_head nodes;		/* checked nodes, through page::lru */
	struct xarray links;		/* link pages of folio streams */
	unsigned long nr_links;		/* in @links, numbered from 0 */
	atomic_long_t next_link;	/* the next one to check */
	bool bad;			/* an entry is wrong */
	bool nomem;			/* a bitmap or @links needed memory */
};

/*
 * One thread's hand on the two sets while it claims pages: the bitmaps of
 * the key it looked up last.  Once claims begin, bitmaps are only looked
 * up (pkram_bitmaps_alike() gave @own one for every bitmap of @in), and
 * the bits of @own are set atomically, so that threads can claim at once.
 */
struct pkram_claimer {
	struct pkram_restore *rs;
	unsigned long key;
	unsigned long *in;		/* bitmap of @key in @rs->in, or NULL */
	unsigned long *own;		/* and in @rs->own */
	unsigned long owned;		/* claimed, not in @rs->owned yet */
};

/*
 * Were [@pfn, @pfn + @nr) handed over, and not reached yet?  Reach them.  A
 * page reached twice is an error: a loop, or a page in two lists.  @nr is 1
 * or the size of a folio at @pfn, aligned to it: the range is within one
 * bitmap.
 */
static bool pkram_claim(struct pkram_claimer *c, u64 pfn, unsigned long nr)
{
	unsigned long bit = pfn % PKRAM_TRACK_PFNS, end = bit + nr;

	BUILD_BUG_ON((1UL << MAX_PAGE_ORDER) > PKRAM_TRACK_PFNS);
	if (!pfn || pfn + nr < pfn)
		return false;
	if (!c->in || c->key != pfn / PKRAM_TRACK_PFNS) {
		c->key = pfn / PKRAM_TRACK_PFNS;
		c->in = xa_load(&c->rs->in, c->key);
		c->own = xa_load(&c->rs->own, c->key);
	}
	if (!c->in || !c->own || find_next_zero_bit(c->in, end, bit) < end)
		return false;
	if (!pkram_bitmap_claim(c->own, bit, nr))
		return false;
	c->owned += nr;
	return true;
}

/*
 * Claim the node, object or link page at @pfn before reading it: its
 * address if it was handed over and not reached before, else NULL.
 */
static void *pkram_claim_meta(struct pkram_claimer *c, u64 pfn)
{
	return pkram_claim(c, pfn, 1) ? pfn_to_kaddr(pfn) : NULL;
}

/*
 * Check the entries of a link page and reach the pages they name: data
 * pages of a byte stream if @data_pages, else folios.  Returns how many
 * there are, or -1.
 */
static long pkram_check_entries(struct pkram_claimer *c,
				struct pkram_link *link, bool data_pages)
{
	unsigned int i, order;
	long nr = 0;
	u64 e;

	pkram_for_each_entry(e, i, link) {
		/* Bits no kernel of this version sets: another format. */
		if (e & PKRAM_ENTRY_INDEX) {
			if (data_pages || (e & ~PAGE_MASK & ~PKRAM_ENTRY_INDEX))
				return -1;
			continue;
		}
		if (e & PKRAM_ENTRY_FLAGS_MASK)
			return -1;
		order = (e & PKRAM_ENTRY_ORDER_MASK) >> PKRAM_ENTRY_ORDER_SHIFT;
		if (order > MAX_PAGE_ORDER || (data_pages && order) ||
		    !IS_ALIGNED(PHYS_PFN(e), 1UL << order) ||
		    !pkram_claim(c, PHYS_PFN(e), 1UL << order))
			return -1;
		nr++;
	}
	return nr;
}

/*
 * Reach the link pages of a stream.  Those of a byte stream are checked
 * now, and the number of its data pages returned; those of a folio stream
 * are noted for pkram_check_folio_links(), and 0 returned.  -1 if wrong.
 */
static long pkram_check_links(struct pkram_claimer *c,
			      struct pkram_stream_head *head, bool data_pages)
{
	struct pkram_restore *rs = c->rs;
	struct pkram_link *link;
	u64 pfn = head->head_pfn, last = 0;
	long nr = 0, n;

	while (pfn) {
		link = pkram_claim_meta(c, pfn);
		if (!link)
			return -1;
		if (data_pages) {
			n = pkram_check_entries(c, link, true);
			if (n < 0)
				return -1;
			nr += n;
		} else if (xa_err(xa_store(&rs->links, rs->nr_links++, link,
					   GFP_KERNEL))) {
			rs->nomem = true;
			return -1;
		}
		last = pfn;
		pfn = link->link_pfn;
		cond_resched();
	}
	return last == head->tail_pfn ? nr : -1;
}

static bool pkram_check_node(struct pkram_claimer *c, struct pkram_node *node)
{
	struct pkram_obj *obj;
	u64 pfn = node->obj_pfn;
	u32 n = 0;

	if (node->flags || strnlen(node->name, PKRAM_NAME_MAX) == PKRAM_NAME_MAX ||
	    !node->name[0])
		return false;
	for (; pfn; n++, pfn = obj->obj_pfn) {
		long data_pages;

		obj = pkram_claim_meta(c, pfn);
		if (!obj || n >= node->nr_objs || !obj->flags || obj->__reserved ||
		    (obj->flags & ~(PKRAM_DATA_folios | PKRAM_DATA_bytes)) ||
		    pkram_check_links(c, &obj->folios, false) < 0)
			return false;
		data_pages = pkram_check_links(c, &obj->bytes, true);
		if (data_pages < 0 || obj->data_len > PFN_PHYS(data_pages))
			return false;
	}
	return n == node->nr_objs;
}

/* Link pages of folio streams a thread takes at a time. */
#define PKRAM_LINKS_AT_ONCE	16

/*
 * One thread's share of checking the entries of the folio streams: link
 * pages noted by pkram_check_links(), PKRAM_LINKS_AT_ONCE at a time, until
 * there are none left or one is wrong.
 */
static int pkram_check_folio_links(void *arg)
{
	struct pkram_restore *rs = arg;
	struct pkram_claimer c = { .rs = rs };
	unsigned long i, end;

	while (!READ_ONCE(rs->bad)) {
		i = atomic_long_fetch_add(PKRAM_LINKS_AT_ONCE, &rs->next_link);
		if (i >= rs->nr_links)
			break;
		end = min(i + PKRAM_LINKS_AT_ONCE, rs->nr_links);
		for (; i < end; i++) {
			if (pkram_check_entries(&c, xa_load(&rs->links, i),
						false) < 0) {
				WRITE_ONCE(rs->bad, true);
				break;
			}
		}
		cond_resched();
	}
	atomic_long_add(c.owned, &rs->owned);
	return 0;
}

/* Make the metadata pages reached from @node ordinary allocated pages. */
static void pkram_prep_meta(unsigned long pfn)
{
	struct page *page = pfn_to_page(pfn);

	if (PageReserved(page))
		pkram_prep_preserved(page, 0);
}

static void pkram_prep_links(struct pkram_stream_head *head, bool data_pages)
{
	struct pkram_link *link, *next;
	unsigned int i;
	u64 e;

	pkram_for_each_link(link, next, pkram_first_link(head)) {
		pkram_prep_meta(page_to_pfn(virt_to_page(link)));
		/* Checked: a byte stream has no index entries. */
		if (data_pages)
			pkram_for_each_entry(e, i, link)
				pkram_prep_meta(PHYS_PFN(e));
		cond_resched();
	}
}

static void pkram_prep_node(struct pkram_node *node)
{
	struct pkram_obj *obj, *next;

	pkram_prep_meta(page_to_pfn(virt_to_page(node)));
	pkram_for_each_obj(obj, next, node) {
		pkram_prep_meta(page_to_pfn(virt_to_page(obj)));
		pkram_prep_links(&obj->folios, false);
		pkram_prep_links(&obj->bytes, true);
	}
}

/* Free the pages of the ranges handed over that @own does not hold. */
static unsigned long pkram_free_unowned(struct pkram_super_block *sb,
					u64 *list, struct xarray *own)
{
	unsigned long p, q, end, n, freed = 0;
	struct pkram_range_page *rp;
	unsigned int i;
	u64 j;

	for (j = 0; j < sb->nr_range_pages; j++) {
		rp = pfn_to_kaddr(list[j]);
		for (i = 0; i < rp->nr_ranges; i++) {
			p = rp->range[i].pfn;
			end = p + rp->range[i].nr_pages;
			while (p < end) {
				q = p;
				n = pkram_bitmaps_next(own, &q, end);
				if (!n)
					q = end;
				for (; p < q; p++, freed++) {
					free_reserved_page(pfn_to_page(p));
					if (!(freed % 1024))
						cond_resched();
				}
				p = q + n;
			}
			cond_resched();
		}
	}
	return freed;
}

/* Consume @sb: nothing of it may come back with a later pkram=. */
static void pkram_consume(struct pkram_super_block *sb)
{
	if (!pkram_in_late(pkram_sb_pfn))
		sb->magic = 0;
}

/* Free a page of the super block or of the range list, unless kept. */
static unsigned long pkram_free_list_page(u64 pfn)
{
	if (pkram_in_late(pfn))
		return 0;
	free_reserved_page(pfn_to_page(pfn));
	return 1;
}

/*
 * Give back the pages handed over that no node holds: @own holds the super
 * block and the list pages too, freed last since they are read until then.
 */
static void pkram_free_unclaimed(struct pkram_super_block *sb, u64 *list,
				 struct xarray *own)
{
	unsigned long freed;
	u64 j;

	freed = pkram_free_unowned(sb, list, own);
	for (j = 0; j < sb->nr_range_pages; j++)
		freed += pkram_free_list_page(list[j]);
	pkram_consume(sb);
	freed += pkram_free_list_page(pkram_sb_pfn);
	pr_info("released %lu preserved pages no node holds\n", freed);
}

/* Set (if @own) or clear the bits of [@pfn, @pfn + @nr) in @rs->own. */
static bool pkram_own(struct pkram_restore *rs, u64 pfn, u64 nr, bool own)
{
	if (own)
		return !pkram_bitmaps_set(&rs->own, pfn, nr);
	pkram_bitmaps_clear(&rs->own, pfn, nr);
	return true;
}

/* Set (or clear) the bits of the super block and the range list in @own. */
static bool pkram_own_list(struct pkram_restore *rs, u64 *list, u64 nr_pages,
			   bool own)
{
	bool ok = pkram_own(rs, pkram_sb_pfn, 1, own);
	u64 n;

	for (n = 0; ok && n < nr_pages; n++)
		ok = pkram_own(rs, list[n], 1, own);
	return ok;
}

/*
 * Was memory that this kernel keeps for good (pkram_late_reserved()) handed
 * over?  Returns why that is wrong, or NULL.
 */
static const char *pkram_late_conflict(struct pkram_restore *rs)
{
	unsigned long pfn;
	unsigned int i;

	for (i = 0; i < pkram_nr_late; i++) {
		pfn = pkram_late[i].pfn;
		if (pkram_bitmaps_next(&rs->in, &pfn, pkram_late[i].end))
			return pkram_late[i].why;
	}
	return NULL;
}

/* Set (or clear) the bits of that memory in @own: none of it is freed. */
static bool pkram_own_late(struct pkram_restore *rs, bool own)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; ok && i < pkram_nr_late; i++)
		ok = pkram_own(rs, pkram_late[i].pfn,
			       pkram_late[i].end - pkram_late[i].pfn, own);
	return ok;
}

static int pkram_cmp_names(const void *a, const void *b)
{
	const struct pkram_node *x = *(const struct pkram_node **)a;
	const struct pkram_node *y = *(const struct pkram_node **)b;

	return strcmp(x->name, y->name);
}

/*
 * Do the @n nodes of @nodes (names checked NUL-terminated) differ by name?
 * Sets *@nomem if there is no memory to tell.
 */
static bool pkram_names_unique(struct list_head *nodes, u64 n, bool *nomem)
{
	struct pkram_node **sorted;
	struct page *page;
	bool unique = true;
	u64 i = 0;

	if (n < 2)
		return true;
	sorted = kvmalloc_array(n, sizeof(*sorted), GFP_KERNEL);
	if (!sorted) {
		*nomem = true;
		return false;
	}
	list_for_each_entry(page, nodes, lru)
		sorted[i++] = page_address(page);
	sort(sorted, n, sizeof(*sorted), pkram_cmp_names, NULL);
	for (i = 1; unique && i < n; i++)
		unique = strcmp(sorted[i - 1]->name, sorted[i]->name);
	kvfree(sorted);
	return unique;
}

/*
 * Reach the super block, the range list and the nodes, checking each, and
 * note the link pages of folio streams; then check their entries on every
 * CPU.  Returns why what was handed over is wrong, or NULL if it is good.
 */
static const char *pkram_check_handover(struct pkram_restore *rs,
					struct pkram_super_block *sb, u64 *list)
{
	struct pkram_claimer c = { .rs = rs };
	struct pkram_node *node;
	const char *why = NULL;
	bool ok, nomem = false;
	u64 pfn, n;

	/* The super block and the list are no node's: claim them first. */
	rs->nomem = pkram_bitmaps_alike(&rs->own, &rs->in);
	ok = !rs->nomem && pkram_claim(&c, pkram_sb_pfn, 1);
	for (n = 0; ok && n < sb->nr_range_pages; n++)
		ok = pkram_claim(&c, list[n], 1);
	why = ok ? pkram_late_conflict(rs) : NULL;
	ok = ok && !why;

	for (n = 0, pfn = sb->node_pfn; ok && pfn; n++) {
		node = pkram_claim_meta(&c, pfn);
		ok = node && n < sb->nr_nodes && pkram_check_node(&c, node);
		if (ok) {
			list_add_tail(&virt_to_page(node)->lru, &rs->nodes);
			pfn = node->node_pfn;
		}
		cond_resched();
	}
	atomic_long_add(c.owned, &rs->owned);
	if (ok) {
		pkram_run_parallel(pkram_check_folio_links, rs);
		ok = !rs->bad;
	}
	ok = ok && n == sb->nr_nodes &&
	     atomic_long_read(&rs->owned) <= sb->nr_pages &&
	     pkram_names_unique(&rs->nodes, n, &nomem);
	if (!ok && !why && (nomem || rs->nomem))
		why = "no memory to check the nodes handed over";
	if (!ok && !why)
		why = "inconsistent nodes handed over";
	return why;
}

/*
 * Take back what the previous kernel handed over, in order:
 *  1. the pages handed over, from the range list (reserved early by
 *     pkram_reserve(), checked by pkram_check_late());
 *  2. the super block and the range list pages, and no memory this kernel
 *     keeps for good (pkram_late_reserved());
 *  3. each node, its objects and the link pages of their streams, each
 *     page handed over and reached once, the fields of each in range;
 *  4. every folio entry, on every CPU: flags, order, alignment, each page
 *     handed over and reached once;
 *  5. as many nodes as the super block says, no more pages than it says,
 *     and no two nodes of one name.
 * If all holds, the nodes go on the list and their pages to the tracker;
 * else nothing is kept, with one log line.  Either way, the pages handed
 * over that no node holds, the super block and the list are freed.
 */
static void pkram_restore(void)
{
	struct pkram_restore rs = { .nodes = LIST_HEAD_INIT(rs.nodes) };
	struct pkram_super_block *sb;
	struct pkram_node *node;
	struct page *page, *tmp;
	u64 n, *list, start, i, nr_list;
	const char *why;
	bool ok = true;

	start = sched_clock();
	xa_init(&rs.in);
	xa_init(&rs.own);
	xa_init(&rs.links);
	sb = pfn_to_kaddr(pkram_sb_pfn);

	/* Looked up and checked by pkram_check_late() */
	list = pkram_list;
	pkram_list = NULL;
	if (WARN_ON_ONCE(!list))
		return;
	for (n = 0; ok && n < sb->nr_range_pages; n++) {
		struct pkram_range_page *rp = pfn_to_kaddr(list[n]);

		for (i = 0; ok && i < rp->nr_ranges; i++)
			ok = !pkram_bitmaps_set(&rs.in, rp->range[i].pfn,
						rp->range[i].nr_pages);
		cond_resched();
	}
	why = ok ? pkram_check_handover(&rs, sb, list) :
		   "no memory to check the nodes handed over";
	if (why) {
		pr_err("%s: nothing preserved\n", why);
		pkram_scratch_release();
		INIT_LIST_HEAD(&rs.nodes);
		pkram_bitmaps_free(&rs.own);
		if (!pkram_own_list(&rs, list, sb->nr_range_pages, true) ||
		    !pkram_own_late(&rs, true)) {
			pkram_consume(sb);	/* no memory: it stays reserved */
			goto out;
		}
	}

	/* Nothing of the old super block may come back with a later pkram=. */
	nr_list = sb->nr_range_pages;
	pkram_free_unclaimed(sb, list, &rs.own);
	sb = NULL;	/* freed */
	pkram_own_list(&rs, list, nr_list, false);
	pkram_own_late(&rs, false);

	n = 0;
	list_for_each_entry_safe(page, tmp, &rs.nodes, lru) {
		list_del(&page->lru);
		node = page_address(page);
		pkram_prep_node(node);
		node->node_pfn = 0;
		pkram_add_node(node);
		n++;
	}
	/* What the nodes hold is preserved again, for the next kernel. */
	pkram_track_adopt(&rs.own);
	if (!why)
		pr_info("%llu nodes handed over, %llu pages, in %llu us\n", n,
			atomic_long_read(&rs.owned) - nr_list - 1,
			(sched_clock() - start) / NSEC_PER_USEC);
out:
	kvfree(list);
	pkram_list = NULL;
	xa_destroy(&rs.links);
	pkram_bitmaps_free(&rs.own);
	pkram_bitmaps_free(&rs.in);
}

/* In a thread of its own: the boot goes on meanwhile. */
static int pkram_restore_thread(void *unused)
{
	pkram_late_pass();
	if (pkram_bad || pkram_kept)
		pkram_scratch_release();	/* the late pass said why */
	else
		pkram_restore();
	pkram_restore_end();
	return 0;
}

/* The restore thread, while the initcalls run */
static struct task_struct *pkram_restore_task;

/*
 * Take back what was handed over in the background, the late pass first
 * (pkram_late_pass()): /init starts without waiting for either, and
 * whatever uses PKRAM waits (pkram_wait_restore()).  Until the initcalls
 * are over the thread runs at the lowest priority, alone (see
 * pkram_restore_yields()): the boot comes first, and has a CPU to itself
 * where there are two.  Every CPU is up, and the workqueues that check
 * entries on them, and the zones' watermarks set (postcore), which the late
 * pass sets again.  With no thread, the boot waits instead.
 */
static int __init pkram_restore_start(void)
{
	struct task_struct *t;

	if (!pkram_sb_pfn)
		return 0;
	if (pkram_cover_nr_free && !pkram_kept)
		pkram_oom_on = !register_oom_notifier(&pkram_late_oom_nb);
	t = kthread_create(pkram_restore_thread, NULL, "pkram_restore");
	if (IS_ERR(t)) {
		pkram_restore_thread(NULL);
		return 0;
	}
	get_task_struct(t);
	set_user_nice(t, MAX_NICE);
	pkram_restore_task = t;
	pkram_restore_alone(t);
	wake_up_process(t);
	return 0;
}
postcore_initcall_sync(pkram_restore_start);

/* The initcalls are over: the restore thread goes on at the default priority */
static int __init pkram_restore_boot_done(void)
{
	struct task_struct *t = pkram_restore_task;

	if (t) {
		pkram_restore_task = NULL;
		pkram_restore_alone(NULL);
		set_user_nice(t, 0);
		put_task_struct(t);
	}
	return 0;
}
late_initcall_sync(pkram_restore_boot_done);

/**
 * pkram_get_super_block - where this kernel's super block is
 * @pfn: set to its pfn
 *
 * Return: false if this kernel has none.
 */
bool pkram_get_super_block(unsigned long *pfn)
{
	if (!pkram_sb)
		return false;
	*pfn = page_to_pfn(virt_to_page(pkram_sb));
	return true;
}

/* --- /sys/kernel/pkram ----------------------------------------------------- */

static ssize_t pkram_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	/* What is read is for a kexec, which waits for this too. */
	pkram_wait_restore();
	return sysfs_emit(buf, "%lx\n",
			  pkram_sb ? page_to_pfn(virt_to_page(pkram_sb)) : 0);
}

static ssize_t pkram_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	unsigned long val;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtoul(buf, 0, &val) || val)
		return -EINVAL;
	pkram_free_saved_nodes();
	return count;
}

static struct kobj_attribute pkram_attr = __ATTR(pkram, 0600, pkram_show,
						 pkram_store);

static int __init pkram_handover_init(void)
{
	struct folio *folio;

	folio = pkram_alloc_tracked(GFP_KERNEL | __GFP_ZERO, 0);
	if (!folio) {
		pr_err("no memory for the super block: nothing can be handed over\n");
		return -ENOMEM;
	}
	pkram_sb = folio_address(folio);
	return sysfs_create_file(kernel_kobj, &pkram_attr.attr);
}
late_initcall(pkram_handover_init);
