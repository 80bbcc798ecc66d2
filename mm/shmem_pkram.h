/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmpfs files preserved across kexec with PKRAM: what mm/shmem.c calls in
 * mm/shmem_pkram.c, what mm/shmem_pkram.c calls in mm/shmem.c, and the
 * format of what is preserved.
 */
#ifndef _MM_SHMEM_PKRAM_H
#define _MM_SHMEM_PKRAM_H

#include <linux/bits.h>
#include <linux/err.h>
#include <linux/mmzone.h>
#include <linux/pkram.h>
#include <linux/types.h>

struct folio;
struct inode;
struct super_block;
struct shmem_pkram_load;
struct shmem_pkram_pending;

/**
 * struct shmem_pkram_opts - mount options a preserved tmpfs brings back
 * @blocks: size= in pages, 0 for no limit
 * @inodes: nr_inodes=, 0 for no limit
 * @huge: huge= (SHMEM_HUGE_*)
 * @full_inums: inode64
 * @noswap: noswap
 * @usrquota: usrquota
 * @grpquota: grpquota
 */
struct shmem_pkram_opts {
	unsigned long long blocks;
	unsigned long long inodes;
	int huge;
	bool full_inums;
	bool noswap;
	bool usrquota;
	bool grpquota;
};

/*
 * The records of a preserved tmpfs, in the byte stream of its node: what
 * crosses kexec, read by the next kernel as untrusted input.  See "tmpfs"
 * in Documentation/mm/pkram.rst.
 */
#define SHMEM_PKRAM_MAGIC	0x666d7074	/* "tpmf" */
#define SHMEM_PKRAM_VERSION	3

/* struct shmem_pkram_header.flags */
#define SHMEM_PKRAM_INODE64	0x1
#define SHMEM_PKRAM_NOSWAP	0x2
#define SHMEM_PKRAM_USRQUOTA	0x4
#define SHMEM_PKRAM_GRPQUOTA	0x8
#define SHMEM_PKRAM_FLAGS	(SHMEM_PKRAM_INODE64 | SHMEM_PKRAM_NOSWAP | \
				 SHMEM_PKRAM_USRQUOTA | SHMEM_PKRAM_GRPQUOTA)

/* Where the pages of a file start in the stream: huge folios stay aligned. */
#define SHMEM_PKRAM_ALIGN	BIT_ULL(MAX_PAGE_ORDER)
/* Indexes of the folio stream end there (see pkram_save_folio_at()). */
#define SHMEM_PKRAM_INDEX_END	((U64_MAX >> PAGE_SHIFT) + 1)

/**
 * struct shmem_pkram_header - first record of a preserved tmpfs
 * @magic: SHMEM_PKRAM_MAGIC
 * @version: SHMEM_PKRAM_VERSION: the layout of this header and of every
 *	record; a kernel that does not know it leaves the tmpfs preserved
 * @page_shift: PAGE_SHIFT of the kernel that saved it: the unit of sizes,
 *	of indexes and of the folio stream
 * @max_order: MAX_PAGE_ORDER of the kernel that saved it: the alignment of
 *	the files in the folio stream (SHMEM_PKRAM_ALIGN)
 * @nr_inodes: number of inode records that follow, the root's first
 * @nr_dirs: how many of them are directories, the root included: records
 *	0 to @nr_dirs - 1
 * @nr_pages: pages of all the files, which the new mount must have room for
 * @blocks: size= of the mount, in pages, 0 for no limit
 * @inodes: nr_inodes= of the mount, 0 for no limit
 * @huge: huge= of the mount (SHMEM_HUGE_*)
 * @flags: SHMEM_PKRAM_INODE64, SHMEM_PKRAM_NOSWAP, SHMEM_PKRAM_USRQUOTA,
 *	SHMEM_PKRAM_GRPQUOTA: the mount options inode64, noswap, usrquota and
 *	grpquota
 */
struct shmem_pkram_header {
	__u32	magic;
	__u32	version;
	__u32	page_shift;
	__u32	max_order;
	__u64	nr_inodes;
	__u64	nr_dirs;
	__u64	nr_pages;
	__u64	blocks;
	__u64	inodes;
	__u32	huge;
	__u32	flags;
};

/**
 * struct shmem_pkram_inode - the record of one inode of a preserved tmpfs
 * @base: regular file: index in the folio stream of its page at index 0
 * @span: regular file: its pages are in [@base, @base + @span) of the
 *	stream, and the next file's @base is at least @base + @span; 0 for
 *	other inodes
 * @nr_pages: regular file: pages saved, in all its folios
 * @size: i_size
 * @atime_sec: access time, seconds
 * @mtime_sec: modification time, seconds
 * @ctime_sec: change time, seconds
 * @atime_nsec: access time, nanoseconds
 * @mtime_nsec: modification time, nanoseconds
 * @ctime_nsec: change time, nanoseconds
 * @mode: i_mode: type and permissions
 * @uid: owner, in the initial user namespace
 * @gid: group, in the initial user namespace
 * @fsflags: FS_IOC_SETFLAGS flags (SHMEM_FL_USER_MODIFIABLE)
 * @nr_names: names that follow (struct shmem_pkram_name): none for the
 *	root, one for another directory, one or more for other inodes
 * @target_len: symbolic link: bytes of its target, which follow the
 *	record, before the names; 0 for other inodes
 * @nr_xattrs: extended attributes that follow the names (struct
 *	shmem_pkram_xattr), POSIX ACLs among them
 * @btime_sec: birth time, seconds
 * @btime_nsec: birth time, nanoseconds
 * @pad: 0
 * @ino: inode number: not 0, each record's its own, below 2^32 unless the
 *	mount has inode64
 * @generation: i_generation, which NFS file handles carry with @ino
 * @pad2: 0
 */
struct shmem_pkram_inode {
	__u64	base;
	__u64	span;
	__u64	nr_pages;
	__u64	size;
	__s64	atime_sec;
	__s64	mtime_sec;
	__s64	ctime_sec;
	__u32	atime_nsec;
	__u32	mtime_nsec;
	__u32	ctime_nsec;
	__u32	mode;
	__u32	uid;
	__u32	gid;
	__u32	fsflags;
	__u32	nr_names;
	__u32	target_len;
	__u32	nr_xattrs;
	__s64	btime_sec;
	__u32	btime_nsec;
	__u32	pad;
	__u64	ino;
	__u32	generation;
	__u32	pad2;
};

/**
 * struct shmem_pkram_name - a name of an inode
 * @parent: record of the directory that holds the name: a directory record
 *	before this one (0 is the root)
 * @pos: the place of the name in the order readdir lists @parent in: the
 *	names of a directory come back in the order of their @pos (any
 *	values; of equal ones, the first read comes first)
 * @len: bytes of the name, which follow: 1 to NAME_MAX, neither "." nor
 *	"..", no '/' and no NUL
 * @pad: 0
 */
struct shmem_pkram_name {
	__u64	parent;
	__u64	pos;
	__u32	len;
	__u32	pad;
};

/**
 * struct shmem_pkram_xattr - an extended attribute of an inode
 * @name_len: bytes of its name, which follows: 1 to XATTR_NAME_MAX, no NUL,
 *	"user.", "trusted." or "security." and more, or the name of a POSIX
 *	ACL ("system.posix_acl_access", "system.posix_acl_default")
 * @value_len: bytes of its value, which follows the name: at most
 *	XATTR_SIZE_MAX; an ACL in the format of posix_acl_to_xattr()
 */
struct shmem_pkram_xattr {
	__u32	name_len;
	__u32	value_len;
};

/* The name of the PKRAM node of a preserved tmpfs: "tmpfs:" + pkram=. */
#define SHMEM_PKRAM_PREFIX	"tmpfs:"

#ifdef CONFIG_SHMEM_PKRAM
int shmem_pkram_save(struct super_block *sb, const char *name,
		     const struct shmem_pkram_opts *opts);
int shmem_pkram_discard(const char *name);
struct shmem_pkram_load *shmem_pkram_load_start(const char *name,
						struct shmem_pkram_opts *opts);
int shmem_pkram_load_tree(struct shmem_pkram_load *ld,
			  struct super_block *sb);
void shmem_pkram_load_end(struct shmem_pkram_load *ld, bool done);
struct shmem_pkram_pending *shmem_pkram_load_defer(struct shmem_pkram_load *ld);
void shmem_pkram_load_commit(struct shmem_pkram_pending *p);
void shmem_pkram_load_abandon(struct shmem_pkram_pending *p);
int shmem_pkram_hold(struct super_block *sb, const char *name);
void shmem_pkram_release(struct super_block *sb, const char *name);

/* mm/shmem.c */
int shmem_add_folios(struct inode *inode, struct folio **folios,
		     const pgoff_t *indices, unsigned int nr,
		     unsigned int *added);
#else
static inline struct shmem_pkram_load *
shmem_pkram_load_start(const char *name, struct shmem_pkram_opts *opts)
{
	return NULL;
}

static inline int shmem_pkram_load_tree(struct shmem_pkram_load *ld,
					struct super_block *sb)
{
	return 0;
}

static inline void shmem_pkram_load_end(struct shmem_pkram_load *ld,
					bool done) { }

static inline struct shmem_pkram_pending *
shmem_pkram_load_defer(struct shmem_pkram_load *ld)
{
	return NULL;
}

static inline void shmem_pkram_load_commit(struct shmem_pkram_pending *p) { }
static inline void shmem_pkram_load_abandon(struct shmem_pkram_pending *p) { }

static inline int shmem_pkram_hold(struct super_block *sb, const char *name)
{
	return 0;
}

static inline void shmem_pkram_release(struct super_block *sb,
				       const char *name) { }
#endif

#endif /* _MM_SHMEM_PKRAM_H */
