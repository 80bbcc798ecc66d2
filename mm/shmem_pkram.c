// SPDX-License-Identifier: GPL-2.0
/*
 * tmpfs files preserved across kexec with PKRAM.
 *
 * A tmpfs mounted with pkram=NAME is saved by "mount -o remount,preserve,ro":
 * its tree goes into the PKRAM node "tmpfs:NAME", and the pages of its files
 * with it, not copied.  The next kernel, started with kexec, brings the tree
 * back when a tmpfs is mounted with the same pkram=NAME: its files are
 * backed by the very pages that backed them before.
 *
 * The node has one object.  Its folio stream holds the pages of every
 * regular file, file after file: the page at index i of a file whose record
 * says @base is saved at index @base + i.  Its byte stream holds a header
 * (struct shmem_pkram_header) and one record per inode (struct
 * shmem_pkram_inode): the root's first, then the other directories, each
 * after its parent, then every other inode once, with all its names (hard
 * links).  A symbolic link's target follows its record, then come the
 * names (struct shmem_pkram_name and the bytes of the name).  The next
 * kernel checks every record before it uses it.
 */
#define pr_fmt(fmt) "tmpfs: " fmt

#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/pkram.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <linux/quotaops.h>
#include <linux/refcount.h>
#include <linux/sched/mm.h>
#include <linux/security.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <linux/xattr.h>

#include "internal.h"
#include "shmem_pkram.h"

static int shmem_pkram_node_name(char *buf, const char *name)
{
	int n = snprintf(buf, PKRAM_NAME_MAX, SHMEM_PKRAM_PREFIX "%s", name);

	return n < PKRAM_NAME_MAX ? 0 : -ENAMETOOLONG;
}

/* --- names of live mounts ---------------------------------------------- */

/* A pkram= name, and the live super block it is the name of. */
struct shmem_pkram_holder {
	struct list_head list;
	struct super_block *sb;
	char name[];
};

static LIST_HEAD(shmem_pkram_holders);
static DEFINE_MUTEX(shmem_pkram_holders_lock);

/**
 * shmem_pkram_hold - make @name a pkram= name of @sb, and no other mount's
 * @sb: a tmpfs super block
 * @name: the name
 *
 * A name belongs to one live tmpfs at a time: two mounts of one name in the
 * same kernel would restore, preserve and drop each other's tree.  A super
 * block holds its name; while a remount renames it, the new one too, until
 * shmem_pkram_release() lets go of the one not kept.
 *
 * Return: 0 (also if @sb holds @name already), -EBUSY if another live tmpfs
 * holds @name, -ENOMEM.
 */
int shmem_pkram_hold(struct super_block *sb, const char *name)
{
	size_t len = strlen(name) + 1;
	struct shmem_pkram_holder *h, *new;
	int err = 0;

	new = kmalloc(struct_size(new, name, len), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	new->sb = sb;
	memcpy(new->name, name, len);
	mutex_lock(&shmem_pkram_holders_lock);
	list_for_each_entry(h, &shmem_pkram_holders, list) {
		if (!strcmp(h->name, name)) {
			err = h->sb == sb ? 0 : -EBUSY;
			goto out;
		}
	}
	list_add(&new->list, &shmem_pkram_holders);
	new = NULL;
out:
	mutex_unlock(&shmem_pkram_holders_lock);
	kfree(new);
	return err;
}

/**
 * shmem_pkram_release - let go of a pkram= name of @sb
 * @sb: a tmpfs super block
 * @name: the name, or NULL for every name @sb holds (it goes away)
 */
void shmem_pkram_release(struct super_block *sb, const char *name)
{
	struct shmem_pkram_holder *h, *tmp;

	mutex_lock(&shmem_pkram_holders_lock);
	list_for_each_entry_safe(h, tmp, &shmem_pkram_holders, list) {
		if (h->sb == sb && (!name || !strcmp(h->name, name))) {
			list_del(&h->list);
			kfree(h);
		}
	}
	mutex_unlock(&shmem_pkram_holders_lock);
}

/* --- saving ---------------------------------------------------------------- */

/*
 * A name of an inode being saved: a dentry, its parent's record, and its
 * place in the order readdir lists the parent in.
 */
struct shmem_pkram_dent {
	struct dentry *dentry;
	u64 parent;
	u64 pos;
};

/* A non-directory inode being saved: its names, and where its pages go. */
struct shmem_pkram_file {
	u64 first;			/* its first name in @links */
	u32 nr_names;
	u64 base;
	u64 span;
	atomic64_t nr_pages;
};

struct shmem_pkram_save {
	struct shmem_pkram_dent *dirs;	/* records 0 to nr_dirs - 1 */
	u64 nr_dirs;
	u64 max_dirs;
	struct shmem_pkram_dent *links;	/* names of the other inodes */
	u64 nr_links;
	u64 max_links;
	struct shmem_pkram_file *files;	/* the other inodes, in record order */
	u64 nr_files;
	u64 next_base;			/* of the folio stream */
	struct pkram_stream ps;
	atomic64_t next_chunk;		/* of the folio stream, to save next */
	atomic_t err;			/* of the workers */
};

/* The path of @dentry, for a message. */
static const char *shmem_pkram_path(struct dentry *dentry, char *buf, int len)
{
	char *p = dentry_path_raw(dentry, buf, len);

	return IS_ERR(p) ? "?" : p;
}

/* Make room in an array of @size-byte elements for @more after @nr. */
static int shmem_pkram_room(void **array, u64 *max, u64 nr, u64 more,
			    size_t size)
{
	u64 n = max_t(u64, *max, 64);
	void *new;

	if (nr + more <= *max)
		return 0;
	while (n < nr + more)
		n *= 2;
	new = kvrealloc(*array, array_size(n, size), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	*array = new;
	*max = n;
	return 0;
}

/* Can the inode of @dentry be preserved?  If not, say why, naming it. */
static int shmem_pkram_check(struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct shmem_inode_info *info = SHMEM_I(inode);
	const char *what = NULL;
	char buf[256];

	if (!S_ISDIR(inode->i_mode) && !S_ISREG(inode->i_mode) &&
	    !S_ISLNK(inode->i_mode))
		what = "special files are not supported";
	else if (info->seals & ~F_SEAL_SEAL)
		what = "sealed files are not supported";
	if (!what)
		return 0;
	pr_err("cannot preserve %s: %s\n",
	       shmem_pkram_path(dentry, buf, sizeof(buf)), what);
	return -EOPNOTSUPP;
}

/*
 * Take the positive children of directory record @rec, in the order
 * readdir lists them (that of the directory's list of dentries, see
 * offset_readdir()): directories become records after the ones there are,
 * the others names in @sv->links, each with its place in that order.  The
 * tree does not change: the mount is being made read-only.  Lookups may
 * still add negative dentries, which are skipped.
 */
static int shmem_pkram_scan_dir(struct shmem_pkram_save *sv, u64 rec)
{
	struct dentry *dir = sv->dirs[rec].dentry, *child;
	struct shmem_pkram_dent *d;
	unsigned int n = 0;
	u64 pos = 0;
	int err;

	spin_lock(&dir->d_lock);
	hlist_for_each_entry(child, &dir->d_children, d_sib)
		n++;
	spin_unlock(&dir->d_lock);
	err = shmem_pkram_room((void **)&sv->dirs, &sv->max_dirs, sv->nr_dirs,
			       n, sizeof(*sv->dirs));
	if (!err)
		err = shmem_pkram_room((void **)&sv->links, &sv->max_links,
				       sv->nr_links, n, sizeof(*sv->links));
	if (err)
		return err;

	/* No more positive children than counted: none can be created. */
	spin_lock(&dir->d_lock);
	hlist_for_each_entry(child, &dir->d_children, d_sib) {
		spin_lock_nested(&child->d_lock, DENTRY_D_LOCK_NESTED);
		if (simple_positive(child) && n) {
			n--;
			d = d_is_dir(child) ? &sv->dirs[sv->nr_dirs++] :
					      &sv->links[sv->nr_links++];
			d->dentry = dget_dlock(child);
			d->parent = rec;
			d->pos = pos++;
		}
		spin_unlock(&child->d_lock);
	}
	spin_unlock(&dir->d_lock);
	return 0;
}

/*
 * Where the pages of a regular file go in the folio stream: from the end of
 * the previous file's, over every page it may have, below i_size or
 * fallocate()d beyond it, and a huge folio that crosses either end.
 */
static int shmem_pkram_place(struct shmem_pkram_save *sv,
			     struct shmem_pkram_file *f)
{
	struct dentry *dentry = sv->links[f->first].dentry;
	struct inode *inode = d_inode(dentry);
	u64 end;
	char buf[256];

	f->base = sv->next_base;
	if (!S_ISREG(inode->i_mode))
		return 0;
	end = max_t(u64, DIV_ROUND_UP_ULL(i_size_read(inode), PAGE_SIZE),
		    SHMEM_I(inode)->fallocend);
	f->span = round_up(end, SHMEM_PKRAM_ALIGN);
	if (f->span > SHMEM_PKRAM_INDEX_END - f->base) {
		pr_err("cannot preserve %s: too large, with the files before it\n",
		       shmem_pkram_path(dentry, buf, sizeof(buf)));
		return -EFBIG;
	}
	sv->next_base += f->span;
	return 0;
}

static int shmem_pkram_cmp_inode(const void *a, const void *b)
{
	const struct inode *x = d_inode(((const struct shmem_pkram_dent *)a)->dentry);
	const struct inode *y = d_inode(((const struct shmem_pkram_dent *)b)->dentry);

	return x < y ? -1 : x > y;
}

/*
 * Walk the tree from the root: every directory a record, each after its
 * parent; then every other inode once, its names together.
 */
static int shmem_pkram_scan(struct shmem_pkram_save *sv, struct dentry *root)
{
	u64 i, j;
	int err;

	err = shmem_pkram_room((void **)&sv->dirs, &sv->max_dirs, 0, 1,
			       sizeof(*sv->dirs));
	if (err)
		return err;
	sv->dirs[0].dentry = dget(root);
	sv->dirs[0].parent = 0;
	sv->nr_dirs = 1;
	for (i = 0; i < sv->nr_dirs; i++) {
		err = shmem_pkram_check(sv->dirs[i].dentry);
		if (!err)
			err = shmem_pkram_scan_dir(sv, i);
		if (err)
			return err;
		cond_resched();
	}
	for (i = 0; i < sv->nr_links; i++) {
		err = shmem_pkram_check(sv->links[i].dentry);
		if (err)
			return err;
	}

	sort(sv->links, sv->nr_links, sizeof(*sv->links),
	     shmem_pkram_cmp_inode, NULL);
	sv->files = kvcalloc(max_t(u64, sv->nr_links, 1), sizeof(*sv->files),
			     GFP_KERNEL);
	if (!sv->files)
		return -ENOMEM;
	for (i = 0; i < sv->nr_links; i = j) {
		for (j = i + 1; j < sv->nr_links &&
		     d_inode(sv->links[j].dentry) == d_inode(sv->links[i].dentry);
		     j++)
			;
		sv->files[sv->nr_files].first = i;
		sv->files[sv->nr_files].nr_names = j - i;
		err = shmem_pkram_place(sv, &sv->files[sv->nr_files++]);
		if (err)
			return err;
	}
	return 0;
}

static void shmem_pkram_scan_end(struct shmem_pkram_save *sv)
{
	u64 i;

	for (i = 0; i < sv->nr_dirs; i++)
		dput(sv->dirs[i].dentry);
	for (i = 0; i < sv->nr_links; i++)
		dput(sv->links[i].dentry);
	kvfree(sv->dirs);
	kvfree(sv->links);
	kvfree(sv->files);
}

/* --- saving the pages ------------------------------------------------------ */

/*
 * Pages of the stream a thread takes at a time: a multiple of
 * SHMEM_PKRAM_ALIGN, so that no folio crosses from one chunk to the next.
 */
#define SHMEM_PKRAM_CHUNK	(8 * SHMEM_PKRAM_ALIGN)

/* The first file whose pages end after index @idx of the stream. */
static u64 shmem_pkram_first_file(struct shmem_pkram_save *sv, u64 idx)
{
	u64 lo = 0, hi = sv->nr_files, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (sv->files[mid].base + sv->files[mid].span <= idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The folio of @mapping at @index, locked and still in @mapping; brought
 * back from swap if it is there.  NULL if it went away (truncated, or
 * replaced by a huge folio that khugepaged made: the caller looks again).
 */
static struct folio *shmem_pkram_get_folio(struct address_space *mapping,
					   unsigned long index, void *entry)
{
	struct folio *folio;

	if (xa_is_value(entry))
		folio = shmem_read_folio(mapping, index);
	else
		folio = filemap_get_folio(mapping, index);
	if (IS_ERR_OR_NULL(folio))
		return folio;
	folio_lock(folio);
	if (folio->mapping == mapping)
		return folio;
	folio_unlock(folio);
	folio_put(folio);
	return NULL;
}

/* Why the pages of a file could not be saved, for the log. */
static const char *shmem_pkram_save_error(int err)
{
	switch (err) {
	case -EHWPOISON:
		return "a page of it is poisoned (memory failure)";
	case -EXDEV:
		return "a page of it is in memory hot-added since boot";
	case -EBUSY:
		return "a page of it is preserved already";
	default:
		return "error saving its pages";
	}
}

/*
 * Save @folio of file @f, locked and in the file; counts its pages in
 * *@pages if it holds data.
 */
static int shmem_pkram_save_folio(struct pkram_access *pa,
				  struct shmem_pkram_file *f,
				  struct folio *folio, u64 *pages)
{
	int err;

	if (folio_next_index(folio) > f->span)
		return -EFBIG;	/* cannot be: see shmem_pkram_place() */
	if (folio_contain_hwpoisoned_page(folio))
		return -EHWPOISON;
	if (!folio_test_uptodate(folio))
		return 0;
	err = pkram_save_folio_at(pa, folio, f->base + folio->index);
	if (!err)
		*pages += folio_nr_pages(folio);
	return err;
}

/* shmem_pkram_save_entry(): the entry went away, look at its index again. */
#define SHMEM_PKRAM_GONE	1

/*
 * Save @entry, at *@index, of a batch that find_get_entries() returned: a
 * folio, with the batch's reference, or a swap entry, read back first.  A
 * page past @eof holds zeroes (fallocate() with FALLOC_FL_KEEP_SIZE, written
 * to swap and read back) and is left out: a load refuses one.  Return: 0
 * and sets *@index past what it saved, SHMEM_PKRAM_GONE if the entry is no
 * longer in the file, or an error.
 */
static int shmem_pkram_save_entry(struct pkram_access *pa,
				  struct shmem_pkram_file *f,
				  struct address_space *mapping,
				  struct folio *entry, unsigned long *index,
				  unsigned long eof, u64 *pages)
{
	struct folio *folio = entry;
	int err;

	if (xa_is_value(entry)) {
		if (*index >= eof) {
			(*index)++;
			return 0;
		}
		folio = shmem_pkram_get_folio(mapping, *index, entry);
		if (IS_ERR_OR_NULL(folio))
			return folio ? PTR_ERR(folio) : SHMEM_PKRAM_GONE;
	} else {
		folio_lock(folio);
		if (folio->mapping != mapping) {
			folio_unlock(folio);
			return SHMEM_PKRAM_GONE;
		}
	}
	err = folio->index < eof ? shmem_pkram_save_folio(pa, f, folio, pages) : 0;
	*index = folio_next_index(folio);
	folio_unlock(folio);
	if (folio != entry)
		folio_put(folio);
	return err;
}

/*
 * Save the pages of file @f in [@start, @end) (file indexes), a batch of
 * entries of its page cache at a time.  Each folio is saved locked, and
 * only while it is still in the file, so that one that khugepaged collapses
 * or swap takes meanwhile is found again in its new form and saved once.
 * Pages on swap are read back first, but for those past the end of the
 * file, which hold zeroes and are left out.  A folio never written (only
 * allocated by fallocate()) reads as zeroes: it is left out too, and comes
 * back as a hole.  A poisoned page cannot be preserved.  Sets *@next to
 * where the next page of the file is, or to its end.
 */
static int shmem_pkram_save_range(struct shmem_pkram_save *sv,
				  struct pkram_access *pa,
				  struct shmem_pkram_file *f,
				  unsigned long start, unsigned long end,
				  unsigned long *next)
{
	struct dentry *dentry = sv->links[f->first].dentry;
	struct inode *inode = d_inode(dentry);
	struct address_space *mapping = inode->i_mapping;
	unsigned long eof = DIV_ROUND_UP_ULL(i_size_read(inode), PAGE_SIZE);
	unsigned long index = start, at;
	pgoff_t indices[PAGEVEC_SIZE];
	struct folio_batch fbatch;
	struct folio *entry;
	unsigned int i;
	u64 pages = 0;
	char buf[256];
	int err = 0;

	folio_batch_init(&fbatch);
	while (!err && index < end &&
	       find_get_entries(mapping, &index, end - 1, &fbatch, indices)) {
		for (i = 0; i < folio_batch_count(&fbatch); i++) {
			entry = fbatch.folios[i];
			at = indices[i];
			err = shmem_pkram_save_entry(pa, f, mapping, entry, &at,
						     eof, &pages);
			/* Where a folio went away or swap was read, look again. */
			if (err || xa_is_value(entry)) {
				index = at;
				break;
			}
		}
		if (err == SHMEM_PKRAM_GONE)
			err = 0;
		folio_batch_remove_exceptionals(&fbatch);
		folio_batch_release(&fbatch);
		cond_resched();
	}
	atomic64_add(pages, &f->nr_pages);
	*next = f->span;
	if (!err && index < f->span &&
	    xa_find(&mapping->i_pages, &index, f->span - 1, XA_PRESENT))
		*next = index;
	if (err)
		pr_err("cannot preserve %s: %s\n",
		       shmem_pkram_path(dentry, buf, sizeof(buf)),
		       shmem_pkram_save_error(err));
	return err;
}

/* Move the next chunk to take to @to, unless it is there already. */
static void shmem_pkram_skip_to(atomic64_t *next_chunk, u64 to)
{
	s64 old = atomic64_read(next_chunk);

	to = round_down(to, SHMEM_PKRAM_CHUNK);
	while (old < (s64)to && !atomic64_try_cmpxchg(next_chunk, &old, to))
		;
}

/* One thread's share: chunks of the stream until there are none left. */
static int shmem_pkram_save_share(struct shmem_pkram_save *sv)
{
	PKRAM_ACCESS(pa, &sv->ps, folios);
	struct shmem_pkram_file *f = NULL;
	unsigned long next = 0;
	u64 chunk, end, i;
	int err = 0;

	while (!err && !atomic_read(&sv->err)) {
		chunk = atomic64_fetch_add(SHMEM_PKRAM_CHUNK, &sv->next_chunk);
		if (chunk >= sv->next_base)
			break;
		end = chunk + SHMEM_PKRAM_CHUNK;
		/* Every file with pages in the chunk, its part of them. */
		for (i = shmem_pkram_first_file(sv, chunk);
		     !err && i < sv->nr_files && sv->files[i].base < end; i++) {
			f = &sv->files[i];
			if (!f->span)
				continue;
			err = shmem_pkram_save_range(sv, &pa, f,
						     max(chunk, f->base) - f->base,
						     min(end, f->base + f->span) -
						     f->base, &next);
		}
		/*
		 * The rest of a sparse file, up to its next page, is no work:
		 * skip it (the stream spans its size, 8 EiB at most).
		 */
		if (f && f->span)
			shmem_pkram_skip_to(&sv->next_chunk, f->base + next);
		if (!err && fatal_signal_pending(current))
			err = -EINTR;
		cond_resched();
	}
	if (err)
		atomic_cmpxchg(&sv->err, 0, err);
	pkram_finish_access(&pa, !err);
	return err;
}

static int shmem_pkram_save_chunks(void *arg)
{
	return shmem_pkram_save_share(arg);
}

static int shmem_pkram_write(struct pkram_access *pa, const void *buf,
			     size_t len)
{
	return pkram_write(pa, buf, len) == len ? 0 : -ENOMEM;
}

static int shmem_pkram_write_name(struct pkram_access *pa,
				  struct shmem_pkram_dent *d)
{
	struct shmem_pkram_name name = {
		.parent = d->parent,
		.pos = d->pos,
		.len = d->dentry->d_name.len,
	};

	return shmem_pkram_write(pa, &name, sizeof(name)) ?:
	       shmem_pkram_write(pa, d->dentry->d_name.name, name.len);
}

/*
 * A security module's label (security.selinux, security.SMACK64) is not
 * kept: the next kernel's policy labels the files brought back as it labels
 * new ones (shmem_initxattrs()).  It could not be set back anyway: SELinux
 * refuses labels before the mount's security options are set, which is
 * after the tree is brought back.
 */
static bool shmem_pkram_maclabel(const char *name)
{
	return !strncmp(name, XATTR_SECURITY_PREFIX, XATTR_SECURITY_PREFIX_LEN) &&
	       security_ismaclabel(name + XATTR_SECURITY_PREFIX_LEN);
}

/*
 * The names of the extended attributes of @dentry to keep, its POSIX ACLs
 * among them: *@list (to kvfree()) of *@len bytes, their number in *@nr.
 */
static int shmem_pkram_list_xattrs(struct dentry *dentry, char **list,
				   ssize_t *len, u32 *nr)
{
	ssize_t n = vfs_listxattr(dentry, NULL, 0);
	size_t l;
	char *p;

	*list = NULL;
	*len = 0;
	*nr = 0;
	if (n <= 0)
		return n == -EOPNOTSUPP ? 0 : n;
	*list = kvmalloc(n, GFP_KERNEL);
	if (!*list)
		return -ENOMEM;
	/* The tree is read-only: the list cannot grow meanwhile. */
	n = vfs_listxattr(dentry, *list, n);
	if (n < 0) {
		kvfree(*list);
		*list = NULL;
		return n;
	}
	for (p = *list; p < *list + n; p += l) {
		l = strlen(p) + 1;
		if (shmem_pkram_maclabel(p))
			continue;
		memmove(*list + *len, p, l);
		*len += l;
		(*nr)++;
	}
	return 0;
}

/* The value of extended attribute @name of @dentry: *@value, to kvfree(). */
static ssize_t shmem_pkram_get_xattr(struct dentry *dentry, const char *name,
				     void **value)
{
	struct posix_acl *acl;
	ssize_t n;

	*value = NULL;
	if (is_posix_acl_xattr(name)) {
		acl = vfs_get_acl(&nop_mnt_idmap, dentry, name);
		if (IS_ERR_OR_NULL(acl))
			return acl ? PTR_ERR(acl) : -ENODATA;
		n = posix_acl_xattr_size(acl->a_count);
		*value = kvmalloc(n, GFP_KERNEL);
		n = *value ? posix_acl_to_xattr(&init_user_ns, acl, *value, n) :
			     -ENOMEM;
		posix_acl_release(acl);
		return n;
	}
	n = vfs_getxattr(&nop_mnt_idmap, dentry, name, NULL, 0);
	if (n <= 0)
		return n;
	*value = kvmalloc(n, GFP_KERNEL);
	if (!*value)
		return -ENOMEM;
	return vfs_getxattr(&nop_mnt_idmap, dentry, name, *value, n);
}

/* The extended attributes named in @list, after the names of an inode. */
static int shmem_pkram_write_xattrs(struct pkram_access *pa,
				    struct dentry *dentry, const char *list,
				    ssize_t len)
{
	struct shmem_pkram_xattr x;
	const char *name;
	void *value;
	ssize_t n;
	int err = 0;
	char buf[256];

	for (name = list; !err && name < list + len; name += strlen(name) + 1) {
		n = shmem_pkram_get_xattr(dentry, name, &value);
		if (n < 0) {
			err = n;
			pr_err("cannot preserve %s: error %d reading its attribute %s\n",
			       shmem_pkram_path(dentry, buf, sizeof(buf)), err, name);
			break;
		}
		x = (struct shmem_pkram_xattr) {
			.name_len = strlen(name), .value_len = n,
		};
		err = shmem_pkram_write(pa, &x, sizeof(x)) ?:
		      shmem_pkram_write(pa, name, x.name_len) ?:
		      (n ? shmem_pkram_write(pa, value, n) : 0);
		kvfree(value);
	}
	return err;
}

/*
 * Write the record of @inode, its @nr names in @names, its target and its
 * extended attributes.
 */
static int shmem_pkram_write_inode(struct pkram_access *pa,
				   struct inode *inode,
				   struct shmem_pkram_dent *names,
				   unsigned int nr, struct shmem_pkram_file *f)
{
	struct timespec64 atime = inode_get_atime(inode);
	struct timespec64 mtime = inode_get_mtime(inode);
	struct timespec64 ctime = inode_get_ctime(inode);
	struct shmem_pkram_inode rec = {
		.base = f && S_ISREG(inode->i_mode) ? f->base : 0,
		.span = f ? f->span : 0,
		.nr_pages = f ? atomic64_read(&f->nr_pages) : 0,
		.size = i_size_read(inode),
		.atime_sec = atime.tv_sec,
		.mtime_sec = mtime.tv_sec,
		.ctime_sec = ctime.tv_sec,
		.atime_nsec = atime.tv_nsec,
		.mtime_nsec = mtime.tv_nsec,
		.ctime_nsec = ctime.tv_nsec,
		.mode = inode->i_mode,
		.uid = from_kuid(&init_user_ns, inode->i_uid),
		.gid = from_kgid(&init_user_ns, inode->i_gid),
		.fsflags = SHMEM_I(inode)->fsflags & SHMEM_FL_USER_MODIFIABLE,
		.nr_names = nr,
		.btime_sec = SHMEM_I(inode)->i_crtime.tv_sec,
		.btime_nsec = SHMEM_I(inode)->i_crtime.tv_nsec,
		.ino = inode->i_ino,
		.generation = inode->i_generation,
	};
	DEFINE_DELAYED_CALL(done);
	const char *target = NULL;
	char *xattrs = NULL;
	ssize_t xlen = 0;
	unsigned int i;
	int err;

	err = shmem_pkram_list_xattrs(names[0].dentry, &xattrs, &xlen,
				      &rec.nr_xattrs);
	if (err)
		return err;

	if (S_ISLNK(inode->i_mode)) {
		/* with the dentry: its page may have to come back from swap */
		target = inode->i_op->get_link(names[0].dentry, inode, &done);
		if (IS_ERR(target)) {
			kvfree(xattrs);
			return PTR_ERR(target);
		}
		rec.target_len = strlen(target);
	}
	err = shmem_pkram_write(pa, &rec, sizeof(rec));
	if (!err && target)
		err = shmem_pkram_write(pa, target, rec.target_len);
	for (i = 0; !err && i < nr; i++)
		err = shmem_pkram_write_name(pa, &names[i]);
	if (!err)
		err = shmem_pkram_write_xattrs(pa, names[0].dentry, xattrs, xlen);
	do_delayed_call(&done);
	kvfree(xattrs);
	return err;
}

static int shmem_pkram_save_records(struct shmem_pkram_save *sv,
				    const struct shmem_pkram_opts *opts)
{
	PKRAM_ACCESS(pa, &sv->ps, bytes);
	struct shmem_pkram_header h = {
		.magic = SHMEM_PKRAM_MAGIC,
		.version = SHMEM_PKRAM_VERSION,
		.page_shift = PAGE_SHIFT,
		.max_order = MAX_PAGE_ORDER,
		.nr_inodes = sv->nr_dirs + sv->nr_files,
		.nr_dirs = sv->nr_dirs,
		.blocks = opts->blocks,
		.inodes = opts->inodes,
		.huge = opts->huge,
		.flags = (opts->full_inums ? SHMEM_PKRAM_INODE64 : 0) |
			 (opts->noswap ? SHMEM_PKRAM_NOSWAP : 0) |
			 (opts->usrquota ? SHMEM_PKRAM_USRQUOTA : 0) |
			 (opts->grpquota ? SHMEM_PKRAM_GRPQUOTA : 0),
	};
	struct shmem_pkram_file *f;
	int err;
	u64 i;

	for (i = 0; i < sv->nr_files; i++)
		h.nr_pages += atomic64_read(&sv->files[i].nr_pages);
	err = shmem_pkram_write(&pa, &h, sizeof(h));
	for (i = 0; !err && i < sv->nr_dirs; i++)
		err = shmem_pkram_write_inode(&pa, d_inode(sv->dirs[i].dentry),
					      &sv->dirs[i], i ? 1 : 0, NULL);
	for (i = 0; !err && i < sv->nr_files; i++) {
		f = &sv->files[i];
		err = shmem_pkram_write_inode(&pa,
					      d_inode(sv->links[f->first].dentry),
					      &sv->links[f->first], f->nr_names,
					      f);
	}
	pkram_finish_access(&pa, !err);
	return err;
}

/**
 * shmem_pkram_save - preserve a tmpfs for the next kernel
 * @sb: the tmpfs, being remounted read-only: its tree does not change
 * @name: its pkram= name
 * @opts: its mount options, which come back with it
 *
 * Saves the tree and the pages of its files into the PKRAM node
 * "tmpfs:@name".  The pages are not copied: PKRAM takes a reference to each.
 * On failure nothing is saved, and a message names the file at fault.
 *
 * Return: 0, -EEXIST if a node of that name is saved already, -EOPNOTSUPP
 * for a file that cannot be preserved, -ENOMEM, or another error.
 */
int shmem_pkram_save(struct super_block *sb, const char *name,
		     const struct shmem_pkram_opts *opts)
{
	struct shmem_pkram_save sv = { };
	char node[PKRAM_NAME_MAX];
	ktime_t start = ktime_get();
	u64 i, pages = 0;
	int err;

	err = shmem_pkram_node_name(node, name);
	if (err)
		return err;
	err = shmem_pkram_scan(&sv, sb->s_root);
	if (err)
		goto out;
	err = pkram_prepare_save(&sv.ps, node, GFP_KERNEL);
	if (err) {
		pr_err("cannot preserve pkram=%s: error %d%s\n", name, err,
		       err == -EEXIST ? " (that name is preserved already)" : "");
		goto out;
	}
	err = pkram_prepare_save_obj(&sv.ps,
				     PKRAM_DATA_folios | PKRAM_DATA_bytes);
	if (!err) {
		err = pkram_run_parallel(shmem_pkram_save_chunks, &sv) ?:
		      shmem_pkram_save_records(&sv, opts);
		pkram_finish_save_obj(&sv.ps);
	}
	if (err) {
		pkram_discard_save(&sv.ps);
		goto out;
	}
	pkram_finish_save(&sv.ps);
	for (i = 0; i < sv.nr_files; i++)
		pages += atomic64_read(&sv.files[i].nr_pages);
	pr_info("pkram=%s preserved: %llu inodes, %llu pages, in %lld us\n",
		name, sv.nr_dirs + sv.nr_files, pages,
		ktime_us_delta(ktime_get(), start));
out:
	shmem_pkram_scan_end(&sv);
	return err;
}

/**
 * shmem_pkram_discard - drop what shmem_pkram_save() saved
 * @name: the pkram= name of the tmpfs
 *
 * The tmpfs keeps its files: PKRAM only gives back its references.
 *
 * Return: 0, or -ENOENT if nothing is saved under @name.
 */
int shmem_pkram_discard(const char *name)
{
	char node[PKRAM_NAME_MAX];
	struct pkram_stream ps;
	int err;

	err = shmem_pkram_node_name(node, name);
	if (!err)
		err = pkram_prepare_load(&ps, node);
	if (err)
		return err;
	pkram_finish_load(&ps);
	pr_info("pkram=%s no longer preserved\n", name);
	return 0;
}

/* --- loading --------------------------------------------------------------- */

/*
 * An inode brought back: its record, its first name, a symbolic link's
 * target, its pages so far, and its default ACL, set once the whole tree is
 * there (before, the inodes created under it would inherit it).
 */
struct shmem_pkram_restored {
	struct dentry *dentry;
	char *target;
	struct shmem_pkram_inode rec;
	atomic64_t loaded;
	struct posix_acl *default_acl;
};

/*
 * A name to create: of inode record @rec, in directory record @parent, at
 * @pos in the order readdir lists the directory in.
 */
struct shmem_pkram_pos {
	u64 parent;
	u64 pos;
	u64 rec;
	char *name;
	u32 len;
};

/**
 * struct shmem_pkram_load - a preserved tmpfs being brought back
 * @ps: its PKRAM node, being loaded
 * @bytes: the access to the byte stream of its object
 * @name: its pkram= name, for messages
 * @header: its header, checked
 * @inodes: the inodes restored, by record number
 * @files: record numbers of the regular files with pages, by base
 * @nr_files: how many
 * @names: every name of the records, to create
 * @nr_names: how many
 * @max_names: room in @names
 * @err: the first error of the threads that put pages back
 * @inserted: whether any page went into the page cache of a file
 */
struct shmem_pkram_load {
	struct pkram_stream ps;
	struct pkram_access bytes;
	const char *name;
	struct shmem_pkram_header header;
	struct shmem_pkram_restored *inodes;
	u64 *files;
	u64 nr_files;
	struct shmem_pkram_pos *names;
	u64 nr_names;
	u64 max_names;
	atomic_t err;
	atomic_t inserted;
};

static int shmem_pkram_bad(struct shmem_pkram_load *ld, u64 rec,
			   const char *what)
{
	pr_err("pkram=%s: not brought back: bad preserved data at inode record %llu: %s; left preserved\n",
	       ld->name, rec, what);
	return -EUCLEAN;
}

/* Saved by a kernel whose @what differs from this one's. */
static int shmem_pkram_unusable(struct shmem_pkram_load *ld, const char *what,
				u32 theirs, u32 ours)
{
	pr_err("pkram=%s: saved with %s %u, this kernel has %u: left preserved, for a kernel that can read it\n",
	       ld->name, what, theirs, ours);
	return -EPROTONOSUPPORT;
}

/*
 * The counts of the header, against the @left bytes of records that follow.
 * The mount options are checked by shmem.c, which knows their values.
 */
static bool shmem_pkram_header_ok(struct shmem_pkram_header *h, size_t left)
{
	return h->nr_dirs && h->nr_dirs <= h->nr_inodes &&
	       h->nr_inodes <= left / sizeof(struct shmem_pkram_inode) &&
	       !(h->flags & ~SHMEM_PKRAM_FLAGS);
}

/**
 * shmem_pkram_load_start - find a preserved tmpfs and its mount options
 * @name: the pkram= name of the new mount; kept until shmem_pkram_load_end()
 * @opts: set to the mount options the tmpfs was saved with
 *
 * Return: what shmem_pkram_load_tree() brings back; NULL if nothing is
 * preserved under @name (the mount starts empty, and a message says so); or
 * an error pointer.
 */
struct shmem_pkram_load *shmem_pkram_load_start(const char *name,
						struct shmem_pkram_opts *opts)
{
	struct shmem_pkram_header *h;
	struct shmem_pkram_load *ld;
	char node[PKRAM_NAME_MAX];
	int err;

	err = shmem_pkram_node_name(node, name);
	if (err)
		return ERR_PTR(err);
	ld = kzalloc(sizeof(*ld), GFP_KERNEL);
	if (!ld)
		return ERR_PTR(-ENOMEM);
	ld->name = name;
	err = pkram_prepare_load(&ld->ps, node);
	if (err) {
		kfree(ld);
		if (err != -ENOENT)
			return ERR_PTR(err);
		pr_info("pkram=%s: nothing preserved under that name, the mount starts empty\n",
			name);
		return NULL;
	}
	ld->bytes = (struct pkram_access) {
		.dtype = PKRAM_DATA_bytes,
		.ps = &ld->ps,
	};
	h = &ld->header;
	if (pkram_prepare_load_obj(&ld->ps) ||
	    pkram_read(&ld->bytes, h, sizeof(h->magic) + sizeof(h->version)) !=
	    sizeof(h->magic) + sizeof(h->version) || h->magic != SHMEM_PKRAM_MAGIC)
		err = shmem_pkram_bad(ld, 0, "no header");
	else if (h->version != SHMEM_PKRAM_VERSION)
		err = shmem_pkram_unusable(ld, "record format version", h->version,
					   SHMEM_PKRAM_VERSION);
	else if (pkram_read(&ld->bytes, &h->page_shift,
			    sizeof(*h) - offsetof(typeof(*h), page_shift)) !=
		 sizeof(*h) - offsetof(typeof(*h), page_shift))
		err = shmem_pkram_bad(ld, 0, "no header");
	else if (h->page_shift != PAGE_SHIFT)
		err = shmem_pkram_unusable(ld, "page shift", h->page_shift,
					   PAGE_SHIFT);
	else if (h->max_order != MAX_PAGE_ORDER)
		err = shmem_pkram_unusable(ld, "MAX_PAGE_ORDER", h->max_order,
					   MAX_PAGE_ORDER);
	else if (!shmem_pkram_header_ok(h, pkram_bytes_left(&ld->bytes)))
		err = shmem_pkram_bad(ld, 0, "inconsistent header");
	if (!err) {
		ld->inodes = kvcalloc(h->nr_inodes, sizeof(*ld->inodes),
				      GFP_KERNEL | __GFP_NOWARN);
		ld->files = kvcalloc(h->nr_inodes, sizeof(*ld->files),
				     GFP_KERNEL | __GFP_NOWARN);
		if (!ld->inodes || !ld->files)
			err = -ENOMEM;
	}
	if (err) {
		shmem_pkram_load_end(ld, false);
		return ERR_PTR(err);
	}
	opts->blocks = h->blocks;
	opts->inodes = h->inodes;
	opts->huge = h->huge;
	opts->full_inums = h->flags & SHMEM_PKRAM_INODE64;
	opts->noswap = h->flags & SHMEM_PKRAM_NOSWAP;
	opts->usrquota = h->flags & SHMEM_PKRAM_USRQUOTA;
	opts->grpquota = h->flags & SHMEM_PKRAM_GRPQUOTA;
	return ld;
}

/*
 * Take a folio that was in a page cache before back to the state of a new
 * one, if nothing but PKRAM and this load (@refs references) holds it: off
 * the LRU, uncharged, its page cache flags cleared.
 */
static bool shmem_pkram_reclaim_folio(struct folio *folio, int refs)
{
	if (folio->mapping || folio_test_hwpoison(folio))
		return false;
	if (folio_test_lru(folio)) {
		if (!folio_isolate_lru(folio))
			return false;
		refs++;
	}
	if (folio_ref_count(folio) != refs) {
		if (refs > 2)
			folio_putback_lru(folio);
		return false;
	}
	if (refs > 2)
		folio_put(folio);
	/* Nobody else can see it now: it is ours alone. */
	mem_cgroup_uncharge(folio);
	folio_clear_dirty(folio);
	folio_clear_active(folio);
	folio_clear_referenced(folio);
	folio_clear_workingset(folio);
	folio_clear_unevictable(folio);
	folio_clear_swapbacked(folio);
	return true;
}

/*
 * The folios of a restore that failed, out of the page cache of their files
 * already: off the LRU and uncharged, so that what stays preserved holds
 * nobody's memory cgroup to its limit and the next mount finds it fresh.  A
 * second pass over the stream finds the folios.
 */
static void shmem_pkram_reclaim_stream(struct shmem_pkram_load *ld)
{
	struct folio *folio;
	char node[PKRAM_NAME_MAX];

	lru_add_drain_all();
	pkram_abort_load(&ld->ps);
	if (shmem_pkram_node_name(node, ld->name) ||
	    pkram_prepare_load(&ld->ps, node))
		return;
	while (!pkram_prepare_load_obj(&ld->ps)) {
		PKRAM_ACCESS(pa, &ld->ps, folios);

		while ((folio = pkram_load_folio(&pa, NULL))) {
			shmem_pkram_reclaim_folio(folio, 2);
			folio_put(folio);
			cond_resched();
		}
		pkram_finish_access(&pa, true);
	}
}

/* Drop what a load holds of the tree: its dentries, names and records. */
static void shmem_pkram_load_release(struct shmem_pkram_load *ld)
{
	u64 i;

	pkram_finish_access(&ld->bytes, true);
	if (ld->inodes) {
		for (i = 0; i < ld->header.nr_inodes; i++) {
			dput(ld->inodes[i].dentry);
			kfree(ld->inodes[i].target);
			posix_acl_release(ld->inodes[i].default_acl);
		}
	}
	for (i = 0; i < ld->nr_names; i++)
		kfree(ld->names[i].name);
	kvfree(ld->inodes);
	kvfree(ld->files);
	kvfree(ld->names);
	ld->inodes = NULL;
	ld->files = NULL;
	ld->names = NULL;
	ld->nr_names = 0;
}

/* Commit the load (@done) or abort it, and free it. */
static void shmem_pkram_load_close(struct shmem_pkram_load *ld, bool done)
{
	/* No node: shmem_pkram_reclaim_stream() could not load it again. */
	if (ld->ps.node && done)
		pkram_finish_load(&ld->ps);
	else if (ld->ps.node)
		pkram_abort_load(&ld->ps);
	kfree(ld);
}

/**
 * shmem_pkram_load_end - end what shmem_pkram_load_start() began
 * @ld: the preserved tmpfs, or NULL
 * @done: whether shmem_pkram_load_tree() brought it all back
 *
 * Only a tmpfs brought back whole consumes what was preserved.  Otherwise
 * it all stays preserved, as it was, for another mount (with other options,
 * for example) or for the next kernel: the pages put in the page cache of
 * its files are taken out again.  A mount that brought a tree back whole
 * calls shmem_pkram_load_defer() instead.
 */
void shmem_pkram_load_end(struct shmem_pkram_load *ld, bool done)
{
	u64 rec;

	if (!ld)
		return;
	if (!done && atomic_read(&ld->inserted)) {
		for (rec = 0; rec < ld->header.nr_inodes; rec++)
			if (ld->inodes[rec].dentry &&
			    S_ISREG(ld->inodes[rec].rec.mode))
				shmem_truncate_range(d_inode(ld->inodes[rec].dentry),
						     0, (loff_t)-1);
		shmem_pkram_reclaim_stream(ld);
	}
	shmem_pkram_load_release(ld);
	shmem_pkram_load_close(ld, done);
}

/* A load brought back whole, to commit once its mount is in place. */
struct shmem_pkram_pending {
	struct callback_head work;
	struct mutex lock;		/* held while the load is ended */
	struct shmem_pkram_load *ld;	/* NULL once committed or aborted */
	refcount_t refs;		/* the task work's and the super block's */
};

/*
 * Commit (@done) or abort the load of @p, unless that is done already; in
 * either case, return once it is done, so that a remount that saves the
 * tree again finds the node gone.
 */
static void shmem_pkram_settle(struct shmem_pkram_pending *p, bool done)
{
	struct shmem_pkram_load *ld;

	mutex_lock(&p->lock);
	ld = p->ld;
	p->ld = NULL;
	if (ld) {
		/* Its files were evicted with the super block: pages out. */
		if (!done)
			shmem_pkram_reclaim_stream(ld);
		shmem_pkram_load_close(ld, done);
	}
	mutex_unlock(&p->lock);
}

static void shmem_pkram_pending_put(struct shmem_pkram_pending *p)
{
	if (refcount_dec_and_test(&p->refs))
		kfree(p);
}

static void shmem_pkram_commit_work(struct callback_head *work)
{
	struct shmem_pkram_pending *p;

	p = container_of(work, struct shmem_pkram_pending, work);
	shmem_pkram_settle(p, true);
	shmem_pkram_pending_put(p);
}

/**
 * shmem_pkram_load_defer - commit a load that brought a tree back whole,
 * once the mount is in place
 * @ld: the load, which shmem_pkram_load_tree() completed
 *
 * A mount can still fail after its super block is filled: the security
 * options of the super block, a mount point gone meanwhile, the limit on
 * mounts.  The VFS then takes the super block down, and what was brought
 * back must stay preserved.  So the load is committed when the mount call
 * returns to user space, by a task work: that of a failed mount, which
 * takes the super block down, is queued after it and runs before it (task
 * works run in the reverse order).  With the mount API of fsopen(), that is
 * when FSCONFIG_CMD_CREATE returns.  A kernel thread, which never returns
 * to user space, commits at once.  The load no longer holds the tree: the
 * super block owns it.
 *
 * Context: process context, in the task that mounts.
 * Return: what to give shmem_pkram_load_commit() and, from ->put_super(),
 * shmem_pkram_load_abandon(); NULL if the load is committed already; or
 * ERR_PTR(-ENOMEM) or ERR_PTR(-ESRCH) (the task is exiting), and @ld is as
 * it was: end it with shmem_pkram_load_end().
 */
struct shmem_pkram_pending *shmem_pkram_load_defer(struct shmem_pkram_load *ld)
{
	struct shmem_pkram_pending *p;

	if (current->flags & PF_KTHREAD) {
		shmem_pkram_load_end(ld, true);
		return NULL;
	}
	p = kmalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	mutex_init(&p->lock);
	p->ld = ld;
	refcount_set(&p->refs, 2);
	init_task_work(&p->work, shmem_pkram_commit_work);
	/* An exiting task: its mount is going away with it. */
	if (task_work_add(current, &p->work, TWA_RESUME)) {
		kfree(p);
		return ERR_PTR(-ESRCH);
	}
	/* The work runs when this call returns to user space, not before. */
	shmem_pkram_load_release(ld);
	return p;
}

/**
 * shmem_pkram_load_commit - commit a deferred load now
 * @p: of shmem_pkram_load_defer(), or NULL
 *
 * For a mount in place that is preserved again (or renamed) before the
 * mount call returned.
 */
void shmem_pkram_load_commit(struct shmem_pkram_pending *p)
{
	if (p)
		shmem_pkram_settle(p, true);
}

/**
 * shmem_pkram_load_abandon - the super block of a deferred load goes away
 * @p: of shmem_pkram_load_defer(), or NULL
 *
 * A load not committed yet belongs to a mount that failed: what it brought
 * back, evicted with the super block's inodes, is preserved again, whole.
 * Called from ->put_super(), before the pkram= name is released.
 */
void shmem_pkram_load_abandon(struct shmem_pkram_pending *p)
{
	if (!p)
		return;
	shmem_pkram_settle(p, false);
	shmem_pkram_pending_put(p);
}

/* Is the record @r of inode @rec consistent? */
static bool shmem_pkram_rec_ok(struct shmem_pkram_load *ld, u64 rec,
			       struct shmem_pkram_inode *r)
{
	umode_t type = r->mode & S_IFMT;
	bool dir = rec < ld->header.nr_dirs;

	if (r->mode & ~(S_IFMT | S_IALLUGO) ||
	    (dir ? type != S_IFDIR : type != S_IFREG && type != S_IFLNK))
		return false;
	if (r->uid == (u32)-1 || r->gid == (u32)-1 || r->pad || r->pad2 ||
	    r->btime_nsec >= NSEC_PER_SEC || !r->ino || r->ino != (ino_t)r->ino)
		return false;
	if (r->atime_nsec >= NSEC_PER_SEC || r->mtime_nsec >= NSEC_PER_SEC ||
	    r->ctime_nsec >= NSEC_PER_SEC ||
	    r->fsflags & ~SHMEM_FL_USER_MODIFIABLE)
		return false;
	if (dir ? r->nr_names != (rec ? 1 : 0) : !r->nr_names)
		return false;
	if (type == S_IFLNK ?
	    !r->target_len || r->target_len >= PAGE_SIZE ||
	    r->size != r->target_len : r->target_len != 0)
		return false;
	if (type != S_IFREG)
		return !r->base && !r->span && !r->nr_pages;
	return r->size <= MAX_LFS_FILESIZE && r->nr_pages <= r->span &&
	       IS_ALIGNED(r->base, SHMEM_PKRAM_ALIGN) &&
	       IS_ALIGNED(r->span, SHMEM_PKRAM_ALIGN) &&
	       r->base < SHMEM_PKRAM_INDEX_END &&
	       r->span <= SHMEM_PKRAM_INDEX_END - r->base;
}

/* Read and check a name of record @rec, and keep it in @ld->names. */
static int shmem_pkram_read_name(struct shmem_pkram_load *ld, u64 rec,
				 char *buf)
{
	struct shmem_pkram_name name;
	struct shmem_pkram_pos *np;
	int err;

	if (pkram_read(&ld->bytes, &name, sizeof(name)) != sizeof(name))
		return shmem_pkram_bad(ld, rec, "truncated");
	if (name.parent >= rec || name.parent >= ld->header.nr_dirs ||
	    name.pad)
		return shmem_pkram_bad(ld, rec, "bad parent");
	if (!name.len || name.len > NAME_MAX ||
	    pkram_read(&ld->bytes, buf, name.len) != name.len)
		return shmem_pkram_bad(ld, rec, "bad name");
	buf[name.len] = '\0';
	if (strlen(buf) != name.len || strchr(buf, '/') ||
	    !strcmp(buf, ".") || !strcmp(buf, ".."))
		return shmem_pkram_bad(ld, rec, "bad name");
	err = shmem_pkram_room((void **)&ld->names, &ld->max_names,
			       ld->nr_names, 1, sizeof(*ld->names));
	if (err)
		return err;
	np = &ld->names[ld->nr_names];
	np->name = kmemdup(buf, name.len + 1, GFP_KERNEL);
	if (!np->name)
		return -ENOMEM;
	np->parent = name.parent;
	np->pos = name.pos;
	np->rec = rec;
	np->len = name.len;
	ld->nr_names++;
	return 0;
}

/*
 * Create the inode of the record @np names in its directory, or, if it has
 * a name already, link it there.
 */
static int shmem_pkram_create(struct shmem_pkram_load *ld,
			      struct shmem_pkram_pos *np)
{
	struct shmem_pkram_restored *ri = &ld->inodes[np->rec];
	umode_t mode = ri->rec.mode & S_IALLUGO;
	struct dentry *parent = ld->inodes[np->parent].dentry;
	struct inode *dir = d_inode(parent);
	struct dentry *dentry;
	int err;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(np->name, parent, np->len);
	if (IS_ERR(dentry)) {
		inode_unlock(dir);
		return PTR_ERR(dentry);
	}
	if (d_really_is_positive(dentry))
		err = shmem_pkram_bad(ld, np->rec, "name used twice");
	else if (ri->dentry)
		err = dir->i_op->link(ri->dentry, dir, dentry);
	else if (S_ISDIR(ri->rec.mode))
		err = dir->i_op->mkdir(&nop_mnt_idmap, dir, dentry, mode);
	else if (S_ISREG(ri->rec.mode))
		err = dir->i_op->create(&nop_mnt_idmap, dir, dentry, mode, true);
	else
		err = dir->i_op->symlink(&nop_mnt_idmap, dir, dentry, ri->target);
	inode_unlock(dir);
	if (err || ri->dentry) {
		dput(dentry);
		return err;
	}
	ri->dentry = dentry;
	if (S_ISREG(ri->rec.mode))
		i_size_write(d_inode(dentry), ri->rec.size);
	return 0;
}

/* Directories by record, parents first; in each, names in reverse order. */
static int shmem_pkram_cmp_pos(const void *a, const void *b)
{
	const struct shmem_pkram_pos *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos > y->pos ? -1 : 1;
	return x->rec > y->rec ? -1 : x->rec < y->rec;
}

/*
 * Create every name, so that readdir lists each directory as it did: it
 * lists the names of a directory newest first (offset_readdir() walks its
 * list of dentries, where each new one goes first), so they are created in
 * the reverse of that order.  A directory's own name comes first: its
 * parent's record is before its own, and directories go by record.
 */
static int shmem_pkram_create_names(struct shmem_pkram_load *ld)
{
	u64 i;
	int err = 0;

	sort(ld->names, ld->nr_names, sizeof(*ld->names), shmem_pkram_cmp_pos,
	     NULL);
	for (i = 0; !err && i < ld->nr_names; i++) {
		err = shmem_pkram_create(ld, &ld->names[i]);
		if (!(i % 1024))
			cond_resched();
	}
	return err;
}

/* Is @name one of the extended attributes a preserved inode may have? */
static bool shmem_pkram_xattr_name_ok(const char *name, umode_t mode)
{
	static const char * const prefixes[] = {
		XATTR_USER_PREFIX, XATTR_TRUSTED_PREFIX, XATTR_SECURITY_PREFIX,
	};
	unsigned int i;

	if (!strcmp(name, XATTR_NAME_POSIX_ACL_ACCESS))
		return true;
	if (!strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT))
		return S_ISDIR(mode);
	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])) &&
		    name[strlen(prefixes[i])])
			return true;
	return false;
}

/*
 * Set an extended attribute of inode @ri brought back, a POSIX ACL maybe; a
 * default ACL is kept for shmem_pkram_set_default_acls().
 */
static int shmem_pkram_set_xattr(struct shmem_pkram_restored *ri,
				 const char *name, const void *value, size_t size)
{
	struct posix_acl *acl;
	int err;

	/* Saved by a kernel that kept them: see shmem_pkram_maclabel(). */
	if (shmem_pkram_maclabel(name))
		return 0;
	if (!is_posix_acl_xattr(name))
		return vfs_setxattr(&nop_mnt_idmap, ri->dentry, name, value, size,
				    XATTR_CREATE);
	/* Not an ACL this kernel can read: bad data. */
	acl = posix_acl_from_xattr(&init_user_ns, value, size);
	if (IS_ERR_OR_NULL(acl))
		return -EUCLEAN;
	if (!strcmp(name, XATTR_NAME_POSIX_ACL_DEFAULT) && !ri->default_acl) {
		ri->default_acl = acl;
		return 0;
	}
	err = ri->default_acl ? -EINVAL :
	      vfs_set_acl(&nop_mnt_idmap, ri->dentry, name, acl);
	posix_acl_release(acl);
	return err;
}

/* The default ACLs of the directories, now that every inode is there. */
static int shmem_pkram_set_default_acls(struct shmem_pkram_load *ld)
{
	struct shmem_pkram_restored *ri;
	int err = 0;
	u64 rec;

	for (rec = 0; rec < ld->header.nr_dirs; rec++) {
		ri = &ld->inodes[rec];
		if (!ri->default_acl)
			continue;
		if (!err)
			err = vfs_set_acl(&nop_mnt_idmap, ri->dentry,
					  XATTR_NAME_POSIX_ACL_DEFAULT,
					  ri->default_acl);
		posix_acl_release(ri->default_acl);
		ri->default_acl = NULL;
	}
	if (err)
		pr_err("pkram=%s: not brought back: error %d setting a default ACL; left preserved\n",
		       ld->name, err);
	return err;
}

/*
 * Read and check the extended attributes of record @rec, with @buf
 * (XATTR_NAME_MAX + 1 + XATTR_SIZE_MAX bytes) to read them into; set them
 * too if @set.
 */
static int shmem_pkram_load_xattrs(struct shmem_pkram_load *ld, u64 rec,
				   char *buf, bool set)
{
	struct shmem_pkram_restored *ri = &ld->inodes[rec];
	char *name = buf, *value = buf + XATTR_NAME_MAX + 1;
	struct shmem_pkram_xattr x;
	char path[256];
	unsigned int i;
	int err;

	for (i = 0; i < ri->rec.nr_xattrs; i++) {
		if (pkram_read(&ld->bytes, &x, sizeof(x)) != sizeof(x))
			return shmem_pkram_bad(ld, rec, "truncated");
		if (!x.name_len || x.name_len > XATTR_NAME_MAX ||
		    x.value_len > XATTR_SIZE_MAX ||
		    pkram_read(&ld->bytes, name, x.name_len) != x.name_len)
			return shmem_pkram_bad(ld, rec, "bad extended attribute");
		name[x.name_len] = '\0';
		if (strlen(name) != x.name_len ||
		    !shmem_pkram_xattr_name_ok(name, ri->rec.mode) ||
		    pkram_read(&ld->bytes, value, x.value_len) != x.value_len)
			return shmem_pkram_bad(ld, rec, "bad extended attribute");
		if (!set)
			continue;
		err = shmem_pkram_set_xattr(ri, name, value, x.value_len);
		if (err) {
			pr_err("pkram=%s: not brought back: %s: error %d setting %s; left preserved\n",
			       ld->name, shmem_pkram_path(ri->dentry, path, sizeof(path)),
			       err, name);
			return err == -EINVAL ? -EUCLEAN : err;	/* refused: bad data */
		}
	}
	return 0;
}

/* Read the symbolic link target of record @r into @target, and check it. */
static int shmem_pkram_load_target(struct shmem_pkram_load *ld, u64 rec,
				   struct shmem_pkram_inode *r, char *target)
{
	target[0] = '\0';
	if (!r->target_len)
		return 0;
	if (pkram_read(&ld->bytes, target, r->target_len) != r->target_len)
		return shmem_pkram_bad(ld, rec, "truncated");
	target[r->target_len] = '\0';
	if (strlen(target) != r->target_len)
		return shmem_pkram_bad(ld, rec, "bad target");
	return 0;
}

/*
 * Read, check and create the inodes of every record, @root being record 0,
 * with their names and extended attributes.
 */
/*
 * The first reading of the records: each is read and checked, extended
 * attributes included, and kept with its target and its names, before
 * anything is created.  @buf holds a name or a target, @xbuf an extended
 * attribute.
 */
static int shmem_pkram_read_records(struct shmem_pkram_load *ld, char *buf,
				    char *xbuf)
{
	u64 rec, next_base = 0, pages = 0;
	struct shmem_pkram_restored *ri;
	struct shmem_pkram_inode *r;
	unsigned int i;
	int err = 0;

	for (rec = 0; !err && rec < ld->header.nr_inodes; rec++) {
		ri = &ld->inodes[rec];
		r = &ri->rec;
		if (pkram_read(&ld->bytes, r, sizeof(*r)) != sizeof(*r))
			return shmem_pkram_bad(ld, rec, "truncated");
		if (!shmem_pkram_rec_ok(ld, rec, r) ||
		    (S_ISREG(r->mode) && r->span && r->base < next_base))
			return shmem_pkram_bad(ld, rec, "inconsistent record");
		err = shmem_pkram_load_target(ld, rec, r, buf);
		if (!err && r->target_len) {
			ri->target = kmemdup(buf, r->target_len + 1, GFP_KERNEL);
			if (!ri->target)
				err = -ENOMEM;
		}
		for (i = 0; !err && i < r->nr_names; i++)
			err = shmem_pkram_read_name(ld, rec, buf);
		if (!err)
			err = shmem_pkram_load_xattrs(ld, rec, xbuf, false);
		if (!err && S_ISREG(r->mode) && r->span) {
			ld->files[ld->nr_files++] = rec;
			next_base = r->base + r->span;
			pages += r->nr_pages;
		}
		cond_resched();
	}
	if (!err && pages != ld->header.nr_pages)
		err = shmem_pkram_bad(ld, 0, "the page count does not match the records");
	return err;
}

static int shmem_pkram_cmp_ino(const void *a, const void *b)
{
	u64 x = ((const struct shmem_pkram_restored *const *)a)[0]->rec.ino;
	u64 y = ((const struct shmem_pkram_restored *const *)b)[0]->rec.ino;

	return x < y ? -1 : x > y;
}

/*
 * The inode numbers of the records: each its own, and below 2^32 unless
 * @sb has inode64.  Their largest in *@max.
 */
static int shmem_pkram_check_inos(struct shmem_pkram_load *ld,
				  struct super_block *sb, u64 *max)
{
	struct shmem_sb_info *sbinfo = sb->s_fs_info;
	u64 i, n = ld->header.nr_inodes;
	struct shmem_pkram_restored **by_ino;
	int err = 0;

	by_ino = kvmalloc_array(n, sizeof(*by_ino), GFP_KERNEL);
	if (!by_ino)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		by_ino[i] = &ld->inodes[i];
	sort(by_ino, n, sizeof(*by_ino), shmem_pkram_cmp_ino, NULL);
	for (i = 1; !err && i < n; i++)
		if (by_ino[i]->rec.ino == by_ino[i - 1]->rec.ino)
			err = shmem_pkram_bad(ld, by_ino[i] - ld->inodes,
					      "inode number used twice");
	*max = by_ino[n - 1]->rec.ino;
	kvfree(by_ino);
	if (!err && *max > UINT_MAX && !sbinfo->full_inums) {
		pr_err("pkram=%s: not brought back: inode numbers above 2^32, mount with inode64; left preserved\n",
		       ld->name);
		err = -EOVERFLOW;
	}
	return err;
}

/*
 * Give the inodes their numbers and generations back, so that NFS file
 * handles of the files (which carry both) stay good: each is hashed for
 * shmem_fh_to_dentry() as shmem_encode_fh() would.  New inodes are
 * numbered after the largest, @max.
 */
static void shmem_pkram_set_inos(struct shmem_pkram_load *ld,
				 struct super_block *sb, u64 max)
{
	struct shmem_sb_info *sbinfo = sb->s_fs_info;
	struct inode *inode;
	u64 rec;

	for (rec = 0; rec < ld->header.nr_inodes; rec++) {
		inode = d_inode(ld->inodes[rec].dentry);
		inode->i_ino = ld->inodes[rec].rec.ino;
		inode->i_generation = ld->inodes[rec].rec.generation;
		__insert_inode_hash(inode, inode->i_ino + inode->i_generation);
	}
	raw_spin_lock(&sbinfo->stat_lock);
	if (sbinfo->next_ino <= max)
		sbinfo->next_ino = max + 1;
	raw_spin_unlock(&sbinfo->stat_lock);
}

/*
 * In a second reading, past the record @rec, its target and its names (as
 * the first reading found them), to its extended attributes.
 */
static int shmem_pkram_skip_to_xattrs(struct shmem_pkram_load *ld, u64 rec,
				      char *buf)
{
	struct shmem_pkram_name name;
	struct shmem_pkram_inode r;
	u32 i;

	if (pkram_read(&ld->bytes, &r, sizeof(r)) != sizeof(r) ||
	    memcmp(&r, &ld->inodes[rec].rec, sizeof(r)) ||
	    pkram_read(&ld->bytes, buf, r.target_len) != r.target_len)
		return shmem_pkram_bad(ld, rec, "changed");
	for (i = 0; i < r.nr_names; i++) {
		if (pkram_read(&ld->bytes, &name, sizeof(name)) != sizeof(name) ||
		    name.len > NAME_MAX ||
		    pkram_read(&ld->bytes, buf, name.len) != name.len)
			return shmem_pkram_bad(ld, rec, "changed");
	}
	return 0;
}

/*
 * The second reading of the records, once every inode exists: their
 * extended attributes are set.  The byte stream is read again from its
 * start, with a new access: a load leaves it as it is.
 */
static int shmem_pkram_set_xattrs(struct shmem_pkram_load *ld, char *buf,
				  char *xbuf)
{
	struct shmem_pkram_header h;
	int err = 0;
	u64 rec;

	pkram_finish_access(&ld->bytes, true);
	ld->bytes = (struct pkram_access) {
		.dtype = PKRAM_DATA_bytes,
		.ps = &ld->ps,
	};
	if (pkram_read(&ld->bytes, &h, sizeof(h)) != sizeof(h))
		return shmem_pkram_bad(ld, 0, "changed");
	for (rec = 0; !err && rec < ld->header.nr_inodes; rec++) {
		err = shmem_pkram_skip_to_xattrs(ld, rec, buf) ?:
		      shmem_pkram_load_xattrs(ld, rec, xbuf, true);
		cond_resched();
	}
	return err;
}

/*
 * Bring the tree back: read and check every record, then create every name
 * (shmem_pkram_create_names()) and give the inodes their numbers, then set
 * the extended attributes.
 */
static int shmem_pkram_load_records(struct shmem_pkram_load *ld,
				    struct dentry *root)
{
	char *buf, *xbuf;
	u64 rec, max = 0;
	int err;

	buf = kmalloc(NAME_MAX + 1 + PAGE_SIZE, GFP_KERNEL);
	xbuf = kvmalloc(XATTR_NAME_MAX + 1 + XATTR_SIZE_MAX, GFP_KERNEL);
	if (!buf || !xbuf) {
		kfree(buf);
		kvfree(xbuf);
		return -ENOMEM;
	}
	ld->inodes[0].dentry = dget(root);
	err = shmem_pkram_read_records(ld, buf, xbuf) ?:
	      shmem_pkram_check_inos(ld, root->d_sb, &max) ?:
	      shmem_pkram_create_names(ld);
	if (!err)
		shmem_pkram_set_inos(ld, root->d_sb, max);
	for (rec = 0; !err && rec < ld->header.nr_inodes; rec++) {
		if (ld->inodes[rec].rec.nr_xattrs) {
			err = shmem_pkram_set_xattrs(ld, buf, xbuf);
			break;
		}
	}
	kfree(buf);
	kvfree(xbuf);
	return err;
}

/* The regular file whose pages take index @idx of the stream, or NULL. */
static struct shmem_pkram_restored *shmem_pkram_file_at(struct shmem_pkram_load *ld,
							u64 idx)
{
	struct shmem_pkram_restored *ri;
	u64 lo = 0, hi = ld->nr_files, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		ri = &ld->inodes[ld->files[mid]];
		if (idx < ri->rec.base)
			hi = mid;
		else if (idx - ri->rec.base >= ri->rec.span)
			lo = mid + 1;
		else
			return ri;
	}
	return NULL;
}

/*
 * A folio handed over by kexec is fresh: PKRAM and this load hold a
 * reference each, nothing else.  One loaded in the kernel that saved it, or
 * loaded again after a mount that could not complete, has been in a page
 * cache: it is made fresh again in place if nothing else holds it, and
 * copied otherwise; but for one with a memory error since it was saved,
 * which cannot be read.  Takes the load's reference.
 */
static struct folio *shmem_pkram_fresh(struct folio *folio)
{
	struct folio *copy;

	if (folio_contain_hwpoisoned_page(folio)) {
		folio_put(folio);
		return ERR_PTR(-EHWPOISON);
	}
	if (!folio->mapping && !folio_test_lru(folio) && !folio_memcg(folio) &&
	    folio_ref_count(folio) == 2)
		return folio;
	if (shmem_pkram_reclaim_folio(folio, 2))
		return folio;
	copy = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN,
			   folio_order(folio));
	if (copy)
		folio_copy(copy, folio);
	folio_put(folio);
	return copy ?: ERR_PTR(-ENOMEM);
}

/*
 * Folios a thread puts into the page cache of a file at once, under one
 * lock, and onto the LRU lists under one more: those of four xarray nodes.
 * Two threads that bring back one file meet on its lock; fewer, longer
 * holds of it (make bench: 64 folios a hold against 256) lose less time.
 */
#define SHMEM_PKRAM_BATCH	(4 * XA_CHUNK_SIZE)

/* Folios of one file, to go into its page cache together. */
struct shmem_pkram_batch {
	struct shmem_pkram_restored *ri;
	struct folio *folios[SHMEM_PKRAM_BATCH];
	pgoff_t indices[SHMEM_PKRAM_BATCH];
	unsigned int nr;
	u64 pages;			/* of the folios */
};

static int shmem_pkram_flush(struct shmem_pkram_load *ld,
			     struct shmem_pkram_batch *b)
{
	struct shmem_pkram_restored *ri;
	unsigned int i, added = 0;
	char buf[256];
	int err;

	if (!b->nr)
		return 0;
	/* Counted once per batch: no more pages than the record says. */
	ri = b->ri;
	if (atomic64_add_return(b->pages, &ri->loaded) > ri->rec.nr_pages) {
		err = shmem_pkram_bad(ld, ri - ld->inodes, "a page out of place");
	} else {
		atomic_set(&ld->inserted, 1);
		err = shmem_add_folios(d_inode(ri->dentry), b->folios,
				       b->indices, b->nr, &added);
		if (err)
			pr_err("pkram=%s: %s: error %d bringing its pages back\n",
			       ld->name,
			       shmem_pkram_path(ri->dentry, buf, sizeof(buf)),
			       err);
	}
	/* The references of the folios added are the page cache's now. */
	for (i = added; i < b->nr; i++)
		folio_put(b->folios[i]);
	b->nr = 0;
	b->pages = 0;
	return err;
}

/*
 * One thread's share of putting the folios of the stream back into the page
 * cache of their files: link pages of the stream until there are none left.
 */
static int shmem_pkram_load_share(struct shmem_pkram_load *ld)
{
	PKRAM_ACCESS(pa, &ld->ps, folios);
	struct shmem_pkram_restored *ri;
	struct shmem_pkram_batch *b;
	unsigned long idx, nr;
	struct folio *folio;
	int err = 0;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		err = -ENOMEM;
	while (!err && !atomic_read(&ld->err) &&
	       (folio = pkram_load_folio(&pa, &idx))) {
		nr = folio_nr_pages(folio);
		ri = shmem_pkram_file_at(ld, idx);
		if (!ri || idx - ri->rec.base + nr > ri->rec.span ||
		    !IS_ALIGNED(idx - ri->rec.base, nr)) {
			folio_put(folio);
			err = shmem_pkram_bad(ld, ri ? ri - ld->inodes : 0,
					      "a page out of place");
			break;
		}
		if (idx - ri->rec.base >= DIV_ROUND_UP_ULL(ri->rec.size, PAGE_SIZE)) {
			folio_put(folio);
			err = shmem_pkram_bad(ld, ri - ld->inodes,
					      "a page beyond the end of the file");
			break;
		}
		folio = shmem_pkram_fresh(folio);
		if (IS_ERR(folio)) {
			err = PTR_ERR(folio);
			break;
		}
		if (b->nr && (b->ri != ri || b->nr == SHMEM_PKRAM_BATCH))
			err = shmem_pkram_flush(ld, b);
		b->ri = ri;
		b->folios[b->nr] = folio;
		b->indices[b->nr++] = idx - ri->rec.base;
		b->pages += nr;
		if (need_resched()) {
			err = err ?: shmem_pkram_flush(ld, b);
			cond_resched();
		}
	}
	if (b) {
		err = shmem_pkram_flush(ld, b) ?: err;
		kfree(b);
	}
	if (err)
		atomic_cmpxchg(&ld->err, 0, err);
	pkram_finish_access(&pa, true);
	return err;
}

static int shmem_pkram_load_folios(void *arg)
{
	return shmem_pkram_load_share(arg);
}

/* Put every folio of the stream back into the page cache of its file. */
static int shmem_pkram_load_pages(struct shmem_pkram_load *ld)
{
	struct shmem_pkram_restored *ri;
	int err;
	u64 i;

	/*
	 * Folios that were in a page cache in this kernel may sit in a CPU's
	 * batch for the LRU: shmem_pkram_fresh() must find them on it.
	 */
	lru_add_drain_all();
	err = pkram_run_parallel(shmem_pkram_load_folios, ld);
	for (i = 0; !err && i < ld->nr_files; i++) {
		ri = &ld->inodes[ld->files[i]];
		if (atomic64_read(&ri->loaded) != ri->rec.nr_pages)
			err = shmem_pkram_bad(ld, ld->files[i], "pages missing");
	}
	return err;
}

/* Attributes last: creating names changed the times of directories. */
/*
 * Give @inode its owner and group, moving what quota charged for it so far
 * (to the mounting task's ids) to theirs, as chown does.
 */
static int shmem_pkram_set_owner(struct inode *inode,
				 const struct shmem_pkram_inode *r)
{
	kuid_t uid = make_kuid(&init_user_ns, r->uid);
	kgid_t gid = make_kgid(&init_user_ns, r->gid);
	struct iattr ia = {
		.ia_valid = ATTR_UID | ATTR_GID,
		.ia_vfsuid = VFSUIDT_INIT(uid),
		.ia_vfsgid = VFSGIDT_INIT(gid),
	};
	int err;

	if (IS_ENABLED(CONFIG_TMPFS_QUOTA) && sb_any_quota_loaded(inode->i_sb)) {
		err = dquot_transfer(&nop_mnt_idmap, inode, &ia);
		if (err)
			return err;
	}
	inode->i_uid = uid;
	inode->i_gid = gid;
	return 0;
}

static int shmem_pkram_set_attrs(struct shmem_pkram_load *ld)
{
	unsigned int flags = 0, fsflags;
	struct shmem_pkram_inode *r;
	struct inode *inode;
	char path[256];
	int err;
	u64 rec;

	for (rec = 0; rec < ld->header.nr_inodes; rec++) {
		r = &ld->inodes[rec].rec;
		inode = d_inode(ld->inodes[rec].dentry);
		inode_lock(inode);
		err = shmem_pkram_set_owner(inode, r);
		if (err) {
			inode_unlock(inode);
			pr_err("pkram=%s: not brought back: %s: error %d charging its owner's quota; left preserved\n",
			       ld->name, shmem_pkram_path(ld->inodes[rec].dentry, path,
							  sizeof(path)), err);
			return err;
		}
		inode->i_mode = (inode->i_mode & S_IFMT) | (r->mode & S_IALLUGO);
		inode_set_atime(inode, r->atime_sec, r->atime_nsec);
		inode_set_mtime(inode, r->mtime_sec, r->mtime_nsec);
		inode_set_ctime(inode, r->ctime_sec, r->ctime_nsec);
		SHMEM_I(inode)->i_crtime = (struct timespec64) {
			.tv_sec = r->btime_sec, .tv_nsec = r->btime_nsec,
		};
		fsflags = r->fsflags;
		SHMEM_I(inode)->fsflags = fsflags;
		flags = (fsflags & FS_NOATIME_FL ? S_NOATIME : 0) |
			(fsflags & FS_APPEND_FL ? S_APPEND : 0) |
			(fsflags & FS_IMMUTABLE_FL ? S_IMMUTABLE : 0);
		inode_set_flags(inode, flags, S_NOATIME | S_APPEND | S_IMMUTABLE);
		inode_unlock(inode);
	}
	return 0;
}

/* What an error of the restore means for the administrator. */
static const char *shmem_pkram_why(int err)
{
	switch (err) {
	case -ENOSPC:
		return ": no room, see size= and nr_inodes=";
	case -ENOMEM:
		return ": out of memory, or over the limit of the memory cgroup";
	case -EHWPOISON:
		return ": a page has a memory error";
	default:
		return "";
	}
}

/**
 * shmem_pkram_load_tree - bring a preserved tmpfs back
 * @ld: from shmem_pkram_load_start()
 * @sb: the new tmpfs, with its root and nothing else yet
 *
 * Creates every directory, file and link the records describe, and puts
 * the preserved pages of the files back into their page cache.  Whatever
 * stops it (a record found inconsistent, no room for the tree in @sb, memory
 * running out or over the limit of the memory cgroup of the mounting task)
 * says why in one message; the caller then fails the mount, and with
 * shmem_pkram_load_end() leaves everything preserved for another mount.
 *
 * Return: 0 or an error: -ENOSPC if @sb has no room for the tree (size= or
 * nr_inodes=), -ENOMEM, -EUCLEAN for inconsistent records.
 */
int shmem_pkram_load_tree(struct shmem_pkram_load *ld, struct super_block *sb)
{
	struct shmem_sb_info *sbinfo = sb->s_fs_info;
	ktime_t start = ktime_get();
	u64 pages = 0, i;
	int err;

	if (sbinfo->max_blocks && ld->header.nr_pages > sbinfo->max_blocks) {
		pr_err("pkram=%s: not brought back: size= too small, %llu pages preserved, room for %lu; left preserved\n",
		       ld->name, ld->header.nr_pages, sbinfo->max_blocks);
		return -ENOSPC;
	}
	if (sbinfo->max_inodes && ld->header.nr_inodes > sbinfo->max_inodes) {
		pr_err("pkram=%s: not brought back: nr_inodes= too small, %llu inodes preserved, room for %lu; left preserved\n",
		       ld->name, ld->header.nr_inodes, sbinfo->max_inodes);
		return -ENOSPC;
	}
	err = shmem_pkram_load_records(ld, sb->s_root) ?:
	      shmem_pkram_load_pages(ld) ?:
	      shmem_pkram_set_default_acls(ld);
	/* Bad records said why already, in one line. */
	if (err && err != -EUCLEAN)
		pr_err("pkram=%s: not brought back (error %d%s); left preserved\n",
		       ld->name, err, shmem_pkram_why(err));
	if (err)
		return err;
	err = shmem_pkram_set_attrs(ld);
	if (err)
		return err;
	for (i = 0; i < ld->nr_files; i++)
		pages += atomic64_read(&ld->inodes[ld->files[i]].loaded);
	pr_info("pkram=%s brought back: %llu inodes, %llu pages, in %lld us\n",
		ld->name, ld->header.nr_inodes, pages,
		ktime_us_delta(ktime_get(), start));
	return 0;
}
