// SPDX-License-Identifier: GPL-2.0
/*
 * A tmpfs preserved across kexec with PKRAM (mount -o pkram=NAME, then
 * remount,preserve,ro): the tests of one kernel and of the next.
 *
 * The tree is made of files of many shapes whose contents follow from a
 * seed, so that the next kernel knows every byte to expect without a copy
 * of it.  What it cannot know, the physical pages that back the files, is
 * written as a digest by "record_pfns", once the tmpfs is preserved, and
 * given back to "verify_not_copied".
 *
 * Extended attributes (user., trusted., security.), POSIX ACLs (access and
 * default), chattr flags, birth times, inode numbers and generations (file
 * handles) and the order readdir lists each directory in come back too;
 * what the seed cannot tell of them "record_pfns" writes, as digests and a
 * file handle.
 *
 * Run by tools/testing/selftests/pkram/guest/scenarios/tmpfs.sh, one test
 * at a time (-t NAME), with the environment:
 *
 *   PKRAM_TMPFS_DIR   the tmpfs, mounted with pkram= and huge=within_size
 *   PKRAM_TMPFS_SEED  the seed of the contents
 *   PKRAM_TMPFS_PFNS  file where "record_pfns" writes the digest of the physical
 *                     pages, and from which "verify_not_copied" reads it
 *   PKRAM_TMPFS_QUOTA 1: the tmpfs has usrquota and grpquota, and
 *                     "verify_attributes" checks what the owners are charged
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <linux/quota.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../kselftest_harness.h"
#include "pfn_digest.h"

#define PAGE		4096UL
#define HUGE		(2UL << 20)
#define GIB		(1024UL * 1024 * 1024)

/* A regular file: its size, and the pages that hold data (the rest: holes). */
struct shape {
	const char *path;
	unsigned long size;
	unsigned long data[4][2];	/* [first byte, last byte + 1), ... */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	bool huge;			/* backed by huge pages */
};

static char long_name[256], long_target[201];

static const struct shape shapes[] = {
	{ "empty", 0, { }, 0644, 0, 0 },
	{ "one-byte", 1, { { 0, 1 } }, 0600, 1000, 1000 },
	{ "pages/exact-1", PAGE, { { 0, PAGE } }, 0644, 0, 0 },
	{ "pages/exact-16", 16 * PAGE, { { 0, 16 * PAGE } }, 0444, 7, 8 },
	{ "pages/odd", 5 * PAGE + 123, { { 0, 5 * PAGE + 123 } }, 0755, 0, 0 },
	{ "sparse/beyond-1g", GIB + 3 * PAGE + 1,
	  { { 0, PAGE }, { GIB + 2 * PAGE, GIB + 3 * PAGE + 1 } }, 0644, 0, 0 },
	{ "sparse/only-far", 5 * GIB,
	  { { 5 * GIB - 2 * PAGE, 5 * GIB - PAGE } }, 0640, 0, 0 },
	{ "sparse/hole-end", 64 * PAGE, { { 0, 3 * PAGE } }, 0644, 0, 0 },
	{ "huge/8m", 8 << 20, { { 0, 8 << 20 } }, 0644, 0, 0, true },
	{ "huge/4m-hole", 6 << 20,
	  { { 0, 2 << 20 }, { 4 << 20, 6 << 20 } }, 0644, 0, 0, true },
	{ "d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/deep", 3000,
	  { { 0, 3000 } }, 0644, 0, 0 },
	{ long_name, 777, { { 0, 777 } }, 0644, 0, 0 },
	{ "links/target", 2 * PAGE + 1, { { 0, 2 * PAGE + 1 } }, 0640, 5, 6 },
};

#define NR_SMALL	300	/* many/<n>: n * 37 bytes each */

static const char * const hard_links[] = {
	"links/target", "links/second-name", "d0/d1/third-name",
};

static const struct { const char *path, *target; } symlinks[] = {
	{ "links/short", "target" },
	{ "links/long", long_target },	/* longer than an inline one */
	{ "links/dangling", "/nowhere/at/all" },
};

/* Extended attributes, their values from the seed. */
static const struct { const char *path, *name; size_t len; } xattrs[] = {
	{ "one-byte", "user.note", 9 },
	{ "pages/odd", "user.big", 3000 },
	{ "links/target", "trusted.secret", 16 },
	{ "d0/d1", "security.label", 24 },
	{ "empty-dir", "user.dir", 5 },
	{ "links/short", "security.link", 10 },	/* a symbolic link */
};

/* chattr flags, on files that are not written again. */
static const struct { const char *path; int flags; } fsflags[] = {
	{ "pages/exact-16", FS_NODUMP_FL | FS_NOATIME_FL },
	{ "sparse/hole-end", FS_NODUMP_FL },
};

/*
 * POSIX ACLs as the xattr interface has them (posix_acl_xattr_header, then
 * entries sorted by tag and id): an access ACL whose mask keeps the mode
 * 0644, and a minimal default ACL for a directory.
 */
#define ACL_ENTRY(tag, perm, id)	{ (tag), (perm), (id) }
struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

static const struct {
	uint32_t version;
	struct acl_entry e[6];
} acl_access = {
	2, { ACL_ENTRY(0x01, 6, -1), ACL_ENTRY(0x02, 6, 1000), ACL_ENTRY(0x04, 4, -1),
	     ACL_ENTRY(0x08, 4, 100), ACL_ENTRY(0x10, 4, -1), ACL_ENTRY(0x20, 4, -1) },
};

static const struct {
	uint32_t version;
	struct acl_entry e[3];
} acl_default = {
	2, { ACL_ENTRY(0x01, 7, -1), ACL_ENTRY(0x04, 5, -1), ACL_ENTRY(0x20, 5, -1) },
};

#define ACL_FILE	"pages/exact-1"
#define ACL_DIR		"d0"

static const char *dir(void)
{
	const char *d = getenv("PKRAM_TMPFS_DIR");

	return d ? d : "/mnt/t";
}

static uint64_t seed(void)
{
	const char *s = getenv("PKRAM_TMPFS_SEED");

	return s ? strtoull(s, NULL, 0) : 1;
}

static void path_of(char *buf, const char *rel)
{
	snprintf(buf, PATH_MAX, "%s/%s", dir(), rel);
}

/* The value of extended attribute @name of @path, from the seed. */
static void xattr_value(char *buf, const char *path, const char *name,
			size_t len)
{
	uint64_t h = seed() ^ 0x9e3779b97f4a7c15ULL;
	size_t i;

	for (i = 0; path[i]; i++)
		h = (h ^ path[i]) * 0x100000001b3ULL;
	for (i = 0; name[i]; i++)
		h = (h ^ name[i]) * 0x100000001b3ULL;
	for (i = 0; i < len; i++) {
		h ^= h >> 29;
		h *= 0xbf58476d1ce4e5b9ULL;
		buf[i] = h >> 56;
	}
}

/* The byte at @off of file @path, from the seed. */
static uint64_t page_seed(const char *path, unsigned long off)
{
	uint64_t h = seed() ^ 0xcbf29ce484222325ULL;

	while (*path)
		h = (h ^ (unsigned char)*path++) * 0x100000001b3ULL;
	return (h ^ (off / PAGE)) * 0x9e3779b97f4a7c15ULL | 1;
}

static void fill_page(unsigned char *buf, const char *path, unsigned long off)
{
	uint64_t x = page_seed(path, off);
	unsigned long i;

	for (i = 0; i < PAGE; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(buf + i, &x, 8);
	}
}

static void set_long_name(void)
{
	memset(long_name, 'n', 255);
	memcpy(long_name, "long-", 5);
	memset(long_target, 't', 200);
	memcpy(long_target, "../long/", 8);
}

static int mkdirs(const char *rel)
{
	char p[PATH_MAX], *s;

	path_of(p, rel);
	for (s = p + strlen(dir()) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int write_shape(const struct shape *sh)
{
	unsigned char page[PAGE];
	unsigned long r, off, n;
	char p[PATH_MAX];
	int fd;

	if (mkdirs(sh->path))
		return -1;
	path_of(p, sh->path);
	fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0600);
	if (fd < 0)
		return -1;
	/*
	 * huge=within_size: huge pages where the file is that large; so the
	 * huge files get their size first, the others last.
	 */
	if (sh->huge && ftruncate(fd, sh->size))
		return -1;
	for (r = 0; r < 4 && sh->data[r][1]; r++) {
		for (off = sh->data[r][0]; off < sh->data[r][1]; off += n) {
			n = PAGE - off % PAGE;
			if (off + n > sh->data[r][1])
				n = sh->data[r][1] - off;
			fill_page(page, sh->path, off);
			if (pwrite(fd, page + off % PAGE, n, off) != (ssize_t)n)
				return -1;
		}
	}
	if (ftruncate(fd, sh->size) || fchmod(fd, sh->mode) ||
	    fchown(fd, sh->uid, sh->gid))
		return -1;
	return close(fd);
}

static bool in_data(const struct shape *sh, unsigned long off)
{
	unsigned long r;

	for (r = 0; r < 4 && sh->data[r][1]; r++)
		if (off >= sh->data[r][0] && off < sh->data[r][1])
			return true;
	return false;
}

/* Times every file gets: atime and mtime with nanoseconds. */
static const struct timespec file_times[2] = {
	{ 1000000001, 123456789 }, { 1234567890, 987654321 },
};

/*
 * A digest of the physical pages that back the data of every shape, in
 * order; @thp counts those that are part of a huge page.  Maps only pages
 * that hold data: touching a hole would fill it.
 */
static int pfn_digest(uint64_t *digest, unsigned long *thp,
		      unsigned long *pages)
{
	struct pfn_digest d = {
		.pagemap = open("/proc/self/pagemap", O_RDONLY),
		.kpageflags = open("/proc/kpageflags", O_RDONLY),
		.hash = PFN_DIGEST_INIT,
	};
	unsigned long i, r;
	char p[PATH_MAX];
	char *m;
	int fd, err = 0;

	if (d.pagemap < 0 || d.kpageflags < 0)
		return -1;
	for (i = 0; !err && i < ARRAY_SIZE(shapes); i++) {
		const struct shape *sh = &shapes[i];

		if (!sh->size)
			continue;
		path_of(p, sh->path);
		fd = open(p, O_RDONLY | O_NOATIME);
		if (fd < 0)
			return -1;
		m = mmap(NULL, sh->size, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			return -1;
		for (r = 0; !err && r < 4 && sh->data[r][1]; r++)
			err = pfn_digest_range(&d, m, sh->data[r][0],
					       sh->data[r][1] - sh->data[r][0], i);
		munmap(m, sh->size);
	}
	close(d.pagemap);
	close(d.kpageflags);
	*digest = d.hash;
	*thp = d.thp;
	*pages = d.pages;
	return err;
}

TEST(create)
{
	char p[PATH_MAX], q[PATH_MAX];
	unsigned long i;

	set_long_name();
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		ASSERT_EQ(0, write_shape(&shapes[i]))
			TH_LOG("%s: %m", shapes[i].path ?: "?");
	}
	path_of(p, "many");
	ASSERT_EQ(0, mkdir(p, 0700));
	for (i = 0; i < NR_SMALL; i++) {
		struct shape sh = { p, i * 37, { { 0, i * 37 } }, 0644 };

		snprintf(p, sizeof(p), "many/%lu", i);
		ASSERT_EQ(0, write_shape(&sh)) TH_LOG("%s: %m", p);
	}
	path_of(p, hard_links[0]);
	for (i = 1; i < ARRAY_SIZE(hard_links); i++) {
		path_of(q, hard_links[i]);
		ASSERT_EQ(0, link(p, q)) TH_LOG("%s: %m", q);
	}
	for (i = 0; i < ARRAY_SIZE(symlinks); i++) {
		path_of(q, symlinks[i].path);
		ASSERT_EQ(0, symlink(symlinks[i].target, q)) TH_LOG("%s: %m", q);
	}
	path_of(q, "empty-dir");
	ASSERT_EQ(0, mkdir(q, 0700));
	ASSERT_EQ(0, chmod(q, 01777));
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		path_of(p, shapes[i].path);
		ASSERT_EQ(0, utimensat(AT_FDCWD, p, file_times, 0));
	}
	for (i = 0; i < ARRAY_SIZE(xattrs); i++) {
		char v[4096];

		path_of(p, xattrs[i].path);
		xattr_value(v, xattrs[i].path, xattrs[i].name, xattrs[i].len);
		ASSERT_EQ(0, lsetxattr(p, xattrs[i].name, v, xattrs[i].len, XATTR_CREATE))
			TH_LOG("%s %s: %m", xattrs[i].path, xattrs[i].name);
	}
	path_of(p, ACL_FILE);
	ASSERT_EQ(0, setxattr(p, "system.posix_acl_access", &acl_access,
			      sizeof(acl_access), 0)) TH_LOG("%s: %m", p);
	path_of(p, ACL_DIR);
	ASSERT_EQ(0, setxattr(p, "system.posix_acl_default", &acl_default,
			      sizeof(acl_default), 0)) TH_LOG("%s: %m", p);
	for (i = 0; i < ARRAY_SIZE(fsflags); i++) {
		int fd, flags = fsflags[i].flags;

		path_of(p, fsflags[i].path);
		fd = open(p, O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ioctl(fd, FS_IOC_SETFLAGS, &flags)) TH_LOG("%s: %m", p);
		close(fd);
	}
}

/* Every extended attribute, ACL and chattr flag of the tree is there. */
static void check_xattrs(struct __test_metadata *_metadata)
{
	char p[PATH_MAX], want[4096], got[4096];
	unsigned long i;
	ssize_t n;

	for (i = 0; i < ARRAY_SIZE(xattrs); i++) {
		path_of(p, xattrs[i].path);
		xattr_value(want, xattrs[i].path, xattrs[i].name, xattrs[i].len);
		n = lgetxattr(p, xattrs[i].name, got, sizeof(got));
		EXPECT_EQ((ssize_t)xattrs[i].len, n)
			TH_LOG("%s %s: %m", xattrs[i].path, xattrs[i].name);
		EXPECT_EQ(0, memcmp(want, got, xattrs[i].len))
			TH_LOG("%s %s", xattrs[i].path, xattrs[i].name);
	}
	path_of(p, ACL_FILE);
	EXPECT_EQ((ssize_t)sizeof(acl_access),
		  getxattr(p, "system.posix_acl_access", got, sizeof(got)));
	EXPECT_EQ(0, memcmp(&acl_access, got, sizeof(acl_access)));
	path_of(p, ACL_DIR);
	EXPECT_EQ((ssize_t)sizeof(acl_default),
		  getxattr(p, "system.posix_acl_default", got, sizeof(got)));
	EXPECT_EQ(0, memcmp(&acl_default, got, sizeof(acl_default)));
	for (i = 0; i < ARRAY_SIZE(fsflags); i++) {
		int fd, flags = 0;

		path_of(p, fsflags[i].path);
		fd = open(p, O_RDONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &flags));
		EXPECT_EQ(fsflags[i].flags, flags & fsflags[i].flags) TH_LOG("%s", p);
		close(fd);
	}
}

/*
 * What quota charges the owners of some shapes, each the only inode of its
 * uid and of its gid: blocks as pages, and one inode.
 */
static const struct { unsigned int id; unsigned long pages; } charged[] = {
	{ 1000, 1 },	/* one-byte */
	{ 7, 16 },	/* pages/exact-16, gid 8 */
	{ 5, 3 },	/* links/target, gid 6, with its hard links */
};

static void check_quota(struct __test_metadata *_metadata)
{
	struct if_dqblk dq;
	unsigned long i;
	int fd, type;

	fd = open(dir(), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	for (i = 0; i < ARRAY_SIZE(charged); i++) {
		for (type = USRQUOTA; type <= GRPQUOTA; type++) {
			unsigned int id = charged[i].id + (type == GRPQUOTA &&
							    charged[i].id != 1000);

			memset(&dq, 0, sizeof(dq));
			ASSERT_EQ(0, syscall(SYS_quotactl_fd, fd,
					     QCMD(Q_GETQUOTA, type), id, &dq))
				TH_LOG("%s quota of %u: %m", type ? "group" : "user", id);
			EXPECT_EQ(charged[i].pages * PAGE, dq.dqb_curspace)
				TH_LOG("%s %u", type ? "group" : "user", id);
			EXPECT_EQ(1, dq.dqb_curinodes)
				TH_LOG("%s %u", type ? "group" : "user", id);
		}
	}
	close(fd);
}

/*
 * A digest of the birth times and inode numbers of the shapes, which the
 * seed cannot tell.
 */
static uint64_t btime_digest(void)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	struct statx stx;
	char p[PATH_MAX];
	unsigned long i;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		path_of(p, shapes[i].path);
		if (statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) ||
		    !(stx.stx_mask & STATX_BTIME))
			return 0;
		h = (h ^ stx.stx_btime.tv_sec) * 0x100000001b3ULL;
		h = (h ^ stx.stx_btime.tv_nsec) * 0x100000001b3ULL;
		h = (h ^ stx.stx_ino) * 0x100000001b3ULL;
	}
	return h;
}

/*
 * A digest of the order in which readdir lists every directory of the
 * tree, which the seed cannot tell either: the names, directory by
 * directory, depth first.
 */
static uint64_t order_hash(uint64_t h, const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(path);
	const char *c;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		for (c = de->d_name; *c; c++)
			h = (h ^ (unsigned char)*c) * 0x100000001b3ULL;
		h = (h ^ '/') * 0x100000001b3ULL;
		if (de->d_type == DT_DIR) {
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			h = order_hash(h, sub);
		}
	}
	closedir(d);
	return (h ^ '.') * 0x100000001b3ULL;
}

static uint64_t order_digest(void)
{
	return order_hash(0xcbf29ce484222325ULL, dir());
}

/*
 * The file handle of the first shape, as NFS would hand it out: in hex,
 * HANDLE_HEX digits (tmpfs: the generation and the inode number).
 */
#define HANDLE_BYTES	12
#define HANDLE_HEX	(2 * HANDLE_BYTES)

static struct file_handle *new_handle(void)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + HANDLE_BYTES);

	if (fh)
		fh->handle_bytes = HANDLE_BYTES;
	return fh;
}

/* A handle from its form "HEX:TYPE" (handle_of()); -1 if it has not. */
static int parse_handle(const char *hex, struct file_handle *fh)
{
	char byte[3] = "", *end;
	int i;

	if (strcspn(hex, ":") != HANDLE_HEX || !hex[HANDLE_HEX + 1])
		return -1;
	for (i = 0; i < HANDLE_BYTES; i++) {
		memcpy(byte, hex + 2 * i, 2);
		fh->f_handle[i] = strtoul(byte, &end, 16);
		if (*end)
			return -1;
	}
	fh->handle_type = strtol(hex + HANDLE_HEX + 1, &end, 16);
	return *end ? -1 : 0;
}

/* "HEX:TYPE" in @hex (HANDLE_HEX + 16 bytes). */
static int handle_of(const char *rel, char *hex)
{
	struct file_handle *fh = new_handle();
	char p[PATH_MAX];
	int mount_id, i, err = -1;

	path_of(p, rel);
	if (fh && !name_to_handle_at(AT_FDCWD, p, fh, &mount_id, 0) &&
	    fh->handle_bytes == HANDLE_BYTES) {
		for (i = 0; i < HANDLE_BYTES; i++)
			sprintf(hex + 2 * i, "%02x", fh->f_handle[i]);
		sprintf(hex + HANDLE_HEX, ":%x", fh->handle_type);
		err = 0;
	}
	free(fh);
	return err;
}

/*
 * Once the tmpfs is preserved (PKRAM holds its pages, which cannot move
 * any more): the digest of the pages that back the files.
 */
TEST(record_pfns)
{
	char handle[HANDLE_HEX + 16];
	unsigned long thp, pages;
	uint64_t digest;
	FILE *f;

	set_long_name();
	ASSERT_EQ(0, handle_of(shapes[1].path, handle)) TH_LOG("name_to_handle_at: %m");
	ASSERT_EQ(0, pfn_digest(&digest, &thp, &pages));
	/*
	 * The huge files have huge pages; but swap splits them, and then
	 * they come back from it small.
	 */
	if (!getenv("PKRAM_TMPFS_SWAPPED"))
		ASSERT_EQ((12UL << 20) / PAGE, thp);
	f = fopen(getenv("PKRAM_TMPFS_PFNS") ?: "/tmp/pfns", "w");
	ASSERT_NE(NULL, f);
	fprintf(f, "%016llx,%016llx,%lx,%016llx,%s\n", (unsigned long long)digest,
		(unsigned long long)btime_digest(), thp,
		(unsigned long long)order_digest(), handle);
	ASSERT_EQ(0, fclose(f));
	TH_LOG("%lu data pages, %lu in huge pages, digest %016llx", pages, thp,
	       (unsigned long long)digest);
}

/* Every shape is back: type, size, mode, owner, times, link count. */
TEST(verify_attributes)
{
	unsigned long long pfns, btimes, order;
	char handle[HANDLE_HEX + 16], now[HANDLE_HEX + 16];
	struct file_handle *fh = new_handle();
	struct stat want;
	unsigned long thp;
	int fd, mfd;
	struct stat st;
	char p[PATH_MAX];
	unsigned long i;
	FILE *f;

	set_long_name();
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		const struct shape *sh = &shapes[i];

		path_of(p, sh->path);
		ASSERT_EQ(0, lstat(p, &st)) TH_LOG("%s: %m", sh->path);
		EXPECT_TRUE(S_ISREG(st.st_mode)) TH_LOG("%s", sh->path);
		EXPECT_EQ(sh->size, st.st_size) TH_LOG("%s", sh->path);
		EXPECT_EQ(sh->mode, st.st_mode & 07777) TH_LOG("%s", sh->path);
		EXPECT_EQ(sh->uid, st.st_uid) TH_LOG("%s", sh->path);
		EXPECT_EQ(sh->gid, st.st_gid) TH_LOG("%s", sh->path);
		EXPECT_EQ(file_times[0].tv_sec, st.st_atim.tv_sec) TH_LOG("%s", sh->path);
		EXPECT_EQ(file_times[0].tv_nsec, st.st_atim.tv_nsec) TH_LOG("%s", sh->path);
		EXPECT_EQ(file_times[1].tv_sec, st.st_mtim.tv_sec) TH_LOG("%s", sh->path);
		EXPECT_EQ(file_times[1].tv_nsec, st.st_mtim.tv_nsec) TH_LOG("%s", sh->path);
		EXPECT_EQ(!strcmp(sh->path, hard_links[0]) ? 3 : 1, st.st_nlink)
			TH_LOG("%s", sh->path);
	}
	path_of(p, "empty-dir");
	ASSERT_EQ(0, lstat(p, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(01777, st.st_mode & 07777);
	check_xattrs(_metadata);
	if (getenv("PKRAM_TMPFS_QUOTA"))
		check_quota(_metadata);
	/*
	 * Birth times, inode numbers, the order readdir lists each directory
	 * in and a file handle, as record_pfns found them before the kexec.
	 */
	f = fopen(getenv("PKRAM_TMPFS_PFNS") ?: "/tmp/pfns", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(5, fscanf(f, "%llx,%llx,%lx,%llx,%39s", &pfns, &btimes, &thp,
			    &order, handle));
	fclose(f);
	/*
	 * The handle the previous kernel gave out opens the same file, before
	 * anything asked this kernel for one: what an NFS client holds stays
	 * good across the kernel update.
	 */
	ASSERT_NE(NULL, fh);
	ASSERT_EQ(0, parse_handle(handle, fh)) TH_LOG("handle %s", handle);
	mfd = open(dir(), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, mfd);
	fd = open_by_handle_at(mfd, fh, O_RDONLY);
	free(fh);
	EXPECT_LE(0, fd) TH_LOG("open_by_handle_at: %m");
	path_of(p, shapes[1].path);
	ASSERT_EQ(0, stat(p, &want));
	if (fd >= 0) {
		ASSERT_EQ(0, fstat(fd, &st));
		EXPECT_EQ(want.st_ino, st.st_ino);
		close(fd);
	}
	close(mfd);
	ASSERT_EQ(0, handle_of(shapes[1].path, now));
	EXPECT_STREQ(handle, now);
	EXPECT_NE(0, btimes);
	EXPECT_EQ(btimes, btime_digest());
	EXPECT_NE(0, order);
	EXPECT_EQ(order, order_digest());
}

/* Every byte of every file, holes included. */
TEST(verify_data)
{
	static unsigned char want[PAGE], got[PAGE], zero[PAGE];
	unsigned long i, off, n;
	char p[PATH_MAX];
	int fd;

	set_long_name();
	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		const struct shape *sh = &shapes[i];

		path_of(p, sh->path);
		fd = open(p, O_RDONLY | O_NOATIME);
		ASSERT_LE(0, fd) TH_LOG("%s: %m", sh->path);
		for (off = 0; off < sh->size; off += PAGE) {
			/* Far holes: one page in 256 is enough. */
			if (!in_data(sh, off) && (off / PAGE) % 256)
				continue;
			n = sh->size - off < PAGE ? sh->size - off : PAGE;
			ASSERT_EQ((ssize_t)n, pread(fd, got, n, off));
			if (in_data(sh, off)) {
				fill_page(want, sh->path, off);
				ASSERT_EQ(0, memcmp(want, got, n))
					TH_LOG("%s at %lu", sh->path, off);
			} else {
				ASSERT_EQ(0, memcmp(zero, got, n))
					TH_LOG("%s hole at %lu", sh->path, off);
			}
		}
		close(fd);
	}
	for (i = 0; i < NR_SMALL; i++) {
		struct shape sh = { p, i * 37, { { 0, i * 37 } } };
		char name[32];
		struct stat st;

		snprintf(name, sizeof(name), "many/%lu", i);
		sh.path = name;
		path_of(p, name);
		fd = open(p, O_RDONLY | O_NOATIME);
		ASSERT_LE(0, fd) TH_LOG("%s: %m", name);
		ASSERT_EQ(0, fstat(fd, &st));
		ASSERT_EQ(sh.size, st.st_size);
		for (off = 0; off < sh.size; off += PAGE) {
			n = sh.size - off < PAGE ? sh.size - off : PAGE;
			ASSERT_EQ((ssize_t)n, pread(fd, got, n, off));
			fill_page(want, name, off);
			ASSERT_EQ(0, memcmp(want, got, n)) TH_LOG("%s", name);
		}
		close(fd);
	}
}

/* Holes stay holes: no page was allocated for them. */
TEST(verify_holes)
{
	char p[PATH_MAX];
	struct stat st;
	unsigned long i, r, bytes;

	for (i = 0; i < ARRAY_SIZE(shapes); i++) {
		const struct shape *sh = &shapes[i];

		if (strncmp(sh->path, "sparse/", 7))
			continue;
		for (bytes = 0, r = 0; r < 4 && sh->data[r][1]; r++)
			bytes += (sh->data[r][1] + PAGE - 1) / PAGE * PAGE -
				 sh->data[r][0] / PAGE * PAGE;
		path_of(p, sh->path);
		ASSERT_EQ(0, stat(p, &st));
		EXPECT_EQ(bytes / 512, st.st_blocks) TH_LOG("%s", sh->path);
	}
}

/* Hard links are one inode; symbolic links keep their targets. */
TEST(verify_links)
{
	char p[PATH_MAX], t[PATH_MAX];
	struct stat st0, st;
	unsigned long i;
	ssize_t n;

	set_long_name();
	path_of(p, hard_links[0]);
	ASSERT_EQ(0, stat(p, &st0));
	for (i = 1; i < ARRAY_SIZE(hard_links); i++) {
		path_of(p, hard_links[i]);
		ASSERT_EQ(0, stat(p, &st)) TH_LOG("%s: %m", hard_links[i]);
		EXPECT_EQ(st0.st_ino, st.st_ino) TH_LOG("%s", hard_links[i]);
	}
	for (i = 0; i < ARRAY_SIZE(symlinks); i++) {
		path_of(p, symlinks[i].path);
		n = readlink(p, t, sizeof(t) - 1);
		ASSERT_EQ((ssize_t)strlen(symlinks[i].target), n)
			TH_LOG("%s: %m", symlinks[i].path);
		t[n] = '\0';
		EXPECT_STREQ(symlinks[i].target, t);
	}
}

/* The very pages that backed the files before back them now: no copy. */
TEST(verify_not_copied)
{
	unsigned long long want, btimes;
	unsigned long thp, pages, want_thp;
	uint64_t digest;
	FILE *f;

	set_long_name();
	f = fopen(getenv("PKRAM_TMPFS_PFNS") ?: "/tmp/pfns", "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(3, fscanf(f, "%llx,%llx,%lx", &want, &btimes, &want_thp));
	fclose(f);
	ASSERT_EQ(0, pfn_digest(&digest, &thp, &pages));
	EXPECT_EQ(want, digest);
	/* Huge pages stay huge: as many as record_pfns found. */
	EXPECT_EQ(want_thp, thp);
	TH_LOG("%lu data pages, %lu in huge pages", pages, thp);
}

/* The tmpfs brought back is an ordinary, writable one. */
TEST(verify_writable)
{
	char p[PATH_MAX];
	int fd;

	path_of(p, "pages/odd");
	fd = open(p, O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "more\n", 5));
	close(fd);
	path_of(p, "new-file");
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, unlink(p));
}

/*
 * The harness runs nothing, and passes, when -t names no test: a misspelt
 * name in a scenario would count as a pass.  Refuse a name that matches no
 * test, and a selection that leaves nothing to run.
 */
static bool known_test(const char *name)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			if (!strcmp(t->name, name))
				return true;
	return false;
}

static unsigned int selected_tests(int argc, char **argv)
{
	struct __fixture_variant_metadata no_variant = { .name = "", };
	struct __fixture_variant_metadata *v;
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	unsigned int n = 0;

	for (f = __fixture_list; f; f = f->next)
		for (v = f->variant ?: &no_variant; v; v = v->next)
			for (t = f->tests; t; t = t->next)
				n += test_enabled(argc, argv, f, v, t);
	return n;
}

int main(int argc, char **argv)
{
	int opt;

	opterr = 0;
	while ((opt = getopt(argc, argv, "hlF:f:V:v:t:T:r:")) != -1) {
		if ((opt == 't' || opt == 'T') && !known_test(optarg)) {
			ksft_print_header();
			ksft_exit_fail_msg("no test named '%s' (-l lists them)\n",
					   optarg);
		}
	}
	/* -h and -l are the harness's: it prints the usage or the list */
	opterr = 0;
	if (!selected_tests(argc, argv)) {
		ksft_print_header();
		ksft_exit_fail_msg("the selection leaves no test to run\n");
	}
	opterr = 1;
	optind = 1;
	return test_harness_run(argc, argv);
}
