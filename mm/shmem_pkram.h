/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tmpfs files preserved across kexec with PKRAM: what mm/shmem.c calls in
 * mm/shmem_pkram.c, and what mm/shmem_pkram.c calls in mm/shmem.c.
 */
#ifndef _MM_SHMEM_PKRAM_H
#define _MM_SHMEM_PKRAM_H

#include <linux/err.h>
#include <linux/pkram.h>
#include <linux/types.h>

struct folio;
struct inode;
struct super_block;
struct shmem_pkram_load;

/**
 * struct shmem_pkram_opts - mount options a preserved tmpfs brings back
 * @blocks: size= in pages, 0 for no limit
 * @inodes: nr_inodes=, 0 for no limit
 * @huge: huge= (SHMEM_HUGE_*)
 * @full_inums: inode64
 * @noswap: noswap
 */
struct shmem_pkram_opts {
	unsigned long long blocks;
	unsigned long long inodes;
	int huge;
	bool full_inums;
	bool noswap;
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
int shmem_pkram_hold(struct super_block *sb, const char *name);
void shmem_pkram_unhold(struct super_block *sb);

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

static inline int shmem_pkram_hold(struct super_block *sb, const char *name)
{
	return 0;
}

static inline void shmem_pkram_unhold(struct super_block *sb) { }
#endif

#endif /* _MM_SHMEM_PKRAM_H */
