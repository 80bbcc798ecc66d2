// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the tracker of preserved pages (pkram_tracker.c, which
 * includes this file): the bits its bitmaps have set, the references that
 * count them, a bitmap that dies while another track comes, and several
 * threads tracking pages of the same words at once.
 *
 * The pfns tracked are above the end of memory, where no save can be: the
 * tests see only their own bits, whatever else the kernel has preserved.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/memblock.h>

/* The first pfn of the @i-th bitmap above the end of memory. */
static unsigned long pkram_tracker_test_pfn(unsigned long i)
{
	return ALIGN(max_pfn, PKRAM_TRACK_PFNS) + i * PKRAM_TRACK_PFNS;
}

/* The references of the tracker's bitmap over @pfn; -1 if there is none. */
static int pkram_tracker_test_refs(unsigned long pfn)
{
	unsigned long *bitmap = xa_load(&pkram_track_xa, pfn / PKRAM_TRACK_PFNS);

	return bitmap ? page_private(virt_to_page(bitmap)) : -1;
}

/* How many pages of [@pfn, @pfn + @nr) are tracked. */
static unsigned long pkram_tracker_test_count(unsigned long pfn,
					      unsigned long nr)
{
	unsigned long p = pfn, n, count = 0;

	while ((n = pkram_next_tracked(&p, pfn + nr))) {
		count += n;
		p += n;
	}
	return count;
}

/* Claims across words, and a failed one that leaves the bitmap as it was. */
static void pkram_tracker_test_claim(struct kunit *test)
{
	unsigned long *bitmap = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	unsigned long *copy = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, bitmap);
	KUNIT_ASSERT_NOT_NULL(test, copy);

	KUNIT_EXPECT_TRUE(test, pkram_bitmap_claim(bitmap, 60, 140));
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, PKRAM_TRACK_PFNS), 140);
	KUNIT_EXPECT_EQ(test, find_first_bit(bitmap, PKRAM_TRACK_PFNS), 60);
	KUNIT_EXPECT_EQ(test, find_next_zero_bit(bitmap, PKRAM_TRACK_PFNS, 60),
			200);

	/* Free words first, then one in the way: nothing stays set. */
	bitmap_set(bitmap, 400, 1);
	memcpy(copy, bitmap, PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, pkram_bitmap_claim(bitmap, 256, 512));
	KUNIT_EXPECT_TRUE(test, bitmap_equal(bitmap, copy, PKRAM_TRACK_PFNS));
	KUNIT_EXPECT_FALSE(test, pkram_bitmap_claim(bitmap, 199, 2));
	KUNIT_EXPECT_TRUE(test, bitmap_equal(bitmap, copy, PKRAM_TRACK_PFNS));

	/* The last bit of the bitmap, and a whole word. */
	KUNIT_EXPECT_TRUE(test, pkram_bitmap_claim(bitmap, PKRAM_TRACK_PFNS - 1, 1));
	KUNIT_EXPECT_TRUE(test, pkram_bitmap_claim(bitmap, 1024, BITS_PER_LONG));
	KUNIT_EXPECT_EQ(test, bitmap_weight(bitmap, PKRAM_TRACK_PFNS),
			140 + 1 + 1 + BITS_PER_LONG);
}

/*
 * A bitmap's references are its bits; the last untrack takes it out of the
 * tracker; a track over a page tracked already, in this bitmap or the next,
 * changes nothing.
 */
static void pkram_tracker_test_refcount(struct kunit *test)
{
	unsigned long pfn = pkram_tracker_test_pfn(0);
	unsigned long next = pkram_tracker_test_pfn(1);

	KUNIT_ASSERT_EQ(test, pkram_tracker_test_refs(pfn), -1);
	KUNIT_ASSERT_EQ(test, pkram_track(pfn + 10, 512, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 512);
	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 600, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 513);

	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 521, 2, GFP_KERNEL), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 513);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, PKRAM_TRACK_PFNS), 513);

	/* Across two bitmaps, in the way in the second: the first undone. */
	KUNIT_ASSERT_EQ(test, pkram_track(next + 5, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_track(next - 100, 200, GFP_KERNEL), -EBUSY);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 513);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(next), 1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, 2 * PKRAM_TRACK_PFNS),
			514);

	pkram_untrack(pfn + 10, 512);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 1);
	pkram_untrack(pfn + 600, 1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
	pkram_untrack(next + 5, 1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(next), -1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, 2 * PKRAM_TRACK_PFNS), 0);
}

/*
 * A track that meets a dying bitmap, its last bit cleared and not yet out
 * of the xarray, puts a new one in its place; the dying one is left to the
 * untrack that emptied it.
 */
static void pkram_tracker_test_dying(struct kunit *test)
{
	unsigned long pfn = pkram_tracker_test_pfn(2);
	unsigned long key = pfn / PKRAM_TRACK_PFNS;
	unsigned long *dying = (unsigned long *)get_zeroed_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, dying);
	/* As the untrack left it: no reference, no bit. */
	KUNIT_ASSERT_EQ(test, xa_insert(&pkram_track_xa, key, dying, GFP_KERNEL), 0);

	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 1, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_NE(test, xa_load(&pkram_track_xa, key), (void *)dying);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 1);
	KUNIT_EXPECT_EQ(test, page_private(virt_to_page(dying)), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(dying, PKRAM_TRACK_PFNS));

	/* Its untrack does not take the new one out, and frees the page. */
	pkram_bitmap_put(key, dying, 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 1);
	rcu_barrier();

	pkram_untrack(pfn + 1, 1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
}

/*
 * Anyone may hold a reference to a bitmap's page for a while (a page cache
 * lookup that raced with the page's free, compaction): it neither keeps an
 * empty bitmap in the tracker nor frees one in use when it is dropped.
 */
static void pkram_tracker_test_page_ref(struct kunit *test)
{
	unsigned long pfn = pkram_tracker_test_pfn(6);
	unsigned long *bitmap;
	struct page *page;

	KUNIT_ASSERT_EQ(test, pkram_track(pfn, 2, GFP_KERNEL), 0);
	bitmap = xa_load(&pkram_track_xa, pfn / PKRAM_TRACK_PFNS);
	KUNIT_ASSERT_NOT_NULL(test, bitmap);
	page = virt_to_page(bitmap);
	get_page(page);

	/* Dropped while bits are set: the bitmap stays, and they do. */
	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 2, 1, GFP_KERNEL), 0);
	put_page(page);
	KUNIT_EXPECT_PTR_EQ(test, xa_load(&pkram_track_xa, pfn / PKRAM_TRACK_PFNS),
			    (void *)bitmap);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, 3), 3);
	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 1, 1, GFP_KERNEL), -EBUSY);

	/* Held while the last bit goes: the bitmap leaves the tracker. */
	get_page(page);
	pkram_untrack(pfn, 3);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 1, 1, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 1);
	/* The grace period gave the tracker's reference back: ours frees it. */
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	put_page(page);
	pkram_untrack(pfn + 1, 1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
}

/* Bitmaps handed over join the tracker: alone, or into a bitmap there. */
static void pkram_tracker_test_adopt(struct kunit *test)
{
	unsigned long pfn = pkram_tracker_test_pfn(3);
	unsigned long next = pkram_tracker_test_pfn(4);
	struct xarray xa;

	xa_init(&xa);
	KUNIT_ASSERT_EQ(test, pkram_track(pfn, 3, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_bitmaps_set(&xa, pfn + 64, 100), 0);
	KUNIT_ASSERT_EQ(test, pkram_bitmaps_set(&xa, next + 7, 9), 0);
	pkram_track_adopt(&xa);
	KUNIT_EXPECT_TRUE(test, xa_empty(&xa));

	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), 103);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(next), 9);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, 2 * PKRAM_TRACK_PFNS),
			112);
	KUNIT_EXPECT_EQ(test, pkram_track(pfn + 100, 1, GFP_KERNEL), -EBUSY);

	pkram_untrack(pfn, 3);
	pkram_untrack(pfn + 64, 100);
	pkram_untrack(next + 7, 9);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(next), -1);
	xa_destroy(&xa);
}

#define PKRAM_TRACKER_TEST_ROUNDS	20000

struct pkram_tracker_test_thread {
	struct completion done;
	unsigned long pfn;	/* first of the pfns it tracks */
	unsigned long stride;	/* between them */
	unsigned long tracked;	/* tracks that succeeded */
	unsigned long busy;	/* tracks that found the page taken */
};

/*
 * Track and untrack pages PKRAM_TRACKER_TEST_ROUNDS times, each page
 * untracked at once: the last untrack of a round may empty the bitmap.
 */
static int pkram_tracker_test_fn(void *data)
{
	struct pkram_tracker_test_thread *t = data;
	unsigned long i, pfn;
	int err;

	for (i = 0; i < PKRAM_TRACKER_TEST_ROUNDS; i++) {
		pfn = t->pfn + (i % 64) * t->stride;
		err = pkram_track(pfn, 1, GFP_KERNEL);
		if (!err) {
			t->tracked++;
			pkram_untrack(pfn, 1);
		} else if (err == -EBUSY) {
			t->busy++;
		}
		if (!(i % 256))
			cond_resched();
	}
	complete(&t->done);
	return 0;
}

static void pkram_tracker_test_run(struct kunit *test,
				   struct pkram_tracker_test_thread *t, int nr)
{
	struct task_struct *task;
	int i;

	for (i = 0; i < nr; i++) {
		init_completion(&t[i].done);
		task = kthread_run(pkram_tracker_test_fn, &t[i], "pkram_track/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (i = 0; i < nr; i++)
		wait_for_completion(&t[i].done);
}

/*
 * Threads on neighbouring bits of the same words, emptying the bitmap
 * again and again: no track fails, and nothing stays tracked.  Then threads
 * on the same pages: each page is held by one of them at a time.
 */
static void pkram_tracker_test_threads(struct kunit *test)
{
	unsigned long pfn = pkram_tracker_test_pfn(5);
	struct pkram_tracker_test_thread t[2] = {
		{ .pfn = pfn, .stride = 2 },
		{ .pfn = pfn + 1, .stride = 2 },
	};

	pkram_tracker_test_run(test, t, ARRAY_SIZE(t));
	KUNIT_EXPECT_EQ(test, t[0].tracked, PKRAM_TRACKER_TEST_ROUNDS);
	KUNIT_EXPECT_EQ(test, t[1].tracked, PKRAM_TRACKER_TEST_ROUNDS);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, PKRAM_TRACK_PFNS), 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);

	memset(t, 0, sizeof(t));
	t[0].pfn = pfn;
	t[1].pfn = pfn;
	t[0].stride = 1;
	t[1].stride = 1;
	pkram_tracker_test_run(test, t, ARRAY_SIZE(t));
	KUNIT_EXPECT_EQ(test, t[0].tracked + t[0].busy, PKRAM_TRACKER_TEST_ROUNDS);
	KUNIT_EXPECT_EQ(test, t[1].tracked + t[1].busy, PKRAM_TRACKER_TEST_ROUNDS);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_count(pfn, PKRAM_TRACK_PFNS), 0);
	KUNIT_EXPECT_EQ(test, pkram_tracker_test_refs(pfn), -1);
	rcu_barrier();
}

static struct kunit_case pkram_tracker_test_cases[] = {
	KUNIT_CASE(pkram_tracker_test_claim),
	KUNIT_CASE(pkram_tracker_test_refcount),
	KUNIT_CASE(pkram_tracker_test_dying),
	KUNIT_CASE(pkram_tracker_test_page_ref),
	KUNIT_CASE(pkram_tracker_test_adopt),
	KUNIT_CASE_SLOW(pkram_tracker_test_threads),
	{}
};

static struct kunit_suite pkram_tracker_test_suite = {
	.name = "pkram_tracker",
	.test_cases = pkram_tracker_test_cases,
};

kunit_test_suite(pkram_tracker_test_suite);
