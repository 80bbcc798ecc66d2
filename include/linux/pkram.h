/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM: Persistent Kernel RAM.
 *
 * Named streams of folios and bytes that are saved by the running kernel and
 * handed, in the same physical pages, to the next kernel started with kexec.
 * See Documentation/mm/pkram.rst.
 */
#ifndef _LINUX_PKRAM_H
#define _LINUX_PKRAM_H

#include <linux/errno.h>
#include <linux/gfp_types.h>
#include <linux/pkram_abi.h>
#include <linux/spinlock_types.h>
#include <linux/types.h>

struct folio;
struct kimage;
struct page;
struct pkram_node;
struct pkram_obj;
struct pkram_link;

/* PKRAM_NAME_MAX, the longest node name, is part of the format. */

/**
 * enum pkram_data_flags - types of data an object holds
 * @PKRAM_DATA_none: no data
 * @PKRAM_DATA_folios: a stream of folios, each with its file index
 * @PKRAM_DATA_bytes: a stream of bytes
 */
enum pkram_data_flags {
	PKRAM_DATA_none		= 0x0,
	PKRAM_DATA_folios	= 0x1,
	PKRAM_DATA_bytes	= 0x2,
};

/**
 * struct pkram_stream - a save or load session on one PKRAM node
 * @gfp_mask: allocation flags for metadata pages (save only)
 * @node: the node being saved or loaded
 * @obj: the object being saved or loaded, NULL between objects
 * @last_obj: save: the object saved last, to which the next one is chained;
 *	load: the object loaded last, which the next one follows
 * @next_link_pfn: load: the link page of the folio stream of @obj that the
 *	next access to need one gets
 * @lock: serializes the accesses that work on @obj at the same time
 *
 * Set up by pkram_prepare_save() or pkram_prepare_load() and torn down by
 * pkram_finish_save(), pkram_discard_save(), pkram_finish_load() or
 * pkram_abort_load().  The fields are private to PKRAM.
 */
struct pkram_stream {
	gfp_t gfp_mask;
	struct pkram_node *node;
	struct pkram_obj *obj;
	struct pkram_obj *last_obj;
	u64 next_link_pfn;
	spinlock_t lock;	/* chains link pages, moves @next_link_pfn */
};

/**
 * struct pkram_access - a cursor into one data stream of the current object
 * @dtype: which stream of the object this access reads or writes
 * @ps: the stream the object belongs to
 * @link: link page being filled (save) or read (load), NULL if none yet
 * @first: save: first link page of the chain this access built
 * @entry: index of the next entry of @link
 * @index: save: file index that follows the folio saved last; load: file
 *	index of the next folio of @link
 * @piece: load: where the next folio starts in the last entry read, whose
 *	pages are several folios in this kernel; 0 if they are one
 * @data_page: byte stream: current data page
 * @data_offset: byte stream: offset of the next byte in @data_page
 * @data_len: byte stream: save: bytes written by this access; load: bytes
 *	left in the stream
 * @counted_page: load: a page of the folios handed over that this access
 *	made ordinary folios and did not count yet; they are in its zone
 * @nr_counted: pages of the folios this access saved, or made from pages
 *	handed over, and did not count yet
 * @nr_counted_folios: and how many folios
 * @boot_start: save: first pfn of the memory sections of the folio saved
 *	last, which are boot memory (see pkram_boot_memory())
 * @boot_end: save: and the pfn after them; equal to @boot_start if none
 *
 * Declare one with PKRAM_ACCESS() and end it with pkram_finish_access().
 * Several accesses may save folios into, or load folios from, the same
 * object at once, one per thread; a byte stream is written or read by one
 * access at a time.  The fields are private to PKRAM.
 */
struct pkram_access {
	enum pkram_data_flags dtype;
	struct pkram_stream *ps;
	struct pkram_link *link;
	struct pkram_link *first;
	unsigned int entry;
	unsigned long index;
	unsigned long piece;
	struct page *data_page;
	unsigned int data_offset;
	size_t data_len;
	struct page *counted_page;
	unsigned long nr_counted;
	unsigned long nr_counted_folios;
	unsigned long boot_start;
	unsigned long boot_end;
};

/**
 * PKRAM_ACCESS - declare and initialize a struct pkram_access
 * @name: name of the variable
 * @stream: the struct pkram_stream it works on
 * @type: ``folios`` or ``bytes``
 */
#define PKRAM_ACCESS(name, stream, type)			\
	struct pkram_access name = {				\
		.dtype = PKRAM_DATA_##type,			\
		.ps = (stream),					\
	}

/* Threads pkram_run_parallel() runs at most. */
#define PKRAM_MAX_THREADS	16

#ifdef CONFIG_PKRAM

void pkram_reserve(void);
void pkram_reserve_scratch(void);
void pkram_set_super_block(u64 pfn);
void pkram_late_reserved(phys_addr_t base, phys_addr_t size);
bool pkram_get_super_block(unsigned long *pfn);
bool pkram_range_tracked(phys_addr_t start, phys_addr_t end,
			 phys_addr_t *run_start, phys_addr_t *run_end);
int pkram_kexec_prepare(const struct kimage *image);
void pkram_kexec_forget(const struct kimage *image);
int pkram_kexec_handover(void);
void pkram_wait_restore(void);
int pkram_run_parallel(int (*fn)(void *arg), void *arg);

int pkram_prepare_save(struct pkram_stream *ps, const char *name,
		       gfp_t gfp_mask);
int pkram_prepare_save_obj(struct pkram_stream *ps,
			   enum pkram_data_flags flags);
void pkram_finish_save_obj(struct pkram_stream *ps);
void pkram_finish_save(struct pkram_stream *ps);
void pkram_discard_save(struct pkram_stream *ps);

int pkram_prepare_load(struct pkram_stream *ps, const char *name);
int pkram_prepare_load_obj(struct pkram_stream *ps);
void pkram_finish_load_obj(struct pkram_stream *ps);
void pkram_finish_load(struct pkram_stream *ps);
void pkram_abort_load(struct pkram_stream *ps);

void pkram_finish_access(struct pkram_access *pa, bool status_ok);

int pkram_save_folio(struct pkram_access *pa, struct folio *folio);
int pkram_save_folio_at(struct pkram_access *pa, struct folio *folio,
			unsigned long index);
struct folio *pkram_load_folio(struct pkram_access *pa, unsigned long *index);

ssize_t pkram_write(struct pkram_access *pa, const void *buf, size_t count);
size_t pkram_read(struct pkram_access *pa, void *buf, size_t count);
size_t pkram_bytes_left(struct pkram_access *pa);

#else /* !CONFIG_PKRAM */

static inline void pkram_reserve(void) { }
static inline void pkram_reserve_scratch(void) { }
static inline void pkram_set_super_block(u64 pfn) { }
static inline void pkram_late_reserved(phys_addr_t base, phys_addr_t size) { }

static inline bool pkram_get_super_block(unsigned long *pfn)
{
	return false;
}

static inline bool pkram_range_tracked(phys_addr_t start, phys_addr_t end,
				       phys_addr_t *run_start,
				       phys_addr_t *run_end)
{
	return false;
}

static inline int pkram_kexec_prepare(const struct kimage *image)
{
	return 0;
}

static inline void pkram_kexec_forget(const struct kimage *image) { }

static inline int pkram_kexec_handover(void)
{
	return 0;
}

static inline int pkram_prepare_save(struct pkram_stream *ps, const char *name,
				     gfp_t gfp_mask)
{
	return -EOPNOTSUPP;
}

static inline int pkram_prepare_save_obj(struct pkram_stream *ps,
					 enum pkram_data_flags flags)
{
	return -EOPNOTSUPP;
}

static inline void pkram_finish_save_obj(struct pkram_stream *ps) { }
static inline void pkram_finish_save(struct pkram_stream *ps) { }
static inline void pkram_discard_save(struct pkram_stream *ps) { }

static inline int pkram_prepare_load(struct pkram_stream *ps, const char *name)
{
	return -EOPNOTSUPP;
}

static inline int pkram_prepare_load_obj(struct pkram_stream *ps)
{
	return -EOPNOTSUPP;
}

static inline void pkram_finish_load_obj(struct pkram_stream *ps) { }
static inline void pkram_finish_load(struct pkram_stream *ps) { }
static inline void pkram_abort_load(struct pkram_stream *ps) { }

static inline void pkram_finish_access(struct pkram_access *pa, bool status_ok)
{
}

static inline int pkram_save_folio(struct pkram_access *pa,
				   struct folio *folio)
{
	return -EOPNOTSUPP;
}

static inline int pkram_save_folio_at(struct pkram_access *pa,
				      struct folio *folio, unsigned long index)
{
	return -EOPNOTSUPP;
}

static inline struct folio *pkram_load_folio(struct pkram_access *pa,
					     unsigned long *index)
{
	return NULL;
}

static inline ssize_t pkram_write(struct pkram_access *pa, const void *buf,
				  size_t count)
{
	return -EOPNOTSUPP;
}

static inline size_t pkram_read(struct pkram_access *pa, void *buf,
				size_t count)
{
	return 0;
}

static inline size_t pkram_bytes_left(struct pkram_access *pa)
{
	return 0;
}

#endif /* CONFIG_PKRAM */

#endif /* _LINUX_PKRAM_H */
