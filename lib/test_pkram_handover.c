// SPDX-License-Identifier: GPL-2.0
/*
 * PKRAM across kexec: the test that saves data in one kernel and checks it
 * in the next ones, in the model of lib/test_kho.c.  The VM test
 * (tools/testing/selftests/pkram/vmtest.sh, scenario handover) drives it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/gfp.h>
#include <linux/delay.h>
#include <linux/init.h>
#include <linux/kexec.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pkram.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringhash.h>
#include <linux/timex.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "../mm/pkram_internal.h"
#include "test_pkram_bench.h"

/*
 * Driven from debugfs by the VM tests (tools/testing/selftests/pkram/):
 *
 *   echo "NAME MIB [BYTES [ORDER]]" > /sys/kernel/debug/pkram_test/save
 *	fills folios of random orders (0 to MAX_PAGE_ORDER; all of ORDER if
 *	given) with random bytes,
 *	up to MIB MiB, and BYTES random bytes, and saves them in node NAME,
 *	with a record of each folio (pfn, order, index, crc32) and the crc32 of
 *	the bytes in the node's first object;
 *   echo NAME > /sys/kernel/debug/pkram_test/verify
 *	loads node NAME and checks every folio (the same pfn, order, index and
 *	checksum) and the bytes; fails with -EIO on any difference; a folio
 *	that spans two zones of this kernel comes back as single pages, which
 *	must be its pages, in order, with its checksum;
 *   echo "NAME NEW" > /sys/kernel/debug/pkram_test/resave
 *	loads node NAME and saves the very same folios and bytes as node NEW;
 *   echo "NAME MIB" > /sys/kernel/debug/pkram_test/save_slow
 *	starts saving MIB MiB of order-0 folios as node NAME in a thread of
 *	its own, one every 20 ms, and returns: a save still going on when
 *	kexec -e comes (scenario handoff); the node is complete after
 *	MIB * 256 * 20 ms, if ever;
 *   echo "NAME PFN [ORDER]" > /sys/kernel/debug/pkram_test/save_at
 *	takes the folio of MAX_PAGE_ORDER that holds page PFN (with ORDER 0,
 *	page PFN alone; it must be free or movable, in pageblocks that are
 *	movable), fills it with random bytes and saves it, like save: a folio
 *	at a known place (scenario zones puts one across a node boundary of
 *	the next kernel);
 *   echo "NAME KEEP_MIB [BELOW_MIB]" > /sys/kernel/debug/pkram_test/frag
 *	the worst case of fragmentation for the next kernel: takes every page
 *	it can, until KEEP_MIB MiB are left available, frees those at odd
 *	pfns, and saves the others, filled with random bytes, like save.
 *	With BELOW_MIB (4096 at most), only the pages below that address,
 *	taken from ZONE_DMA32 until it has none left (scenario lowscratch).
 *
 * Each prints its KTAP result in the kernel log.  Nothing happens unless
 * asked, so a kernel without pkram= is not affected.
 */
#define PKRAM_HO_MAGIC	0x706b7274	/* "pkrt" */

struct pkram_ho_header {
	u32 magic;
	u32 crc_bytes;
	u64 nr_folios;
	u64 nr_bytes;
};

struct pkram_ho_record {
	u64 pfn;
	u64 index;
	u32 order;
	u32 crc;
};

struct pkram_ho {
	struct pkram_ho_header hdr;
	struct rnd_state rnd;		/* orders, indexes and bytes */
	struct pkram_ho_record *rec;
	struct folio **folios;
	u8 *bytes;
	u64 bad_bytes;			/* verify: bytes of what differs */
	u64 split_pages;		/* verify: pages of folios split */
};

/*
 * What save and frag fill folios with follows from one seed, printed with
 * each: test_pkram_handover.seed=<seed> on the command line replays them.
 */
static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the saved data (0: a random one)");

static void pkram_ho_seed(struct pkram_ho *ho, const char *name)
{
	if (!seed)
		seed = get_random_u32() ?: 1;
	prandom_seed_state(&ho->rnd, seed ^ full_name_hash(NULL, name, strlen(name)));
	pr_info("%s: seed %lu (test_pkram_handover.seed=%lu replays it)\n",
		name, seed, seed);
}

static u64 pkram_ho_random(struct pkram_ho *ho)
{
	return (u64)prandom_u32_state(&ho->rnd) << 32 | prandom_u32_state(&ho->rnd);
}

static void pkram_ho_free(struct pkram_ho *ho, bool put)
{
	u64 i;

	for (i = 0; put && ho->folios && i < ho->hdr.nr_folios; i++)
		if (ho->folios[i])
			folio_put(ho->folios[i]);
	kvfree(ho->folios);
	kvfree(ho->rec);
	kvfree(ho->bytes);
}

static u32 pkram_ho_crc(struct folio *folio)
{
	return crc32_le(~0, folio_address(folio), folio_size(folio));
}

/* Save @ho as node @name; every reference stays ours. */
static int pkram_ho_save(const char *name, struct pkram_ho *ho)
{
	struct pkram_stream ps;
	int err;
	u64 i;

	err = pkram_prepare_save(&ps, name, GFP_KERNEL);
	if (err)
		return err;
	err = pkram_prepare_save_obj(&ps, PKRAM_DATA_folios | PKRAM_DATA_bytes);
	if (!err) {
		PKRAM_ACCESS(pf, &ps, folios);
		PKRAM_ACCESS(pb, &ps, bytes);
		size_t len = ho->hdr.nr_folios * sizeof(*ho->rec);

		if (pkram_write(&pb, &ho->hdr, sizeof(ho->hdr)) != sizeof(ho->hdr) ||
		    pkram_write(&pb, ho->rec, len) != len ||
		    pkram_write(&pb, ho->bytes, ho->hdr.nr_bytes) != ho->hdr.nr_bytes)
			err = -ENOMEM;
		for (i = 0; !err && i < ho->hdr.nr_folios; i++)
			err = pkram_save_folio(&pf, ho->folios[i]);
		pkram_finish_access(&pf, !err);
		pkram_finish_access(&pb, !err);
	}
	if (err)
		pkram_discard_save(&ps);
	else
		pkram_finish_save(&ps);
	return err;
}

/* Record folio @n of @ho, filled with random bytes, at the next index. */
static void pkram_ho_record(struct pkram_ho *ho, u64 n, struct folio *folio)
{
	u64 *p, x;
	long i;

	/* Random bytes: a xorshift stream from a seed per page, for speed. */
	for (i = 0; i < folio_nr_pages(folio); i++) {
		unsigned int w;

		p = page_address(folio_page(folio, i));
		x = pkram_ho_random(ho) | 1;
		for (w = 0; w < PAGE_SIZE / sizeof(*p); w++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[w] = x;
		}
	}
	folio->index = n ? ho->rec[n - 1].index + (1UL << ho->rec[n - 1].order) +
			   (prandom_u32_state(&ho->rnd) & 1) * 1000 : 0;
	ho->folios[n] = folio;
	ho->rec[n].pfn = folio_pfn(folio);
	ho->rec[n].index = folio->index;
	ho->rec[n].order = folio_order(folio);
	ho->rec[n].crc = pkram_ho_crc(folio);
	ho->hdr.nr_folios = n + 1;
	/* Gigabytes of folios take a while: no RCU stall meanwhile. */
	cond_resched();
}

static int pkram_ho_fill(struct pkram_ho *ho, unsigned long mib, u64 nr_bytes,
			 int fixed_order)
{
	unsigned long left = mib << (20 - PAGE_SHIFT), max = left + 1;
	struct folio *folio, *tmp;
	LIST_HEAD(excluded);
	u64 n = 0;

	ho->folios = kvcalloc(max, sizeof(*ho->folios), GFP_KERNEL);
	ho->rec = kvcalloc(max, sizeof(*ho->rec), GFP_KERNEL);
	ho->bytes = kvmalloc(nr_bytes + 1, GFP_KERNEL);
	if (!ho->folios || !ho->rec || !ho->bytes)
		return -ENOMEM;
	prandom_bytes_state(&ho->rnd, ho->bytes, nr_bytes);
	while (left) {
		unsigned int order = fixed_order >= 0 ? fixed_order :
				     prandom_u32_state(&ho->rnd) % (MAX_PAGE_ORDER + 1);

		while ((1UL << order) > left)
			order--;
		folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, order);
		while (!folio && order) {
			order--;
			folio = folio_alloc(GFP_KERNEL | __GFP_NOWARN, order);
		}
		if (!folio)
			break;
		/* PKRAM would save a copy: this test checks pfns. */
		if (pkram_pfn_excluded(folio_pfn(folio), 1UL << order)) {
			list_add(&folio->lru, &excluded);
			continue;
		}
		pkram_ho_record(ho, n++, folio);
		left -= 1UL << order;
	}
	list_for_each_entry_safe(folio, tmp, &excluded, lru)
		folio_put(folio);
	if (left)
		return -ENOMEM;
	ho->hdr.magic = PKRAM_HO_MAGIC;
	ho->hdr.nr_bytes = nr_bytes;
	ho->hdr.crc_bytes = crc32_le(~0, ho->bytes, nr_bytes);
	return 0;
}

/*
 * Are the pageblocks of [@pfn, @pfn + @nr) movable, as memmap_init() and
 * deferred struct page init leave them?  An unmovable one is where
 * unmovable allocations go first, which alloc_contig_range() may then find.
 */
static bool pkram_ho_movable(unsigned long pfn, unsigned long nr)
{
	unsigned long end = pfn + nr;
	int mt;

	for (pfn = pageblock_start_pfn(pfn); pfn < end; pfn += pageblock_nr_pages) {
		mt = get_pageblock_migratetype(pfn_to_page(pfn));
		if (mt != MIGRATE_MOVABLE) {
			pr_info("# the pageblock at pfn %#lx has migratetype %d\n",
				pfn, mt);
			return false;
		}
	}
	return true;
}

/*
 * The folio of MAX_PAGE_ORDER that holds page @pfn, or with @order 0 the
 * page alone, recorded in @ho.
 */
static int pkram_ho_fill_at(struct pkram_ho *ho, unsigned long pfn, u64 order)
{
	unsigned long nr;
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	int err;

	ho->folios = kvcalloc(1, sizeof(*ho->folios), GFP_KERNEL);
	ho->rec = kvcalloc(1, sizeof(*ho->rec), GFP_KERNEL);
	ho->bytes = kvmalloc(1, GFP_KERNEL);
	if (!ho->folios || !ho->rec || !ho->bytes)
		return -ENOMEM;
	if (order && order != MAX_PAGE_ORDER)
		return -EINVAL;
	/* A compound page must be the whole of what is taken */
	if (order)
		gfp |= __GFP_COMP;
	nr = 1UL << order;
	pfn = ALIGN_DOWN(pfn, nr);
	if (!pfn_valid(pfn) || !pfn_valid(pfn + nr - 1) ||
	    pkram_pfn_excluded(pfn, nr))
		return -EINVAL;
	if (!pkram_ho_movable(pfn, nr))
		return -EXDEV;
	err = alloc_contig_range(pfn, pfn + nr, MIGRATE_MOVABLE, gfp);
	if (err)
		return err;
	pkram_ho_record(ho, 0, pfn_folio(pfn));
	ho->hdr.magic = PKRAM_HO_MAGIC;
	ho->hdr.crc_bytes = crc32_le(~0, ho->bytes, 0);
	return 0;
}

/*
 * Every page that can be taken, until @keep_mib MiB are left available, or
 * with @below_mib, every page below that address ZONE_DMA32 gives: the
 * pages at odd pfns (and above the limit) are freed, the others recorded
 * in @ho.
 */
static int pkram_ho_frag(struct pkram_ho *ho, unsigned long keep_mib,
			 unsigned long below_mib)
{
	unsigned long max = totalram_pages(), keep = keep_mib << (20 - PAGE_SHIFT);
	unsigned long limit = below_mib ? below_mib << (20 - PAGE_SHIFT) : ULONG_MAX;
	gfp_t gfp = GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN;
	unsigned long n = 0, i, kept = 0;
	struct folio *folio;

	if (below_mib > SZ_4K)
		return -EINVAL;
	if (below_mib)
		gfp |= GFP_DMA32;

	ho->folios = kvcalloc(max, sizeof(*ho->folios), GFP_KERNEL);
	ho->rec = kvcalloc(max / 2 + 1, sizeof(*ho->rec), GFP_KERNEL);
	ho->bytes = kvmalloc(1, GFP_KERNEL);
	if (!ho->folios || !ho->rec || !ho->bytes)
		return -ENOMEM;
	while (n < max) {
		/* CMA pages (the scratch region's) serve no such allocation. */
		if (!below_mib && !(n % 1024) && si_mem_available() -
		    global_zone_page_state(NR_FREE_CMA_PAGES) <= keep)
			break;
		folio = folio_alloc(gfp, 0);
		if (!folio)
			break;
		ho->folios[n++] = folio;
	}
	for (i = 0; i < n; i++) {
		folio = ho->folios[i];
		ho->folios[i] = NULL;
		if (folio_pfn(folio) % 2 || folio_pfn(folio) >= limit ||
		    pkram_pfn_excluded(folio_pfn(folio), 1))
			folio_put(folio);
		else
			pkram_ho_record(ho, kept++, folio);
		cond_resched();
	}
	pr_info("# frag: took %lu pages, kept %lu at even pfns\n", n, kept);
	ho->hdr.magic = PKRAM_HO_MAGIC;
	ho->hdr.crc_bytes = crc32_le(~0, ho->bytes, 0);
	return kept ? 0 : -ENOMEM;
}

/* Whether the pages of the folio @r records are in two zones of this kernel. */
static bool pkram_ho_spans_zones(struct pkram_ho_record *r)
{
	return page_zone(pfn_to_page(r->pfn)) !=
	       page_zone(pfn_to_page(r->pfn + (1UL << r->order) - 1));
}

/*
 * Load node @name into @ho, checking it against its own records.  Returns
 * the number of differences, or a negative error.
 */
static long pkram_ho_load(const char *name, struct pkram_ho *ho)
{
	unsigned long index, sub = 0;
	struct pkram_stream ps;
	bool differs = false;
	struct folio *folio;
	long bad = 0;
	u32 crc = ~0;
	size_t len;
	int err;
	u64 i;

	err = pkram_prepare_load(&ps, name);
	if (err)
		return err;
	err = pkram_prepare_load_obj(&ps);
	if (err)
		goto out;
	{
		PKRAM_ACCESS(pf, &ps, folios);
		PKRAM_ACCESS(pb, &ps, bytes);

		err = -EIO;
		if (pkram_read(&pb, &ho->hdr, sizeof(ho->hdr)) != sizeof(ho->hdr) ||
		    ho->hdr.magic != PKRAM_HO_MAGIC)
			goto out_access;
		len = ho->hdr.nr_folios * sizeof(*ho->rec);
		err = -ENOMEM;
		ho->rec = kvmalloc(len + 1, GFP_KERNEL);
		ho->folios = kvcalloc(ho->hdr.nr_folios + 1, sizeof(*ho->folios),
				      GFP_KERNEL);
		ho->bytes = kvmalloc(ho->hdr.nr_bytes + 1, GFP_KERNEL);
		if (!ho->rec || !ho->folios || !ho->bytes)
			goto out_access;
		err = -EIO;
		if (pkram_read(&pb, ho->rec, len) != len ||
		    pkram_read(&pb, ho->bytes, ho->hdr.nr_bytes) != ho->hdr.nr_bytes)
			goto out_access;
		if (crc32_le(~0, ho->bytes, ho->hdr.nr_bytes) != ho->hdr.crc_bytes) {
			pr_info("# %s: bytes differ\n", name);
			ho->bad_bytes += ho->hdr.nr_bytes;
			bad++;
		}
		for (i = 0; (folio = pkram_load_folio(&pf, &index));) {
			struct pkram_ho_record *r = &ho->rec[i];

			if (i >= ho->hdr.nr_folios) {
				ho->bad_bytes += folio_size(folio);
				folio_put(folio);
				bad++;
				continue;
			}
			folio->index = index;
			if (!sub)
				crc = ~0;
			crc = crc32_le(crc, folio_address(folio), folio_size(folio));
			if (folio_pfn(folio) != r->pfn + sub ||
			    index != r->index + sub ||
			    (folio_order(folio) != r->order &&
			     (folio_order(folio) || !pkram_ho_spans_zones(r))))
				differs = true;
			sub += folio_nr_pages(folio);
			if (folio_order(folio) == r->order) {
				ho->folios[i] = folio;
			} else {
				/* A page of a folio split: checked, dropped. */
				ho->split_pages += folio_nr_pages(folio);
				folio_put(folio);
			}
			if (sub < 1UL << r->order)
				continue;
			if (differs || crc != r->crc) {
				if (bad < 5)
					pr_info("# %s: folio %llu: pfn %#lx/%#llx order %u/%u index %lu/%llu\n",
						name, i, folio_pfn(folio),
						r->pfn + sub - folio_nr_pages(folio),
						folio_order(folio), r->order, index,
						r->index + sub - folio_nr_pages(folio));
				ho->bad_bytes += PAGE_SIZE << r->order;
				bad++;
			}
			differs = false;
			sub = 0;
			i++;
		}
		if (i < ho->hdr.nr_folios) {
			pr_info("# %s: %llu folios, %llu saved\n",
				name, i, ho->hdr.nr_folios);
			for (; i < ho->hdr.nr_folios; i++)
				ho->bad_bytes += PAGE_SIZE << ho->rec[i].order;
			bad++;
		}
		err = 0;
out_access:
		pkram_finish_access(&pf, true);
		pkram_finish_access(&pb, true);
	}
out:
	pkram_finish_load(&ps);
	return err ? err : bad;
}

static DEFINE_MUTEX(pkram_ho_mutex);

struct pkram_ho_slow {
	char name[PKRAM_NAME_MAX];
	unsigned long nr;
};

/* The thread of save_slow: a save that takes its time. */
static int pkram_ho_slow_fn(void *arg)
{
	struct pkram_ho_slow *sl = arg;
	struct pkram_stream ps;
	struct folio *folio;
	unsigned long i;
	int err;

	err = pkram_prepare_save(&ps, sl->name, GFP_KERNEL) ?:
	      pkram_prepare_save_obj(&ps, PKRAM_DATA_folios);
	if (err)
		goto out;
	{
		PKRAM_ACCESS(pa, &ps, folios);

		for (i = 0; !err && i < sl->nr && !kthread_should_stop(); i++) {
			folio = folio_alloc(GFP_KERNEL | __GFP_ZERO, 0);
			if (!folio) {
				err = -ENOMEM;
				break;
			}
			folio->index = i;
			err = pkram_save_folio(&pa, folio);
			folio_put(folio);
			msleep(20);
		}
		pkram_finish_access(&pa, !err);
	}
	if (err)
		pkram_discard_save(&ps);
	else
		pkram_finish_save(&ps);
out:
	pr_info("save_slow %s: %d\n", sl->name, err);
	kfree(sl);
	return 0;
}

static int pkram_ho_save_slow(const char *name, unsigned long mib)
{
	struct pkram_ho_slow *sl = kzalloc(sizeof(*sl), GFP_KERNEL);
	struct task_struct *t;

	if (!sl)
		return -ENOMEM;
	strscpy(sl->name, name, sizeof(sl->name));
	sl->nr = mib << (20 - PAGE_SHIFT);
	t = kthread_run(pkram_ho_slow_fn, sl, "pkram-slow");
	if (IS_ERR(t)) {
		kfree(sl);
		return PTR_ERR(t);
	}
	return 0;
}

/* The benchmarks' yardstick (see test_pkram_bench.h) for @mib MiB, in us. */
static int pkram_ho_memcpy(unsigned long mib)
{
	u64 ns;

	if (!mib)
		return -EINVAL;
	ns = pkram_bench_yardstick((u64)mib << 20);
	if (!ns)
		return -ENOMEM;
	pr_info("pkram_bench: memcpy of %lu MiB: %llu us\n", mib,
		div_u64(ns, NSEC_PER_USEC));
	return 0;
}

static ssize_t pkram_ho_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	const char *op = file->f_path.dentry->d_name.name;
	char buf[2 * PKRAM_NAME_MAX + 64], name[PKRAM_NAME_MAX], new[PKRAM_NAME_MAX];
	struct pkram_ho ho = { };
	unsigned long mib = 0;
	u64 nr_bytes = 0;
	int order = -1;
	long ret;
	int n;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	n = sscanf(buf, "%255s %255s %llu %d", name, new, &nr_bytes, &order);
	if (n < 1)
		return -EINVAL;

	mutex_lock(&pkram_ho_mutex);
	if (!strcmp(op, "save")) {
		ret = -EINVAL;
		pkram_ho_seed(&ho, name);
		if (n >= 2 && !kstrtoul(new, 0, &mib))
			ret = pkram_ho_fill(&ho, mib, nr_bytes,
					    min(order, MAX_PAGE_ORDER));
		if (!ret)
			ret = pkram_ho_save(name, &ho);
		pr_info("%sok 1 save %s: %llu folios (%lu MiB), %llu bytes: %ld\n",
			ret ? "not " : "", name, ho.hdr.nr_folios, mib,
			ho.hdr.nr_bytes, ret);
		pkram_ho_free(&ho, true);
	} else if (!strcmp(op, "save_at")) {
		ret = -EINVAL;
		pkram_ho_seed(&ho, name);
		if (n >= 2 && !kstrtoul(new, 0, &mib))
			ret = pkram_ho_fill_at(&ho, mib, n >= 3 ? nr_bytes :
					       MAX_PAGE_ORDER);
		if (!ret)
			ret = pkram_ho_save(name, &ho);
		pr_info("%sok 1 save_at %s: pfn %#llx order %u: %ld\n",
			ret ? "not " : "", name, ho.rec ? ho.rec[0].pfn : 0,
			ho.rec ? ho.rec[0].order : 0, ret);
		pkram_ho_free(&ho, true);
	} else if (!strcmp(op, "save_slow")) {
		ret = -EINVAL;
		if (n >= 2 && !kstrtoul(new, 0, &mib))
			ret = pkram_ho_save_slow(name, mib);
		pr_info("%sok 1 save_slow %s started: %ld\n", ret ? "not " : "",
			name, ret);
	} else if (!strcmp(op, "frag")) {
		ret = -EINVAL;
		pkram_ho_seed(&ho, name);
		if (n >= 2 && !kstrtoul(new, 0, &mib))
			ret = pkram_ho_frag(&ho, mib, n >= 3 ? nr_bytes : 0);
		if (!ret)
			ret = pkram_ho_save(name, &ho);
		pr_info("%sok 1 frag %s: %llu folios: %ld\n", ret ? "not " : "",
			name, ho.hdr.nr_folios, ret);
		pkram_ho_free(&ho, true);
	} else if (!strcmp(op, "memcpy")) {
		ret = kstrtoul(name, 0, &mib) ?: pkram_ho_memcpy(mib);
	} else if (!strcmp(op, "verify")) {
		ret = pkram_ho_load(name, &ho);
		pr_info("%sok 1 verify %s: %llu folios, %llu bytes, %llu bytes differ, %llu pages split: %ld\n",
			ret ? "not " : "", name, ho.hdr.nr_folios,
			ho.hdr.nr_bytes, ho.bad_bytes, ho.split_pages, ret);
		if (ret > 0)
			ret = -EIO;
		pkram_ho_free(&ho, true);
	} else {
		ret = n < 2 ? -EINVAL : pkram_ho_load(name, &ho);
		if (ret > 0)
			ret = -EIO;
		/* Not the very same folios: some came back as single pages. */
		if (!ret && ho.split_pages)
			ret = -EINVAL;
		if (!ret)
			ret = pkram_ho_save(new, &ho);
		pr_info("%sok 1 resave %s as %s: %llu folios: %ld\n",
			ret ? "not " : "", name, n >= 2 ? new : "?",
			ho.hdr.nr_folios, ret);
		pkram_ho_free(&ho, true);
	}
	mutex_unlock(&pkram_ho_mutex);
	return ret < 0 ? ret : count;
}

/*
 * echo 1 > /sys/kernel/debug/pkram_test/dump writes what is handed over to
 * the kernel log at the kexec reboot, damaged as corrupt (below) asks: every page
 * the next kernel's parser reads (the super block, the range list, the
 * nodes, objects and link pages), and where the kexec image goes.  The
 * handover fuzzer (tools/testing/pkram/) makes inputs of it, and replays
 * them to check that it gives the verdict the next kernel gave:
 *   pkram-dump: begin
 *   pkram-dump: image PFN		the image names the super block
 *   pkram-dump: reserved BASE SIZE	a segment of the kexec image
 *   pkram-dump: page PFN OFFSET HEX	32 bytes of a page (zeroes left out)
 *   pkram-dump: end
 */
static bool pkram_ho_dump_on;

/* Dump the page at @pfn, once: returns it, or NULL if dumped already. */
static void *pkram_ho_dump_page(struct xarray *seen, u64 pfn)
{
	unsigned int off;
	const u8 *p;

	if (!pfn || !pfn_valid(pfn) || !page_is_ram(pfn) ||
	    xa_insert(seen, pfn, xa_mk_value(0), GFP_KERNEL))
		return NULL;
	p = pfn_to_kaddr(pfn);
	for (off = 0; off < PAGE_SIZE; off += 32)
		if (memchr_inv(p + off, 0, 32))
			pr_info("pkram-dump: page %llx %x %*phN\n", pfn, off, 32,
				p + off);
	return (void *)p;
}

static void pkram_ho_dump_stream(struct xarray *seen,
				 struct pkram_stream_head *head)
{
	struct pkram_link *link;
	u64 pfn;

	for (pfn = head->head_pfn; (link = pkram_ho_dump_page(seen, pfn));
	     pfn = link->link_pfn)
		cond_resched();
}

/* The pages of the handover, from the super block at @sb_pfn. */
static void pkram_ho_dump(unsigned long sb_pfn)
{
	struct pkram_super_block *sb;
	struct pkram_range_page *rp;
	struct pkram_node *node;
	struct pkram_obj *obj;
	struct xarray seen;
	unsigned long i;
	u64 pfn, opfn;

	xa_init(&seen);
	pr_info("pkram-dump: begin\n");
#ifdef CONFIG_KEXEC_FILE
	if (kexec_image && kexec_image->file_mode)
		pr_info("pkram-dump: image %lx\n", sb_pfn);
#endif
	for (i = 0; kexec_image && i < kexec_image->nr_segments; i++)
		pr_info("pkram-dump: reserved %lx %zx\n",
			kexec_image->segment[i].mem,
			kexec_image->segment[i].memsz);
	sb = pkram_ho_dump_page(&seen, sb_pfn);
	for (pfn = sb ? sb->range_pfn : 0; (rp = pkram_ho_dump_page(&seen, pfn));
	     pfn = rp->next_pfn)
		;
	for (pfn = sb ? sb->node_pfn : 0; (node = pkram_ho_dump_page(&seen, pfn));
	     pfn = node->node_pfn) {
		for (opfn = node->obj_pfn; (obj = pkram_ho_dump_page(&seen, opfn));
		     opfn = obj->obj_pfn) {
			pkram_ho_dump_stream(&seen, &obj->folios);
			pkram_ho_dump_stream(&seen, &obj->bytes);
		}
	}
	pr_info("pkram-dump: end\n");
	xa_destroy(&seen);
}

/*
 * echo MODE > /sys/kernel/debug/pkram_test/corrupt damages, at the kexec
 * reboot and after PKRAM wrote it, what is handed to the next kernel, which
 * must then boot normally with nothing preserved:
 *   magic: a wrong magic;  checksum: a bit flipped in the super block;
 *   version: another format version, checksum fixed up;
 *   truncate: one range less in the list, checksums fixed up;
 *   overlap: a range that overlaps the one before, checksums fixed up;
 *   outside: a range beyond the end of memory, checksums fixed up;
 *   loop: the node list loops back on itself;
 *   dupname: the second node gets the name of the first;
 *   entryflag: a flag bit no kernel sets, in the first folio entry;
 *   reserved: the reserved field of the first object set;
 *   sbreserved: the reserved field of the super block set, checksum fixed;
 *   listout: the first page of the range list copied to a page no range
 *	holds;
 *   lowmem: a range of one page in the first MiB put first, counts fixed;
 *   shared: the last folio entry of a stream of several link pages made the
 *	same as its first: one folio reached from two link pages far apart,
 *	which the next kernel checks in parallel, likely in two threads.
 */
static char pkram_ho_corrupt[16];

/* The first (or @last) folio entry of @link, or NULL. */
static u64 *pkram_ho_folio_entry(struct pkram_link *link, bool last)
{
	u64 *found = NULL;
	unsigned int i;

	for (i = 0; i < PKRAM_LINK_ENTRIES_MAX && link->entry[i]; i++) {
		if (link->entry[i] & PKRAM_ENTRY_INDEX)
			continue;
		found = &link->entry[i];
		if (!last)
			break;
	}
	return found;
}

/* shared: see above; false if no node has a stream of several link pages. */
static bool pkram_ho_share(struct pkram_super_block *sb)
{
	struct pkram_node *node;
	struct pkram_obj *obj;
	u64 npfn, opfn, *first, *last;

	for (npfn = sb->node_pfn; npfn; npfn = node->node_pfn) {
		node = pfn_to_kaddr(npfn);
		for (opfn = node->obj_pfn; opfn; opfn = obj->obj_pfn) {
			obj = pfn_to_kaddr(opfn);
			if (obj->folios.head_pfn == obj->folios.tail_pfn)
				continue;
			first = pkram_ho_folio_entry(pfn_to_kaddr(obj->folios.head_pfn),
						     false);
			last = pkram_ho_folio_entry(pfn_to_kaddr(obj->folios.tail_pfn),
						    true);
			if (first && last) {
				*last = *first;
				return true;
			}
		}
	}
	return false;
}

/*
 * A copy of @rp in a page that is not preserved, and where the kexec image
 * does not go: returns its pfn (that of @rp if there is none).
 */
static u64 pkram_ho_copy_out(struct pkram_range_page *rp)
{
	struct page *page;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			break;
		if (!pkram_kexec_conflict(page_to_pfn(page), 1)) {
			memcpy(page_address(page), rp, PAGE_SIZE);
			return page_to_pfn(page);
		}
		/* Kept: another try must not get it again. */
	}
	return page_to_pfn(virt_to_page(rp));
}

static int pkram_ho_reboot(struct notifier_block *nb, unsigned long val, void *v)
{
	struct pkram_super_block *sb;
	struct pkram_range_page *rp;
	struct pkram_node *node;
	struct pkram_obj *obj;
	unsigned long pfn;
	char *mode = pkram_ho_corrupt;

	/* For make bench: the boot of the next kernel from here to its /init. */
	if (val == SYS_RESTART)
		pr_info("pkram_test: kexec at cycle %llu\n", (u64)get_cycles());
	if (val != SYS_RESTART || !pkram_get_super_block(&pfn))
		return NOTIFY_DONE;
	if (!*mode)
		goto dump;
	sb = pfn_to_kaddr(pfn);
	rp = sb->range_pfn ? pfn_to_kaddr(sb->range_pfn) : NULL;
	if (!strcmp(mode, "magic")) {
		sb->magic ^= 0x100;
	} else if (!strcmp(mode, "checksum")) {
		sb->nr_pages ^= 1;
	} else if (!strcmp(mode, "version")) {
		sb->version++;
	} else if (rp && !strcmp(mode, "truncate") && rp->nr_ranges > 1) {
		rp->nr_ranges--;
		rp->checksum = pkram_range_checksum(rp);
	} else if (rp && !strcmp(mode, "overlap") && rp->nr_ranges > 1) {
		rp->range[1].pfn = rp->range[0].pfn;
		rp->checksum = pkram_range_checksum(rp);
	} else if (rp && !strcmp(mode, "outside")) {
		rp->range[rp->nr_ranges - 1].pfn += 1UL << 40;
		rp->checksum = pkram_range_checksum(rp);
	} else if (!strcmp(mode, "loop") && sb->node_pfn) {
		node = pfn_to_kaddr(sb->node_pfn);
		node->node_pfn = sb->node_pfn;
	} else if (!strcmp(mode, "dupname") && sb->node_pfn) {
		node = pfn_to_kaddr(sb->node_pfn);
		if (node->node_pfn)
			strscpy(((struct pkram_node *)pfn_to_kaddr(node->node_pfn))->name,
				node->name, PKRAM_NAME_MAX);
	} else if (!strcmp(mode, "entryflag") && sb->node_pfn) {
		node = pfn_to_kaddr(sb->node_pfn);
		obj = pfn_to_kaddr(node->obj_pfn);
		((struct pkram_link *)pfn_to_kaddr(obj->folios.head_pfn))->entry[0] |= 0x2;
	} else if (!strcmp(mode, "reserved") && sb->node_pfn) {
		node = pfn_to_kaddr(sb->node_pfn);
		((struct pkram_obj *)pfn_to_kaddr(node->obj_pfn))->__reserved = 1;
	} else if (!strcmp(mode, "sbreserved")) {
		sb->__reserved = 1;
	} else if (rp && !strcmp(mode, "listout")) {
		sb->range_pfn = pkram_ho_copy_out(rp);
	} else if (!strcmp(mode, "shared")) {
		if (!pkram_ho_share(sb))
			pr_warn("no stream of several link pages to damage\n");
	} else if (rp && !strcmp(mode, "lowmem") &&
		   rp->nr_ranges < PKRAM_RANGES_PER_PAGE) {
		memmove(&rp->range[1], &rp->range[0],
			rp->nr_ranges * sizeof(rp->range[0]));
		rp->range[0].pfn = PHYS_PFN(SZ_512K);
		rp->range[0].nr_pages = 1;
		rp->nr_ranges++;
		rp->checksum = pkram_range_checksum(rp);
		sb->nr_ranges++;
		sb->nr_pages++;
	}
	sb->checksum = pkram_sb_checksum(sb);
	if (!strcmp(mode, "checksum"))
		sb->nr_pages ^= 1;
	pr_info("handover corrupted: %s\n", mode);
dump:
	if (pkram_ho_dump_on)
		pkram_ho_dump(pfn);
	return NOTIFY_OK;
}

static struct notifier_block pkram_ho_reboot_nb = {
	.notifier_call = pkram_ho_reboot,
	.priority = -1,		/* after PKRAM's own */
};

static ssize_t pkram_ho_dump_write(struct file *file, const char __user *ubuf,
				   size_t count, loff_t *ppos)
{
	int err = kstrtobool_from_user(ubuf, count, &pkram_ho_dump_on);

	return err ?: count;
}

static const struct file_operations pkram_ho_dump_fops = {
	.owner = THIS_MODULE,
	.write = pkram_ho_dump_write,
};

static ssize_t pkram_ho_corrupt_write(struct file *file,
				      const char __user *ubuf, size_t count,
				      loff_t *ppos)
{
	char buf[sizeof(pkram_ho_corrupt)];

	if (!count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = 0;
	strscpy(pkram_ho_corrupt, strim(buf), sizeof(pkram_ho_corrupt));
	return count;
}

static const struct file_operations pkram_ho_corrupt_fops = {
	.owner = THIS_MODULE,
	.write = pkram_ho_corrupt_write,
};

static const struct file_operations pkram_ho_fops = {
	.owner = THIS_MODULE,
	.write = pkram_ho_write,
};

/*
 * cat /sys/kernel/debug/pkram_test/cycles: the cycle counter (x86: the TSC,
 * which runs on across a kexec) and its rate in kHz, 0 where unknown.
 */
static ssize_t pkram_ho_cycles_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	unsigned int khz = 0;
	char buf[48];
	int len;

#ifdef CONFIG_X86
	khz = tsc_khz;
#endif
	len = scnprintf(buf, sizeof(buf), "%llu %u\n", (u64)get_cycles(), khz);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations pkram_ho_cycles_fops = {
	.owner = THIS_MODULE,
	.read = pkram_ho_cycles_read,
};

static struct dentry *pkram_ho_dir;

static int __init pkram_ho_init(void)
{
	pkram_ho_dir = debugfs_create_dir("pkram_test", NULL);
	debugfs_create_file("save", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("verify", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("resave", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("frag", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("save_at", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("save_slow", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("memcpy", 0200, pkram_ho_dir, NULL, &pkram_ho_fops);
	debugfs_create_file("corrupt", 0200, pkram_ho_dir, NULL,
			    &pkram_ho_corrupt_fops);
	debugfs_create_file("dump", 0200, pkram_ho_dir, NULL,
			    &pkram_ho_dump_fops);
	debugfs_create_file("cycles", 0400, pkram_ho_dir, NULL,
			    &pkram_ho_cycles_fops);
	return register_reboot_notifier(&pkram_ho_reboot_nb);
}
late_initcall(pkram_ho_init);

MODULE_DESCRIPTION("PKRAM test across kexec");
MODULE_LICENSE("GPL");
