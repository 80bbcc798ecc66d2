// SPDX-License-Identifier: GPL-2.0
/*
 * The PKRAM source the handover goes through, compiled unchanged (as
 * tools/testing/vma does with mm/vma.c): the parser (pkram_handover.c), the
 * scratch region it validates (pkram_scratch.c) and the tracker that takes
 * over what it reserved (pkram_tracker.c).  What they call of pkram.c is
 * below, with the checks of the simulation.
 */
#include "../../../mm/pkram_handover.c"
#include "../../../mm/pkram_scratch.c"
#undef pr_fmt
#include "../../../mm/pkram_tracker.c"

#include "sim.h"

/* The nodes pkram_restore() handed out: the node list of pkram.c. */
#define SIM_NODES_MAX	4096
static struct pkram_node *sim_nodes[SIM_NODES_MAX];
static unsigned long sim_nr_nodes;

static struct pkram_span sim_excluded[PKRAM_NR_EXCLUDED];

void pkram_add_node(struct pkram_node *node)
{
	if (sim_nr_nodes == SIM_NODES_MAX)
		sim_bug("too many nodes for the simulation", 0);
	sim_nodes[sim_nr_nodes++] = node;
}

void pkram_prep_preserved(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page), i;

	for (i = 0; i < 1UL << order; i++)
		sim_prep_page(pfn + i);
}

void pkram_exclude(unsigned int slot, unsigned long pfn, unsigned long nr)
{
	if (slot >= PKRAM_NR_EXCLUDED)
		sim_bug("no such exclusion slot", slot);
	sim_excluded[slot].pfn = pfn;
	sim_excluded[slot].nr = nr;
}

bool pkram_pfn_excluded(unsigned long pfn, unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < PKRAM_NR_EXCLUDED; i++)
		if (nr && pfn < sim_excluded[i].pfn + sim_excluded[i].nr &&
		    sim_excluded[i].pfn < pfn + nr)
			return true;
	return false;
}

/* The handover in progress: the simulation runs it to its end at once. */
static bool sim_restoring;

void pkram_restore_begin(void)
{
	sim_restoring = true;
}

void pkram_restore_end(void)
{
	sim_restoring = false;
}

void pkram_wait_restore(void)
{
	if (sim_restoring)
		sim_bug("PKRAM used before the restore ended", 0);
}

/* The one thread of the simulation: no restore thread to yield */
void pkram_restore_alone(struct task_struct *task)
{
}

bool pkram_restore_yields(void)
{
	return false;
}

/* The one thread of the simulation */
struct task_struct *const sim_current = (struct task_struct *)&sim_restoring;

/* One thread, which does all of the work. */
int pkram_run_parallel(int (*fn)(void *arg), void *arg)
{
	return fn(arg);
}

/* The old kernel's side of pkram.c: not part of the parse. */
void *pkram_alloc_meta(gfp_t gfp_mask)
{
	sim_bug_in(__func__, "in the parse", 0);
}

void pkram_free_meta(void *addr)
{
	sim_bug_in(__func__, "in the parse", 0);
}

struct folio *pkram_alloc_tracked(gfp_t gfp_mask, unsigned int order)
{
	sim_bug_in(__func__, "in the parse", 0);
}

struct pkram_node *pkram_link_nodes(unsigned long *nr_nodes)
{
	sim_bug_in(__func__, "in the parse", 0);
}

void pkram_unlink_nodes(void)
{
	sim_bug_in(__func__, "in the parse", 0);
}

void pkram_free_saved_nodes(void)
{
	sim_bug_in(__func__, "in the parse", 0);
}

/* Back to the state of a kernel that has not booted yet. */
void sim_pkram_reset(void)
{
	pkram_sb_pfn = 0;
	pkram_ranges_reserved = false;
	pkram_image_pfn = 0;
	pkram_image_given = false;
	pkram_cma_base = 0;
	pkram_cma_size = 0;
	pkram_nr_late = 0;
	pkram_covers = false;
	pkram_cover_nr_free = 0;
	memset(&pkram_cover_freed, 0, sizeof(pkram_cover_freed));
	pkram_list = NULL;
	pkram_bad = false;
	pkram_kept = false;
	kvfree(pkram_pieces);
	pkram_pieces = NULL;
	pkram_nr_pieces = 0;
	pkram_max_pieces = 0;
	memset(&pkram_next_piece, 0, sizeof(pkram_next_piece));
	memset(&pkram_late_clear, 0, sizeof(pkram_late_clear));
	reinit_completion(&pkram_late_done);
	pkram_oom_on = false;

	memset(pkram_scratch, 0, sizeof(pkram_scratch));
	memset(pkram_scratch_late, 0, sizeof(pkram_scratch_late));
	memset(pkram_scratch_param, 0, sizeof(pkram_scratch_param));
	memset(pkram_scratch_given, 0, sizeof(pkram_scratch_given));
	memset(pkram_scratch_nr_parts, 0, sizeof(pkram_scratch_nr_parts));

	pkram_bitmaps_free(&pkram_track_xa);

	sim_nr_nodes = 0;
	sim_restoring = false;
	memset(sim_excluded, 0, sizeof(sim_excluded));
}

/*
 * Make the checksums of the super block at @pfn and of its range list
 * right, as a kernel that writes them would: so that the fuzzer gets past
 * them to the checks behind.  Pages that are not RAM, and a list that
 * loops, are left alone.
 */
void sim_pkram_fix_checksums(u64 pfn)
{
	struct pkram_super_block *sb;
	struct pkram_range_page *rp;
	unsigned int n;
	u64 p;

	if (!pfn || pfn >= PHYS_PFN(SIM_PHYS_END) ||
	    !memblock_is_memory(PFN_PHYS(pfn)))
		return;
	sb = (void *)PFN_PHYS(pfn);
	for (p = sb->range_pfn, n = 0; p && n < 64; p = rp->next_pfn, n++) {
		if (p >= PHYS_PFN(SIM_PHYS_END) ||
		    !memblock_is_memory(PFN_PHYS(p)))
			break;
		rp = (void *)PFN_PHYS(p);
		if (rp->nr_ranges <= PKRAM_RANGES_PER_PAGE)
			rp->checksum = pkram_range_checksum(rp);
	}
	if (sb->nr_covers <= PKRAM_COVERS_MAX)
		sb->cover_checksum = pkram_cover_checksum(sb);
	sb->checksum = pkram_sb_checksum(sb);
}

/* efi_mem_reserve(): memory kept for good after pkram_reserve(). */
void sim_pkram_late_reserved(phys_addr_t base, phys_addr_t size)
{
	pkram_late_reserved(base, size);
	if (!memblock_is_region_reserved(base, size))
		memblock_reserve(base, size);
}

/* Memory kept for good is neither freed, nor handed out, nor preserved. */
void sim_pkram_check_kept(phys_addr_t base, phys_addr_t size)
{
	unsigned long pfn = PHYS_PFN(base), end = PHYS_PFN(base + size - 1) + 1;
	unsigned long q;

	q = sim_find_state(pfn, end, SIM_PAGE_FREED);
	if (q < end)
		sim_bug("a page EFI keeps was freed", q);
	q = sim_find_state(pfn, end, SIM_PAGE_ALLOCATED);
	if (q < end)
		sim_bug("a page EFI keeps was handed out", q);
	q = pfn;
	if (pkram_bitmaps_next(&pkram_track_xa, &q, end))
		sim_bug("a page EFI keeps is tracked as preserved", q);
}

void sim_pkram_set_super_block(u64 pfn)
{
	pkram_set_super_block(pfn);
}

/* A page of the region of @kind handed over is free below @limit. */
static bool sim_scratch_room(unsigned int kind, phys_addr_t limit)
{
	phys_addr_t base = PFN_PHYS(pkram_scratch[kind].pfn);
	phys_addr_t end = base + PFN_PHYS(pkram_scratch[kind].nr);
	phys_addr_t start, stop;
	u64 i;

	if (!pkram_scratch_late[kind])
		return false;
	end = min(end, limit);
	for_each_free_mem_range(i, NUMA_NO_NODE, MEMBLOCK_NONE, &start, &stop,
				NULL)
		if (PAGE_ALIGN(max(start, base)) + PAGE_SIZE <=
		    min(stop, end))
			return true;
	return false;
}

/*
 * An early allocation after pkram_reserve(), below @limit, goes into the
 * highest scratch region handed over that begins below @limit, whenever
 * that one has room below @limit.
 */
static void sim_check_early_alloc(phys_addr_t limit)
{
	int kind, top = -1;
	phys_addr_t pa, base;
	bool room;

	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++) {
		base = PFN_PHYS(pkram_scratch[kind].pfn);
		if (pkram_scratch_late[kind] && base < limit &&
		    (top < 0 || base > PFN_PHYS(pkram_scratch[top].pfn)))
			top = kind;
	}
	room = top >= 0 && sim_scratch_room(top, limit);
	pa = memblock_phys_alloc_range(PAGE_SIZE, PAGE_SIZE, 0, limit);
	if (pa)
		memblock_phys_free(pa, PAGE_SIZE);
	if (room && (pa < PFN_PHYS(pkram_scratch[top].pfn) ||
		     pa >= PFN_PHYS(pkram_scratch[top].pfn +
				    pkram_scratch[top].nr)))
		sim_bug("early allocation outside the highest scratch region under its limit",
			PHYS_PFN(pa));
}

void sim_pkram_reserve(void)
{
	unsigned int kind;

	pkram_reserve();
	/* two regions, never one in the other */
	BUILD_BUG_ON(PKRAM_NR_SCRATCH != 2);
	if (pkram_scratch[0].nr && pkram_scratch[1].nr &&
	    pkram_scratch[0].pfn < pkram_scratch[1].pfn + pkram_scratch[1].nr &&
	    pkram_scratch[1].pfn < pkram_scratch[0].pfn + pkram_scratch[0].nr)
		sim_bug("the scratch regions overlap",
			max(pkram_scratch[0].pfn, pkram_scratch[1].pfn));
	/* however the rest of memory is left, first in the regions */
	sim_check_early_alloc(MEMBLOCK_ALLOC_ANYWHERE);
	for (kind = 0; kind < PKRAM_NR_SCRATCH; kind++)
		if (pkram_scratch[kind].nr)
			sim_check_early_alloc(PFN_PHYS(pkram_scratch[kind].pfn +
						       pkram_scratch[kind].nr));
}

/*
 * page_alloc_init_late(): memblock hands the late regions to their owner,
 * which frees what no range holds of them in the late pass, in the restore
 * thread (the initcalls: sim_check_late_pass()).
 */
void sim_pkram_late_init(void)
{
	max_low_pfn = max_pfn;
	memblock_free_late_prepare();
	memblock_free_late_blocks(0, PHYS_PFN(SIM_PHYS_END));
	memblock_free_late_blocks_done();
}

/*
 * The end of the late pass: every page of the late regions that no range
 * holds must be free then, but for the memory kept for good; no page of a
 * range may be, unless the list is bad, when all of them are; none if
 * there was no memory for the pass.
 */
static void sim_check_late_pass(void)
{
	struct pkram_super_block *sb;
	struct memblock_region *r;
	struct pkram_range_page *rp;
	unsigned char *in;
	unsigned long pfn, end;
	unsigned int i;
	u64 p;

	if (pkram_kept) {
		if (sim_find_state(0, PHYS_PFN(SIM_PHYS_END), SIM_PAGE_FREED) <
		    PHYS_PFN(SIM_PHYS_END))
			sim_bug("a page freed where all is kept", 0);
		return;
	}
	if (pkram_bad) {
		/* all of the late regions freed, but what is kept for good */
		for_each_reserved_mem_region(r) {
			if (!(r->flags & MEMBLOCK_RSRV_LATE_INIT))
				continue;
			end = PFN_DOWN(r->base + r->size);
			for (pfn = PFN_UP(r->base); pfn < end; pfn++)
				if (!pkram_in_late(pfn) !=
				    !!(sim_mem_map[pfn].flags & SIM_PAGE_FREED))
					sim_bug("bad handover: a page of a late region",
						pfn);
		}
		return;
	}
	in = calloc(PHYS_PFN(SIM_PHYS_END), 1);
	if (!in)
		sim_bug("no memory for the check of the late pass", 0);
	sb = pfn_to_kaddr(pkram_sb_pfn);
	for (p = sb->range_pfn; p; p = rp->next_pfn) {
		rp = pfn_to_kaddr(p);
		for (i = 0; i < rp->nr_ranges; i++)
			memset(in + rp->range[i].pfn, 1, rp->range[i].nr_pages);
	}
	for_each_reserved_mem_region(r) {
		if (!(r->flags & MEMBLOCK_RSRV_LATE_INIT))
			continue;
		end = PFN_DOWN(r->base + r->size);
		for (pfn = PFN_UP(r->base); pfn < end; pfn++) {
			bool freed = sim_mem_map[pfn].flags & SIM_PAGE_FREED;

			if (in[pfn] && freed)
				sim_bug("a preserved page of a cover was freed", pfn);
			if (!in[pfn] && !pkram_in_late(pfn) && !freed)
				sim_bug("a free page of a cover was not freed", pfn);
			if (!in[pfn] && pkram_in_late(pfn) && freed)
				sim_bug("a page kept for good in a cover was freed", pfn);
		}
	}
	free(in);
}

void sim_complete_all(struct completion *c)
{
	c->done = true;
	if (c == &pkram_late_done)
		sim_check_late_pass();
}

unsigned long sim_pkram_nodes(void)
{
	return sim_nr_nodes;
}

/* Mark [@pfn, @pfn + @nr) seen; false if a page of it was seen already. */
static bool sim_seen_once(struct xarray *seen, unsigned long pfn,
			  unsigned long nr)
{
	unsigned long p = pfn;

	if (pkram_bitmaps_next(seen, &p, pfn + nr))
		return false;
	if (pkram_bitmaps_set(seen, pfn, nr))
		sim_bug("no memory for the check", pfn);
	return true;
}

/*
 * A page a node holds: handed over, tracked as preserved again, not given
 * to the page allocator, and held once.
 */
static void sim_check_held(struct xarray *seen, unsigned long pfn,
			   unsigned long nr, bool meta)
{
	unsigned long p, q, n;
	struct page *page;

	for (p = pfn; p < pfn + nr; p++) {
		page = sim_pfn_to_page(p);
		if (page->flags & SIM_PAGE_FREED)
			sim_bug("a node holds a page that was freed", p);
		if (meta != !!(page->flags & SIM_PAGE_ALLOCATED))
			sim_bug(meta ? "a metadata page of a node is still reserved" :
				"a folio of a node was handed out before its load", p);
		if (!meta && !sim_page_reserved(page))
			sim_bug("a folio of a node is not reserved", p);
	}
	q = pfn;
	n = pkram_bitmaps_next(&pkram_track_xa, &q, pfn + nr);
	if (q != pfn || n != nr)
		sim_bug("a page a node holds is not tracked", pfn);
	if (!sim_seen_once(seen, pfn, nr))
		sim_bug("a page is held twice", pfn);
}

static void sim_check_stream(struct xarray *seen, struct pkram_stream_head *h,
			     bool data_pages)
{
	struct pkram_link *link;
	unsigned int i, order;
	u64 pfn, e;

	for (pfn = h->head_pfn; pfn; pfn = link->link_pfn) {
		sim_check_held(seen, pfn, 1, true);
		link = pfn_to_kaddr(pfn);
		for (i = 0; i < PKRAM_LINK_ENTRIES_MAX && link->entry[i]; i++) {
			e = link->entry[i];
			if (e & PKRAM_ENTRY_INDEX)
				continue;
			order = (e & PKRAM_ENTRY_ORDER_MASK) >>
				PKRAM_ENTRY_ORDER_SHIFT;
			sim_check_held(seen, PHYS_PFN(e), 1UL << order,
				       data_pages);
		}
	}
}

/*
 * After pkram_restore(): what each node handed out holds is checked again,
 * by a walk of its own, against the state of every page; and every page
 * the tracker took over is held by a node.
 */
void sim_pkram_check(void)
{
	struct xarray seen;
	struct pkram_obj *obj;
	unsigned long i, pfn, n, held = 0, tracked = 0, key, *bitmap;
	u64 p;

	xa_init(&seen);
	for (i = 0; i < sim_nr_nodes; i++) {
		pfn = page_to_pfn(virt_to_page(sim_nodes[i]));
		sim_check_held(&seen, pfn, 1, true);
		for (p = sim_nodes[i]->obj_pfn; p; p = obj->obj_pfn) {
			sim_check_held(&seen, p, 1, true);
			obj = pfn_to_kaddr(p);
			sim_check_stream(&seen, &obj->folios, false);
			sim_check_stream(&seen, &obj->bytes, true);
		}
	}
	for (pfn = 0; (n = pkram_bitmaps_next(&seen, &pfn, ULONG_MAX));
	     pfn += n)
		held += n;
	pkram_bitmaps_free(&seen);
	/* A bitmap of the tracker counts each bit it has set. */
	xa_for_each(&pkram_track_xa, key, bitmap) {
		n = bitmap_weight(bitmap, PKRAM_TRACK_PFNS);
		if (page_private(virt_to_page(bitmap)) != n ||
		    virt_to_page(bitmap)->refcount != 1)
			sim_bug("a bitmap of the tracker miscounts its bits",
				key * PKRAM_TRACK_PFNS);
		tracked += n;
	}
	if (held != tracked)
		sim_bug("the tracker holds pages no node holds", held);
}
