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
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pfn_digest.h"

int main(int argc, char **argv)
{
	struct pfn_digest d = { .hash = PFN_DIGEST_INIT };
	off_t data, hole = 0;
	struct stat st;
	char *m;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FILE\n", argv[0]);
		return 2;
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
