/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the PKRAM handover parser needs of the kernel, for user space: the
 * stub headers of this directory each include this one.  The simulated
 * machine behind it (sim.c) has its physical memory mapped at the same
 * addresses in this process, as the memblock simulator's headers assume
 * (__va(x) == x), and a struct page for each of its pages.
 */
#ifndef _PKRAM_SIM_H
#define _PKRAM_SIM_H

#include <linux/mm.h>
#include <linux/init.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/bitmap.h>
#include <linux/sizes.h>
#include <linux/align.h>
#include <linux/err.h>
#include <linux/gfp.h>

#ifndef __ro_after_init
#define __ro_after_init
#endif
#ifndef fallthrough
#define fallthrough __attribute__((__fallthrough__))
#endif

typedef u64 resource_size_t;
struct seq_file;

#define NSEC_PER_USEC	1000L
/* A full barrier, as the kernel's, though the simulation has one thread */
#define smp_mb()	__sync_synchronize()

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nbits)
{
	unsigned int i;

	for (i = start; i < start + nbits; i++)
		map[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
}

/* The simulated machine: physical addresses below this are mapped 1:1. */
#define SIM_PHYS_MIN		0x10000UL	/* vm.mmap_min_addr */
#define SIM_PHYS_END		0x70000000UL	/* RAM of the input */
#define SIM_HEAP_END		0x7fff0000UL	/* pages the kernel allocates */
#define SIM_NR_PFNS		(SIM_HEAP_END >> 12)

/* A page that is neither RAM nor the simulated kernel's: a finding. */
void __noreturn sim_bug(const char *what, unsigned long pfn);

/* --- printk ------------------------------------------------------------ */
void sim_printk(int level, const char *fmt, ...) __printf(2, 3);
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#undef pr_err
#undef pr_info
#undef pr_warn
#undef pr_debug
#define pr_err(fmt, ...)	sim_printk(3, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	sim_printk(4, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	sim_printk(6, pr_fmt(fmt), ##__VA_ARGS__)
#ifndef no_printk
/* As the kernel's: the arguments are checked, never evaluated. */
#define no_printk(fmt, ...)						\
({									\
	if (0)								\
		sim_printk(7, fmt, ##__VA_ARGS__);			\
	0;								\
})
#endif
#define pr_debug(fmt, ...)	no_printk(pr_fmt(fmt), ##__VA_ARGS__)
#undef WARN_ON_ONCE
#undef WARN_ON
#define WARN_ON_ONCE(c)	({ bool __c = !!(c); if (__c) sim_bug("WARN_ON_ONCE(" #c ")", 0); __c; })
#define WARN_ON(c)	WARN_ON_ONCE(c)

/* --- atomics: the simulation has one thread ------------------------------ */
static inline long atomic_long_fetch_add(long i, atomic_long_t *v)
{
	long old = v->counter;

	v->counter += i;
	return old;
}

static inline long atomic_long_fetch_inc(atomic_long_t *v)
{
	return v->counter++;
}

static inline void atomic_long_add(long i, atomic_long_t *v)
{
	v->counter += i;
}

static inline long atomic_long_read(const atomic_long_t *v)
{
	return v->counter;
}

#define try_cmpxchg(ptr, oldp, new)					\
	__atomic_compare_exchange_n(ptr, oldp, new, false, __ATOMIC_SEQ_CST,	\
				    __ATOMIC_SEQ_CST)

/* --- RCU: one thread, so no reader to wait for ---------------------------- */
struct rcu_head {
	void (*func)(struct rcu_head *head);
};

#define rcu_read_lock()		do { } while (0)
#define rcu_read_unlock()	do { } while (0)

static inline void call_rcu(struct rcu_head *head,
			    void (*func)(struct rcu_head *head))
{
	func(head);
}

/* --- pages ----------------------------------------------------------------- */
struct page {
	unsigned long flags;		/* SIM_PAGE_* */
	unsigned long private;
	int refcount;			/* 1 when allocated */
	struct list_head lru;
	struct rcu_head rcu_head;
};

static inline void page_ref_add(struct page *page, int nr)
{
	page->refcount += nr;
}

static inline void page_ref_sub(struct page *page, int nr)
{
	page->refcount -= nr;
}

static inline bool page_ref_sub_and_test(struct page *page, int nr)
{
	return !(page->refcount -= nr);
}

static inline void set_page_count(struct page *page, int v)
{
	page->refcount = v;
}

static inline bool page_ref_add_unless(struct page *page, int nr, int u)
{
	if (page->refcount == u)
		return false;
	page->refcount += nr;
	return true;
}

#define page_private(page)		((page)->private)
#define set_page_private(page, v)	((page)->private = (v))

#define SIM_PAGE_TOUCHED	1	/* state below set, reset after a run */
#define SIM_PAGE_ALLOCATED	2	/* handed out as an allocated page */
#define SIM_PAGE_FREED		4	/* given to the page allocator */
#define SIM_PAGE_HEAP		8	/* allocated by the simulated kernel */

extern struct page *sim_mem_map;

struct page *sim_pfn_to_page(unsigned long pfn);
void *sim_pfn_to_kaddr(unsigned long pfn);
unsigned long sim_virt_to_pfn(const void *addr);
bool sim_page_reserved(struct page *page);
void sim_free_reserved_page(struct page *page);

#define pfn_to_page(pfn)	sim_pfn_to_page(pfn)
#define page_to_pfn(page)	((unsigned long)((page) - sim_mem_map))
#define pfn_to_kaddr(pfn)	sim_pfn_to_kaddr(pfn)
#define virt_to_page(addr)	sim_pfn_to_page(sim_virt_to_pfn(addr))
#define page_address(page)	sim_pfn_to_kaddr(page_to_pfn(page))
#define PageReserved(page)	sim_page_reserved(page)
#define free_reserved_page(page) sim_free_reserved_page(page)
#define clamp_t(type, val, lo, hi) min_t(type, max_t(type, val, lo), hi)

unsigned long sim_memblock_free_pages_range(unsigned long pfn,
					    unsigned long end_pfn);
#define memblock_free_pages_range(pfn, end_pfn) \
	sim_memblock_free_pages_range(pfn, end_pfn)
unsigned long free_reserved_area(void *start, void *end, int poison,
				 const char *s);

struct folio {
	struct page page;
};

#define folio_address(folio)	page_address(&(folio)->page)
#define __free_page(page)	free_page((unsigned long)page_address(page))

unsigned long get_zeroed_page(gfp_t gfp_mask);
unsigned long __get_free_page(gfp_t gfp_mask);
void free_page(unsigned long addr);

void *kvmalloc_array(size_t n, size_t size, gfp_t gfp_mask);
void *kvcalloc(size_t n, size_t size, gfp_t gfp_mask);
#define kvzalloc(size, gfp_mask)	kvcalloc(1, size, gfp_mask)
void kvfree(const void *addr);

static inline void cond_resched(void)
{
}

#define PAGES_PER_SECTION	(1UL << (27 - PAGE_SHIFT))
#define HZ			100

/* No memory hotplug in the simulation (memblock's linux/memory_hotplug.h) */
static inline void mem_hotplug_begin(void)
{
}

static inline void mem_hotplug_done(void)
{
}

/* The zones' watermarks: no page allocator in the simulation */
static inline int init_per_zone_wmark_min(void)
{
	return 0;
}

extern unsigned long max_pfn;	/* memblock.c */
unsigned long totalram_pages(void);

/* --- what the rest of PKRAM provides (sim.c) -------------------------------- */
extern char boot_command_line[];
u64 sched_clock(void);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
unsigned long long memparse(const char *ptr, char **retptr);
u32 crc32_le(u32 crc, const unsigned char *p, size_t len);
void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *, const void *),
	  void (*swap)(void *, void *, int));

/* early_param() and initcalls, called by the harness as the kernel does */
struct sim_param {
	const char *str;
	int (*fn)(char *arg);
};

struct sim_initcall {
	int level;
	int (*fn)(void);
};

/*
 * Not static: the tools' __used is the unused attribute, which does not
 * keep an unreferenced static, and a global is kept.  The early_param() of
 * the tools' linux/init.h is replaced.
 */
#undef early_param
#define early_param(str, func)						\
	const struct sim_param __sim_param_##func			\
	__section("sim_params") __aligned(8) = { str, func }
#define __sim_initcall(lvl, func)					\
	const struct sim_initcall __sim_initcall_##func			\
	__section("sim_initcalls") __aligned(8) = { lvl, func }
#define core_initcall(fn)	__sim_initcall(1, fn)
#define postcore_initcall_sync(fn)	__sim_initcall(2, fn)
#define late_initcall(fn)	__sim_initcall(7, fn)
#define late_initcall_sync(fn)	__sim_initcall(7, fn)

#endif /* _PKRAM_SIM_H */
