// SPDX-License-Identifier: GPL-2.0
/*
 * The xarray calls PKRAM makes, over a sorted array: the same results as
 * lib/xarray.c, which is not what is being tested.
 */
#include <errno.h>
#include <linux/xarray.h>

#include "sim.h"

void xa_init(struct xarray *xa)
{
	memset(xa, 0, sizeof(*xa));
}

/* The position of the first index >= @index. */
static unsigned long xa_pos(struct xarray *xa, unsigned long index)
{
	unsigned long lo = 0, hi = xa->nr, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (xa->index[mid] < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void *xa_load(struct xarray *xa, unsigned long index)
{
	unsigned long i = xa_pos(xa, index);

	return i < xa->nr && xa->index[i] == index ? xa->entry[i] : NULL;
}

void *xa_erase(struct xarray *xa, unsigned long index)
{
	unsigned long i = xa_pos(xa, index);
	void *old;

	if (i == xa->nr || xa->index[i] != index)
		return NULL;
	old = xa->entry[i];
	memmove(&xa->index[i], &xa->index[i + 1],
		(xa->nr - i - 1) * sizeof(*xa->index));
	memmove(&xa->entry[i], &xa->entry[i + 1],
		(xa->nr - i - 1) * sizeof(*xa->entry));
	xa->nr--;
	return old;
}

void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	unsigned long i = xa_pos(xa, index), max;
	void *old;

	if (!entry)
		return xa_erase(xa, index);
	if (i < xa->nr && xa->index[i] == index) {
		old = xa->entry[i];
		xa->entry[i] = entry;
		return old;
	}
	if (sim_alloc_fails())
		return ERR_PTR(-ENOMEM);
	if (xa->nr == xa->max) {
		unsigned long *ni;
		void **ne;

		max = xa->max ? 2 * xa->max : 16;
		ni = realloc(xa->index, max * sizeof(*ni));
		if (!ni)
			return ERR_PTR(-ENOMEM);
		xa->index = ni;
		ne = realloc(xa->entry, max * sizeof(*ne));
		if (!ne)
			return ERR_PTR(-ENOMEM);
		xa->entry = ne;
		xa->max = max;
	}
	memmove(&xa->index[i + 1], &xa->index[i],
		(xa->nr - i) * sizeof(*xa->index));
	memmove(&xa->entry[i + 1], &xa->entry[i],
		(xa->nr - i) * sizeof(*xa->entry));
	xa->index[i] = index;
	xa->entry[i] = entry;
	xa->nr++;
	return NULL;
}

void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		 void *entry, gfp_t gfp)
{
	void *cur = xa_load(xa, index);

	if (cur != old)
		return cur;
	cur = xa_store(xa, index, entry, gfp);
	return xa_is_err(cur) ? cur : old;
}

void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      unsigned int filter)
{
	unsigned long i = xa_pos(xa, *index);

	if (i == xa->nr || xa->index[i] > max)
		return NULL;
	*index = xa->index[i];
	return xa->entry[i];
}

void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter)
{
	unsigned long next = *index + 1;

	if (!next)
		return NULL;
	if (!xa_find(xa, &next, max, filter))
		return NULL;
	*index = next;
	return xa_load(xa, next);
}

void xa_destroy(struct xarray *xa)
{
	free(xa->index);
	free(xa->entry);
	xa_init(xa);
}
