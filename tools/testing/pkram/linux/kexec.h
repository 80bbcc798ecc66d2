/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PKRAM_SIM_KEXEC_H
#define _PKRAM_SIM_KEXEC_H
#include <linux/pkram_sim.h>
#define KEXEC_SEGMENT_MAX 16
struct kexec_segment {
	unsigned long mem;
	size_t memsz;
};

#define KEXEC_TYPE_DEFAULT	0
#define KEXEC_TYPE_CRASH	1

struct kimage {
	unsigned int type;
	unsigned long nr_segments;
	struct kexec_segment segment[KEXEC_SEGMENT_MAX];
};

extern struct kimage *kexec_image;
#endif
