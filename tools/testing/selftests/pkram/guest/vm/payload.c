// SPDX-License-Identifier: GPL-2.0
/*
 * The inner guest of the VM scenario: a Multiboot payload that QEMU boots in
 * a second or two, even under TCG nested in TCG, where a Linux kernel takes
 * minutes.  It runs in 32-bit protected mode, without paging, on COM1.
 *
 * It fills most of its RAM with a pattern that follows from a seed, then
 * prints a heartbeat, "hb <n>", with <n> counted in its own RAM, about three
 * times a second, for ever.  On COM1's input it obeys:
 *
 *   v	check every word of the pattern: "verify: <MiB> MiB, <n> bad words"
 *   w	write the pattern again from the next seed: "rewrote: ..."
 *
 * So a host that pauses it, saves its RAM and devices, and resumes it later
 * sees the heartbeat go on from where it was, and can have the guest itself
 * check that not a byte of its memory changed.  A guest that was rebooted
 * instead would print its "boot" line again and count from 1.
 *
 * Built with gcc -m32 -ffreestanding -nostdlib, linked by payload.lds at
 * 1 MiB (mkinitramfs.sh -v).
 */
#include <stdint.h>

#define MB_BOOTED	0x2badb002	/* %eax of a Multiboot loader */
#define COM1		0x3f8
#define MIB		(1024 * 1024)
#define PATTERN_START	(2 * MIB)	/* above this image and its stack */
#define HB_SHIFT	30		/* 2^30 TSC ticks between heartbeats */

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB below 640 KiB */
	uint32_t mem_upper;		/* KiB above 1 MiB */
};

static inline void port_out(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t port_in(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void putc(char c)
{
	while (!(port_in(COM1 + 5) & 0x20))	/* transmitter holding register empty */
		;
	port_out(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putu(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	puts(buf + i);
}

/* -1 if nothing came in on COM1. */
static int getc_nowait(void)
{
	return port_in(COM1 + 5) & 0x01 ? port_in(COM1) : -1;
}

/* The first word of page @pfn: a mix of the seed and the page's address. */
static uint32_t page_seed(uint32_t seed, uint32_t pfn)
{
	uint32_t x = seed ^ (pfn * 0x9e3779b1u);

	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	return x | 1;
}

/*
 * Write (@check false) or check the pattern of @seed in [@start, @end): each
 * page a xorshift32 stream from its own seed.  Returns the bad words.
 */
static uint32_t pattern(uint32_t seed, uint32_t start, uint32_t end, int check)
{
	uint32_t bad = 0, pfn, x, *p;
	unsigned int i;

	for (pfn = start >> 12; pfn < end >> 12; pfn++) {
		p = (uint32_t *)(pfn << 12);
		x = page_seed(seed, pfn);
		for (i = 0; i < 1024; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			if (!check)
				p[i] = x;
			else if (p[i] != x)
				bad++;
		}
	}
	return bad;
}

static uint64_t heartbeat;	/* in the guest's RAM, as all is */

void payload_main(uint32_t magic, const struct multiboot_info *mbi)
{
	uint32_t seed = 0x706b726d, end, mib;
	uint64_t t0, last;
	int c;

	port_out(COM1 + 1, 0x00);		/* no interrupts */
	port_out(COM1 + 3, 0x03);		/* 8N1 */
	if (magic != MB_BOOTED || !(mbi->flags & 1)) {
		puts("pkram-vm: not booted by a Multiboot loader\n");
		return;
	}
	/* Leave the top MiB to the firmware's tables. */
	end = (MIB + mbi->mem_upper * 1024) - MIB;
	if (end > 0xf0000000u)
		end = 0xf0000000u;
	end &= ~(MIB - 1);
	mib = (end - PATTERN_START) / MIB;
	puts("pkram-vm: boot, ");
	putu(mib);
	puts(" MiB of pattern from seed ");
	putu(seed);
	puts("\n");
	t0 = rdtsc();
	pattern(seed, PATTERN_START, end, 0);
	puts("pkram-vm: filled ");
	putu(mib);
	puts(" MiB in ");
	putu((rdtsc() - t0) >> 20);
	puts(" Mticks\n");

	last = rdtsc();
	for (;;) {
		c = getc_nowait();
		if (c == 'v') {
			puts("pkram-vm: verify: ");
			putu(mib);
			puts(" MiB, ");
			putu(pattern(seed, PATTERN_START, end, 1));
			puts(" bad words\n");
		} else if (c == 'w') {
			seed++;
			pattern(seed, PATTERN_START, end, 0);
			puts("pkram-vm: rewrote: ");
			putu(mib);
			puts(" MiB from seed ");
			putu(seed);
			puts("\n");
		}
		if ((rdtsc() - last) >> HB_SHIFT) {
			last = rdtsc();
			heartbeat++;
			puts("hb ");
			putu(heartbeat);
			puts("\n");
		}
	}
}

/*
 * The Multiboot header (magic, flags: page-aligned modules and memory
 * information, checksum), first in the image (payload.lds), and the entry:
 * protected mode, %eax the loader's magic, %ebx its information.
 */
__asm__(".section .multiboot, \"a\"\n"
	"	.align 4\n"
	"	.long 0x1badb002, 0x00000003, -(0x1badb002 + 0x00000003)\n"
	".bss\n"
	"	.align 16\n"
	"stack:	.skip 16384\n"
	".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov $stack + 16384, %esp\n"
	"	push %ebx\n"
	"	push %eax\n"
	"	call payload_main\n"
	"1:	hlt\n"
	"	jmp 1b\n");
