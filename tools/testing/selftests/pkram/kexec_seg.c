// SPDX-License-Identifier: GPL-2.0
/*
 * kexec_seg ADDR: ask kexec_load() for an image of one page whose only
 * segment goes to the physical address ADDR, as kexec-tools would place a
 * segment without knowing what is preserved there; print the error, and
 * exit 0 if the kernel refused it with EADDRNOTAVAIL (ADDR in preserved
 * memory), 1 otherwise.  A load refused leaves the image loaded before in
 * place; one that succeeds is unloaded at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>

int main(int argc, char **argv)
{
	static char page[4096];
	struct kexec_segment seg = {
		.buf = page,
		.bufsz = sizeof(page),
		.memsz = sizeof(page),
	};
	unsigned long addr;
	long ret;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: %s ADDR\n", argv[0]);
		return 2;
	}
	addr = strtoul(argv[1], NULL, 0) & ~(sizeof(page) - 1);
	seg.mem = (void *)addr;
	ret = syscall(SYS_kexec_load, addr, 1UL, &seg, KEXEC_ARCH_DEFAULT);
	/* Before printf(), which may change errno. */
	err = ret ? errno : 0;
	printf("kexec_load of a segment at %#lx: %s\n", addr,
	       ret ? strerror(err) : "loaded");
	if (!ret) {
		/* Not an image to kexec into: unload it. */
		syscall(SYS_kexec_load, 0UL, 0UL, NULL, KEXEC_ARCH_DEFAULT);
		return 1;
	}
	return err == EADDRNOTAVAIL ? 0 : 1;
}
