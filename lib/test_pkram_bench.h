/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The yardstick of PKRAM's benchmarks: what one copy of the same bytes
 * costs.  The streams benchmark (lib/test_pkram.c) and the tmpfs and boot
 * benchmarks (lib/test_pkram_handover.c, through debugfs) measure it with
 * this one function, so that every table of make bench divides by the same
 * thing.
 */
#ifndef _LIB_TEST_PKRAM_BENCH_H
#define _LIB_TEST_PKRAM_BENCH_H

#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

/* The destination of the yardstick: a ring far larger than the caches. */
#define PKRAM_BENCH_RING	SZ_32M

/* Copies the yardstick times, of which the fastest counts. */
#define PKRAM_BENCH_RUNS	3

/**
 * pkram_bench_memcpy() - time memcpy() of @bytes from folios to a ring
 * @folios: the source: folios in RAM, all of order @order
 * @nr: how many there are
 * @order: their order
 * @bytes: how many bytes to copy: the folios are taken in turn, again from
 *	the first when all were copied, so a small source can stand for many
 *	GiB (it is far larger than the caches)
 * @ring: the destination, %PKRAM_BENCH_RING bytes, written in turn
 *
 * The copy runs on one CPU, with no yield in between, as the paths it is a
 * yardstick for.  It runs %PKRAM_BENCH_RUNS times, and the fastest counts:
 * a guest's times vary from run to run with what its host does meanwhile,
 * and a yardstick that moves by a fifth would move every ratio with it.
 *
 * Return: the nanoseconds the fastest copy took.
 */
static inline u64 pkram_bench_memcpy(struct folio **folios, unsigned long nr,
				     unsigned int order, u64 bytes, void *ring)
{
	size_t size = PAGE_SIZE << order, off;
	u64 left, t0, ns, best = U64_MAX;
	unsigned long i;
	int run;

	for (run = 0; run < PKRAM_BENCH_RUNS; run++) {
		off = 0;
		i = 0;
		t0 = ktime_get_ns();
		for (left = bytes; left >= size; left -= size) {
			if (off + size > PKRAM_BENCH_RING)
				off = 0;
			memcpy(ring + off, folio_address(folios[i]), size);
			off += size;
			if (++i == nr)
				i = 0;
		}
		ns = ktime_get_ns() - t0;
		best = min(best, ns);
		cond_resched();	/* between runs, not within one */
	}
	return best;
}

/* The source of the yardstick: large enough to leave the caches behind. */
#define PKRAM_BENCH_SRC		SZ_256M

/**
 * pkram_bench_yardstick() - the yardstick of every benchmark, for @bytes
 * @bytes: how many bytes: a multiple of PAGE_SIZE
 *
 * pkram_bench_memcpy() of @bytes from up to %PKRAM_BENCH_SRC of pages
 * written beforehand, taken in turn.  The streams, tmpfs and boot tables
 * all divide by this, measured this one way whatever they measure.
 *
 * Return: the nanoseconds of the fastest copy, or 0 if memory ran out.
 */
static inline u64 pkram_bench_yardstick(u64 bytes)
{
	unsigned long i, nr = min_t(u64, bytes, PKRAM_BENCH_SRC) >> PAGE_SHIFT;
	struct folio **folios;
	void *ring;
	u64 ns = 0;

	if (!nr)
		return 0;
	folios = kvcalloc(nr, sizeof(*folios), GFP_KERNEL);
	ring = vmalloc(PKRAM_BENCH_RING);
	if (!folios || !ring)
		goto out;
	for (i = 0; i < nr; i++) {
		folios[i] = folio_alloc(GFP_KERNEL, 0);
		if (!folios[i])
			goto out;
		memset(folio_address(folios[i]), (int)i, PAGE_SIZE);
	}
	ns = pkram_bench_memcpy(folios, nr, 0, bytes, ring);
out:
	for (i = 0; folios && i < nr && folios[i]; i++)
		folio_put(folios[i]);
	kvfree(folios);
	vfree(ring);
	return ns;
}

#endif /* _LIB_TEST_PKRAM_BENCH_H */
