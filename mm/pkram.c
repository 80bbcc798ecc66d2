// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM: Persistent Kernel RAM, the streams API.
 *
 * A node is a named list of objects; an object holds a stream of folios
 * (each with its file index) and a stream of bytes.  Everything is kept in
 * whole pages linked by pfn (see mm/pkram_internal.h), so that the next
 * kernel can find it.  The data folios themselves are never copied: saving
 * takes a reference, loading hands that reference to the caller.
 *
 * Locking: pkram_mutex protects the list of nodes and their flags.  A
 * node being saved or loaded belongs to one stream, whose caller serializes
 * the calls that prepare and finish objects.  The accesses to one object may
 * run in parallel: each saving access fills link pages of its own and
 * chains them to the object in pkram_finish_access(), and each loading
 * access takes whole link pages off the object, both under the stream's
 * lock.  See Documentation/mm/pkram.rst.
 */
#define pr_fmt(fmt) "PKRAM: " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/export.h>
#include <linux/gfp.h>
#include <linux/init.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pgalloc_tag.h>
#include <linux/pkram.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <kunit/static_stub.h>
#include <kunit/visibility.h>

#include "internal.h"
#include "pkram_internal.h"

static LIST_HEAD(pkram_nodes);		/* linked through page::lru */
static DEFINE_MUTEX(pkram_mutex);	/* the node list and node flags */

/*
 * While the nodes handed over by the previous kernel are checked, in the
 * background (pkram_restore_begin() to pkram_restore_end()), the node list
 * and the tracker are incomplete: whatever reads them waits.
 */
static bool pkram_restoring;
static DECLARE_WAIT_QUEUE_HEAD(pkram_restore_wq);

static atomic_long_t pkram_meta_pages = ATOMIC_LONG_INIT(0);
static atomic_long_t pkram_nr_folios = ATOMIC_LONG_INIT(0);
static atomic_long_t pkram_folio_pages = ATOMIC_LONG_INIT(0);

/*
 * Memory where nothing may be preserved: the scratch regions, if any, a
 * range for each (see pkram_exclude()).
 */
static struct pkram_excluded {
	unsigned long pfn;
	unsigned long nr;
} pkram_excluded[PKRAM_NR_EXCLUDED];

/*
 * Pages of the excluded ranges (the scratch regions) the page allocator handed
 * out, from late frees of early allocations: kept, never given back, since
 * the region is meant to stay out of the page allocator.
 */
static LIST_HEAD(pkram_absorbed);
static DEFINE_SPINLOCK(pkram_absorbed_lock);
static unsigned long pkram_absorbed_pages;

/**
 * pkram_get_stats - what PKRAM holds now
 * @stats: filled with the counts
 */
void pkram_get_stats(struct pkram_stats *stats)
{
	stats->meta_pages = atomic_long_read(&pkram_meta_pages);
	stats->folios = atomic_long_read(&pkram_nr_folios);
	stats->folio_pages = atomic_long_read(&pkram_folio_pages);
	stats->excluded_pfn = pkram_excluded[0].pfn;
	stats->excluded_pages = pkram_excluded[0].nr;
	stats->absorbed_pages = READ_ONCE(pkram_absorbed_pages);
}
EXPORT_SYMBOL_IF_KUNIT(pkram_get_stats);

/*
 * pkram_alloc_page - the page allocator as PKRAM calls it, so that the KUnit
 * suite can make it fail.
 */
VISIBLE_IF_KUNIT struct page *pkram_alloc_page(gfp_t gfp_mask)
{
	KUNIT_STATIC_STUB_REDIRECT(pkram_alloc_page, gfp_mask);
	return alloc_page(gfp_mask);
}
EXPORT_SYMBOL_IF_KUNIT(pkram_alloc_page);

/*
 * pkram_boot_memory - is [@pfn, @pfn + @nr) memory this kernel booted with?
 *
 * The next kernel starts with the memory of the firmware map only: memory
 * added since (an ACPI DIMM, virtio-mem, dax kmem) comes back later, if at
 * all, and a preserved range there would make it refuse the whole handover.
 * Hot-added memory is in sections not marked early.
 */
VISIBLE_IF_KUNIT bool pkram_boot_memory(unsigned long pfn, unsigned long nr)
{
	KUNIT_STATIC_STUB_REDIRECT(pkram_boot_memory, pfn, nr);
#if defined(CONFIG_MEMORY_HOTPLUG) && defined(CONFIG_SPARSEMEM)
	{
		unsigned long end = pfn + nr;

		for (; pfn < end; pfn = ALIGN(pfn + 1, PAGES_PER_SECTION))
			if (!early_section(__pfn_to_section(pfn)))
				return false;
	}
#endif
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(pkram_boot_memory);

/*
 * pkram_boot_memory() for a folio @pa saves: true without a lookup in the
 * memory sections of a folio it saved before (see pkram_access_boot_note()).
 */
VISIBLE_IF_KUNIT bool pkram_access_boot_memory(struct pkram_access *pa,
					       unsigned long pfn,
					       unsigned long nr)
{
	if (pfn >= pa->boot_start && pfn + nr <= pa->boot_end)
		return true;
	return pkram_boot_memory(pfn, nr);
}
EXPORT_SYMBOL_IF_KUNIT(pkram_access_boot_memory);

/*
 * Note the memory sections of a folio @pa saved, in boot memory: they stay
 * boot memory while the save lasts, since a section that holds a page PKRAM
 * holds cannot be offlined, nor removed and added again.  Consecutive
 * folios of a file are mostly in the same section: one lookup for them all.
 */
VISIBLE_IF_KUNIT void pkram_access_boot_note(struct pkram_access *pa,
					     unsigned long pfn,
					     unsigned long nr)
{
#ifdef CONFIG_SPARSEMEM
	pa->boot_start = ALIGN_DOWN(pfn, PAGES_PER_SECTION);
	pa->boot_end = ALIGN(pfn + nr, PAGES_PER_SECTION);
#endif
}
EXPORT_SYMBOL_IF_KUNIT(pkram_access_boot_note);

/* Pages to try before giving up on one a loaded kexec image does not cover */
#define PKRAM_ALLOC_TRIES	64

static bool pkram_in_excluded(unsigned long pfn, unsigned long nr)
{
	struct pkram_excluded *ex;

	for (ex = pkram_excluded; ex < pkram_excluded + PKRAM_NR_EXCLUDED; ex++)
		if (pfn < ex->pfn + ex->nr && ex->pfn < pfn + nr)
			return true;
	return false;
}

static void pkram_absorb(struct folio *folio)
{
	spin_lock(&pkram_absorbed_lock);
	list_add(&folio->lru, &pkram_absorbed);
	pkram_absorbed_pages += folio_nr_pages(folio);
	spin_unlock(&pkram_absorbed_lock);
}

/**
 * pkram_track_usable - track pages as preserved, unless they may not be
 * @pfn: first page
 * @nr: number of pages
 * @gfp_mask: allocation flags for the tracker
 *
 * The pages are tracked first and checked after, with a full barrier in
 * between.  A kexec load publishes where its image goes before it checks
 * the tracker (pkram_kexec_prepare()), so of a save and a load that race,
 * at least one sees the other: no page is preserved where an image will be
 * copied at reboot.
 *
 * Return: 0 if the pages are tracked, -EADDRNOTAVAIL if nothing may be
 * preserved there (see pkram_pfn_excluded()), or an error of pkram_track().
 */
int pkram_track_usable(unsigned long pfn, unsigned long nr, gfp_t gfp_mask)
{
	int err = pkram_track(pfn, nr, gfp_mask);

	if (err)
		return err;
	smp_mb();	/* pairs with pkram_kexec_prepare() */
	if (pkram_pfn_excluded(pfn, nr)) {
		pkram_untrack(pfn, nr);
		return -EADDRNOTAVAIL;
	}
	return 0;
}

/**
 * pkram_alloc_tracked - allocate a folio tracked as preserved
 * @gfp_mask: allocation flags
 * @order: order of the folio
 *
 * Allocates until it gets a folio where pages may be preserved (see
 * pkram_pfn_excluded()), in memory the machine booted with (see
 * pkram_boot_memory()), and tracks it.  Folios of the excluded range are
 * kept for good, so that they are not handed out again; folios where a
 * loaded kexec image goes, or in hot-added memory, are held, given back at
 * the end, and it gives up after a few more of them than the image's
 * destinations have pages.
 *
 * Return: the folio, with one reference, or NULL.
 */
struct folio *pkram_alloc_tracked(gfp_t gfp_mask, unsigned int order)
{
	struct folio *folio, *tmp, *next;
	struct page *page;
	LIST_HEAD(conflicts);
	unsigned long tries = 0;
	int err;

	/* Preserved pages are pinned until the next kernel: never movable. */
	gfp_mask &= ~(__GFP_MOVABLE | __GFP_HIGHMEM);
	for (;;) {
		if (order) {
			folio = folio_alloc(gfp_mask, order);
		} else {
			page = pkram_alloc_page(gfp_mask);
			folio = page ? page_folio(page) : NULL;
		}
		if (!folio)
			break;
		if (pkram_in_excluded(folio_pfn(folio), 1UL << order)) {
			pkram_absorb(folio);
			continue;
		}
		if (pkram_boot_memory(folio_pfn(folio), 1UL << order))
			err = pkram_track_usable(folio_pfn(folio), 1UL << order,
						 gfp_mask);
		else
			err = -EADDRNOTAVAIL;	/* hot-added: another one */
		if (!err)
			break;
		/* A page just allocated cannot be preserved already. */
		WARN_ON_ONCE(err == -EBUSY);
		list_add(&folio->lru, &conflicts);
		/*
		 * Folios in the way are held until the end, so each takes at
		 * least one page of the destinations with it: with as many
		 * tries as those have pages, free memory elsewhere is found,
		 * however much of it the image will be copied over.  Counted
		 * at the first one: most allocations meet none.
		 */
		if (!tries)
			tries = PKRAM_ALLOC_TRIES + pkram_kexec_dest_pages();
		if (err != -EADDRNOTAVAIL || !--tries) {
			folio = NULL;
			break;
		}
	}
	list_for_each_entry_safe(tmp, next, &conflicts, lru)
		folio_put(tmp);
	return folio;
}

/**
 * pkram_alloc_meta - allocate a page of metadata
 * @gfp_mask: allocation flags
 *
 * The page is zeroed, in the direct map, tracked as preserved, and never
 * where nothing may be preserved (see pkram_pfn_excluded()).
 *
 * Return: the page's address, or NULL.
 */
void *pkram_alloc_meta(gfp_t gfp_mask)
{
	struct folio *folio;

	folio = pkram_alloc_tracked(gfp_mask | __GFP_ZERO, 0);
	if (!folio)
		return NULL;
	atomic_long_inc(&pkram_meta_pages);
	return folio_address(folio);
}

/**
 * pkram_free_meta - free a page of metadata
 * @addr: the page, from pkram_alloc_meta() or handed over
 */
void pkram_free_meta(void *addr)
{
	pkram_untrack(PHYS_PFN(__pa(addr)), 1);
	atomic_long_dec(&pkram_meta_pages);
	free_page((unsigned long)addr);
}

/**
 * pkram_exclude - keep PKRAM out of a range of memory
 * @slot: which of the PKRAM_NR_EXCLUDED ranges this is
 * @pfn: first page
 * @nr: number of pages, 0 for none
 *
 * Called at boot for the scratch regions the next kernel keeps for its early
 * allocations (see pkram_scratch.c), a slot for each: no metadata page is
 * allocated there, and a folio there is saved as a copy.  A call replaces
 * the range of the slot.
 */
void pkram_exclude(unsigned int slot, unsigned long pfn, unsigned long nr)
{
	if (WARN_ON_ONCE(slot >= PKRAM_NR_EXCLUDED))
		return;
	pkram_excluded[slot].pfn = pfn;
	pkram_excluded[slot].nr = nr;
}

/**
 * pkram_pfn_excluded - may pages not be preserved?
 * @pfn: first page
 * @nr: number of pages
 *
 * Return: true if a page of [@pfn, @pfn + @nr) is in a range given to
 * pkram_exclude() or where a loaded kexec image will be copied at reboot.
 */
bool pkram_pfn_excluded(unsigned long pfn, unsigned long nr)
{
	return pkram_in_excluded(pfn, nr) || pkram_kexec_conflict(pfn, nr);
}

/*
 * Make pages handed over an ordinary allocated folio, with one reference;
 * the caller counts them in their zone's managed pages.
 */
static void pkram_prep_folio(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	for (i = 0; i < nr; i++) {
		ClearPageReserved(page + i);
		clear_page_tag_ref(page + i);
		set_page_count(page + i, i ? 0 : 1);
	}
	if (order) {
		prep_compound_page(page, order);
		page_rmappable_folio(page);
	}
}

/**
 * pkram_prep_preserved - make pages handed over an ordinary allocated folio
 * @page: first page, still reserved from boot
 * @order: order of the folio
 *
 * The folio comes out with one reference, counted in its zone's managed
 * pages, as if it had been allocated in this kernel.
 */
void pkram_prep_preserved(struct page *page, unsigned int order)
{
	pkram_prep_folio(page, order);
	adjust_managed_page_count(page, 1L << order);
}

static unsigned long pkram_pfn(void *addr)
{
	return addr ? page_to_pfn(virt_to_page(addr)) : 0;
}

/* --- entries and link pages ---------------------------------------------- */

static bool pkram_entry_is_folio(u64 entry)
{
	return entry && !(entry & PKRAM_ENTRY_INDEX);
}

static unsigned int pkram_entry_order(u64 entry)
{
	return (entry & PKRAM_ENTRY_ORDER_MASK) >> PKRAM_ENTRY_ORDER_SHIFT;
}

/* Count folios made from pages handed over: @nr pages in @page's zone. */
static void pkram_count_prepped(struct page *page, long folios, long nr)
{
	adjust_managed_page_count(page, nr);
	atomic_long_add(folios, &pkram_nr_folios);
	atomic_long_add(nr, &pkram_folio_pages);
}

/* Pages a loading access counts at once, at most. */
#define PKRAM_COUNT_BATCH	1024

/*
 * Count what @pa saved, or made from pages handed over, and did not count
 * yet.
 */
static void pkram_access_count_flush(struct pkram_access *pa)
{
	if (pa->counted_page) {
		pkram_count_prepped(pa->counted_page, pa->nr_counted_folios,
				    pa->nr_counted);
	} else if (pa->nr_counted_folios) {
		atomic_long_add(pa->nr_counted_folios, &pkram_nr_folios);
		atomic_long_add(pa->nr_counted, &pkram_folio_pages);
	}
	pa->counted_page = NULL;
	pa->nr_counted = 0;
	pa->nr_counted_folios = 0;
}

/*
 * A folio of @order at @page, made from pages handed over by a loading
 * access: counted with the others of its zone, once per link page (or
 * PKRAM_COUNT_BATCH pages), not one global update per folio.
 */
static void pkram_access_count(struct pkram_access *pa, struct page *page,
			       unsigned int order)
{
	if (pa->counted_page && page_zone(pa->counted_page) != page_zone(page))
		pkram_access_count_flush(pa);
	if (!pa->counted_page)
		pa->counted_page = page;
	pa->nr_counted += 1UL << order;
	pa->nr_counted_folios++;
	if (pa->nr_counted >= PKRAM_COUNT_BATCH)
		pkram_access_count_flush(pa);
}

/*
 * pkram_entry_folio_order - the order of the folios an entry's pages are in
 * this kernel: the entry's, unless the pages span two zones here.  The
 * previous kernel may have had another NUMA layout (numa=fake= puts node
 * boundaries at any page), and a compound page must sit in one zone: the
 * pages of such an entry are single pages in this kernel.
 */
static unsigned int pkram_entry_folio_order(u64 entry)
{
	unsigned long pfn = PHYS_PFN(entry & PAGE_MASK);
	unsigned int order = pkram_entry_order(entry);

	if (order && page_zone(pfn_to_page(pfn)) !=
		     page_zone(pfn_to_page(pfn + (1UL << order) - 1)))
		return 0;
	return order;
}

/*
 * pkram_entry_folio - a folio of an entry's, which holds a reference of
 * PKRAM's: the one @sub pages into the entry (0 unless the entry's pages are
 * several folios, see pkram_entry_folio_order()).  A page handed over by the
 * previous kernel, still reserved from boot, becomes a folio the first time
 * it is asked for: counted in @pa's batch if @pa is a loading access, else
 * at once.
 */
static struct folio *pkram_entry_folio(u64 entry, unsigned long sub,
				       struct pkram_access *pa)
{
	unsigned long pfn = PHYS_PFN(entry & PAGE_MASK);
	unsigned int order = pkram_entry_folio_order(entry);
	struct page *page = pfn_to_page(pfn + sub);
	struct folio *folio;

	if (PageReserved(page)) {
		if (!sub && order != pkram_entry_order(entry))
			pr_info_ratelimited("PKRAM: a folio of %lu pages at pfn %#lx spans two zones of this kernel: loaded as single pages\n",
					    1UL << pkram_entry_order(entry), pfn);
		pkram_prep_folio(page, order);
		if (pa)
			pkram_access_count(pa, page, order);
		else
			pkram_count_prepped(page, 1, 1L << order);
	}
	folio = page_folio(page);
	VM_WARN_ON_FOLIO(folio_order(folio) != order, folio);
	return folio;
}

/* Release what an entry holds: a data page, or PKRAM's folio reference. */
/*
 * Free what the folio entries of @link hold: untracked first, in runs of
 * contiguous pages (a page freed while still tracked could be preserved
 * again by a save meanwhile, and then untracked by mistake), then released,
 * and counted once for the link page.
 */
static void pkram_free_folio_entries(struct pkram_link *link)
{
	unsigned long pfn, nr, sub, run_pfn = 0, run_nr = 0;
	long folios = 0, pages = 0;
	struct folio *folio;
	unsigned int i;
	u64 e;

	pkram_for_each_entry(e, i, link) {
		if (!pkram_entry_is_folio(e))
			continue;
		pfn = PHYS_PFN(e & PAGE_MASK);
		nr = 1UL << pkram_entry_order(e);
		if (run_nr && run_pfn + run_nr == pfn) {
			run_nr += nr;
			continue;
		}
		if (run_nr)
			pkram_untrack(run_pfn, run_nr);
		run_pfn = pfn;
		run_nr = nr;
	}
	if (run_nr)
		pkram_untrack(run_pfn, run_nr);
	pkram_for_each_entry(e, i, link) {
		if (!pkram_entry_is_folio(e))
			continue;
		for (sub = 0; sub < 1UL << pkram_entry_order(e); sub += nr) {
			folio = pkram_entry_folio(e, sub, NULL);
			nr = folio_nr_pages(folio);
			folios++;
			pages += nr;
			folio_put(folio);
		}
	}
	atomic_long_sub(folios, &pkram_nr_folios);
	atomic_long_sub(pages, &pkram_folio_pages);
}

/* Free the link pages of a chain starting at @first, and what they hold. */
static void pkram_free_links(struct pkram_link *first, bool data_pages)
{
	struct pkram_link *link, *next;
	unsigned int i;
	u64 e;

	pkram_for_each_link(link, next, first) {
		if (!data_pages)
			pkram_free_folio_entries(link);
		else
			pkram_for_each_entry(e, i, link)
				if (pkram_entry_is_folio(e))
					pkram_free_meta(__va(e & PAGE_MASK));
		pkram_free_meta(link);
		/* A node can hold millions of folios. */
		cond_resched();
	}
}

static void pkram_free_stream(struct pkram_stream_head *head, bool data_pages)
{
	pkram_free_links(pkram_first_link(head), data_pages);
	head->head_pfn = 0;
	head->tail_pfn = 0;
}

static void pkram_free_obj(struct pkram_obj *obj)
{
	pkram_free_stream(&obj->folios, false);
	pkram_free_stream(&obj->bytes, true);
	pkram_free_meta(obj);
}

/* Free every object of @node, then the node. */
static void pkram_free_node(struct pkram_node *node)
{
	struct pkram_obj *obj, *next;

	pkram_for_each_obj(obj, next, node)
		pkram_free_obj(obj);
	pkram_free_meta(node);
}

/* Append the chain @first..@last to @head. */
static void pkram_chain_links(struct pkram_stream_head *head,
			      struct pkram_link *first, struct pkram_link *last)
{
	struct pkram_link *tail = pkram_pfn_to_virt(head->tail_pfn);

	if (tail)
		tail->link_pfn = pkram_pfn(first);
	else
		head->head_pfn = pkram_pfn(first);
	head->tail_pfn = pkram_pfn(last);
}

/* --- the handover in progress -------------------------------------------- */

/**
 * pkram_restore_begin - the nodes handed over are being taken back
 *
 * Called once, early in boot, by the handover when the previous kernel
 * handed memory over: from then until pkram_restore_end(), whatever reads
 * the node list or the tracker waits (pkram_wait_restore()).
 */
void __init pkram_restore_begin(void)
{
	pkram_restoring = true;
}

/**
 * pkram_restore_end - the nodes handed over are on the list, or never will be
 */
void pkram_restore_end(void)
{
	/* What the restore did is seen by whoever sees it ended. */
	smp_store_release(&pkram_restoring, false);
	wake_up_all(&pkram_restore_wq);
}

/**
 * pkram_wait_restore - wait until the nodes handed over are taken back
 *
 * The node list and the tracker are complete once this returns: the nodes
 * of the previous kernel that were found good are on the list, and their
 * pages are tracked.  Returns at once when there was no handover, or once
 * it is done.
 *
 * Context: process context, may sleep.
 */
void pkram_wait_restore(void)
{
	/* Pairs with pkram_restore_end(): list and tracker are seen whole. */
	wait_event(pkram_restore_wq, !smp_load_acquire(&pkram_restoring));
}

/* The restore thread while the boot runs (pkram_restore_alone()) */
static struct task_struct *pkram_alone_task;

/**
 * pkram_restore_alone - let the restore thread yield to the boot, or not
 * @task: the restore thread, while the initcalls run; NULL once they are over
 *
 * While the initcalls run the restore thread runs at the lowest priority,
 * and alone: pkram_run_parallel() called in @task gives no work to other
 * threads, which would run at the default priority.
 */
void pkram_restore_alone(struct task_struct *task)
{
	WRITE_ONCE(pkram_alone_task, task);
}

/**
 * pkram_restore_yields - is this the restore thread while the boot runs?
 *
 * Return: true if the caller is the task pkram_restore_alone() was given.
 */
bool pkram_restore_yields(void)
{
	return current == READ_ONCE(pkram_alone_task);
}

/* Lock the node list, once what the previous kernel handed over is on it. */
static void pkram_lock_nodes(void)
{
	pkram_wait_restore();
	mutex_lock(&pkram_mutex);
}

/* --- several CPUs -------------------------------------------------------- */

struct pkram_worker {
	struct work_struct work;
	int (*fn)(void *arg);
	void *arg;
	struct mem_cgroup *memcg;
	int err;
};

static void pkram_work(struct work_struct *work)
{
	struct pkram_worker *w = container_of(work, typeof(*w), work);
	struct mem_cgroup *old = set_active_memcg(w->memcg);

	w->err = w->fn(w->arg);
	set_active_memcg(old);
}

/**
 * pkram_run_parallel - run a share of a save or load on every CPU
 * @fn: takes shares of the work until none is left; it must be able to do
 *	all of it alone
 * @arg: its argument
 *
 * Runs @fn(@arg) in as many threads as there are CPUs, up to
 * PKRAM_MAX_THREADS, the calling thread one of them, and waits for every
 * run.  Pages the other threads allocate or charge go to the memory cgroup
 * of the caller.  With one CPU, no memory for the others, or in the restore
 * thread while the boot runs (pkram_restore_yields()), @fn runs in the
 * calling thread only.
 *
 * Context: process context, may sleep.
 * Return: 0, or the error of a run.
 */
int pkram_run_parallel(int (*fn)(void *arg), void *arg)
{
	unsigned int n = min(num_online_cpus(), PKRAM_MAX_THREADS), i;
	struct pkram_worker *w;
	struct mem_cgroup *memcg;
	int err;

	w = n > 1 && !pkram_restore_yields() ?
	    kcalloc(n - 1, sizeof(*w), GFP_KERNEL | __GFP_NORETRY) : NULL;
	if (!w)
		return fn(arg);
	memcg = get_mem_cgroup_from_mm(current->mm);
	for (i = 0; i < n - 1; i++) {
		INIT_WORK(&w[i].work, pkram_work);
		w[i].fn = fn;
		w[i].arg = arg;
		w[i].memcg = memcg;
		queue_work(system_unbound_wq, &w[i].work);
	}
	err = fn(arg);
	for (i = 0; i < n - 1; i++) {
		flush_work(&w[i].work);
		if (!err)
			err = w[i].err;
	}
	mem_cgroup_put(memcg);
	kfree(w);
	return err;
}

/* --- nodes ----------------------------------------------------------------- */

static struct pkram_node *pkram_node_of(struct page *page)
{
	return page_address(page);
}

static struct pkram_node *pkram_find_node(const char *name)
{
	struct page *page;

	lockdep_assert_held(&pkram_mutex);
	list_for_each_entry(page, &pkram_nodes, lru) {
		struct pkram_node *node = pkram_node_of(page);

		if (!strcmp(node->name, name))
			return node;
	}
	return NULL;
}

/*
 * pkram_check_name - check that @name can name a node
 * Return: 0, -EINVAL if @name is NULL or empty, or -ENAMETOOLONG if it does
 * not fit PKRAM_NAME_MAX bytes with its terminating NUL.
 */
static int pkram_check_name(const char *name)
{
	if (!name || !*name)
		return -EINVAL;
	if (strnlen(name, PKRAM_NAME_MAX) >= PKRAM_NAME_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static void pkram_stream_init(struct pkram_stream *ps, struct pkram_node *node,
			      gfp_t gfp_mask)
{
	memset(ps, 0, sizeof(*ps));
	ps->gfp_mask = gfp_mask;
	ps->node = node;
	spin_lock_init(&ps->lock);
}

/* Link pages of a stream, and their data pages if @data_pages. */
static long pkram_count_links(struct pkram_stream_head *head, bool data_pages)
{
	struct pkram_link *link, *next;
	unsigned int i;
	long nr = 0;
	u64 e;

	pkram_for_each_link(link, next, pkram_first_link(head)) {
		nr++;
		if (data_pages)
			pkram_for_each_entry(e, i, link)
				nr++;
		cond_resched();
	}
	return nr;
}

/**
 * pkram_link_nodes - link the saved nodes by pfn, for the next kernel
 * @nr_nodes: set to the number of nodes linked
 *
 * Every node that finished saving is linked.  One still being saved, or
 * being loaded (its pages may be in use already), is left out, with a
 * warning.  Called at the kexec reboot: the node list stays locked, so that
 * no node can be saved, loaded or freed any more, until
 * pkram_unlink_nodes() if the kexec does not happen after all.
 *
 * Return: the first node of the list, or NULL if there is none.
 */
struct pkram_node *pkram_link_nodes(unsigned long *nr_nodes)
{
	struct pkram_node *node, *next = NULL;
	struct page *page;

	*nr_nodes = 0;
	pkram_lock_nodes();
	list_for_each_entry_reverse(page, &pkram_nodes, lru) {
		node = pkram_node_of(page);
		if (node->flags & PKRAM_ACCMODE_MASK) {
			pr_warn("node %s is being %s: not preserved\n", node->name,
				node->flags & PKRAM_SAVE ? "saved" : "loaded");
			continue;
		}
		node->node_pfn = pkram_pfn(next);
		next = node;
		(*nr_nodes)++;
	}
	return next;
}

/**
 * pkram_unlink_nodes - undo pkram_link_nodes(): the kexec does not happen
 */
void pkram_unlink_nodes(void)
{
	struct page *page;

	list_for_each_entry(page, &pkram_nodes, lru)
		pkram_node_of(page)->node_pfn = 0;
	mutex_unlock(&pkram_mutex);
}

/**
 * pkram_add_node - put a node handed over by the previous kernel on the list
 * @node: the node, checked
 */
void pkram_add_node(struct pkram_node *node)
{
	struct page *page = virt_to_page(node);
	struct pkram_obj *obj, *next;

	/* Its pages count as this kernel's from now on. */
	atomic_long_inc(&pkram_meta_pages);
	pkram_for_each_obj(obj, next, node)
		atomic_long_add(1 + pkram_count_links(&obj->folios, false) +
				pkram_count_links(&obj->bytes, true),
				&pkram_meta_pages);
	mutex_lock(&pkram_mutex);
	list_add_tail(&page->lru, &pkram_nodes);
	mutex_unlock(&pkram_mutex);
}

/**
 * pkram_free_saved_nodes - free every node that is not being saved or loaded
 */
void pkram_free_saved_nodes(void)
{
	struct page *page, *tmp;
	LIST_HEAD(victims);

	pkram_lock_nodes();
	list_for_each_entry_safe(page, tmp, &pkram_nodes, lru)
		if (!(pkram_node_of(page)->flags & PKRAM_ACCMODE_MASK))
			list_move(&page->lru, &victims);
	mutex_unlock(&pkram_mutex);

	list_for_each_entry_safe(page, tmp, &victims, lru) {
		list_del(&page->lru);
		pkram_free_node(pkram_node_of(page));
	}
}

/**
 * pkram_prepare_save - start saving a new node
 * @ps: the stream to set up
 * @name: name of the node, at most PKRAM_NAME_MAX - 1 bytes
 * @gfp_mask: allocation flags for the metadata pages of the node
 *
 * The node is not visible to pkram_prepare_load() until pkram_finish_save().
 * End the stream with pkram_finish_save() or pkram_discard_save().
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL or -ENAMETOOLONG for a bad @name, -EEXIST if
 * a node of that name is saved or being saved or loaded, -ENOMEM.
 */
int pkram_prepare_save(struct pkram_stream *ps, const char *name,
		       gfp_t gfp_mask)
{
	struct pkram_node *node;
	int err;

	err = pkram_check_name(name);
	if (err)
		return err;
	node = pkram_alloc_meta(gfp_mask);
	if (!node)
		return -ENOMEM;
	strscpy(node->name, name, PKRAM_NAME_MAX);
	node->flags = PKRAM_SAVE;

	pkram_lock_nodes();
	if (pkram_find_node(name)) {
		mutex_unlock(&pkram_mutex);
		pkram_free_meta(node);
		return -EEXIST;
	}
	list_add_tail(&virt_to_page(node)->lru, &pkram_nodes);
	mutex_unlock(&pkram_mutex);

	pkram_stream_init(ps, node, gfp_mask);
	return 0;
}

/**
 * pkram_prepare_save_obj - start saving a new object of the node
 * @ps: the stream of the node being saved
 * @flags: the streams the object holds: PKRAM_DATA_folios, PKRAM_DATA_bytes
 *	or both
 *
 * Objects are loaded back in the order they were saved.  The object is
 * finished by pkram_finish_save_obj(), by the next pkram_prepare_save_obj()
 * or by pkram_finish_save().
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL for bad @flags, -ENOMEM.
 */
int pkram_prepare_save_obj(struct pkram_stream *ps,
			   enum pkram_data_flags flags)
{
	struct pkram_node *node = ps->node;
	struct pkram_obj *obj;

	if (!flags || (flags & ~(PKRAM_DATA_folios | PKRAM_DATA_bytes)))
		return -EINVAL;
	if (WARN_ON_ONCE(!node || !(node->flags & PKRAM_SAVE)))
		return -EINVAL;
	if (ps->obj)
		pkram_finish_save_obj(ps);

	obj = pkram_alloc_meta(ps->gfp_mask);
	if (!obj)
		return -ENOMEM;
	obj->flags = flags;
	if (ps->last_obj)
		ps->last_obj->obj_pfn = pkram_pfn(obj);
	else
		node->obj_pfn = pkram_pfn(obj);
	node->nr_objs++;
	ps->last_obj = obj;
	ps->obj = obj;
	return 0;
}

/**
 * pkram_finish_save_obj - finish saving the current object
 * @ps: the stream of the node being saved
 *
 * Every access to the object must have been finished.
 */
void pkram_finish_save_obj(struct pkram_stream *ps)
{
	ps->obj = NULL;
}

/**
 * pkram_finish_save - make the node complete and available for loading
 * @ps: the stream of the node being saved
 *
 * Context: process context, may sleep.
 */
void pkram_finish_save(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;

	if (ps->obj)
		pkram_finish_save_obj(ps);
	pkram_lock_nodes();
	node->flags &= ~PKRAM_ACCMODE_MASK;
	mutex_unlock(&pkram_mutex);
	ps->node = NULL;
}

static void pkram_remove_node(struct pkram_node *node)
{
	pkram_lock_nodes();
	list_del(&virt_to_page(node)->lru);
	mutex_unlock(&pkram_mutex);
	pkram_free_node(node);
}

/**
 * pkram_discard_save - drop a node being saved and all it holds
 * @ps: the stream of the node being saved
 *
 * Releases the reference of every saved folio and every metadata page.
 * Every access to the node must have been finished.
 *
 * Context: process context, may sleep.
 */
void pkram_discard_save(struct pkram_stream *ps)
{
	pkram_remove_node(ps->node);
	ps->node = NULL;
	ps->obj = NULL;
	ps->last_obj = NULL;
}

/**
 * pkram_prepare_load - start loading a saved node
 * @ps: the stream to set up
 * @name: name of the node
 *
 * A load takes nothing away from the node until it is committed: end it
 * with pkram_finish_load(), which frees the node and what the caller did not
 * take, or with pkram_abort_load(), which leaves the node saved, whole, for
 * a later load.
 *
 * Context: process context, may sleep.
 * Return: 0 on success, -EINVAL or -ENAMETOOLONG for a bad @name, -ENOENT
 * if no node of that name is saved, -EBUSY if it is being saved or loaded.
 */
int pkram_prepare_load(struct pkram_stream *ps, const char *name)
{
	struct pkram_node *node;
	int err;

	err = pkram_check_name(name);
	if (err)
		return err;

	pkram_lock_nodes();
	node = pkram_find_node(name);
	if (!node)
		err = -ENOENT;
	else if (node->flags & PKRAM_ACCMODE_MASK)
		err = -EBUSY;
	else
		node->flags |= PKRAM_LOAD;
	mutex_unlock(&pkram_mutex);
	if (err)
		return err;

	pkram_stream_init(ps, node, 0);
	return 0;
}

/**
 * pkram_prepare_load_obj - start loading the next object of the node
 * @ps: the stream of the node being loaded
 *
 * Finishes the current object, if any.  Objects come in the order they
 * were saved.
 *
 * Return: 0 on success, -ENODATA if the node has no more objects.
 */
int pkram_prepare_load_obj(struct pkram_stream *ps)
{
	struct pkram_node *node = ps->node;
	struct pkram_obj *obj;

	if (WARN_ON_ONCE(!node || !(node->flags & PKRAM_LOAD)))
		return -EINVAL;
	if (ps->obj)
		pkram_finish_load_obj(ps);
	obj = pkram_pfn_to_virt(ps->last_obj ? ps->last_obj->obj_pfn :
				node->obj_pfn);
	if (!obj)
		return -ENODATA;
	ps->obj = obj;
	ps->next_link_pfn = obj->folios.head_pfn;
	return 0;
}

/**
 * pkram_finish_load_obj - finish loading the current object
 * @ps: the stream of the node being loaded
 *
 * Every access to the object must have been finished.  The object stays in
 * the node until the load is committed or aborted.
 */
void pkram_finish_load_obj(struct pkram_stream *ps)
{
	if (!ps->obj)
		return;
	ps->last_obj = ps->obj;
	ps->obj = NULL;
}

/**
 * pkram_finish_load - commit a load: the node is consumed
 * @ps: the stream of the node being loaded
 *
 * Frees the node: PKRAM's references to its folios (those the caller loaded
 * keep the caller's), its bytes and its metadata.  The folios are no longer
 * preserved.  Every access to the node must have been finished.
 *
 * Context: process context, may sleep.
 */
void pkram_finish_load(struct pkram_stream *ps)
{
	pkram_finish_load_obj(ps);
	pkram_remove_node(ps->node);
	ps->node = NULL;
	ps->last_obj = NULL;
}

/**
 * pkram_abort_load - end a load that could not complete: the node stays
 * @ps: the stream of the node being loaded
 *
 * The node is saved again as it was, every folio and byte of it, and a
 * later pkram_prepare_load() loads it from the start; it is handed to the
 * next kernel if it is not loaded by then.  The references the caller got
 * from pkram_load_folio() are the caller's to drop.  Every access to the
 * node must have been finished.
 *
 * Context: process context, may sleep.
 */
void pkram_abort_load(struct pkram_stream *ps)
{
	pkram_lock_nodes();
	ps->node->flags &= ~PKRAM_LOAD;
	mutex_unlock(&pkram_mutex);
	ps->node = NULL;
	ps->obj = NULL;
	ps->last_obj = NULL;
}

/* --- accesses -------------------------------------------------------------- */

static bool pkram_access_saving(struct pkram_access *pa)
{
	return pa->ps->node->flags & PKRAM_SAVE;
}

static struct pkram_stream_head *pkram_access_stream(struct pkram_access *pa)
{
	struct pkram_obj *obj = pa->ps->obj;

	return pa->dtype == PKRAM_DATA_bytes ? &obj->bytes : &obj->folios;
}

/* Is @pa an access of type @dtype to an object that has such a stream? */
static bool pkram_access_ok(struct pkram_access *pa,
			    enum pkram_data_flags dtype)
{
	struct pkram_obj *obj = pa->ps->obj;

	return pa->dtype == dtype && obj && (obj->flags & dtype);
}

/*
 * Append an entry to the chain of link pages of a saving access; @index is
 * the file index of the folio the entry describes.
 */
static int pkram_add_entry(struct pkram_access *pa, u64 entry,
			   unsigned long index, unsigned long nr_pages)
{
	struct pkram_link *link = pa->link;
	bool need_index = link && index != pa->index;

	/* An index entry and its folio stay in one link page. */
	if (!link || pa->entry + need_index >= PKRAM_LINK_ENTRIES_MAX) {
		/* What a link page holds is counted before the next. */
		pkram_access_count_flush(pa);
		link = pkram_alloc_meta(pa->ps->gfp_mask);
		if (!link)
			return -ENOMEM;
		link->index = index;
		if (pa->link)
			pa->link->link_pfn = pkram_pfn(link);
		else
			pa->first = link;
		pa->link = link;
		pa->entry = 0;
		need_index = false;
	}
	if (need_index)
		link->entry[pa->entry++] = ((u64)index << PAGE_SHIFT) |
					   PKRAM_ENTRY_INDEX;
	link->entry[pa->entry++] = entry;
	pa->index = index + nr_pages;
	return 0;
}

static u64 pkram_folio_entry(struct folio *folio)
{
	return PFN_PHYS(folio_pfn(folio)) |
	       ((u64)folio_order(folio) << PKRAM_ENTRY_ORDER_SHIFT);
}

/*
 * A copy of @folio, with its index, in a folio tracked as preserved; or NULL.
 * No sleeping but what @gfp_mask allows: pkram_save_folio() may be called
 * under a lock.
 */
static struct folio *pkram_copy_folio(struct folio *folio, gfp_t gfp_mask)
{
	struct folio *copy = pkram_alloc_tracked(gfp_mask, folio_order(folio));
	long i;

	if (!copy)
		return NULL;
	for (i = 0; i < folio_nr_pages(folio); i++)
		copy_highpage(folio_page(copy, i), folio_page(folio, i));
	copy->index = folio->index;
	return copy;
}

/**
 * pkram_save_folio_at - save a folio into the folio stream, at an index
 * @pa: an access of type folios to the object being saved
 * @folio: the folio
 * @index: the index saved with it, which pkram_load_folio() gives back; a
 *	user that saves folios of several files into one stream gives each
 *	file its own range of indexes
 *
 * Takes a reference to @folio, which PKRAM keeps until the folio is loaded
 * or the node is discarded.  Folios are loaded back in the order this access
 * saved them.
 *
 * A folio where nothing may be preserved (the scratch region kept for the
 * next kernel, or where a loaded kexec image will be copied at reboot), or
 * that may not stay pinned until the next kernel (in ZONE_MOVABLE or a CMA
 * area, which must stay free to migrate), is not kept: PKRAM saves a copy
 * of it, in a folio of the same order, and takes no reference to @folio.
 * The copy is what is loaded back.
 *
 * Return: 0 on success, -EINVAL if @pa is not an access of type folios to an
 * object with a folio stream or @index does not fit an entry, -EOPNOTSUPP
 * for a hugetlb, slab, reserved or ZONE_DEVICE folio or one larger than
 * MAX_PAGE_ORDER, -EHWPOISON for one with a memory error, -EXDEV for one
 * in memory hot-added since boot, which the next kernel does not start
 * with (see pkram_boot_memory()), -EBUSY if @folio is saved already,
 * -ENOMEM.
 */
int pkram_save_folio_at(struct pkram_access *pa, struct folio *folio,
			unsigned long index)
{
	struct folio *copy = NULL;
	int err;

	if (!pkram_access_ok(pa, PKRAM_DATA_folios) || !pkram_access_saving(pa))
		return -EINVAL;
	if (folio_test_hugetlb(folio) || folio_order(folio) > MAX_PAGE_ORDER ||
	    folio_test_reserved(folio) || folio_is_zone_device(folio) ||
	    folio_test_slab(folio) || !folio_pfn(folio))
		return -EOPNOTSUPP;
	if (folio_contain_hwpoisoned_page(folio))
		return -EHWPOISON;
	if ((u64)index > (U64_MAX >> PAGE_SHIFT))
		return -EINVAL;

	if (!pkram_access_boot_memory(pa, folio_pfn(folio),
				      folio_nr_pages(folio))) {
		pr_warn_ratelimited("a folio at pfn %#lx is in memory hot-added since boot: not preserved\n",
				    folio_pfn(folio));
		return -EXDEV;
	}

	if (!folio_is_longterm_pinnable(folio))
		err = -EADDRNOTAVAIL;
	else
		err = pkram_track_usable(folio_pfn(folio), folio_nr_pages(folio),
					 pa->ps->gfp_mask);
	if (err == -EBUSY)
		pr_warn_ratelimited("a folio of order %u at pfn %#lx, index %#lx, is preserved already\n",
				    folio_order(folio), folio_pfn(folio), index);
	if (err == -EADDRNOTAVAIL) {
		copy = pkram_copy_folio(folio, pa->ps->gfp_mask);
		if (!copy)
			return -ENOMEM;
		folio = copy;
		err = 0;
	}
	if (!err) {
		err = pkram_add_entry(pa, pkram_folio_entry(folio), index,
				      folio_nr_pages(folio));
		if (err)
			pkram_untrack(folio_pfn(folio), folio_nr_pages(folio));
	}
	if (err) {
		if (copy)
			folio_put(copy);
		return err;
	}
	/* A copy's own reference is PKRAM's. */
	if (!copy)
		folio_get(folio);
	pkram_access_boot_note(pa, folio_pfn(folio), folio_nr_pages(folio));
	/* Counted with the others of the link page, not one by one. */
	pa->nr_counted += folio_nr_pages(folio);
	pa->nr_counted_folios++;
	return 0;
}

/**
 * pkram_save_folio - save a folio into the folio stream of the object
 * @pa: an access of type folios to the object being saved
 * @folio: the folio; its index (&folio.index) is saved with it
 *
 * As pkram_save_folio_at() at the folio's own index.
 *
 * Return: as pkram_save_folio_at().
 */
int pkram_save_folio(struct pkram_access *pa, struct folio *folio)
{
	return pkram_save_folio_at(pa, folio, folio->index);
}

/*
 * The next link page of a loading access, NULL at the end of the stream.  A
 * byte stream is read by one access, from its start; the accesses to a
 * folio stream share it, and each link page goes to one of them.  Nothing
 * is taken off the stream.
 */
static struct pkram_link *pkram_load_link(struct pkram_access *pa)
{
	struct pkram_stream *ps = pa->ps;
	struct pkram_link *link;

	if (pa->dtype == PKRAM_DATA_bytes)
		return pkram_pfn_to_virt(pa->link ? pa->link->link_pfn :
					 ps->obj->bytes.head_pfn);
	spin_lock(&ps->lock);
	link = pkram_pfn_to_virt(ps->next_link_pfn);
	if (link)
		ps->next_link_pfn = link->link_pfn;
	spin_unlock(&ps->lock);
	return link;
}

/*
 * Next folio of a loading access: its entry, and in @sub where the folio
 * starts in it (the pages of an entry may be several folios in this kernel,
 * see pkram_entry_folio_order()); 0 at the end of the stream.
 */
static u64 pkram_next_entry(struct pkram_access *pa, unsigned long *index,
			    unsigned long *sub)
{
	struct pkram_link *link;
	unsigned int forder;
	u64 entry;

	if (pa->piece) {
		entry = pa->link->entry[pa->entry - 1];
		*sub = pa->piece;
		*index = pa->index - (1UL << pkram_entry_order(entry)) + *sub;
		pa->piece += 1UL << pkram_entry_folio_order(entry);
		if (pa->piece == 1UL << pkram_entry_order(entry))
			pa->piece = 0;
		return entry;
	}
	for (;;) {
		if (pa->link && pa->entry < PKRAM_LINK_ENTRIES_MAX &&
		    pa->link->entry[pa->entry]) {
			entry = pa->link->entry[pa->entry++];
			if (entry & PKRAM_ENTRY_INDEX) {
				pa->index = entry >> PAGE_SHIFT;
				continue;
			}
			*index = pa->index;
			*sub = 0;
			pa->index += 1UL << pkram_entry_order(entry);
			forder = pkram_entry_folio_order(entry);
			if (forder != pkram_entry_order(entry))
				pa->piece = 1UL << forder;
			return entry;
		}
		/* What the link page handed out is counted before the next. */
		pkram_access_count_flush(pa);
		/* At the end, pa->link stays the last: the next call ends too. */
		link = pkram_load_link(pa);
		if (!link)
			return 0;
		pa->link = link;
		pa->entry = 0;
		pa->index = link->index;
	}
}

/**
 * pkram_load_folio - load the next folio of the folio stream of the object
 * @pa: an access of type folios to the object being loaded
 * @index: where to store the file index of the folio, may be NULL
 *
 * The folio stays PKRAM's too, and preserved, until the load is committed
 * (pkram_finish_load()) or aborted (pkram_abort_load()).  A folio saved
 * whose pages span two zones of this kernel comes back as its single pages,
 * one per call, each with its own index.
 *
 * Return: the folio, with a reference for the caller, or NULL at the end of
 * the stream (or if @pa is not an access of type folios to an object with a
 * folio stream).
 */
struct folio *pkram_load_folio(struct pkram_access *pa, unsigned long *index)
{
	unsigned long idx, sub;
	struct folio *folio;
	u64 entry;

	if (!pkram_access_ok(pa, PKRAM_DATA_folios) || pkram_access_saving(pa))
		return NULL;
	entry = pkram_next_entry(pa, &idx, &sub);
	if (!entry)
		return NULL;
	if (index)
		*index = idx;
	folio = pkram_entry_folio(entry, sub, pa);
	folio_get(folio);
	return folio;
}

/*
 * The last data page of the byte stream, if it has room left: a new saving
 * access goes on filling it.
 */
static void pkram_resume_bytes(struct pkram_access *pa)
{
	struct pkram_obj *obj = pa->ps->obj;
	struct pkram_link *tail;
	unsigned int i;

	if (!(obj->data_len % PAGE_SIZE))
		return;
	tail = pkram_pfn_to_virt(obj->bytes.tail_pfn);
	for (i = PKRAM_LINK_ENTRIES_MAX; i > 0 && !tail->entry[i - 1]; i--)
		;
	pa->data_page = virt_to_page(__va(tail->entry[i - 1] & PAGE_MASK));
	pa->data_offset = obj->data_len % PAGE_SIZE;
}

/**
 * pkram_write - append bytes to the byte stream of the object
 * @pa: an access of type bytes to the object being saved
 * @buf: the bytes
 * @count: how many
 *
 * Context: process context, may sleep.
 * Return: @count on success; if memory runs out, the number of bytes saved
 * before that, or -ENOMEM if none; -EINVAL if @pa is not an access of type
 * bytes to an object with a byte stream.
 */
ssize_t pkram_write(struct pkram_access *pa, const void *buf, size_t count)
{
	size_t done = 0;

	if (!pkram_access_ok(pa, PKRAM_DATA_bytes) || !pkram_access_saving(pa))
		return -EINVAL;
	if (!pa->data_page && !pa->link)
		pkram_resume_bytes(pa);

	while (done < count) {
		size_t n;

		if (!pa->data_page || pa->data_offset == PAGE_SIZE) {
			void *page = pkram_alloc_meta(pa->ps->gfp_mask);

			if (!page)
				goto nomem;
			if (pkram_add_entry(pa, __pa(page), pa->index, 1)) {
				pkram_free_meta(page);
				goto nomem;
			}
			pa->data_page = virt_to_page(page);
			pa->data_offset = 0;
		}
		n = min_t(size_t, count - done, PAGE_SIZE - pa->data_offset);
		memcpy(page_address(pa->data_page) + pa->data_offset,
		       buf + done, n);
		pa->data_offset += n;
		done += n;
	}
	pa->data_len += count;
	return count;

nomem:
	pa->data_len += done;
	return done ? done : -ENOMEM;
}

/**
 * pkram_read - read bytes from the byte stream of the object
 * @pa: an access of type bytes to the object being loaded
 * @buf: where to copy them
 * @count: how many at most
 *
 * Each access reads the stream from its start.
 *
 * Return: the number of bytes read, 0 at the end of the stream (or if @pa is
 * not an access of type bytes to an object with a byte stream).
 */
size_t pkram_read(struct pkram_access *pa, void *buf, size_t count)
{
	struct pkram_obj *obj = pa->ps->obj;
	size_t done = 0;

	if (!pkram_access_ok(pa, PKRAM_DATA_bytes) || pkram_access_saving(pa))
		return 0;
	if (!pa->link)
		pa->data_len = obj->data_len;

	while (done < count && pa->data_len) {
		size_t n;

		if (!pa->data_page || pa->data_offset == PAGE_SIZE) {
			unsigned long index, sub;
			u64 entry;

			pa->data_page = NULL;
			entry = pkram_next_entry(pa, &index, &sub);
			if (!entry)
				break;
			pa->data_page = virt_to_page(__va(entry & PAGE_MASK));
			pa->data_offset = 0;
		}
		n = min3(count - done, PAGE_SIZE - pa->data_offset, pa->data_len);
		memcpy(buf + done, page_address(pa->data_page) + pa->data_offset,
		       n);
		pa->data_offset += n;
		pa->data_len -= n;
		done += n;
	}
	return done;
}

/**
 * pkram_bytes_left - how many bytes a loading access has yet to read
 * @pa: an access of type bytes to the object being loaded
 *
 * A bound for a caller about to trust a count it read: a record that says
 * more records follow than there are bytes for is wrong.
 *
 * Return: the bytes pkram_read() can still give through @pa; 0 if @pa is
 * not a loading access of type bytes to an object with a byte stream.
 */
size_t pkram_bytes_left(struct pkram_access *pa)
{
	if (!pkram_access_ok(pa, PKRAM_DATA_bytes) || pkram_access_saving(pa))
		return 0;
	return pa->link ? pa->data_len : pa->ps->obj->data_len;
}

/**
 * pkram_finish_access - end an access to a stream of the current object
 * @pa: the access
 * @status_ok: saving: false drops what this access saved; loading: ignored
 *
 * A saving access chains what it saved to the object.  A loading access
 * leaves the stream as it is.
 *
 * Context: process context; may sleep if @status_ok is false.
 */
void pkram_finish_access(struct pkram_access *pa, bool status_ok)
{
	struct pkram_stream *ps = pa->ps;
	bool bytes = pa->dtype == PKRAM_DATA_bytes;

	/* Counted before the links of a failed save are freed. */
	pkram_access_count_flush(pa);
	if (!ps->obj) {
		/* Finished after its object: what it saved has nowhere to go. */
		if (WARN_ON_ONCE(pa->first))
			pkram_free_links(pa->first, bytes);
		goto out;
	}
	/* A loading access leaves the stream as it is. */
	if (!pkram_access_saving(pa))
		goto out;

	if (status_ok) {
		spin_lock(&ps->lock);
		if (pa->first)
			pkram_chain_links(pkram_access_stream(pa), pa->first,
					  pa->link);
		if (bytes)
			ps->obj->data_len += pa->data_len;
		spin_unlock(&ps->lock);
	} else if (pa->first) {
		pkram_free_links(pa->first, bytes);
	}
out:
	pa->link = NULL;
	pa->first = NULL;
	pa->data_page = NULL;
}

/* --- debugfs --------------------------------------------------------------- */

#ifdef CONFIG_DEBUG_FS
static void pkram_show_stream(struct seq_file *m, struct pkram_stream_head *head)
{
	unsigned long count[NR_PAGE_ORDERS] = { };
	struct pkram_link *link, *next;
	unsigned int i, order;
	u64 e;

	pkram_for_each_link(link, next, pkram_first_link(head)) {
		pkram_for_each_entry(e, i, link) {
			if (!pkram_entry_is_folio(e))
				continue;
			order = pkram_entry_order(e);
			if (order < NR_PAGE_ORDERS)
				count[order]++;
		}
		cond_resched();
	}
	for (order = 0; order < NR_PAGE_ORDERS; order++)
		if (count[order])
			seq_printf(m, " order%u=%lu", order, count[order]);
}

VISIBLE_IF_KUNIT int pkram_nodes_show(struct seq_file *m, void *v)
{
	static const char * const state[] = {
		"saved", "saving", "loading", "saving+loading"
	};
	struct pkram_stats stats;
	struct page *page;

	pkram_get_stats(&stats);
	seq_printf(m, "metadata pages: %ld, folios: %ld (%ld pages)\n",
		   stats.meta_pages, stats.folios, stats.folio_pages);

	pkram_lock_nodes();
	list_for_each_entry(page, &pkram_nodes, lru) {
		struct pkram_node *node = pkram_node_of(page);
		struct pkram_obj *obj, *next;
		unsigned int i = 0;

		seq_printf(m, "node %s: %s, %u objects\n", node->name,
			   state[node->flags & PKRAM_ACCMODE_MASK],
			   node->nr_objs);
		/* Nodes in use change under our feet: show saved ones only. */
		if (node->flags & PKRAM_ACCMODE_MASK)
			continue;
		pkram_for_each_obj(obj, next, node) {
			seq_printf(m, "  obj %u: folios:", i++);
			pkram_show_stream(m, &obj->folios);
			seq_printf(m, " bytes=%llu\n", obj->data_len);
		}
	}
	mutex_unlock(&pkram_mutex);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pkram_nodes_show);
DEFINE_SHOW_ATTRIBUTE(pkram_nodes);

/*
 * The preserved ranges, as physical addresses: where kexec must not go.  A
 * record per range, found as it is read: the position is the pfn to look
 * from, so that a file of a million ranges is not made whole again each
 * time seq_file's buffer grows.
 */
struct pkram_ranges_iter {
	unsigned long pfn;
	unsigned long nr;
};

static void *pkram_ranges_start(struct seq_file *m, loff_t *pos)
{
	struct pkram_ranges_iter *it = m->private;
	unsigned long pfn = *pos;

	if (!*pos)
		pkram_wait_restore();
	if (*pos != pfn)
		return NULL;
	it->nr = pkram_next_tracked(&pfn, ULONG_MAX);
	it->pfn = pfn;
	return it->nr ? it : NULL;
}

static void *pkram_ranges_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct pkram_ranges_iter *it = v;

	*pos = it->pfn + it->nr;
	cond_resched();
	return pkram_ranges_start(m, pos);
}

static void pkram_ranges_stop(struct seq_file *m, void *v)
{
}

static int pkram_ranges_show(struct seq_file *m, void *v)
{
	struct pkram_ranges_iter *it = v;

	seq_printf(m, "%#llx-%#llx\n", PFN_PHYS(it->pfn),
		   PFN_PHYS(it->pfn + it->nr) - 1);
	return 0;
}

static const struct seq_operations pkram_ranges_sops = {
	.start	= pkram_ranges_start,
	.next	= pkram_ranges_next,
	.stop	= pkram_ranges_stop,
	.show	= pkram_ranges_show,
};

static int pkram_ranges_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &pkram_ranges_sops,
				sizeof(struct pkram_ranges_iter));
}

static const struct file_operations pkram_ranges_fops = {
	.owner		= THIS_MODULE,
	.open		= pkram_ranges_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

static int __init pkram_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("pkram", NULL);

	debugfs_create_file("nodes", 0400, dir, NULL, &pkram_nodes_fops);
	debugfs_create_file("ranges", 0400, dir, NULL, &pkram_ranges_fops);
	return 0;
}
late_initcall(pkram_debugfs_init);
#endif /* CONFIG_DEBUG_FS */
