/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PKRAM: what crosses kexec, the on-memory format.
 *
 * Every metadata object is one page, and objects point to each other by pfn,
 * so that the next kernel can follow them before its own struct pages mean
 * anything.  All fields have a fixed size and are little-endian (PKRAM is
 * x86_64 only).  The super block's version is that of the whole format.
 * The next kernel reads it as untrusted input; so does the x86 decompressor,
 * which reads the super block to randomize the kernel's physical address
 * inside the scratch region.  This header needs nothing but the types and
 * PAGE_SIZE, so that both can include it.  See Documentation/mm/pkram.rst.
 */
#ifndef _LINUX_PKRAM_ABI_H
#define _LINUX_PKRAM_ABI_H

#include <linux/types.h>
#include <asm/page_types.h>

/* Longest node name, including the terminating NUL. */
#define PKRAM_NAME_MAX		256

/* struct pkram_node::flags */
#define PKRAM_SAVE		1	/* being saved */
#define PKRAM_LOAD		2	/* being loaded */
#define PKRAM_ACCMODE_MASK	3

/**
 * struct pkram_node - a named set of objects; one page
 * @flags: PKRAM_SAVE while being saved, PKRAM_LOAD while being loaded,
 *	0 once saved
 * @nr_objs: number of objects of the node
 * @obj_pfn: pfn of the first object, 0 if none
 * @node_pfn: pfn of the next node in the list handed to the next kernel,
 *	0 at the end of the list
 * @name: the name, NUL-terminated
 *
 * While the kernel runs, nodes are also kept on a list through the
 * &page.lru of their pages.
 */
struct pkram_node {
	__u32	flags;
	__u32	nr_objs;
	__u64	obj_pfn;
	__u64	node_pfn;
	__u8	name[PKRAM_NAME_MAX];
};

/**
 * struct pkram_stream_head - the link pages of one stream of an object
 * @head_pfn: pfn of the first link page, 0 if the stream is empty
 * @tail_pfn: pfn of the last link page, 0 if the stream is empty
 */
struct pkram_stream_head {
	__u64	head_pfn;
	__u64	tail_pfn;
};

/**
 * struct pkram_obj - an object of a node: a folio stream and a byte
 *	stream; one page
 * @flags: the &enum pkram_data_flags the object was created with
 * @__reserved: zero
 * @obj_pfn: pfn of the next object of the node, 0 at the end
 * @data_len: number of bytes in the byte stream
 * @folios: link pages of the folio stream
 * @bytes: link pages of the byte stream; its entries are order-0 data
 *	pages, all full but the last
 */
struct pkram_obj {
	__u32	flags;
	__u32	__reserved;
	__u64	obj_pfn;
	__u64	data_len;
	struct pkram_stream_head folios;
	struct pkram_stream_head bytes;
};

/*
 * An entry of a link page is one of:
 *  - a folio: its physical address | order << PKRAM_ENTRY_ORDER_SHIFT |
 *    flags; the folio sits at the file index that follows the previous
 *    folio of the link (or at &pkram_link.index for the first one);
 *  - an index: index << PAGE_SHIFT | PKRAM_ENTRY_INDEX: the next folio sits
 *    at that index (only written where the indexes are not consecutive);
 *  - 0: the end of the entries of the link page.
 */
#define PKRAM_ENTRY_INDEX		0x1UL
#define PKRAM_ENTRY_FLAGS_MASK		0x7fUL
#define PKRAM_ENTRY_ORDER_SHIFT		7
#define PKRAM_ENTRY_ORDER_MASK		(0x1fUL << PKRAM_ENTRY_ORDER_SHIFT)

#define PKRAM_LINK_ENTRIES_MAX \
	((PAGE_SIZE - 2 * sizeof(__u64)) / sizeof(__u64))

/**
 * struct pkram_link - a page of entries of a stream
 * @link_pfn: pfn of the next link page of the stream, 0 at the end
 * @index: file index of the first folio of the link page
 * @entry: the entries (see above)
 */
struct pkram_link {
	__u64	link_pfn;
	__u64	index;
	__u64	entry[PKRAM_LINK_ENTRIES_MAX];
};

#define PKRAM_MAGIC		0x706B726D	/* "pkrm" */
/*
 * The version of the format: a kernel takes nothing from a super block of
 * another version.  2: the super block has the low scratch region.  3: the
 * super block has the covers.
 */
#define PKRAM_VERSION		3

/**
 * struct pkram_range - a range of preserved pages
 * @pfn: first page
 * @nr_pages: number of pages
 */
struct pkram_range {
	__u64	pfn;
	__u64	nr_pages;
};

/**
 * struct pkram_super_block - what one kernel hands to the next; one page
 * @magic: PKRAM_MAGIC; cleared by the kernel that consumes the block
 * @version: PKRAM_VERSION, the version of this whole format
 * @page_shift: PAGE_SHIFT of the kernel that wrote it
 * @checksum: crc32 of the block, with this field 0
 * @__reserved: zero
 * @node_pfn: pfn of the first node, 0 if none
 * @nr_nodes: number of nodes in the list
 * @range_pfn: pfn of the first page of the list of preserved ranges
 * @nr_range_pages: number of pages of that list
 * @nr_ranges: number of preserved ranges
 * @nr_pages: number of preserved pages, in all the ranges
 * @scratch_pfn: first page of the scratch region, clear of every preserved
 *	range, that the next kernel keeps for its early allocations
 *	(see Documentation/mm/pkram.rst)
 * @nr_scratch_pages: number of pages of the scratch region, 0 if none
 * @low_scratch_pfn: first page of the low scratch region, below 4 GiB and
 *	clear of every preserved range and of the scratch region, that the
 *	next kernel keeps for its early allocations that must be below 4 GiB
 *	(swiotlb, crashkernel=,low)
 * @nr_low_scratch_pages: number of pages of the low scratch region, 0 if
 *	none (all memory is below 4 GiB, or there was no room)
 * @nr_covers: number of covers, 1 to PKRAM_COVERS_MAX
 * @cover_checksum: crc32 of @cover[0 .. @nr_covers - 1]
 * @cover: the covers: spans of memory, sorted by address and disjoint, that
 *	hold every range (runs of MAX_ORDER blocks that hold preserved pages,
 *	merged where there would be more than PKRAM_COVERS_MAX); the next
 *	kernel reserves them, less what it cannot, instead of the ranges, and
 *	frees what lies between the ranges once it can (see
 *	Documentation/mm/pkram.rst)
 *
 * Its pfn is shown in /sys/kernel/pkram and given to the next kernel as
 * ``pkram=<pfn>``.  The block is filled in when the kernel reboots with
 * kexec; until then its magic is 0.  @checksum covers the fields before
 * @cover, which the x86 decompressor reads alone.
 */
struct pkram_super_block {
	__u32	magic;
	__u16	version;
	__u16	page_shift;
	__u32	checksum;
	__u32	__reserved;
	__u64	node_pfn;
	__u64	nr_nodes;
	__u64	range_pfn;
	__u64	nr_range_pages;
	__u64	nr_ranges;
	__u64	nr_pages;
	__u64	scratch_pfn;
	__u64	nr_scratch_pages;
	__u64	low_scratch_pfn;
	__u64	nr_low_scratch_pages;
	__u32	nr_covers;
	__u32	cover_checksum;
	struct pkram_range cover[];
};

/* The most covers the super block's page holds */
#define PKRAM_COVERS_MAX \
	((PAGE_SIZE - sizeof(struct pkram_super_block)) / \
	 sizeof(struct pkram_range))

#define PKRAM_RANGES_PER_PAGE \
	((PAGE_SIZE - 2 * sizeof(__u64)) / sizeof(struct pkram_range))

/**
 * struct pkram_range_page - a page of the list of preserved ranges
 * @next_pfn: pfn of the next page of the list, 0 at the end
 * @nr_ranges: number of ranges in this page
 * @checksum: crc32 of @range[0 .. @nr_ranges - 1]
 * @range: the ranges, sorted by address and disjoint over the whole list
 *
 * Every preserved page, data and metadata (the super block and these pages
 * included), is in one of the ranges.
 */
struct pkram_range_page {
	__u64	next_pfn;
	__u32	nr_ranges;
	__u32	checksum;
	struct pkram_range range[PKRAM_RANGES_PER_PAGE];
};

#endif /* _LINUX_PKRAM_ABI_H */
