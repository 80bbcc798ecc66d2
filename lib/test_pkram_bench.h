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

#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

/* The destination of the yardstick: a ring far larger than the caches. */
#define PKRAM_BENCH_RING	SZ_32M

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
 * yardstick for.
 *
 * Return: the nanoseconds the copy took.
 */
static inline u64 pkram_bench_memcpy(struct folio **folios, unsigned long nr,
				     unsigned int order, u64 bytes, void *ring)
{
	size_t size = PAGE_SIZE << order, off = 0;
	unsigned long i = 0;
	u64 t0 = ktime_get_ns();

	for (; bytes >= size; bytes -= size) {
		if (off + size > PKRAM_BENCH_RING)
			off = 0;
		memcpy(ring + off, folio_address(folios[i]), size);
		off += size;
		if (++i == nr)
			i = 0;
	}
	return ktime_get_ns() - t0;
}

#endif /* _LIB_TEST_PKRAM_BENCH_H */
