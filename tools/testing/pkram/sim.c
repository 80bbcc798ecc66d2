// SPDX-License-Identifier: GPL-2.0
/*
 * The simulated machine the handover parser runs on in user space.
 *
 * Physical memory is mapped at the same addresses in this process (the
 * memblock simulator's headers take __va(x) to be x): the RAM the input
 * describes below SIM_PHYS_END, and above it the pages the simulated
 * kernel allocates for itself.  Every page has a struct page, and the
 * simulation checks what the kernel could not survive or must never do:
 * map or touch a page that is not RAM, read a page it does not own, free a
 * page twice or one that was not reserved, touch a page after freeing it,
 * leave an early mapping behind, leak a page.  Any of those is a finding:
 * sim_bug() aborts, and the fuzzer keeps the input.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <linux/memblock.h>
#include <linux/xarray.h>
#include <linux/sysfs.h>
#include <linux/crash_dump.h>
#include <linux/crash_reserve.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/crc32.h>
#include <linux/kexec.h>

#include "sim.h"

struct page *sim_mem_map;
char boot_command_line[SIM_CMDLINE_MAX];

static struct kobject sim_kernel_kobj;
struct kobject *kernel_kobj = &sim_kernel_kobj;
struct kimage *kexec_image;

/* What the memblock simulator expects its main() to define */
bool movable_node_enabled;

enum sim_phase sim_phase;
int sim_verbose;

/* Pages whose struct page changed, to reset after a run. */
static unsigned long *sim_touched;
static unsigned long sim_nr_touched;

/* Freed pages not yet made inaccessible: one run, flushed when it breaks. */
static unsigned long sim_prot_start, sim_prot_end;

/* The simulated kernel's own pages: a stack of free ones. */
#define SIM_HEAP_PFN	(SIM_PHYS_END >> PAGE_SHIFT)
static unsigned long sim_heap_free[SIM_NR_PFNS - SIM_HEAP_PFN];
static unsigned long sim_heap_nr_free, sim_heap_used;

static unsigned int sim_early_maps;
static unsigned long sim_allocs, sim_fail_nth;

static struct memblock_region *sim_memory_init, *sim_reserved_init;
static unsigned long sim_memory_max, sim_reserved_max;

struct sim_log sim_log;

void __noreturn sim_bug(const char *what, unsigned long pfn)
{
	unsigned int i;

	for (i = 0; i < sim_log.nr; i++)
		fprintf(stderr, "  log: %s\n", sim_log.line[i]);
	fprintf(stderr, "pkram sim: BUG: %s (pfn %#lx)\n", what, pfn);
	abort();
}

void __noreturn sim_bug_in(const char *func, const char *what,
			   unsigned long pfn)
{
	char buf[SIM_LOG_LEN];

	snprintf(buf, sizeof(buf), "%s() %s", func, what);
	sim_bug(buf, pfn);
}

void sim_printk(int level, const char *fmt, ...)
{
	char *line;
	va_list ap;

	if (sim_log.nr == SIM_LOG_LINES)
		return;
	line = sim_log.line[sim_log.nr++];
	va_start(ap, fmt);
	vsnprintf(line, SIM_LOG_LEN, fmt, ap);
	va_end(ap);
	line[strcspn(line, "\n")] = 0;
	if (level <= 3)
		sim_log.errors++;
	if (strstr(line, "nothing preserved"))
		sim_log.refusals++;
	if (sim_verbose)
		fprintf(stderr, "<%d>%s\n", level, line);
}

static bool sim_is_heap(unsigned long pfn)
{
	return pfn >= SIM_HEAP_PFN && pfn < SIM_NR_PFNS;
}

static bool sim_is_ram(unsigned long pfn)
{
	return pfn < SIM_HEAP_PFN && memblock_is_memory(PFN_PHYS(pfn));
}

/* Make the freed pages so far inaccessible: a later touch faults. */
static void sim_prot_flush(void)
{
	if (sim_prot_end > sim_prot_start &&
	    mprotect((void *)PFN_PHYS(sim_prot_start),
		     PFN_PHYS(sim_prot_end - sim_prot_start), PROT_NONE))
		sim_bug("mprotect", sim_prot_start);
	sim_prot_start = 0;
	sim_prot_end = 0;
}

static void sim_touch(struct page *page, unsigned long set)
{
	if (!(page->flags & SIM_PAGE_TOUCHED)) {
		page->flags |= SIM_PAGE_TOUCHED;
		sim_touched[sim_nr_touched++] = page - sim_mem_map;
	}
	page->flags |= set;
}

struct page *sim_pfn_to_page(unsigned long pfn)
{
	if (!sim_is_ram(pfn) && !sim_is_heap(pfn))
		sim_bug("struct page of a pfn that is not RAM", pfn);
	return &sim_mem_map[pfn];
}

void *sim_pfn_to_kaddr(unsigned long pfn)
{
	struct page *page = sim_pfn_to_page(pfn);

	sim_prot_flush();
	if (page->flags & SIM_PAGE_FREED)
		sim_bug("use of a page after it was freed", pfn);
	/* Once memblock is gone, the parser owns only what it reserved. */
	if (sim_phase == SIM_RESTORE && !sim_is_heap(pfn) &&
	    !(page->flags & SIM_PAGE_ALLOCATED) &&
	    !memblock_is_reserved(PFN_PHYS(pfn)))
		sim_bug("reads a page that was not reserved", pfn);
	return (void *)PFN_PHYS(pfn);
}

unsigned long sim_virt_to_pfn(const void *addr)
{
	unsigned long pfn = (unsigned long)addr >> PAGE_SHIFT;

	if (!sim_is_ram(pfn) && !sim_is_heap(pfn))
		sim_bug("virt_to_page of an address outside memory", pfn);
	return pfn;
}

bool sim_page_reserved(struct page *page)
{
	if (page->flags & (SIM_PAGE_ALLOCATED | SIM_PAGE_FREED | SIM_PAGE_HEAP))
		return false;
	return memblock_is_reserved(PFN_PHYS(page - sim_mem_map));
}

void sim_free_reserved_page(struct page *page)
{
	unsigned long pfn = page - sim_mem_map;

	if (sim_phase != SIM_RESTORE)
		sim_bug("page freed before the page allocator is up", pfn);
	if (page->flags & SIM_PAGE_FREED)
		sim_bug("page freed twice", pfn);
	if (!sim_page_reserved(page))
		sim_bug("free_reserved_page() of a page that is not reserved", pfn);
	sim_touch(page, SIM_PAGE_FREED);
	sim_log.freed++;
	if (pfn != sim_prot_end)
		sim_prot_flush();
	if (!sim_prot_end)
		sim_prot_start = pfn;
	sim_prot_end = pfn + 1;
}

/* memblock_free_pages_range() of a late pass: the pages are reserved, as above */
unsigned long sim_memblock_free_pages_range(unsigned long pfn,
					    unsigned long end_pfn)
{
	unsigned long n = end_pfn > pfn ? end_pfn - pfn : 0;

	for (; pfn < end_pfn; pfn++)
		sim_free_reserved_page(sim_pfn_to_page(pfn));
	return n;
}

unsigned long free_reserved_area(void *start, void *end, int poison,
				 const char *s)
{
	unsigned long pfn, n = 0;

	for (pfn = PFN_UP((unsigned long)start);
	     pfn < PFN_DOWN((unsigned long)end); pfn++, n++)
		sim_free_reserved_page(sim_pfn_to_page(pfn));
	return n;
}

/*
 * The first page in [@pfn, @end) whose state has one of @flags (of the
 * pages touched in this run), or @end.
 */
unsigned long sim_find_state(unsigned long pfn, unsigned long end,
			     unsigned long flags)
{
	unsigned long i, found = end;

	for (i = 0; i < sim_nr_touched; i++)
		if (sim_touched[i] >= pfn && sim_touched[i] < found &&
		    (sim_mem_map[sim_touched[i]].flags & flags))
			found = sim_touched[i];
	return found;
}

/* Prepare a reserved page for its new owner: pkram_prep_preserved(). */
void sim_prep_page(unsigned long pfn)
{
	struct page *page = sim_pfn_to_page(pfn);

	if (!sim_page_reserved(page))
		sim_bug("handed out a page that is not reserved", pfn);
	sim_touch(page, SIM_PAGE_ALLOCATED);
}

void sim_reset_fail_nth(void)
{
	sim_fail_nth = 0;
}

bool sim_alloc_fails(void)
{
	return sim_fail_nth && ++sim_allocs == sim_fail_nth;
}

unsigned long __get_free_page(gfp_t gfp_mask)
{
	unsigned long pfn;
	struct page *page;

	if (sim_alloc_fails() || !sim_heap_nr_free)
		return 0;
	pfn = sim_heap_free[--sim_heap_nr_free];
	page = &sim_mem_map[pfn];
	sim_touch(page, SIM_PAGE_HEAP);
	page->private = 0;
	page->refcount = 1;
	sim_heap_used++;
	if (gfp_mask & __GFP_ZERO)
		memset((void *)PFN_PHYS(pfn), 0, PAGE_SIZE);
	return PFN_PHYS(pfn);
}

unsigned long get_zeroed_page(gfp_t gfp_mask)
{
	return __get_free_page(gfp_mask | __GFP_ZERO);
}

void free_page(unsigned long addr)
{
	unsigned long pfn = addr >> PAGE_SHIFT;

	if (!addr)
		return;
	if (!sim_is_heap(pfn) || !(sim_mem_map[pfn].flags & SIM_PAGE_HEAP))
		sim_bug_in(__func__, "of a page that was not allocated", pfn);
	sim_mem_map[pfn].flags &= ~SIM_PAGE_HEAP;
	/* Poisoned: a use after free reads garbage, not a clean page. */
	memset((void *)addr, 0x6b, PAGE_SIZE);
	sim_heap_free[sim_heap_nr_free++] = pfn;
	sim_heap_used--;
}

void *kvmalloc_array(size_t n, size_t size, gfp_t gfp_mask)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	if (sim_alloc_fails())
		return NULL;
	return gfp_mask & __GFP_ZERO ? calloc(n ?: 1, size ?: 1) :
				       malloc(n * size ?: 1);
}

void *kvcalloc(size_t n, size_t size, gfp_t gfp_mask)
{
	return kvmalloc_array(n, size, gfp_mask | __GFP_ZERO);
}

void kvfree(const void *addr)
{
	free((void *)addr);
}

unsigned long totalram_pages(void)
{
	return PHYS_PFN(memblock_phys_mem_size());
}

void *early_memremap(resource_size_t phys, unsigned long size)
{
	unsigned long pfn = PHYS_PFN(phys);

	if (!size || phys + size < phys || phys + size > SIM_PHYS_END ||
	    !memblock_is_region_memory(phys, size))
		sim_bug_in(__func__, "of memory that is not RAM", pfn);
	if (sim_phase != SIM_RESERVE)
		sim_bug_in(__func__, "after boot", pfn);
	/* x86 has FIX_BTMAPS_SLOTS (8) of them; one more is a BUG(). */
	if (++sim_early_maps > 8)
		sim_bug("more than 8 early mappings at once", pfn);
	return (void *)phys;
}

void early_memunmap(void *addr, unsigned long size)
{
	if (!sim_early_maps)
		sim_bug_in(__func__, "of nothing mapped",
			   (unsigned long)addr >> PAGE_SHIFT);
	sim_early_maps--;
}

u64 sched_clock(void)
{
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	char *end;

	if (!s)
		sim_bug_in(__func__, "of NULL", 0);
	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end == '\n')
		end++;
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	*res = v;
	return 0;
}

bool is_kdump_kernel(void)
{
	return sim_cmdline_arg("elfcorehdr", NULL);
}

int parse_crashkernel(char *cmdline, unsigned long long system_ram,
		      unsigned long long *crash_size,
		      unsigned long long *crash_base,
		      unsigned long long *low_size, bool *high)
{
	char *arg, *p;

	if (!sim_cmdline_arg("crashkernel", &arg))
		return -ENOENT;
	*crash_size = memparse(arg, &p);
	*crash_base = *p == '@' ? memparse(p + 1, &p) : 0;
	return *crash_size ? 0 : -EINVAL;
}

static u32 sim_crc_table[256];

u32 crc32_le(u32 crc, const unsigned char *p, size_t len)
{
	while (len--)
		crc = sim_crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return crc;
}

void sort(void *base, size_t num, size_t size,
	  int (*cmp)(const void *, const void *),
	  void (*swap)(void *, void *, int))
{
	qsort(base, num, size, cmp);
}

int sysfs_emit(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PAGE_SIZE, fmt, ap);
	va_end(ap);
	return n;
}

int sysfs_create_file(struct kobject *kobj, const struct attribute *attr)
{
	return 0;
}

int walk_system_ram_range(unsigned long start_pfn, unsigned long nr_pages,
			  void *arg, int (*func)(unsigned long, unsigned long,
						 void *))
{
	sim_bug_in(__func__, "is not part of the parse", start_pfn);
}

/*
 * Is @name an argument of the command line?  The last one counts, as for
 * the kernel's early parameters; *@val points to its value, in a copy.
 */
bool sim_cmdline_arg(const char *name, char **val)
{
	static char copy[SIM_CMDLINE_MAX];
	size_t len = strlen(name);
	char *p, *found = NULL;

	snprintf(copy, sizeof(copy), "%s", boot_command_line);
	for (p = strtok(copy, " \t\n"); p; p = strtok(NULL, " \t\n"))
		if (!strncmp(p, name, len) && (p[len] == '=' || !p[len]))
			found = p[len] ? p + len + 1 : p + len;
	if (found && val)
		*val = found;
	return found;
}

/* parse_early_param(): every argument, in order, to every early_param(). */
void sim_early_params(void)
{
	static char copy[SIM_CMDLINE_MAX];
	const struct sim_param *sp;
	char *p, *val;

	snprintf(copy, sizeof(copy), "%s", boot_command_line);
	for (p = strtok(copy, " \t\n"); p; p = strtok(NULL, " \t\n")) {
		val = strchr(p, '=');
		if (val)
			*val++ = 0;
		for (sp = __start_sim_params; sp < __stop_sim_params; sp++)
			if (!strcmp(p, sp->str))
				sp->fn(val);
	}
}

void sim_initcalls(int level)
{
	const struct sim_initcall *ic;

	for (ic = __start_sim_initcalls; ic < __stop_sim_initcalls; ic++)
		if (ic->level == level)
			ic->fn();
}

void sim_init(void)
{
	unsigned long i, pfn;
	u32 c;
	int k;

	if (mmap((void *)SIM_PHYS_MIN, SIM_HEAP_END - SIM_PHYS_MIN,
		 PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		 -1, 0) != (void *)SIM_PHYS_MIN) {
		perror("pkram sim: cannot map the simulated memory");
		exit(2);
	}
	sim_mem_map = calloc(SIM_NR_PFNS, sizeof(*sim_mem_map));
	sim_touched = calloc(SIM_NR_PFNS, sizeof(*sim_touched));
	if (!sim_mem_map || !sim_touched) {
		perror("pkram sim");
		exit(2);
	}
	for (pfn = SIM_NR_PFNS; pfn-- > SIM_HEAP_PFN; )
		sim_heap_free[sim_heap_nr_free++] = pfn;
	for (i = 0; i < 256; i++) {
		for (c = i, k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320 : c >> 1;
		sim_crc_table[i] = c;
	}
	sim_memory_init = memblock.memory.regions;
	sim_memory_max = memblock.memory.max;
	sim_reserved_init = memblock.reserved.regions;
	sim_reserved_max = memblock.reserved.max;
}

/* Everything back as before the first run: the next input starts clean. */
void sim_reset(unsigned long fail_nth)
{
	unsigned long i;

	sim_prot_start = 0;
	sim_prot_end = 0;
	if (mprotect((void *)SIM_PHYS_MIN, SIM_HEAP_END - SIM_PHYS_MIN,
		     PROT_READ | PROT_WRITE) ||
	    madvise((void *)SIM_PHYS_MIN, SIM_PHYS_END - SIM_PHYS_MIN,
		    MADV_DONTNEED))
		sim_bug("cannot reset the simulated memory", 0);
	for (i = 0; i < sim_nr_touched; i++)
		memset(&sim_mem_map[sim_touched[i]], 0, sizeof(struct page));
	sim_nr_touched = 0;
	if (sim_heap_used)
		sim_bug("pages of the simulated kernel leaked", sim_heap_used);
	sim_early_maps = 0;
	sim_allocs = 0;
	sim_fail_nth = fail_nth;
	memset(&sim_log, 0, sizeof(sim_log));

	memblock.memory.regions = sim_memory_init;
	memblock.memory.cnt = 0;
	memblock.memory.max = sim_memory_max;
	memblock.memory.total_size = 0;
	memblock.reserved.regions = sim_reserved_init;
	memblock.reserved.cnt = 0;
	memblock.reserved.max = sim_reserved_max;
	memblock.reserved.total_size = 0;
	memblock.bottom_up = false;
	memblock.current_limit = MEMBLOCK_ALLOC_ANYWHERE;
	memblock_set_scratch_only(false);
	memset(boot_command_line, 0, sizeof(boot_command_line));
	sim_phase = SIM_SETUP;
}
