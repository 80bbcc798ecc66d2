// SPDX-License-Identifier: GPL-2.0
/*
 * file_pfns FILE: print which physical pages hold FILE's data, as a digest
 * (see pfn_digest.h), with the number of pages and of those in huge pages:
 *
 *   pages <n> huge <n> digest <hex>
 *
 * Only the data is mapped (SEEK_DATA), so that holes stay holes.  The VM
 * scenario compares the digest of the RAM file of a VM before and after
 * kexec: the same digest means that its memory was not copied.
 *
 * file_pfns -m FILE: map FILE, shared and read-only, with MADV_HUGEPAGE,
 * touch its data, print "mapped", and wait for a signal: a mapping for
 * khugepaged to collapse the file's small pages in (the tmpfs scenario).
 *
 * file_pfns -p FILE: give the first page of FILE a memory error, as the
 * hardware would (MADV_HWPOISON; root, CONFIG_MEMORY_FAILURE), through a
 * read-only mapping: FILE may be on a read-only mount.  The kernel kills
 * the program with SIGBUS for it: it had the page mapped.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfn_digest.h"

/* Poison the first page of @fd. */
static int poison(int fd)
{
	char *m = mmap(NULL, PFN_DIGEST_PAGE, PROT_READ, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	asm volatile("" : : "r" (m[0]) : "memory");	/* map it in */
	if (madvise(m, PFN_DIGEST_PAGE, MADV_HWPOISON)) {
		perror("madvise(MADV_HWPOISON)");
		return 1;
	}
	return 0;
}

/* Map @fd for khugepaged, and wait. */
static int hold_mapped(int fd, off_t size)
{
	char *m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	off_t off;

	if (m == MAP_FAILED || madvise(m, size, MADV_HUGEPAGE)) {
		perror("mmap");
		return 1;
	}
	for (off = 0; off < size; off += PFN_DIGEST_PAGE)
		asm volatile("" : : "r" (m[off]) : "memory");
	printf("mapped\n");
	fflush(stdout);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	struct pfn_digest d = { .hash = PFN_DIGEST_INIT };
	off_t data, hole = 0;
	struct stat st;
	int fd, hold;
	char *m;

	hold = argc == 3 && (!strcmp(argv[1], "-m") || !strcmp(argv[1], "-p"));
	if (argc != 2 && !hold) {
		fprintf(stderr, "usage: %s [-m|-p] FILE\n", argv[0]);
		return 2;
	}
	if (hold) {
		fd = open(argv[2], O_RDONLY);
		if (fd < 0 || fstat(fd, &st)) {
			perror(argv[2]);
			return 1;
		}
		return argv[1][1] == 'p' ? poison(fd) : hold_mapped(fd, st.st_size);
	}
	d.pagemap = open("/proc/self/pagemap", O_RDONLY);
	d.kpageflags = open("/proc/kpageflags", O_RDONLY);
	fd = open(argv[1], O_RDONLY | O_NOATIME);
	if (d.pagemap < 0 || d.kpageflags < 0 || fd < 0 || fstat(fd, &st)) {
		perror(argv[1]);
		return 1;
	}
	m = mmap(NULL, st.st_size ?: 1, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	while ((data = lseek(fd, hole, SEEK_DATA)) >= 0) {
		hole = lseek(fd, data, SEEK_HOLE);
		if (hole < 0 || pfn_digest_range(&d, m, data, hole - data, 0)) {
			fprintf(stderr, "%s: a page at %lld is not there\n",
				argv[1], (long long)data);
			return 1;
		}
	}
	printf("pages %lu huge %lu digest %llx\n", d.pages, d.thp,
	       (unsigned long long)d.hash);
	return 0;
}
