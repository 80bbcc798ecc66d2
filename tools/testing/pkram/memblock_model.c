// SPDX-License-Identifier: GPL-2.0
/*
 * memblock's reserved regions against a model, with many of them: random
 * reservations (many next to an existing one, which grow it in place),
 * frees and allocations, top-down and bottom-up, on the memblock
 * simulator's mm/memblock.c.  After every operation the reserved regions
 * must be exactly the pages the model holds reserved, sorted, disjoint and
 * merged; an allocation must be free, inside its limits, aligned, and the
 * highest (or lowest) place that fits; a walk of free memory started with
 * __memblock_free_range_from() must give what a walk from the start gives
 * from that address on.
 *
 *   memblock_model [SEED [OPERATIONS]]
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seq_file;
#include <linux/memblock.h>

#define NR_PAGES	16384UL
#define MEM_SIZE	(NR_PAGES << PAGE_SHIFT)
/*
 * Room for every region there can be: no array doubling, which would
 * reserve memory the model does not know of.
 */
#define MAX_REGIONS	(NR_PAGES / 2 + 2)

/* What the memblock simulator expects its main() to define */
bool movable_node_enabled;

static struct memblock_region regions[MAX_REGIONS];
static unsigned char model[NR_PAGES];	/* 1: reserved */
static unsigned long nr_reserved;	/* pages, in the model */
static phys_addr_t base;
static unsigned long long rnd_state;
static unsigned long op;

static unsigned long rnd(unsigned long n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (rnd_state >> 33) % n;
}

static void fail(const char *what, unsigned long a, unsigned long b)
{
	fprintf(stderr, "memblock_model: operation %lu: %s (%#lx, %#lx)\n",
		op, what, a, b);
	exit(1);
}

static phys_addr_t addr(unsigned long pfn)
{
	return base + (pfn << PAGE_SHIFT);
}

static unsigned long pfn_of(phys_addr_t a)
{
	return (a - base) >> PAGE_SHIFT;
}

static void set(unsigned long pfn, unsigned long nr, unsigned char v)
{
	unsigned long i;

	for (i = pfn; i < pfn + nr; i++) {
		if (model[i] == v)
			continue;
		if (v)
			nr_reserved++;
		else
			nr_reserved--;
		model[i] = v;
	}
}

static bool all(unsigned long pfn, unsigned long nr, unsigned char v)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		if (model[pfn + i] != v)
			return false;
	return true;
}

/* The regions are the model's reserved pages, sorted, disjoint, merged. */
static void check_regions(void)
{
	struct memblock_type *t = &memblock.reserved;
	unsigned long pfn = 0, i, total = 0;

	for (i = 0; i < t->cnt; i++) {
		struct memblock_region *r = &t->regions[i];
		unsigned long s, e;

		if (!r->size && t->cnt == 1)
			break;
		if (r->base < base || r->base + r->size > base + MEM_SIZE ||
		    (r->base | r->size) & (PAGE_SIZE - 1) || !r->size)
			fail("a region out of place", r->base, r->size);
		if (i && r[-1].base + r[-1].size >= r->base)
			fail("regions overlap, touch or are out of order",
			     r[-1].base + r[-1].size, r->base);
		s = pfn_of(r->base);
		e = pfn_of(r->base + r->size);
		if (!all(pfn, s - pfn, 0) || !all(s, e - s, 1))
			fail("the regions are not the model", s, e);
		pfn = e;
		total += r->size;
	}
	if (!all(pfn, NR_PAGES - pfn, 0))
		fail("a reserved page is missing above", pfn, NR_PAGES);
	if (total != t->total_size)
		fail("total_size", total, t->total_size);
}

/* A walk started at @a gives what a walk from the start gives from @a on. */
static void check_seek(phys_addr_t a)
{
	phys_addr_t s1, e1, s2, e2;
	u64 i = 0, j = __memblock_free_range_from(a);

	do {
		__next_mem_range(&i, NUMA_NO_NODE, MEMBLOCK_NONE,
				 &memblock.memory, &memblock.reserved,
				 &s1, &e1, NULL);
	} while (i != ULLONG_MAX && e1 <= a);
	__next_mem_range(&j, NUMA_NO_NODE, MEMBLOCK_NONE, &memblock.memory,
			 &memblock.reserved, &s2, &e2, NULL);
	while (i != ULLONG_MAX || j != ULLONG_MAX) {
		if (i == ULLONG_MAX || j == ULLONG_MAX || s1 != s2 || e1 != e2)
			fail("a walk from __memblock_free_range_from() differs",
			     a, j == ULLONG_MAX ? 0 : s2);
		__next_mem_range(&i, NUMA_NO_NODE, MEMBLOCK_NONE,
				 &memblock.memory, &memblock.reserved,
				 &s1, &e1, NULL);
		__next_mem_range(&j, NUMA_NO_NODE, MEMBLOCK_NONE,
				 &memblock.memory, &memblock.reserved,
				 &s2, &e2, NULL);
	}
}

/* A run of free pages of the model next to a reserved one, or anywhere. */
static unsigned long pick(unsigned long nr)
{
	unsigned long pfn = rnd(NR_PAGES - nr);

	if (rnd(2)) {
		while (pfn < NR_PAGES - nr && !model[pfn])
			pfn++;
		while (pfn < NR_PAGES - nr && model[pfn])
			pfn++;
	}
	return pfn;
}

static void do_reserve(void)
{
	unsigned long nr = 1 + rnd(rnd(4) ? 2 : 16), pfn = pick(nr);

	if (memblock_reserve(addr(pfn), nr << PAGE_SHIFT))
		fail("memblock_reserve failed", pfn, nr);
	set(pfn, nr, 1);
}

static void do_free(void)
{
	unsigned long nr = 1 + rnd(rnd(4) ? 1 : 8), pfn = rnd(NR_PAGES - nr);

	if (memblock_phys_free(addr(pfn), nr << PAGE_SHIFT))
		fail("memblock_phys_free failed", pfn, nr);
	set(pfn, nr, 0);
}

/* Does [@pfn, @pfn + @nr) fit, free, aligned to @al pages? */
static bool fits(unsigned long pfn, unsigned long nr, unsigned long al)
{
	return !(pfn % al) && all(pfn, nr, 0);
}

static void do_alloc(bool top_down)
{
	unsigned long nr = 1 + rnd(rnd(4) ? 2 : 64), al = 1UL << rnd(4);
	unsigned long lo = rnd(NR_PAGES), hi = lo + rnd(NR_PAGES - lo) + 1;
	unsigned long p, best = ULONG_MAX;
	phys_addr_t got;

	/* The best place by the model, searched from the side to fill. */
	for (p = 0; lo + p + nr <= hi; p++) {
		unsigned long c = top_down ? hi - nr - p : lo + p;

		if (fits(c, nr, al)) {
			best = c;
			break;
		}
	}
	got = memblock_phys_alloc_range(nr << PAGE_SHIFT, al << PAGE_SHIFT,
					addr(lo), addr(hi));
	if (!got && best != ULONG_MAX)
		fail("no allocation, but there is room at", best, nr);
	if (got && pfn_of(got) != best)
		fail("not the place that fits first", pfn_of(got), best);
	if (got)
		set(best, nr, 1);
}

int main(int argc, char **argv)
{
	unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
	unsigned long ops = argc > 2 ? strtoul(argv[2], NULL, 0) : 100000;
	unsigned long max_cnt = 0;
	void *mem;

	rnd_state = seed;
	/* Aligned so that every alignment asked for is one of the model's. */
	mem = aligned_alloc(16 * PAGE_SIZE, MEM_SIZE);
	if (!mem)
		return 1;
	base = (phys_addr_t)mem;
	memblock.reserved.regions = regions;
	memblock.reserved.max = MAX_REGIONS;
	memblock_add(base, MEM_SIZE);

	for (op = 0; op < ops; op++) {
		unsigned long what = rnd(16);

		memblock_set_bottom_up(op >= ops / 2);
		if (what < 8)
			do_reserve();
		else if (what < 12)
			do_free();
		else
			do_alloc(op < ops / 2);
		/* Every region against the model now and then, the total always. */
		if (memblock.reserved.total_size != nr_reserved << PAGE_SHIFT)
			fail("total_size", memblock.reserved.total_size,
			     nr_reserved << PAGE_SHIFT);
		if (!(op % 32))
			check_regions();
		if (!(op % 64))
			check_seek(addr(rnd(NR_PAGES)) + rnd(PAGE_SIZE));
		if (memblock.reserved.cnt > max_cnt)
			max_cnt = memblock.reserved.cnt;
	}
	check_regions();
	printf("memblock_model: seed %lu, %lu operations, up to %lu regions: as the model\n",
	       seed, ops, max_cnt);
	free(mem);
	return 0;
}
