/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the xarray API PKRAM uses, as a sorted array (xarray.c):
 * same results, none of the radix tree.
 */
#ifndef _PKRAM_SIM_XARRAY_H
#define _PKRAM_SIM_XARRAY_H
#include <linux/pkram_sim.h>

struct xarray {
	unsigned long nr, max;
	unsigned long *index;
	void **entry;
};

/* No xa_mark_t: PKRAM passes only XA_PRESENT, and never names the type. */
#define XA_PRESENT	8U

#define DEFINE_XARRAY(name)	struct xarray name = { 0 }

static inline bool xa_is_err(const void *entry)
{
	return IS_ERR(entry);
}

static inline int xa_err(void *entry)
{
	return xa_is_err(entry) ? (int)PTR_ERR(entry) : 0;
}

void xa_init(struct xarray *xa);
void *xa_load(struct xarray *xa, unsigned long index);
void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
void *xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		 void *entry, gfp_t gfp);
void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      unsigned int filter);
void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, unsigned int filter);
void xa_destroy(struct xarray *xa);

static inline int xa_insert(struct xarray *xa, unsigned long index,
			    void *entry, gfp_t gfp)
{
	void *cur = xa_cmpxchg(xa, index, NULL, entry, gfp);

	if (xa_is_err(cur))
		return xa_err(cur);
	return cur ? -EBUSY : 0;
}

static inline bool xa_empty(const struct xarray *xa)
{
	return !xa->nr;
}

/*
 * xa_for_each() of the kernel, with each argument used once: @idx starts
 * at 0, and each step goes on from where @idx is.
 */
struct sim_xa_iter {
	struct xarray *xa;
	unsigned long *index;
	bool started;
};

static inline void *sim_xa_iter_next(struct sim_xa_iter *it)
{
	if (it->started)
		return xa_find_after(it->xa, it->index, ULONG_MAX, XA_PRESENT);
	it->started = true;
	*it->index = 0;
	return xa_find(it->xa, it->index, ULONG_MAX, XA_PRESENT);
}

#define xa_for_each(xa, idx, ent)					\
	for (struct sim_xa_iter __xa_it = { (xa), &(idx), false };	\
	     ((ent) = sim_xa_iter_next(&__xa_it));)
#endif
