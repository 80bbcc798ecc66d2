// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for PKRAM, the Persistent Kernel RAM streams API.
 *
 * Every case checks outcomes: the very same folios come back with their
 * order, index and contents, bytes come back byte for byte, and what PKRAM
 * held is given back (free page count, folio references, PKRAM's own
 * counters).  Each case cleans up after itself, so that the suite leaves
 * nothing saved behind.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/kexec.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pkram.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>

#include "../mm/pkram_internal.h"
#include "test_pkram_bench.h"

#define PKRAM_TEST_NAME		"pkram-kunit"
#define PKRAM_TEST_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)

/*
 * The contents of every folio follow from one seed, printed when the suite
 * starts: test_pkram.seed=<seed> on the command line replays a run.  Each
 * case draws from its own stream (the seed and the case's name), so that
 * one case replays alone (kunit.filter_glob) as it ran with the others.
 */
static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the test data (0: a random one)");
static struct rnd_state pkram_test_rnd;

static int pkram_test_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u32() ?: 1;
	pr_info("%s: seed %lu (test_pkram.seed=%lu replays this run)\n",
		suite->name, seed, seed);
	return 0;
}

static void pkram_test_seed_case(struct kunit *test)
{
	prandom_seed_state(&pkram_test_rnd,
			   seed ^ full_name_hash(NULL, test->name,
						 strlen(test->name)));
}

/* Folios of a test, with the seed of their contents. */
struct pkram_test_folios {
	unsigned int nr;
	struct folio **folio;
	u32 *seed;
};

/* Builds a name of @len bytes, NUL not counted. */
static char *pkram_test_name(struct kunit *test, size_t len)
{
	char *name = kunit_kzalloc(test, len + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, name);
	memset(name, 'n', len);
	return name;
}

static void pkram_test_fill(void *addr, size_t len, u32 seed)
{
	u32 *p = addr;
	size_t i;

	for (i = 0; i < len / sizeof(u32); i++)
		p[i] = seed ^ (u32)(i * 2654435761u);
}

static bool pkram_test_check(const void *addr, size_t len, u32 seed)
{
	const u32 *p = addr;
	size_t i;

	for (i = 0; i < len / sizeof(u32); i++)
		if (p[i] != (seed ^ (u32)(i * 2654435761u)))
			return false;
	return true;
}

static void pkram_test_free_action(void *tf);

/* Allocate @nr folios of the orders @orders cycles through, at @indexes. */
static struct pkram_test_folios *
pkram_test_alloc(struct kunit *test, unsigned int nr, const unsigned int *orders,
		 unsigned int nr_orders, const unsigned long *indexes)
{
	struct pkram_test_folios *tf;
	unsigned long index = 0;
	unsigned int i;

	tf = kunit_kzalloc(test, sizeof(*tf), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tf);
	tf->folio = kunit_kcalloc(test, nr, sizeof(*tf->folio), GFP_KERNEL);
	tf->seed = kunit_kcalloc(test, nr, sizeof(*tf->seed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tf->folio);
	KUNIT_ASSERT_NOT_NULL(test, tf->seed);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_free_action, tf), 0);
	for (i = 0; i < nr; i++) {
		unsigned int order = orders ? orders[i % nr_orders] : 0;
		struct folio *folio = folio_alloc(GFP_KERNEL, order);

		KUNIT_ASSERT_NOT_NULL(test, folio);
		tf->folio[i] = folio;
		tf->nr = i + 1;
		tf->seed[i] = prandom_u32_state(&pkram_test_rnd);
		folio->index = indexes ? indexes[i] : index;
		index += folio_nr_pages(folio);
		pkram_test_fill(folio_address(folio), folio_size(folio),
				tf->seed[i]);
	}
	return tf;
}

static void pkram_test_free(struct pkram_test_folios *tf)
{
	unsigned int i;

	for (i = 0; i < tf->nr; i++)
		folio_put(tf->folio[i]);
	tf->nr = 0;
}

/* On a failed assertion, the folios still go back. */
static void pkram_test_free_action(void *tf)
{
	pkram_test_free(tf);
}

/*
 * The free page count, with the per-cpu page lists drained into it and the
 * per-cpu counter deltas added up.
 */
static unsigned long pkram_test_free_pages(void)
{
	unsigned long free, last = ULONG_MAX;
	struct zone *zone;
	int tries;

	/*
	 * Let frees queued before settle: RCU callbacks, per-cpu lists, and
	 * the exit of the previous case's thread, which may still be running
	 * (its stack is freed late).  Read until two reads agree.
	 */
	for (tries = 0; tries < 50; tries++) {
		rcu_barrier();
		drain_all_pages(NULL);
		free = 0;
		for_each_populated_zone(zone)
			free += zone_page_state_snapshot(zone, NR_FREE_PAGES);
		if (free == last)
			break;
		last = free;
		msleep(20);
	}
	return free;
}

/*
 * With KASAN or kmemleak, the free page count of a case does not come back
 * exactly: KASAN's quarantine holds freed slab objects (and their slab
 * pages) back, and the stack depot both keep takes pool pages for every
 * new stack they record.  There the count may come back off by this many
 * pages; leaks are what kmemleak and KASAN themselves report.  Without them
 * the count must come back exactly.
 */
#if IS_ENABLED(CONFIG_KASAN) || IS_ENABLED(CONFIG_DEBUG_KMEMLEAK)
#define PKRAM_TEST_DEBUG_SLACK	64
#else
#define PKRAM_TEST_DEBUG_SLACK	0
#endif

/* As many pages are free as @before (see PKRAM_TEST_DEBUG_SLACK). */
static void pkram_test_expect_free_pages(struct kunit *test,
					 unsigned long before)
{
	unsigned long free = pkram_test_free_pages();

	KUNIT_EXPECT_GE(test, free + PKRAM_TEST_DEBUG_SLACK, before);
	KUNIT_EXPECT_LE(test, free, before + PKRAM_TEST_DEBUG_SLACK);
}

static void pkram_test_expect_empty(struct kunit *test)
{
	struct pkram_stats stats;

	pkram_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.meta_pages, 0);
	KUNIT_EXPECT_EQ(test, stats.folios, 0);
	KUNIT_EXPECT_EQ(test, stats.folio_pages, 0);
}

static void pkram_test_expect_refs(struct kunit *test,
				   struct pkram_test_folios *tf, int refs)
{
	unsigned int i;

	for (i = 0; i < tf->nr; i++)
		KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[i]), refs);
}

/* Save @tf into the folio stream of a new object of the open stream @ps. */
static int pkram_test_save_obj(struct kunit *test, struct pkram_stream *ps,
			       struct pkram_test_folios *tf)
{
	PKRAM_ACCESS(pa, ps, folios);
	unsigned int i;
	int err;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(ps, PKRAM_DATA_folios), 0);
	for (i = 0; i < tf->nr; i++) {
		err = pkram_save_folio(&pa, tf->folio[i]);
		if (err)
			break;
	}
	pkram_finish_access(&pa, !err);
	pkram_finish_save_obj(ps);
	return err;
}

static void pkram_test_save(struct kunit *test, const char *name,
			    struct pkram_test_folios *tf)
{
	struct pkram_stream ps;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, name, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf), 0);
	pkram_finish_save(&ps);
}

/*
 * Load the folio stream of the next object of @ps and check that it gives
 * back @tf, in order, the very same folios with their order, index and
 * contents.  The references loaded are dropped.
 */
static void pkram_test_load_obj(struct kunit *test, struct pkram_stream *ps,
				struct pkram_test_folios *tf)
{
	PKRAM_ACCESS(pa, ps, folios);
	struct folio *folio;
	unsigned long index;
	unsigned int i = 0;

	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(ps), 0);
	while ((folio = pkram_load_folio(&pa, &index))) {
		if (i < tf->nr) {
			KUNIT_EXPECT_PTR_EQ(test, folio, tf->folio[i]);
			KUNIT_EXPECT_EQ(test, index, tf->folio[i]->index);
			KUNIT_EXPECT_EQ(test, folio_order(folio),
					folio_order(tf->folio[i]));
			KUNIT_EXPECT_TRUE(test, pkram_test_check(folio_address(folio),
								 folio_size(folio),
								 tf->seed[i]));
			/* the test's, the loader's, PKRAM's until committed */
			KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 3);
		}
		folio_put(folio);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, tf->nr);
	pkram_finish_access(&pa, true);
	pkram_finish_load_obj(ps);
}

static void pkram_test_load(struct kunit *test, const char *name,
			    struct pkram_test_folios *tf)
{
	struct pkram_stream ps;

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, name), 0);
	pkram_test_load_obj(test, &ps, tf);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), -ENODATA);
	pkram_finish_load(&ps);
}

/* Save @tf, load it back, and check that nothing is left anywhere. */
static void pkram_test_roundtrip(struct kunit *test,
				 struct pkram_test_folios *tf)
{
	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	pkram_test_expect_refs(test, tf, 2);
	pkram_test_load(test, PKRAM_TEST_NAME, tf);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- names and errors ------------------------------------------------------ */

static void pkram_test_load_missing(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, "pkram-test-missing"),
			-ENOENT);
}

static void pkram_test_load_bad_names(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_load(&ps, pkram_test_name(test, PKRAM_NAME_MAX)),
			-ENAMETOOLONG);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_load(&ps, pkram_test_name(test, PKRAM_NAME_MAX - 1)),
			-ENOENT);
}

static void pkram_test_save_bad_names(struct kunit *test)
{
	struct pkram_stream ps;

	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, NULL, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, "", GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			pkram_prepare_save(&ps, pkram_test_name(test, PKRAM_NAME_MAX),
					   GFP_KERNEL),
			-ENAMETOOLONG);
	pkram_test_expect_empty(test);
}

static void pkram_test_name_255(struct kunit *test)
{
	char *name = pkram_test_name(test, PKRAM_NAME_MAX - 1);
	struct pkram_test_folios *tf = pkram_test_alloc(test, 3, NULL, 0, NULL);
	struct pkram_stream ps;

	pkram_test_save(test, name, tf);
	/* One byte less is another name. */
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, name + 1), -ENOENT);
	pkram_test_load(test, name, tf);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

static void pkram_test_duplicate_name(struct kunit *test)
{
	struct pkram_stream ps, ps2;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	/* Being saved... */
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, PKRAM_TEST_NAME, GFP_KERNEL),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, PKRAM_TEST_NAME), -EBUSY);
	pkram_finish_save(&ps);
	/* ...saved... */
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, PKRAM_TEST_NAME, GFP_KERNEL),
			-EEXIST);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	/* ...and being loaded. */
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps2, PKRAM_TEST_NAME, GFP_KERNEL),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, PKRAM_TEST_NAME), -EBUSY);
	pkram_finish_load(&ps);
	/* Loaded: the node is gone and the name free again. */
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps2, PKRAM_TEST_NAME), -ENOENT);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps2, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	pkram_discard_save(&ps2);
	pkram_test_expect_empty(test);
}

static void pkram_test_bad_flags_and_types(struct kunit *test)
{
	struct pkram_test_folios *tf = pkram_test_alloc(test, 1, NULL, 0, NULL);
	struct pkram_stream ps;
	char buf[8] = "pkram";

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_none), -EINVAL);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save_obj(&ps, 0x4), -EINVAL);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		/* No byte stream in this object. */
		KUNIT_EXPECT_EQ(test, pkram_write(&pa, buf, sizeof(buf)), -EINVAL);
		pkram_finish_access(&pa, true);
	}
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		/* No folio stream in this one. */
		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, tf->folio[0]), -EINVAL);
		pkram_finish_access(&pa, true);
	}
	pkram_finish_save(&ps);
	pkram_test_expect_refs(test, tf, 1);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		/* Loading streams do not save. */
		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, tf->folio[0]), -EINVAL);
		KUNIT_EXPECT_NULL(test, pkram_load_folio(&pa, NULL));
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- folio streams --------------------------------------------------------- */

static void pkram_test_folios_0(struct kunit *test)
{
	pkram_test_roundtrip(test, pkram_test_alloc(test, 0, NULL, 0, NULL));
}

static void pkram_test_folios_1(struct kunit *test)
{
	pkram_test_roundtrip(test, pkram_test_alloc(test, 1, NULL, 0, NULL));
}

/* More folios than a link page has entries. */
static void pkram_test_folios_many(struct kunit *test)
{
	unsigned int nr = 3 * PKRAM_LINK_ENTRIES_MAX + 17;

	pkram_test_roundtrip(test, pkram_test_alloc(test, nr, NULL, 0, NULL));
}

static void pkram_test_folios_mixed_orders(struct kunit *test)
{
	static const unsigned int orders[] = {
		0, PKRAM_TEST_PMD_ORDER, 1, 3, 0, MAX_PAGE_ORDER, 2, 0,
		PKRAM_TEST_PMD_ORDER, 5,
	};

	pkram_test_roundtrip(test, pkram_test_alloc(test, 2 * ARRAY_SIZE(orders),
						    orders, ARRAY_SIZE(orders),
						    NULL));
}

static void pkram_test_folios_sparse(struct kunit *test)
{
	static const unsigned long indexes[] = {
		0, 5, 6, 1000, 1UL << 20, (1UL << 20) + 1, 1UL << 40,
		(1UL << 51) - 1, 7,
	};

	pkram_test_roundtrip(test, pkram_test_alloc(test, ARRAY_SIZE(indexes),
						    NULL, 0, indexes));
}

/*
 * pkram_save_folio_at(): the index given is what the load gives back, the
 * folio's own is left alone; an index beyond what an entry holds is refused.
 */
static void pkram_test_folios_at(struct kunit *test)
{
	static const unsigned long at[] = { 1UL << 45, 3, U64_MAX >> PAGE_SHIFT };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 3, NULL, 0, NULL);
	struct pkram_stream ps;
	struct folio *folio;
	unsigned long index;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME,
						 GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		KUNIT_EXPECT_EQ(test, pkram_save_folio_at(&pa, tf->folio[0],
							  (U64_MAX >> PAGE_SHIFT) + 1),
				-EINVAL);
		for (i = 0; i < tf->nr; i++)
			KUNIT_EXPECT_EQ(test, pkram_save_folio_at(&pa, tf->folio[i],
								  at[i]), 0);
		pkram_finish_access(&pa, true);
	}
	pkram_finish_save_obj(&ps);
	pkram_finish_save(&ps);
	for (i = 0; i < tf->nr; i++)
		KUNIT_EXPECT_EQ(test, tf->folio[i]->index, (unsigned long)i);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; (folio = pkram_load_folio(&pa, &index)); i++) {
			if (i < tf->nr) {
				KUNIT_EXPECT_PTR_EQ(test, folio, tf->folio[i]);
				KUNIT_EXPECT_EQ(test, index, at[i]);
			}
			folio_put(folio);
		}
		KUNIT_EXPECT_EQ(test, i, tf->nr);
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

static void pkram_test_folios_descending(struct kunit *test)
{
	unsigned int nr = PKRAM_LINK_ENTRIES_MAX + 10, i;
	unsigned long *indexes = kunit_kcalloc(test, nr, sizeof(*indexes),
					       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, indexes);
	for (i = 0; i < nr; i++)
		indexes[i] = 10 * (nr - i);
	pkram_test_roundtrip(test, pkram_test_alloc(test, nr, NULL, 0, indexes));
}

/* A jump of index where one entry is left in a link page. */
static void pkram_test_folios_index_at_link_end(struct kunit *test)
{
	unsigned int nr = PKRAM_LINK_ENTRIES_MAX + 2, i;
	unsigned long *indexes = kunit_kcalloc(test, nr, sizeof(*indexes),
					       GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, indexes);
	for (i = 0; i < nr; i++)
		indexes[i] = i < PKRAM_LINK_ENTRIES_MAX - 1 ? i : 100 + i;
	pkram_test_roundtrip(test, pkram_test_alloc(test, nr, NULL, 0, indexes));
}

/* One entry per folio whatever its order: 64 PMD folios, one link page. */
static void pkram_test_folios_one_entry_each(struct kunit *test)
{
	static const unsigned int orders[] = { PKRAM_TEST_PMD_ORDER };
	struct pkram_test_folios *tf;
	struct pkram_stats stats;

	tf = pkram_test_alloc(test, 64, orders, 1, NULL);
	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	pkram_get_stats(&stats);
	/* node + object + one link page */
	KUNIT_EXPECT_EQ(test, stats.meta_pages, 3);
	KUNIT_EXPECT_EQ(test, stats.folios, 64);
	KUNIT_EXPECT_EQ(test, stats.folio_pages, 64L << PKRAM_TEST_PMD_ORDER);
	pkram_test_load(test, PKRAM_TEST_NAME, tf);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* 64 MiB of order-0 folios; metadata is one link page per 510 folios. */
static void pkram_test_folios_64mib(struct kunit *test)
{
	unsigned int nr = SZ_64M / PAGE_SIZE;
	struct pkram_test_folios *tf = pkram_test_alloc(test, nr, NULL, 0, NULL);
	struct pkram_stats stats;

	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	pkram_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.meta_pages,
			2 + DIV_ROUND_UP(nr, PKRAM_LINK_ENTRIES_MAX));
	KUNIT_EXPECT_LE(test, stats.meta_pages * 1000, (long)nr * 25 / 10);
	pkram_test_load(test, PKRAM_TEST_NAME, tf);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- byte streams ---------------------------------------------------------- */

static const size_t pkram_test_byte_sizes[] = {
	0, 1, PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE + 7,
};

static void pkram_test_size_desc(const size_t *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%zu bytes", *size);
}

KUNIT_ARRAY_PARAM(pkram_test_bytes, pkram_test_byte_sizes, pkram_test_size_desc);

static u8 *pkram_test_bytes_alloc(struct kunit *test, size_t len)
{
	u8 *buf = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < len; i++)
		buf[i] = (u8)(i * 7 + 3);
	return buf;
}

/* Write @len bytes in chunks of @wchunk, through @naccess accesses. */
static void pkram_test_save_bytes(struct kunit *test, struct pkram_stream *ps,
				  const u8 *buf, size_t len, size_t wchunk,
				  unsigned int naccess)
{
	size_t done = 0, per = DIV_ROUND_UP(len, naccess);
	unsigned int a;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(ps, PKRAM_DATA_bytes), 0);
	for (a = 0; a < naccess; a++) {
		PKRAM_ACCESS(pa, ps, bytes);
		size_t end = min(len, done + per);

		while (done < end) {
			size_t n = min(wchunk, end - done);

			KUNIT_ASSERT_EQ(test, pkram_write(&pa, buf + done, n),
					(ssize_t)n);
			done += n;
		}
		pkram_finish_access(&pa, true);
	}
	pkram_finish_save_obj(ps);
}

/* Read the byte stream of the next object in chunks of @rchunk. */
static void pkram_test_load_bytes(struct kunit *test, struct pkram_stream *ps,
				  const u8 *buf, size_t len, size_t rchunk)
{
	PKRAM_ACCESS(pa, ps, bytes);
	u8 *out = kunit_kzalloc(test, len + rchunk, GFP_KERNEL);
	size_t done = 0, n;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(ps), 0);
	while ((n = pkram_read(&pa, out + done, rchunk)))
		done += n;
	KUNIT_EXPECT_EQ(test, done, len);
	KUNIT_EXPECT_EQ(test, memcmp(out, buf, len), 0);
	KUNIT_EXPECT_EQ(test, pkram_read(&pa, out, rchunk), 0);
	pkram_finish_access(&pa, true);
	pkram_finish_load_obj(ps);
}

static void pkram_test_bytes(struct kunit *test)
{
	static const size_t chunks[] = { 1, 3, 1000, 4097 };
	size_t len = *(const size_t *)test->param_value;
	u8 *buf = pkram_test_bytes_alloc(test, len);
	struct pkram_stream ps;
	unsigned int c;

	/* Each chunk size to write and read, in one access or two. */
	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME,
							 GFP_KERNEL), 0);
		pkram_test_save_bytes(test, &ps, buf, len, chunks[c], 1);
		pkram_test_save_bytes(test, &ps, buf, len,
				      chunks[ARRAY_SIZE(chunks) - 1 - c], 2);
		pkram_finish_save(&ps);

		KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
		pkram_test_load_bytes(test, &ps, buf, len,
				      chunks[(c + 1) % ARRAY_SIZE(chunks)]);
		pkram_test_load_bytes(test, &ps, buf, len, chunks[c]);
		pkram_finish_load(&ps);
	}
	pkram_test_expect_empty(test);
}

/* Loading part of a byte stream and finishing frees the rest. */
static void pkram_test_bytes_partial_read(struct kunit *test)
{
	size_t len = 5 * PAGE_SIZE + 11;
	u8 *buf = pkram_test_bytes_alloc(test, len);
	unsigned long before = pkram_test_free_pages();
	struct pkram_stream ps;
	u8 out[100];

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	pkram_test_save_bytes(test, &ps, buf, len, len, 1);
	pkram_finish_save(&ps);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_read(&pa, out, sizeof(out)), sizeof(out));
		KUNIT_EXPECT_EQ(test, memcmp(out, buf, sizeof(out)), 0);
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, before);
}

/* --- objects --------------------------------------------------------------- */

/* One object with both streams, used at the same time. */
static void pkram_test_obj_mixed(struct kunit *test)
{
	struct pkram_test_folios *tf = pkram_test_alloc(test, 20, NULL, 0, NULL);
	size_t len = 2 * PAGE_SIZE + 100;
	u8 *buf = pkram_test_bytes_alloc(test, len);
	u8 *out = kunit_kzalloc(test, len, GFP_KERNEL);
	struct pkram_stream ps;
	struct folio *folio;
	unsigned int i = 0;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pf, &ps, folios);
		PKRAM_ACCESS(pb, &ps, bytes);

		for (i = 0; i < tf->nr; i++) {
			KUNIT_ASSERT_EQ(test, pkram_save_folio(&pf, tf->folio[i]), 0);
			KUNIT_ASSERT_EQ(test, pkram_write(&pb, buf + i * (len / tf->nr),
							  len / tf->nr),
					(ssize_t)(len / tf->nr));
		}
		KUNIT_ASSERT_EQ(test, pkram_write(&pb, buf + tf->nr * (len / tf->nr),
						  len % tf->nr),
				(ssize_t)(len % tf->nr));
		pkram_finish_access(&pf, true);
		pkram_finish_access(&pb, true);
	}
	pkram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pf, &ps, folios);
		PKRAM_ACCESS(pb, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_read(&pb, out, len), len);
		KUNIT_EXPECT_EQ(test, memcmp(out, buf, len), 0);
		for (i = 0; (folio = pkram_load_folio(&pf, NULL)); i++) {
			KUNIT_EXPECT_PTR_EQ(test, folio, tf->folio[i]);
			folio_put(folio);
		}
		KUNIT_EXPECT_EQ(test, i, tf->nr);
		pkram_finish_access(&pf, true);
		pkram_finish_access(&pb, true);
	}
	pkram_finish_load(&ps);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* Several objects per node come back in the order they were saved. */
static void pkram_test_objs_several(struct kunit *test)
{
	struct pkram_test_folios *tf[4];
	struct pkram_stream ps;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tf); i++)
		tf[i] = pkram_test_alloc(test, 1 + i * 300, NULL, 0, NULL);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	for (i = 0; i < ARRAY_SIZE(tf); i++)
		KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf[i]), 0);
	pkram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	for (i = 0; i < ARRAY_SIZE(tf); i++)
		pkram_test_load_obj(test, &ps, tf[i]);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), -ENODATA);
	pkram_finish_load(&ps);
	for (i = 0; i < ARRAY_SIZE(tf); i++) {
		pkram_test_expect_refs(test, tf[i], 1);
		pkram_test_free(tf[i]);
	}
	pkram_test_expect_empty(test);
}

/* --- ownership ------------------------------------------------------------- */

/* A discarded save gives back every page and every reference. */
static void pkram_test_discard(struct kunit *test)
{
	static const unsigned int orders[] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, PKRAM_TEST_PMD_ORDER
	};
	struct pkram_test_folios *tf = pkram_test_alloc(test, 600, orders,
							ARRAY_SIZE(orders), NULL);
	u8 *buf = pkram_test_bytes_alloc(test, 3 * PAGE_SIZE);
	unsigned long before = pkram_test_free_pages();
	struct pkram_stream ps;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf), 0);
	pkram_test_save_bytes(test, &ps, buf, 3 * PAGE_SIZE, 1000, 1);
	pkram_test_expect_refs(test, tf, 2);
	KUNIT_EXPECT_LT(test, pkram_test_free_pages(), before);
	pkram_discard_save(&ps);

	pkram_test_expect_refs(test, tf, 1);
	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, before);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), -ENOENT);
	pkram_test_free(tf);
}

/* An access finished with status_ok false drops what it saved. */
static void pkram_test_access_not_ok(struct kunit *test)
{
	struct pkram_test_folios *keep = pkram_test_alloc(test, 5, NULL, 0, NULL);
	struct pkram_test_folios *drop = pkram_test_alloc(test, 600, NULL, 0, NULL);
	struct pkram_test_folios *empty = pkram_test_alloc(test, 0, NULL, 0, NULL);
	struct pkram_stream ps;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, keep), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < drop->nr; i++)
			KUNIT_ASSERT_EQ(test, pkram_save_folio(&pa, drop->folio[i]), 0);
		pkram_test_expect_refs(test, drop, 2);
		pkram_finish_access(&pa, false);
	}
	pkram_finish_save(&ps);
	pkram_test_expect_refs(test, drop, 1);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	pkram_test_load_obj(test, &ps, keep);
	/* The second object is there, and empty. */
	pkram_test_load_obj(test, &ps, empty);
	pkram_finish_load(&ps);
	pkram_test_free(keep);
	pkram_test_expect_empty(test);
}

/*
 * A load that cannot complete is aborted: the node is saved again, whole,
 * whatever the first load read and took (part of the bytes, part of the
 * folios, with references of its own), and a second load gets every folio
 * and byte back, the same folios in the same order.  Only that load,
 * committed, consumes the node.
 */
static void pkram_test_load_abort(struct kunit *test)
{
	/* Over three link pages; huge folios come back in other cases. */
	static const unsigned int orders[] = { 0, 3, 0, 1 };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 1200, orders,
							ARRAY_SIZE(orders), NULL);
	struct folio **taken = kunit_kcalloc(test, 600, sizeof(*taken), GFP_KERNEL);
	size_t len = 3 * PAGE_SIZE + 5;
	u8 *buf = pkram_test_bytes_alloc(test, len);
	u8 *back = kunit_kzalloc(test, len, GFP_KERNEL);
	unsigned long before = pkram_test_free_pages();
	struct pkram_stats saved, now;
	struct pkram_stream ps;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, taken);
	KUNIT_ASSERT_NOT_NULL(test, back);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	pkram_test_save_bytes(test, &ps, buf, len, 1000, 1);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf), 0);
	pkram_finish_save(&ps);
	pkram_get_stats(&saved);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		KUNIT_EXPECT_EQ(test, pkram_read(&pa, back, 100), 100);
		pkram_finish_access(&pa, true);
	}
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < 600; i++) {
			taken[i] = pkram_load_folio(&pa, NULL);
			KUNIT_ASSERT_PTR_EQ(test, taken[i], tf->folio[i]);
		}
		pkram_finish_access(&pa, true);
	}
	/* Being loaded: a second load of the node is refused. */
	{
		struct pkram_stream other;

		KUNIT_EXPECT_EQ(test, pkram_prepare_load(&other, PKRAM_TEST_NAME),
				-EBUSY);
	}
	pkram_abort_load(&ps);

	/* Nothing was consumed: every folio keeps PKRAM's reference. */
	pkram_get_stats(&now);
	KUNIT_EXPECT_EQ(test, now.meta_pages, saved.meta_pages);
	KUNIT_EXPECT_EQ(test, now.folios, saved.folios);
	KUNIT_EXPECT_EQ(test, now.folio_pages, saved.folio_pages);
	for (i = 0; i < 600; i++) {
		KUNIT_EXPECT_EQ(test, folio_ref_count(taken[i]), 3);
		folio_put(taken[i]);
	}
	pkram_test_expect_refs(test, tf, 2);

	/* The second load gets it all, and commits. */
	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		memset(back, 0, len);
		KUNIT_EXPECT_EQ(test, pkram_read(&pa, back, len + 1), len);
		KUNIT_EXPECT_EQ(test, memcmp(back, buf, len), 0);
		pkram_finish_access(&pa, true);
	}
	pkram_test_load_obj(test, &ps, tf);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), -ENODATA);
	pkram_finish_load(&ps);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_expect_empty(test);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), -ENOENT);
	/* Every metadata page is back; the folios are the test's alone. */
	pkram_test_expect_free_pages(test, before);
	pkram_test_free(tf);
}

/*
 * Load some folios, skip the others and finish: PKRAM drops the references
 * of the skipped ones and every metadata page.
 */
static void pkram_test_load_skip(struct kunit *test)
{
	struct pkram_test_folios *tf = pkram_test_alloc(test, 1500, NULL, 0, NULL);
	struct pkram_test_folios *tf2 = pkram_test_alloc(test, 10, NULL, 0, NULL);
	struct folio **loaded = kunit_kcalloc(test, 700, sizeof(*loaded), GFP_KERNEL);
	unsigned long before = pkram_test_free_pages();
	struct pkram_stream ps;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, loaded);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf2), 0);
	pkram_finish_save(&ps);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < 700; i++) {
			loaded[i] = pkram_load_folio(&pa, NULL);
			KUNIT_ASSERT_PTR_EQ(test, loaded[i], tf->folio[i]);
		}
		pkram_finish_access(&pa, true);
	}
	/* The second object is not even opened. */
	pkram_finish_load(&ps);

	for (i = 0; i < tf->nr; i++)
		KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[i]), i < 700 ? 2 : 1);
	pkram_test_expect_refs(test, tf2, 1);
	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, before);
	for (i = 0; i < 700; i++)
		folio_put(loaded[i]);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_free(tf);
	pkram_test_free(tf2);
}

/* Each folio loaded comes with exactly one reference for the caller. */
static void pkram_test_load_refcount(struct kunit *test)
{
	static const unsigned int orders[] = { 0, PKRAM_TEST_PMD_ORDER };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 4, orders, 2, NULL);
	struct pkram_stream ps;
	struct folio *folio;
	unsigned int i;

	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	/* Our reference, and the one PKRAM took. */
	pkram_test_expect_refs(test, tf, 2);
	/* Give ours up: PKRAM's alone keeps the folios alive. */
	for (i = 0; i < tf->nr; i++)
		folio_put(tf->folio[i]);
	pkram_test_expect_refs(test, tf, 1);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		/* The caller's, and PKRAM's until the load is committed. */
		for (i = 0; (folio = pkram_load_folio(&pa, NULL)); i++) {
			KUNIT_EXPECT_PTR_EQ(test, folio, tf->folio[i]);
			KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 2);
		}
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
	/* Still one: the caller's, from the load. */
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- memory excluded from PKRAM ------------------------------------------- */

static void pkram_test_restore_excluded(void *arg)
{
	struct pkram_stats *old = arg;

	pkram_exclude(0, old->excluded_pfn, old->excluded_pages);
}

/*
 * Load PKRAM_TEST_NAME, saved from @tf, and check every folio: the one at
 * @copied was saved as a copy (another folio, where pages may be preserved,
 * with PKRAM's reference only), the others are @tf's own.
 */
static void pkram_test_load_copied(struct kunit *test,
				   struct pkram_test_folios *tf,
				   unsigned int copied)
{
	struct pkram_stream ps;
	struct folio *folio;
	unsigned long index;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; (folio = pkram_load_folio(&pa, &index)); i++) {
			if (i >= tf->nr) {
				folio_put(folio);
				continue;
			}
			/* + 1: PKRAM's, until the load is committed */
			if (i == copied) {
				KUNIT_EXPECT_PTR_NE(test, folio, tf->folio[i]);
				KUNIT_EXPECT_FALSE(test,
						   pkram_pfn_excluded(folio_pfn(folio),
								      folio_nr_pages(folio)));
				KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 2);
			} else {
				KUNIT_EXPECT_PTR_EQ(test, folio, tf->folio[i]);
				KUNIT_EXPECT_EQ(test, folio_ref_count(folio), 3);
			}
			KUNIT_EXPECT_EQ(test, folio_order(folio),
					folio_order(tf->folio[i]));
			KUNIT_EXPECT_EQ(test, index, tf->folio[i]->index);
			KUNIT_EXPECT_TRUE(test, pkram_test_check(folio_address(folio),
								 folio_size(folio),
								 tf->seed[i]));
			folio_put(folio);
		}
		KUNIT_EXPECT_EQ(test, i, tf->nr);
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
}

/*
 * A folio in memory excluded from PKRAM (the scratch region, a kexec image's
 * destination) is saved as a copy: no reference is taken to it, and the
 * load gives back another folio with the same order, index and contents.
 */
static void pkram_test_excluded_copy(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 2, PKRAM_TEST_PMD_ORDER };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 3, orders, 3, NULL);
	struct folio *ex = tf->folio[1];
	struct pkram_stats *old, stats;
	unsigned long free;

	old = kunit_kzalloc(test, sizeof(*old), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	pkram_get_stats(old);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_restore_excluded,
					       old), 0);
	free = pkram_test_free_pages();
	pkram_exclude(0, folio_pfn(ex), folio_nr_pages(ex));

	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[0]), 2);
	KUNIT_EXPECT_EQ(test, folio_ref_count(ex), 1);
	KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[2]), 2);
	pkram_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.folios, 3);
	KUNIT_EXPECT_EQ(test, stats.folio_pages, 1 + 4 + (1 << PKRAM_TEST_PMD_ORDER));

	pkram_test_load_copied(test, tf, 1);
	pkram_test_restore_excluded(old);
	pkram_test_expect_empty(test);
	/* The copy went back with its load: the free page count is as before. */
	pkram_test_expect_free_pages(test, free);
	pkram_test_free(tf);
}

/*
 * What must not be preserved is refused: a slab page, a page with a memory
 * error.  A folio of ZONE_MOVABLE, which must stay free to migrate, is saved
 * as a copy (the test kernel boots with movablecore=, see dev/kunit.sh).
 */
static unsigned long pkram_test_hotadded_pfn;

/* The folio at pkram_test_hotadded_pfn was hot-added, and pages after it. */
static bool pkram_test_boot_memory(unsigned long pfn, unsigned long nr)
{
	return pfn + nr <= pkram_test_hotadded_pfn;
}

#ifdef CONFIG_SPARSEMEM
/*
 * A save looks up the memory section of a folio once: the sections of a
 * folio it saved (and holds) stay boot memory.  A folio outside them, or
 * across their end, is looked up, and one of hot-added memory is refused;
 * a folio only checked notes nothing.  The pfns are made up: only
 * pkram_boot_memory() (stubbed) is asked about them.
 */
static void pkram_test_boot_sections(struct kunit *test)
{
	PKRAM_ACCESS(pa, NULL, folios);
	PKRAM_ACCESS(pb, NULL, folios);
	unsigned long s = PAGES_PER_SECTION;

	kunit_activate_static_stub(test, pkram_boot_memory,
				   pkram_test_boot_memory);
	pkram_test_hotadded_pfn = 2 * s;
	KUNIT_EXPECT_TRUE(test, pkram_access_boot_memory(&pa, s + 8, 8));
	pkram_access_boot_note(&pa, s + 8, 8);
	KUNIT_EXPECT_TRUE(test, pkram_access_boot_memory(&pb, s + 8, 8));
	KUNIT_EXPECT_FALSE(test, pkram_access_boot_memory(&pa, 2 * s, 1));
	/* Now every section says hot-added: the one noted is not asked. */
	pkram_test_hotadded_pfn = 0;
	KUNIT_EXPECT_TRUE(test, pkram_access_boot_memory(&pa, s, 1));
	KUNIT_EXPECT_TRUE(test, pkram_access_boot_memory(&pa, 2 * s - 4, 4));
	KUNIT_EXPECT_FALSE(test, pkram_access_boot_memory(&pa, 2 * s - 4, 5));
	KUNIT_EXPECT_FALSE(test, pkram_access_boot_memory(&pa, s - 1, 1));
	KUNIT_EXPECT_FALSE(test, pkram_access_boot_memory(&pa, 3 * s, 1));
	KUNIT_EXPECT_FALSE(test, pkram_access_boot_memory(&pb, s + 8, 8));
	kunit_deactivate_static_stub(test, pkram_boot_memory);
}
#endif

static void pkram_test_refused(struct kunit *test)
{
	struct pkram_test_folios *tf = pkram_test_alloc(test, 1, NULL, 0, NULL);
	struct pkram_test_folios *mv = kunit_kzalloc(test, sizeof(*mv), GFP_KERNEL);
	void *slab = kunit_kmalloc(test, 64, GFP_KERNEL);
	struct pkram_stream ps;

	KUNIT_ASSERT_NOT_NULL(test, slab);
	KUNIT_ASSERT_NOT_NULL(test, mv);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, virt_to_folio(slab)),
				-EOPNOTSUPP);
		folio_set_hwpoison(tf->folio[0]);
		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, tf->folio[0]), -EHWPOISON);
		folio_clear_hwpoison(tf->folio[0]);
		pkram_test_hotadded_pfn = folio_pfn(tf->folio[0]);
		kunit_activate_static_stub(test, pkram_boot_memory,
					   pkram_test_boot_memory);
		KUNIT_EXPECT_EQ(test, pkram_save_folio(&pa, tf->folio[0]), -EXDEV);
		kunit_deactivate_static_stub(test, pkram_boot_memory);
		pkram_finish_access(&pa, false);
	}
	pkram_discard_save(&ps);
	pkram_test_expect_empty(test);
	pkram_test_expect_refs(test, tf, 1);

	/* All memory hot-added: no metadata page, and nothing kept. */
	pkram_test_hotadded_pfn = 0;
	kunit_activate_static_stub(test, pkram_boot_memory,
				   pkram_test_boot_memory);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL),
			-ENOMEM);
	kunit_deactivate_static_stub(test, pkram_boot_memory);
	pkram_test_expect_empty(test);

	/* A movable folio: its copy is saved and comes back, same contents. */
	mv->folio = kunit_kcalloc(test, 1, sizeof(*mv->folio), GFP_KERNEL);
	mv->seed = kunit_kcalloc(test, 1, sizeof(*mv->seed), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, mv->folio);
	KUNIT_ASSERT_NOT_NULL(test, mv->seed);
	mv->folio[0] = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	KUNIT_ASSERT_NOT_NULL(test, mv->folio[0]);
	mv->nr = 1;
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_free_action, mv), 0);
	if (!folio_is_zone_movable(mv->folio[0]))
		kunit_skip(test, "no ZONE_MOVABLE: boot with movablecore=");
	mv->seed[0] = prandom_u32_state(&pkram_test_rnd);
	mv->folio[0]->index = 5;
	pkram_test_fill(folio_address(mv->folio[0]), PAGE_SIZE, mv->seed[0]);
	pkram_test_save(test, PKRAM_TEST_NAME, mv);
	KUNIT_EXPECT_EQ(test, folio_ref_count(mv->folio[0]), 1);
	pkram_test_load_copied(test, mv, 0);
	pkram_test_expect_empty(test);
}

/*
 * pkram_range_tracked() gives the whole run of preserved pages in the way,
 * so that the kexec_file hole search skips it at once.
 */
static void pkram_test_range_run(struct kunit *test)
{
	static const unsigned int orders[] = { 3 };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 1, orders, 1, NULL);
	phys_addr_t first = PFN_PHYS(folio_pfn(tf->folio[0]));
	phys_addr_t last = first + folio_size(tf->folio[0]) - 1;
	phys_addr_t rs = 0, re = 0;

	KUNIT_EXPECT_FALSE(test, pkram_range_tracked(first, last, &rs, &re));
	pkram_test_save(test, PKRAM_TEST_NAME, tf);

	/* Asked about its fourth page only: the run goes on to its end. */
	KUNIT_ASSERT_TRUE(test, pkram_range_tracked(first + 3 * PAGE_SIZE,
						    first + 3 * PAGE_SIZE,
						    &rs, &re));
	KUNIT_EXPECT_EQ(test, rs, first + 3 * PAGE_SIZE);
	KUNIT_EXPECT_GE(test, re, last);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(re + 1));
	/* ... which is where preserved pages end, */
	KUNIT_EXPECT_FALSE(test, pkram_range_tracked(re + 1, re + 1, NULL, NULL));
	KUNIT_EXPECT_TRUE(test, pkram_range_tracked(re, re, NULL, NULL));
	/* and the first preserved page in the range is found. */
	KUNIT_ASSERT_TRUE(test, pkram_range_tracked(first - PAGE_SIZE * 8, last,
						    &rs, NULL));
	KUNIT_EXPECT_LE(test, rs, first);
	KUNIT_EXPECT_FALSE(test, pkram_range_tracked(first - PAGE_SIZE * 8,
						     rs - 1, NULL, NULL));

	pkram_test_load_copied(test, tf, 1);
	pkram_test_expect_empty(test);
	KUNIT_EXPECT_FALSE(test, pkram_range_tracked(first, last, NULL, NULL));
	pkram_test_free(tf);
}

static void pkram_test_forget_image(void *image)
{
	pkram_kexec_forget(image);
}

/* A kexec image, not loaded, whose one segment goes where @folio is. */
static struct kimage *pkram_test_image(struct kunit *test, struct folio *folio)
{
	struct kimage *image = kunit_kzalloc(test, sizeof(*image), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, image);
	image->type = KEXEC_TYPE_DEFAULT;
	image->nr_segments = 1;
	image->segment[0].mem = PFN_PHYS(folio_pfn(folio));
	image->segment[0].memsz = folio_size(folio);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_forget_image,
					       image), 0);
	return image;
}

/*
 * Where a kexec image will be copied at reboot: a folio saved there once the
 * image is noted is saved as a copy; an image whose segment would overwrite
 * a saved folio is refused; a crash image is not noted; a freed image is
 * forgotten.
 */
static void pkram_test_kexec_dest(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 2, 0 };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 3, orders, 3, NULL);
	struct folio *dest = tf->folio[1];
	struct kimage *image = pkram_test_image(test, dest);
	struct kimage *crash = pkram_test_image(test, tf->folio[0]);
	struct kimage *over = pkram_test_image(test, tf->folio[2]);
	unsigned long free = pkram_test_free_pages();

	crash->type = KEXEC_TYPE_CRASH;
	KUNIT_ASSERT_EQ(test, pkram_kexec_prepare(crash), 0);
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(folio_pfn(tf->folio[0]), 1));

	KUNIT_ASSERT_EQ(test, pkram_kexec_prepare(image), 0);
	KUNIT_EXPECT_TRUE(test, pkram_kexec_conflict(folio_pfn(dest) + 3, 1));
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(folio_pfn(dest) + 4, 1));
	KUNIT_EXPECT_TRUE(test, pkram_pfn_excluded(folio_pfn(dest) - 1, 2));

	pkram_test_save(test, PKRAM_TEST_NAME, tf);
	KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[0]), 2);
	KUNIT_EXPECT_EQ(test, folio_ref_count(dest), 1);
	KUNIT_EXPECT_EQ(test, folio_ref_count(tf->folio[2]), 2);

	/* tf->folio[2] is preserved now: an image may not go there. */
	pkram_kexec_forget(image);
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(folio_pfn(dest), 4));
	KUNIT_EXPECT_EQ(test, pkram_kexec_prepare(over), -EADDRNOTAVAIL);
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(folio_pfn(tf->folio[2]), 1));

	pkram_test_load_copied(test, tf, 1);
	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, free);
	pkram_test_free(tf);
}

static void pkram_test_untrack_action(void *pfn)
{
	pkram_untrack((unsigned long)pfn, 1);
}

/*
 * On x86, a kernel loaded below LOAD_PHYSICAL_ADDR moves itself there
 * when it starts: an image with a segment below it is refused when that is
 * where preserved pages are, and the memory it would move to is kept out of
 * later saves like a destination.
 */
static void pkram_test_kexec_moved(struct kunit *test)
{
	struct kimage *image = kunit_kzalloc(test, sizeof(*image), GFP_KERNEL);
	unsigned long pfn = PHYS_PFN(LOAD_PHYSICAL_ADDR + SZ_2M);

	KUNIT_ASSERT_NOT_NULL(test, image);
	image->type = KEXEC_TYPE_DEFAULT;
	image->nr_segments = 1;
	image->segment[0].mem = SZ_2M;
	image->segment[0].memsz = SZ_4M;
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_forget_image,
					       image), 0);
	/* Only the tracker is asked: no page there needs to be ours. */
	KUNIT_ASSERT_FALSE(test, pkram_range_tracked(PFN_PHYS(pfn),
						     PFN_PHYS(pfn), NULL, NULL));
	KUNIT_ASSERT_EQ(test, pkram_track(pfn, 1, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action(test, pkram_test_untrack_action,
					       (void *)pfn), 0);

	/* Moved, [2 MiB, 6 MiB) becomes [16 MiB, 20 MiB): over the page. */
	KUNIT_EXPECT_EQ(test, pkram_kexec_prepare(image), -EADDRNOTAVAIL);
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(PHYS_PFN(LOAD_PHYSICAL_ADDR), 1));

	/* [16 MiB, 17 MiB) is clear of it, and noted. */
	image->segment[0].memsz = SZ_1M;
	KUNIT_EXPECT_EQ(test, pkram_kexec_prepare(image), 0);
	KUNIT_EXPECT_TRUE(test, pkram_kexec_conflict(PHYS_PFN(LOAD_PHYSICAL_ADDR), 1));
	KUNIT_EXPECT_TRUE(test, pkram_kexec_conflict(PHYS_PFN(SZ_2M), 1));
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(pfn, 1));
	pkram_kexec_forget(image);

	/* Loaded at LOAD_PHYSICAL_ADDR or above, a kernel stays there. */
	image->segment[0].mem = LOAD_PHYSICAL_ADDR + SZ_4M;
	image->segment[0].memsz = SZ_4M;
	KUNIT_EXPECT_EQ(test, pkram_kexec_prepare(image), 0);
	KUNIT_EXPECT_FALSE(test, pkram_kexec_conflict(PHYS_PFN(LOAD_PHYSICAL_ADDR), 1));
	pkram_kexec_forget(image);
}

/* --- allocation failure ---------------------------------------------------- */

static atomic_t pkram_test_allocs_left;

static struct page *pkram_test_failing_alloc(gfp_t gfp_mask)
{
	if (atomic_dec_if_positive(&pkram_test_allocs_left) < 0)
		return NULL;
	return alloc_page(gfp_mask);
}

/* Memory runs out in the middle of a save: the caller discards, nothing left. */
static void pkram_test_alloc_failure(struct kunit *test)
{
	struct pkram_test_folios *tf = pkram_test_alloc(test, 3000, NULL, 0, NULL);
	u8 *buf = pkram_test_bytes_alloc(test, 4 * PAGE_SIZE);
	unsigned long before = pkram_test_free_pages();
	struct pkram_stream ps;
	unsigned int i;
	int err = 0;

	/* node, object, 3 link pages: the 4th link page fails. */
	atomic_set(&pkram_test_allocs_left, 5);
	kunit_activate_static_stub(test, pkram_alloc_page, pkram_test_failing_alloc);

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < tf->nr && !err; i++)
			err = pkram_save_folio(&pa, tf->folio[i]);
		pkram_finish_access(&pa, !err);
	}
	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, i, 3 * PKRAM_LINK_ENTRIES_MAX + 1);
	pkram_discard_save(&ps);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_expect_empty(test);

	/* A byte stream: the part written before the failure is reported. */
	atomic_set(&pkram_test_allocs_left, 4);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pa, &ps, bytes);

		/* link page + one data page, then nothing */
		KUNIT_EXPECT_EQ(test, pkram_write(&pa, buf, 4 * PAGE_SIZE),
				(ssize_t)PAGE_SIZE);
		KUNIT_EXPECT_EQ(test, pkram_write(&pa, buf, 1), -ENOMEM);
		pkram_finish_access(&pa, false);
	}
	pkram_discard_save(&ps);
	kunit_deactivate_static_stub(test, pkram_alloc_page);

	/* A node cannot even start. */
	atomic_set(&pkram_test_allocs_left, 0);
	kunit_activate_static_stub(test, pkram_alloc_page, pkram_test_failing_alloc);
	KUNIT_EXPECT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL),
			-ENOMEM);
	kunit_deactivate_static_stub(test, pkram_alloc_page);

	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, before);
	pkram_test_free(tf);
}

/* --- concurrency ----------------------------------------------------------- */

#define PKRAM_TEST_THREADS	4

struct pkram_test_thread {
	struct pkram_stream *ps;
	struct pkram_test_folios *tf;
	unsigned int first, nr;		/* folios saved by this thread */
	struct folio **loaded;		/* folios loaded by this thread */
	unsigned long *indexes;
	unsigned int nr_loaded;
	int err;
	struct completion done;
};

static int pkram_test_save_thread(void *arg)
{
	PKRAM_ACCESS(pa, ((struct pkram_test_thread *)arg)->ps, folios);
	struct pkram_test_thread *t = arg;
	unsigned int i;

	for (i = t->first; i < t->first + t->nr && !t->err; i++) {
		t->err = pkram_save_folio(&pa, t->tf->folio[i]);
		cond_resched();
	}
	pkram_finish_access(&pa, !t->err);
	complete(&t->done);
	return 0;
}

static int pkram_test_load_thread(void *arg)
{
	PKRAM_ACCESS(pa, ((struct pkram_test_thread *)arg)->ps, folios);
	struct pkram_test_thread *t = arg;
	struct folio *folio;
	unsigned long index;

	while ((folio = pkram_load_folio(&pa, &index))) {
		t->indexes[t->nr_loaded] = index;
		t->loaded[t->nr_loaded++] = folio;
		cond_resched();
	}
	pkram_finish_access(&pa, true);
	complete(&t->done);
	return 0;
}

static void pkram_test_run_threads(struct kunit *test,
				   struct pkram_test_thread *t,
				   int (*fn)(void *))
{
	struct task_struct *task;
	unsigned int i;

	for (i = 0; i < PKRAM_TEST_THREADS; i++) {
		init_completion(&t[i].done);
		task = kthread_run(fn, &t[i], "pkram-test/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < PKRAM_TEST_THREADS; i++)
		wait_for_completion(&t[i].done);
}

/* Shares of work for pkram_run_parallel(), and what became of them. */
struct pkram_test_shares {
	atomic_t runs;		/* runs of the function started */
	atomic_t left;		/* shares not taken yet */
	atomic_t taken;		/* shares taken */
	int fail;		/* the run that returns -EIO, 0 for none */
};

static int pkram_test_share(void *arg)
{
	struct pkram_test_shares *s = arg;
	int run = atomic_inc_return(&s->runs);

	while (atomic_dec_if_positive(&s->left) >= 0) {
		atomic_inc(&s->taken);
		cond_resched();
	}
	return run == s->fail ? -EIO : 0;
}

/*
 * pkram_run_parallel() runs the function once per CPU, PKRAM_MAX_THREADS at
 * most, the runs take every share between them, and the error of one run
 * is returned.
 */
static void pkram_test_run_parallel(struct kunit *test)
{
	int threads = min(num_online_cpus(), PKRAM_MAX_THREADS);
	struct pkram_test_shares s = { .fail = 0 };

	atomic_set(&s.runs, 0);
	atomic_set(&s.left, 10000);
	atomic_set(&s.taken, 0);
	KUNIT_EXPECT_EQ(test, pkram_run_parallel(pkram_test_share, &s), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.runs), threads);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.taken), 10000);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.left), 0);

	/* The last run to start fails. */
	s.fail = threads;
	atomic_set(&s.runs, 0);
	atomic_set(&s.left, 100);
	atomic_set(&s.taken, 0);
	KUNIT_EXPECT_EQ(test, pkram_run_parallel(pkram_test_share, &s), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_read(&s.taken), 100);
}

/*
 * Four threads save into one object at once, then four threads load from it
 * at once: every folio is found exactly once, at its index.
 */
static void pkram_test_concurrent(struct kunit *test)
{
	unsigned int nr = 4000, per = nr / PKRAM_TEST_THREADS, i, j, total = 0;
	struct pkram_test_folios *tf = pkram_test_alloc(test, nr, NULL, 0, NULL);
	struct pkram_test_thread *t = kunit_kcalloc(test, PKRAM_TEST_THREADS,
						    sizeof(*t), GFP_KERNEL);
	unsigned long *seen = kunit_kzalloc(test, BITS_TO_LONGS(nr) * sizeof(long),
					    GFP_KERNEL);
	struct pkram_stream ps;

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios), 0);
	for (i = 0; i < PKRAM_TEST_THREADS; i++) {
		t[i].ps = &ps;
		t[i].tf = tf;
		t[i].first = i * per;
		t[i].nr = per;
		t[i].loaded = kunit_kcalloc(test, nr, sizeof(*t[i].loaded), GFP_KERNEL);
		t[i].indexes = kunit_kcalloc(test, nr, sizeof(long), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, t[i].loaded);
		KUNIT_ASSERT_NOT_NULL(test, t[i].indexes);
	}
	pkram_test_run_threads(test, t, pkram_test_save_thread);
	for (i = 0; i < PKRAM_TEST_THREADS; i++)
		KUNIT_EXPECT_EQ(test, t[i].err, 0);
	pkram_finish_save(&ps);
	pkram_test_expect_refs(test, tf, 2);

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	for (i = 0; i < PKRAM_TEST_THREADS; i++)
		t[i].ps = &ps;
	pkram_test_run_threads(test, t, pkram_test_load_thread);
	pkram_finish_load(&ps);

	for (i = 0; i < PKRAM_TEST_THREADS; i++) {
		for (j = 0; j < t[i].nr_loaded; j++) {
			unsigned long index = t[i].indexes[j];

			KUNIT_ASSERT_LT(test, index, (unsigned long)nr);
			KUNIT_EXPECT_FALSE(test, test_and_set_bit(index, seen));
			KUNIT_EXPECT_PTR_EQ(test, t[i].loaded[j], tf->folio[index]);
			folio_put(t[i].loaded[j]);
		}
		total += t[i].nr_loaded;
	}
	KUNIT_EXPECT_EQ(test, total, nr);
	KUNIT_EXPECT_EQ(test, bitmap_weight(seen, nr), nr);
	pkram_test_expect_refs(test, tf, 1);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- debugfs --------------------------------------------------------------- */

/* The debugfs view lists nodes, their objects, folios by order and bytes. */
static void pkram_test_debugfs(struct kunit *test)
{
	static const unsigned int orders[] = { 0, 0, 0, PKRAM_TEST_PMD_ORDER };
	struct pkram_test_folios *tf = pkram_test_alloc(test, 4, orders, 4, NULL);
	u8 *buf = pkram_test_bytes_alloc(test, 100);
	struct seq_file m = { .size = PAGE_SIZE };
	struct pkram_stream ps, busy;

	m.buf = kunit_kzalloc(test, m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m.buf);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, PKRAM_TEST_NAME, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_test_save_obj(test, &ps, tf), 0);
	pkram_test_save_bytes(test, &ps, buf, 100, 100, 1);
	pkram_finish_save(&ps);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&busy, "pkram-kunit-busy",
						 GFP_KERNEL), 0);

	KUNIT_ASSERT_EQ(test, pkram_nodes_show(&m, NULL), 0);
	kunit_info(test, "%s", m.buf);
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "metadata pages: 7, folios: 4 (515 pages)\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "node " PKRAM_TEST_NAME ": saved, 2 objects\n"
					   "  obj 0: folios: order0=3 order9=1 bytes=0\n"
					   "  obj 1: folios: bytes=100\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(m.buf, "node pkram-kunit-busy: saving, 0 objects\n"));

	pkram_discard_save(&busy);
	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, PKRAM_TEST_NAME), 0);
	pkram_test_load_obj(test, &ps, tf);
	pkram_test_load_bytes(test, &ps, buf, 100, 7);
	pkram_finish_load(&ps);
	pkram_test_free(tf);
	pkram_test_expect_empty(test);
}

/* --- yields ------------------------------------------------------------------ */

/*
 * Freeing a node of millions of folios must not hold the CPU: the test
 * kernel has no preemption (PREEMPT_NONE), so another task on the same CPU
 * runs only where the loop yields.  A witness, bound to the CPU the test
 * runs on, wakes every millisecond and notes the longest it had to wait:
 * with yields, a few scheduler slices; without, the whole operation.  The
 * node is made large enough for the operation to take PKRAM_TEST_YIELD_MS
 * at least (a kernel without debugging options frees 128 MiB in 15 ms).
 */
#define PKRAM_TEST_YIELD_MIB	64
#define PKRAM_TEST_YIELD_MS	50

struct pkram_test_witness {
	struct task_struct *task;
	ktime_t last;
	s64 max_wait;		/* ns */
};

static int pkram_test_witness_fn(void *arg)
{
	struct pkram_test_witness *w = arg;
	ktime_t now;

	w->last = ktime_get();
	while (!kthread_should_stop()) {
		usleep_range(1000, 1100);
		now = ktime_get();
		WRITE_ONCE(w->max_wait, max(w->max_wait,
					    ktime_to_ns(ktime_sub(now, w->last))));
		w->last = now;
	}
	return 0;
}

/* Save @mib MiB of order-0 folios as @name, PKRAM holding the only reference. */
static void pkram_test_save_mib(struct kunit *test, struct pkram_stream *ps,
				const char *name, unsigned long mib)
{
	unsigned long i, nr = mib << (20 - PAGE_SHIFT);
	struct folio *folio;
	int err = 0;

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(ps, name, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(ps, PKRAM_DATA_folios), 0);
	{
		PKRAM_ACCESS(pa, ps, folios);

		for (i = 0; !err && i < nr; i++) {
			folio = folio_alloc(GFP_KERNEL, 0);
			if (!folio) {
				err = -ENOMEM;
				break;
			}
			folio->index = i;
			err = pkram_save_folio(&pa, folio);
			folio_put(folio);
			if (!(i % 1024))
				cond_resched();
		}
		pkram_finish_access(&pa, !err);
	}
	KUNIT_EXPECT_EQ(test, err, 0);
}

static void pkram_test_witness_stop(void *task)
{
	kthread_stop(task);
}

/*
 * Start the witness on the first online CPU, for the whole case: a thread
 * that exits may leave its stack in the cache of its CPU, out of the free
 * page count the case compares at its end.
 */
static void pkram_test_witness_start(struct kunit *test,
				     struct pkram_test_witness *w)
{
	w->task = kthread_create(pkram_test_witness_fn, w, "pkram-witness");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->task));
	kthread_bind(w->task, cpumask_first(cpu_online_mask));
	wake_up_process(w->task);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pkram_test_witness_stop,
							w->task), 0);
}

/*
 * Run @op(@ps) on the CPU of witness @w; expect that the witness never
 * waited half of it (without a yield it waits all of it).
 */
static void pkram_test_expect_yields(struct kunit *test,
				     struct pkram_test_witness *w,
				     const char *what,
				     void (*op)(struct pkram_stream *ps),
				     struct pkram_stream *ps)
{
	int cpu = cpumask_first(cpu_online_mask);
	ktime_t start;
	s64 took;

	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)), 0);
	msleep(50);
	/* Only now: the witness is asleep, and runs only when the test yields. */
	WRITE_ONCE(w->max_wait, 0);
	start = ktime_get();
	op(ps);
	took = ktime_to_ns(ktime_sub(ktime_get(), start));
	msleep(20);	/* the witness notes how long it waited */
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	kunit_info(test, "%s: %lld ms; a task on its CPU waited %lld ms at most\n",
		   what, took / NSEC_PER_MSEC, READ_ONCE(w->max_wait) / NSEC_PER_MSEC);
	/* Long enough to tell: tens of scheduler slices. */
	KUNIT_EXPECT_GE(test, took, PKRAM_TEST_YIELD_MS / 2 * NSEC_PER_MSEC);
	KUNIT_EXPECT_LT(test, READ_ONCE(w->max_wait), took / 2);
}

static void pkram_test_op_discard(struct pkram_stream *ps)
{
	pkram_discard_save(ps);
}

static void pkram_test_op_free_saved(struct pkram_stream *ps)
{
	pkram_free_saved_nodes();	/* echo 0 > /sys/kernel/pkram */
}

/*
 * The loops over every folio of a large node yield: its discard while it
 * is being saved, and the free of saved nodes (echo 0 > /sys/kernel/pkram).
 */
static void pkram_test_yields(struct kunit *test)
{
	struct pkram_test_witness w = { };
	unsigned long mib = PKRAM_TEST_YIELD_MIB;
	unsigned long max_mib = totalram_pages() >> (20 - PAGE_SHIFT) >> 1;
	struct pkram_stream ps;
	unsigned long free;
	ktime_t start;
	s64 took, grow;

	pkram_test_witness_start(test, &w);
	free = pkram_test_free_pages();
	/* How large a node takes PKRAM_TEST_YIELD_MS to discard, up to half RAM. */
	for (;;) {
		pkram_test_save_mib(test, &ps, PKRAM_TEST_NAME, mib);
		start = ktime_get();
		pkram_discard_save(&ps);
		took = ktime_to_ns(ktime_sub(ktime_get(), start));
		if (took >= PKRAM_TEST_YIELD_MS * NSEC_PER_MSEC || 2 * mib > max_mib)
			break;
		grow = div64_s64(PKRAM_TEST_YIELD_MS * 2 * NSEC_PER_MSEC, took + 1);
		mib = min(max_mib, mib * max_t(s64, 2, grow));
	}
	kunit_info(test, "a node of %lu MiB\n", mib);

	pkram_test_save_mib(test, &ps, PKRAM_TEST_NAME, mib);
	pkram_test_expect_yields(test, &w, "discard", pkram_test_op_discard, &ps);
	pkram_test_expect_empty(test);

	pkram_test_save_mib(test, &ps, PKRAM_TEST_NAME, mib);
	pkram_finish_save(&ps);
	pkram_test_expect_yields(test, &w, "free of saved nodes",
				 pkram_test_op_free_saved, NULL);
	pkram_test_expect_empty(test);
	pkram_test_expect_free_pages(test, free);
}

/* --- benchmark ------------------------------------------------------------- */

static unsigned int bench_mib;
module_param(bench_mib, uint, 0444);
MODULE_PARM_DESC(bench_mib, "MiB of folios the bench_pkram suite saves and loads (0: skip)");

/*
 * Time the save and the load of @mib MiB of order-@order folios through one
 * access, and the memcpy() of the same bytes as the yardstick.  Reports,
 * never fails.
 */
static void pkram_bench_order(struct kunit *test, unsigned int order,
			      unsigned int mib)
{
	unsigned long nr = ((unsigned long)mib << 20) >> (PAGE_SHIFT + order);
	struct folio **folios;
	struct pkram_stream ps;
	struct pkram_stats stats;
	struct folio *folio;
	u64 t0, t_save, t_load, t_copy;
	size_t size = PAGE_SIZE << order;
	unsigned long i, loaded = 0;

	folios = kvcalloc(nr, sizeof(*folios), GFP_KERNEL);
	if (!folios)
		goto out;
	for (i = 0; i < nr; i++) {
		folios[i] = folio_alloc(GFP_KERNEL, order);
		if (!folios[i])
			goto out;
		folios[i]->index = i << order;
		memset(folio_address(folios[i]), (int)i, size);
	}

	t0 = ktime_get_ns();
	if (pkram_prepare_save(&ps, "pkram-bench", GFP_KERNEL))
		goto out;
	if (!pkram_prepare_save_obj(&ps, PKRAM_DATA_folios)) {
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; i < nr; i++)
			if (pkram_save_folio(&pa, folios[i]))
				break;
		pkram_finish_access(&pa, i == nr);
	}
	pkram_finish_save(&ps);
	t_save = ktime_get_ns() - t0;
	pkram_get_stats(&stats);

	t0 = ktime_get_ns();
	if (pkram_prepare_load(&ps, "pkram-bench"))
		goto out;
	if (!pkram_prepare_load_obj(&ps)) {
		PKRAM_ACCESS(pa, &ps, folios);

		while ((folio = pkram_load_folio(&pa, NULL)))
			loaded++;
		pkram_finish_access(&pa, true);
	}
	pkram_finish_load(&ps);
	t_load = ktime_get_ns() - t0;
	for (i = 0; i < loaded; i++)
		folio_put(folios[i]);

	t_copy = pkram_bench_yardstick((u64)nr * size);
	if (!t_copy)
		goto out;

	pr_info("pkram_bench: order %u, %lu folios (%u MiB): save %llu ns/folio, load %llu ns/folio, memcpy %llu ns/folio; save+load %llu.%02llu%% of memcpy; metadata %ld pages, %llu.%03llu%% of the data\n",
		order, nr, mib, div64_u64(t_save, nr), div64_u64(t_load, nr),
		div64_u64(t_copy, nr),
		div64_u64((t_save + t_load) * 100, t_copy),
		div64_u64((t_save + t_load) * 10000, t_copy) % 100,
		stats.meta_pages,
		div64_u64((u64)stats.meta_pages * 100 << PAGE_SHIFT, (u64)mib << 20),
		div64_u64((u64)stats.meta_pages * 100000 << PAGE_SHIFT, (u64)mib << 20) % 1000);
	KUNIT_EXPECT_EQ(test, loaded, nr);
out:
	for (i = 0; folios && i < nr && folios[i]; i++)
		folio_put(folios[i]);
	kvfree(folios);
}

static void pkram_bench_streams(struct kunit *test)
{
	if (!bench_mib)
		kunit_skip(test, "boot with test_pkram.bench_mib=<MiB> to run");
	pkram_bench_order(test, 0, bench_mib);
	pkram_bench_order(test, PKRAM_TEST_PMD_ORDER, bench_mib);
	pkram_test_expect_empty(test);
}

static int pkram_test_init(struct kunit *test)
{
	struct pkram_stats stats;

	pkram_test_seed_case(test);
	/* Every case starts with nothing saved. */
	pkram_get_stats(&stats);
	KUNIT_ASSERT_EQ(test, stats.meta_pages, 0);
	return 0;
}

static int pkram_bench_init(struct kunit *test)
{
	pkram_test_seed_case(test);
	return 0;
}

static struct kunit_case pkram_test_cases[] = {
	KUNIT_CASE(pkram_test_load_missing),
	KUNIT_CASE(pkram_test_load_bad_names),
	KUNIT_CASE(pkram_test_save_bad_names),
	KUNIT_CASE(pkram_test_name_255),
	KUNIT_CASE(pkram_test_duplicate_name),
	KUNIT_CASE(pkram_test_bad_flags_and_types),
	KUNIT_CASE(pkram_test_folios_0),
	KUNIT_CASE(pkram_test_folios_1),
	KUNIT_CASE(pkram_test_folios_many),
	KUNIT_CASE(pkram_test_folios_mixed_orders),
	KUNIT_CASE(pkram_test_folios_sparse),
	KUNIT_CASE(pkram_test_folios_at),
	KUNIT_CASE(pkram_test_folios_descending),
	KUNIT_CASE(pkram_test_folios_index_at_link_end),
	KUNIT_CASE(pkram_test_folios_one_entry_each),
	KUNIT_CASE_SLOW(pkram_test_folios_64mib),
	KUNIT_CASE_PARAM(pkram_test_bytes, pkram_test_bytes_gen_params),
	KUNIT_CASE(pkram_test_bytes_partial_read),
	KUNIT_CASE(pkram_test_obj_mixed),
	KUNIT_CASE(pkram_test_objs_several),
	KUNIT_CASE(pkram_test_discard),
	KUNIT_CASE(pkram_test_access_not_ok),
	KUNIT_CASE(pkram_test_load_abort),
	KUNIT_CASE(pkram_test_load_skip),
	KUNIT_CASE(pkram_test_load_refcount),
	KUNIT_CASE(pkram_test_excluded_copy),
	KUNIT_CASE(pkram_test_refused),
#ifdef CONFIG_SPARSEMEM
	KUNIT_CASE(pkram_test_boot_sections),
#endif
	KUNIT_CASE(pkram_test_kexec_dest),
	KUNIT_CASE(pkram_test_kexec_moved),
	KUNIT_CASE(pkram_test_range_run),
	KUNIT_CASE(pkram_test_alloc_failure),
	KUNIT_CASE(pkram_test_concurrent),
	KUNIT_CASE(pkram_test_run_parallel),
	KUNIT_CASE(pkram_test_debugfs),
	KUNIT_CASE_SLOW(pkram_test_yields),
	{}
};

static struct kunit_suite pkram_test_suite = {
	.name = "pkram",
	.suite_init = pkram_test_suite_init,
	.init = pkram_test_init,
	.test_cases = pkram_test_cases,
};

static struct kunit_case pkram_bench_cases[] = {
	KUNIT_CASE_SLOW(pkram_bench_streams),
	{}
};

static struct kunit_suite pkram_bench_suite = {
	.name = "bench_pkram",
	.suite_init = pkram_test_suite_init,
	.init = pkram_bench_init,
	.test_cases = pkram_bench_cases,
};

kunit_test_suites(&pkram_test_suite, &pkram_bench_suite);

MODULE_DESCRIPTION("KUnit tests for PKRAM");
MODULE_LICENSE("GPL");
