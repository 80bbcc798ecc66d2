// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of what mm/shmem_pkram.c reads back: the records of a
 * preserved tmpfs come from the previous kernel, untrusted.  Each case
 * builds a node through the streams API, as a kernel that preserved a small
 * tree would have left it, damages one thing in it, and mounts it: the
 * mount must fail, and what was preserved must stay, whole, for another
 * mount.  The same node undamaged mounts, with its files.  And a pkram=
 * name is one live mount's.
 *
 * The tree: the root, a directory "d", a file "d/f" of 100 bytes in one
 * page with an extended attribute user.k, and a symbolic link "l" to
 * "target".
 */
#include <kunit/test.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pkram.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xattr.h>

#include "shmem_pkram.h"

/*
 * pkram=kunit-<n>, node tmpfs:kunit-<n>: each case a name of its own, as
 * the super block of the mount before may outlive its unmount a little.
 */
#define CRAFT_NAME	"kunit-%u"
#define CRAFT_RECS	4
#define CRAFT_SIZE	100
#define CRAFT_BYTE(i)	((u8)((i) * 13 + 7))
#define CRAFT_INO	0x12345	/* of "d/f", the largest */

/* A name of a record, as it is written after the record. */
struct craft_name {
	struct shmem_pkram_name n;
	char s[8];
};

/* What the crafted node holds, before and after a case damages it. */
struct craft {
	char pkram[32];				/* pkram= */
	char node[40];				/* its node */
	struct shmem_pkram_header h;
	struct shmem_pkram_inode rec[CRAFT_RECS];
	struct craft_name name[CRAFT_RECS];	/* of records 1 and on */
	char target[8];
	struct shmem_pkram_xattr x;		/* of "d/f" */
	char xname[32];
	char xvalue[16];
	u64 folio_index;			/* in the folio stream */
	bool no_folio;
	size_t bytes;				/* bytes written, 0: all */
};

static void craft_good(struct craft *c, unsigned int n)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->pkram, sizeof(c->pkram), CRAFT_NAME, n);
	snprintf(c->node, sizeof(c->node), "%s%s", SHMEM_PKRAM_PREFIX, c->pkram);
	c->h = (struct shmem_pkram_header) {
		.magic = SHMEM_PKRAM_MAGIC,
		.version = SHMEM_PKRAM_VERSION,
		.page_shift = PAGE_SHIFT,
		.max_order = MAX_PAGE_ORDER,
		.nr_inodes = CRAFT_RECS,
		.nr_dirs = 2,
		.nr_pages = 1,
	};
	c->rec[0] = (struct shmem_pkram_inode) {
		.mode = S_IFDIR | 0755, .ino = 1,
	};
	c->rec[1] = (struct shmem_pkram_inode) {
		.mode = S_IFDIR | 0700, .nr_names = 1, .ino = 70,
	};
	c->rec[2] = (struct shmem_pkram_inode) {
		.mode = S_IFREG | 0644, .nr_names = 1, .uid = 7, .gid = 8,
		.span = SHMEM_PKRAM_ALIGN, .nr_pages = 1, .size = CRAFT_SIZE,
		.nr_xattrs = 1, .ino = CRAFT_INO, .generation = 0x5eed,
	};
	c->rec[3] = (struct shmem_pkram_inode) {
		.mode = S_IFLNK | 0777, .nr_names = 1, .size = 6,
		.target_len = 6, .ino = 5,
	};
	c->name[1] = (struct craft_name) { { .parent = 0, .len = 1 }, "d" };
	c->name[2] = (struct craft_name) { { .parent = 1, .len = 1 }, "f" };
	c->name[3] = (struct craft_name) { { .parent = 0, .len = 1 }, "l" };
	strscpy(c->target, "target", sizeof(c->target));
	strscpy(c->xname, "user.k", sizeof(c->xname));
	strscpy(c->xvalue, "value", sizeof(c->xvalue));
	c->x = (struct shmem_pkram_xattr) { .name_len = 6, .value_len = 5 };
}

/* The byte stream of @c, in @buf; returns its length. */
static size_t craft_bytes(const struct craft *c, u8 *buf)
{
	size_t n = 0;
	unsigned int i, j;

	memcpy(buf, &c->h, sizeof(c->h));
	n += sizeof(c->h);
	for (i = 0; i < CRAFT_RECS; i++) {
		memcpy(buf + n, &c->rec[i], sizeof(c->rec[i]));
		n += sizeof(c->rec[i]);
		if (S_ISLNK(c->rec[i].mode) || c->rec[i].target_len) {
			memcpy(buf + n, c->target, min_t(u32, c->rec[i].target_len,
							 sizeof(c->target)));
			n += min_t(u32, c->rec[i].target_len, sizeof(c->target));
		}
		for (j = 0; i && j < min_t(u32, c->rec[i].nr_names, 2); j++) {
			memcpy(buf + n, &c->name[i].n, sizeof(c->name[i].n));
			n += sizeof(c->name[i].n);
			memcpy(buf + n, c->name[i].s, min_t(u32, c->name[i].n.len,
							    sizeof(c->name[i].s)));
			n += min_t(u32, c->name[i].n.len, sizeof(c->name[i].s));
		}
		if (c->rec[i].nr_xattrs) {
			memcpy(buf + n, &c->x, sizeof(c->x));
			n += sizeof(c->x);
			memcpy(buf + n, c->xname, min_t(u32, c->x.name_len,
							sizeof(c->xname)));
			n += min_t(u32, c->x.name_len, sizeof(c->xname));
			memcpy(buf + n, c->xvalue, min_t(u32, c->x.value_len,
							 sizeof(c->xvalue)));
			n += min_t(u32, c->x.value_len, sizeof(c->xvalue));
		}
	}
	return c->bytes && c->bytes < n ? c->bytes : n;
}

/* Save @c as its node; the folio saved is returned in @folio. */
static void craft_save(struct kunit *test, const struct craft *c,
		       struct folio **folio)
{
	u8 *buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct pkram_stream ps;
	size_t len;
	u8 *p;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	*folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
	KUNIT_ASSERT_NOT_NULL(test, *folio);
	p = folio_address(*folio);
	for (i = 0; i < CRAFT_SIZE; i++)
		p[i] = CRAFT_BYTE(i);
	len = craft_bytes(c, buf);

	KUNIT_ASSERT_EQ(test, pkram_prepare_save(&ps, c->node, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, pkram_prepare_save_obj(&ps, PKRAM_DATA_folios |
						     PKRAM_DATA_bytes), 0);
	{
		PKRAM_ACCESS(pb, &ps, bytes);
		PKRAM_ACCESS(pf, &ps, folios);

		KUNIT_EXPECT_EQ(test, pkram_write(&pb, buf, len), (ssize_t)len);
		if (!c->no_folio)
			KUNIT_EXPECT_EQ(test, pkram_save_folio_at(&pf, *folio,
								  c->folio_index), 0);
		pkram_finish_access(&pb, true);
		pkram_finish_access(&pf, true);
	}
	pkram_finish_save(&ps);
}

static struct vfsmount *craft_mount(const struct craft *c)
{
	struct file_system_type *type = get_fs_type("tmpfs");
	struct vfsmount *mnt;
	char opts[48];

	if (!type)
		return ERR_PTR(-ENODEV);
	snprintf(opts, sizeof(opts), "pkram=%s", c->pkram);
	mnt = vfs_kern_mount(type, 0, "tmpfs", opts);
	put_filesystem(type);
	return mnt;
}

/* The node is there, saved and whole: drop it (and the test's folio). */
static void craft_expect_preserved(struct kunit *test, const struct craft *c,
				   struct folio *folio)
{
	struct pkram_stream ps;
	struct folio *f = NULL;

	KUNIT_ASSERT_EQ(test, pkram_prepare_load(&ps, c->node), 0);
	KUNIT_EXPECT_EQ(test, pkram_prepare_load_obj(&ps), 0);
	{
		PKRAM_ACCESS(pf, &ps, folios);

		f = pkram_load_folio(&pf, NULL);
		pkram_finish_access(&pf, true);
	}
	if (f) {
		KUNIT_EXPECT_PTR_EQ(test, f, folio);
		folio_put(f);
	}
	pkram_finish_load(&ps);
	folio_put(folio);
}

/* One way of damaging the node, and the error the mount must fail with. */
struct craft_case {
	const char *name;
	void (*damage)(struct craft *c);
	int err;
};

#define CRAFT_CASE(n, stmt)						\
	static void craft_##n(struct craft *c) { stmt; }

CRAFT_CASE(magic, c->h.magic ^= 1)
CRAFT_CASE(version, c->h.version = SHMEM_PKRAM_VERSION + 1)
CRAFT_CASE(page_shift, c->h.page_shift = PAGE_SHIFT + 4)
CRAFT_CASE(max_order, c->h.max_order = MAX_PAGE_ORDER + 1)
CRAFT_CASE(no_dirs, c->h.nr_dirs = 0)
CRAFT_CASE(more_dirs_than_inodes, c->h.nr_dirs = CRAFT_RECS + 1)
CRAFT_CASE(unknown_flag, c->h.flags = 0x80)
CRAFT_CASE(huge_negative, c->h.huge = (u32)-1)
CRAFT_CASE(huge_too_large, c->h.huge = 7)
CRAFT_CASE(inodes_overflow, c->h.inodes = U64_MAX)
CRAFT_CASE(nr_inodes_past_stream, c->h.nr_inodes = 1ULL << 40)
CRAFT_CASE(truncated, c->bytes = sizeof(c->h) + 2 * sizeof(c->rec[0]) + 3)
CRAFT_CASE(page_count, c->h.nr_pages = 2)
CRAFT_CASE(special_file, c->rec[3].mode = S_IFCHR | 0600)
CRAFT_CASE(mode_bits, c->rec[2].mode |= 0100000 << 1)
CRAFT_CASE(uid_invalid, c->rec[2].uid = (u32)-1)
CRAFT_CASE(gid_invalid, c->rec[2].gid = (u32)-1)
CRAFT_CASE(nsec_too_large, c->rec[2].mtime_nsec = NSEC_PER_SEC)
CRAFT_CASE(fsflags_unknown, c->rec[2].fsflags = 0x80000000)
CRAFT_CASE(dir_two_names, c->rec[1].nr_names = 2)
CRAFT_CASE(file_no_name, c->rec[2].nr_names = 0)
CRAFT_CASE(name_slash, memcpy(c->name[2].s, "a/b", 4); c->name[2].n.len = 3)
CRAFT_CASE(name_dotdot, memcpy(c->name[2].s, "..", 3); c->name[2].n.len = 2)
CRAFT_CASE(name_nul, memcpy(c->name[2].s, "a\0b", 4); c->name[2].n.len = 3)
CRAFT_CASE(name_empty, c->name[2].n.len = 0)
CRAFT_CASE(name_pad, c->name[2].n.pad = 1)
CRAFT_CASE(parent_is_file, c->name[3].n.parent = 2)
CRAFT_CASE(parent_cycle, c->name[1].n.parent = 1)
CRAFT_CASE(name_twice, c->name[3].s[0] = 'd')
CRAFT_CASE(target_empty, c->rec[3].target_len = 0; c->rec[3].size = 0)
CRAFT_CASE(target_nul, c->target[2] = '\0')
CRAFT_CASE(base_misaligned, c->rec[2].base = 1)
CRAFT_CASE(span_overflow, c->rec[2].base = SHMEM_PKRAM_INDEX_END - SHMEM_PKRAM_ALIGN;
	   c->rec[2].span = 2 * SHMEM_PKRAM_ALIGN)
CRAFT_CASE(page_past_eof, c->rec[2].size = 0)
CRAFT_CASE(page_out_of_place, c->folio_index = SHMEM_PKRAM_ALIGN)
CRAFT_CASE(page_missing, c->no_folio = true)
CRAFT_CASE(btime_nsec, c->rec[2].btime_nsec = NSEC_PER_SEC)
CRAFT_CASE(record_pad, c->rec[1].pad = 1)
CRAFT_CASE(record_pad2, c->rec[1].pad2 = 1)
CRAFT_CASE(ino_zero, c->rec[3].ino = 0)
CRAFT_CASE(ino_twice, c->rec[3].ino = c->rec[1].ino)
CRAFT_CASE(ino_above_32_bits, c->rec[3].ino = 1ULL << 32)
CRAFT_CASE(xattr_prefix, memcpy(c->xname, "other.k", 8); c->x.name_len = 7)
CRAFT_CASE(xattr_prefix_only, memcpy(c->xname, "user.", 6); c->x.name_len = 5)
CRAFT_CASE(xattr_no_name, c->x.name_len = 0)
CRAFT_CASE(xattr_too_large, c->x.value_len = XATTR_SIZE_MAX + 1)
CRAFT_CASE(xattr_truncated, c->bytes = sizeof(c->h) + 3 * sizeof(c->rec[0]) +
	   sizeof(c->name[1].n) + 1 + sizeof(c->name[2].n) + 1 + 4)
CRAFT_CASE(acl_default_on_file, strscpy(c->xname, XATTR_NAME_POSIX_ACL_DEFAULT,
					sizeof(c->xname));
	   c->x.name_len = strlen(c->xname))
CRAFT_CASE(acl_bad, strscpy(c->xname, XATTR_NAME_POSIX_ACL_ACCESS,
			    sizeof(c->xname));
	   c->x.name_len = strlen(c->xname))

/*
 * -EUCLEAN: records found inconsistent; -EPROTONOSUPPORT: saved by a kernel
 * of another format; -EINVAL: mount options out of range.
 */
#define CRAFT(n)	{ #n, craft_##n, -EUCLEAN }
#define CRAFT_ERR(n, e)	{ #n, craft_##n, e }

static const struct craft_case craft_cases[] = {
	CRAFT(magic), CRAFT_ERR(version, -EPROTONOSUPPORT),
	CRAFT_ERR(page_shift, -EPROTONOSUPPORT),
	CRAFT_ERR(max_order, -EPROTONOSUPPORT),
	CRAFT(no_dirs), CRAFT(more_dirs_than_inodes), CRAFT(unknown_flag),
	CRAFT_ERR(huge_negative, -EINVAL), CRAFT_ERR(huge_too_large, -EINVAL),
	CRAFT_ERR(inodes_overflow, -EINVAL),
	CRAFT(nr_inodes_past_stream), CRAFT(truncated), CRAFT(page_count),
	CRAFT(special_file), CRAFT(mode_bits), CRAFT(uid_invalid),
	CRAFT(gid_invalid), CRAFT(nsec_too_large), CRAFT(fsflags_unknown),
	CRAFT(dir_two_names), CRAFT(file_no_name), CRAFT(name_slash),
	CRAFT(name_dotdot), CRAFT(name_nul), CRAFT(name_empty), CRAFT(name_pad),
	CRAFT(parent_is_file), CRAFT(parent_cycle), CRAFT(name_twice),
	CRAFT(target_empty), CRAFT(target_nul), CRAFT(base_misaligned),
	CRAFT(span_overflow), CRAFT(page_past_eof), CRAFT(page_out_of_place),
	CRAFT(page_missing), CRAFT(btime_nsec), CRAFT(record_pad),
	CRAFT(record_pad2), CRAFT(ino_zero), CRAFT(ino_twice),
	CRAFT_ERR(ino_above_32_bits, -EOVERFLOW),
	CRAFT(xattr_prefix), CRAFT(xattr_prefix_only), CRAFT(xattr_no_name),
	CRAFT(xattr_too_large), CRAFT(xattr_truncated),
	CRAFT(acl_default_on_file), CRAFT(acl_bad),
};

static void craft_case_desc(const struct craft_case *cc, char *desc)
{
	strscpy(desc, cc->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(craft, craft_cases, craft_case_desc);

/* A damaged node: the mount fails, and the node stays as it was. */
static void shmem_pkram_test_damaged(struct kunit *test)
{
	const struct craft_case *cc = test->param_value;
	struct vfsmount *mnt;
	struct folio *folio;
	struct craft c;

	craft_good(&c, cc - craft_cases + 1);
	cc->damage(&c);
	craft_save(test, &c, &folio);
	mnt = craft_mount(&c);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ERR(mnt), "%s mounted", cc->name);
	if (!IS_ERR(mnt))
		kern_unmount(mnt);
	else
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(mnt), cc->err, "%s", cc->name);
	craft_expect_preserved(test, &c, folio);
}

/* The same node, not damaged, mounts with its files, and is consumed. */
static void shmem_pkram_test_good(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, CRAFT_SIZE + 1, GFP_KERNEL);
	struct pkram_stream ps;
	struct vfsmount *mnt;
	struct folio *folio;
	struct file *file;
	struct path path;
	struct craft c;
	loff_t pos = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	craft_good(&c, 0);
	craft_save(test, &c, &folio);
	mnt = craft_mount(&c);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(mnt), "error %ld", PTR_ERR(mnt));
	KUNIT_EXPECT_EQ(test, pkram_prepare_load(&ps, c.node), -ENOENT);

	KUNIT_ASSERT_EQ(test, vfs_path_lookup(mnt->mnt_root, mnt, "d/f", 0, &path), 0);
	KUNIT_EXPECT_EQ(test, d_inode(path.dentry)->i_mode, S_IFREG | 0644);
	KUNIT_EXPECT_EQ(test, i_size_read(d_inode(path.dentry)), CRAFT_SIZE);
	KUNIT_EXPECT_EQ(test, from_kuid(&init_user_ns, d_inode(path.dentry)->i_uid), 7);
	/* Its number and generation, which NFS file handles carry, are back. */
	KUNIT_EXPECT_EQ(test, d_inode(path.dentry)->i_ino, CRAFT_INO);
	KUNIT_EXPECT_EQ(test, d_inode(path.dentry)->i_generation, 0x5eed);
	KUNIT_EXPECT_EQ(test, d_inode(mnt->mnt_root)->i_ino, 1);
	file = dentry_open(&path, O_RDONLY, current_cred());
	path_put(&path);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	KUNIT_EXPECT_EQ(test, kernel_read(file, buf, CRAFT_SIZE + 1, &pos), CRAFT_SIZE);
	fput(file);
	for (i = 0; i < CRAFT_SIZE; i++)
		KUNIT_EXPECT_EQ(test, (u8)buf[i], CRAFT_BYTE(i));
	KUNIT_ASSERT_EQ(test, vfs_path_lookup(mnt->mnt_root, mnt, "d/f", 0, &path), 0);
	KUNIT_EXPECT_EQ(test, vfs_getxattr(&nop_mnt_idmap, path.dentry, "user.k",
					   buf, CRAFT_SIZE), 5);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "value", 5), 0);
	path_put(&path);
	KUNIT_ASSERT_EQ(test, vfs_path_lookup(mnt->mnt_root, mnt, "l", 0, &path), 0);
	KUNIT_EXPECT_TRUE(test, d_is_symlink(path.dentry));
	path_put(&path);
	kern_unmount(mnt);
	folio_put(folio);
}

static void shmem_pkram_test_release(void *sb)
{
	shmem_pkram_release(sb, NULL);
}

/*
 * A pkram= name is one live tmpfs's; a remount that renames one holds both
 * names until it lets go of one; a super block that goes lets go of all.
 */
static void shmem_pkram_test_hold(struct kunit *test)
{
	struct super_block *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	struct super_block *b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	int err;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	err = kunit_add_action_or_reset(test, shmem_pkram_test_release, a) ?:
	      kunit_add_action_or_reset(test, shmem_pkram_test_release, b);
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(a, "kunit-x"), 0);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(a, "kunit-x"), 0);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-x"), -EBUSY);
	/* Renamed: both are a's until the old one is let go. */
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(a, "kunit-y"), 0);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-x"), -EBUSY);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-y"), -EBUSY);
	shmem_pkram_release(a, "kunit-x");
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-x"), 0);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-y"), -EBUSY);
	/* Gone: a lets go of every name. */
	shmem_pkram_release(a, NULL);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(b, "kunit-y"), 0);
	KUNIT_EXPECT_EQ(test, shmem_pkram_hold(a, "kunit-y"), -EBUSY);
}

static struct kunit_case shmem_pkram_test_cases[] = {
	KUNIT_CASE(shmem_pkram_test_good),
	KUNIT_CASE(shmem_pkram_test_hold),
	KUNIT_CASE_PARAM(shmem_pkram_test_damaged, craft_gen_params),
	{}
};

static struct kunit_suite shmem_pkram_test_suite = {
	.name = "pkram_tmpfs",
	.test_cases = shmem_pkram_test_cases,
};

kunit_test_suite(shmem_pkram_test_suite);

MODULE_DESCRIPTION("KUnit tests of the tmpfs records PKRAM preserves");
MODULE_LICENSE("GPL");
