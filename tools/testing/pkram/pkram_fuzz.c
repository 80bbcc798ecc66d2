// SPDX-License-Identifier: GPL-2.0
/*
 * One boot of the next kernel, from a handover: the input gives the
 * machine (its RAM, what is reserved, the command line) and the pages the
 * previous kernel left, and the harness runs what the kernel runs:
 * early parameters, pkram_reserve() in setup_arch(), the EFI tables kept
 * for good after it (efi_mem_reserve()), then the core initcalls
 * (pkram_restore()), then checks what was handed out.
 *
 * Built with libFuzzer, this is LLVMFuzzerTestOneInput(); built as
 * pkram_replay, main() runs each file given and prints the verdict: the
 * line the kernel logs about the handover.  The format of an input
 * (little-endian) is struct pkram_fuzz_input, then its arrays in the order
 * of its counts; pages follow as struct pkram_fuzz_page and @len bytes,
 * the rest of the page zero.  mkinput.py writes them: from the handovers
 * a VM run dumped (the dump file of lib/test_pkram_handover.c), and
 * handovers of its own.
 */
#include <stdint.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <linux/memblock.h>

#include "sim.h"

#define PKRAM_FUZZ_MAGIC	"PKRAMFZ2"
#define PKRAM_FUZZ_IMAGE	0x1	/* the kexec image gives the super block */
#define PKRAM_FUZZ_FIX_CRC	0x2	/* checksums made right before the boot */
#define PKRAM_FUZZ_MAX_REGIONS	64

struct pkram_fuzz_input {
	char	magic[8];
	__u64	image_pfn;	/* with PKRAM_FUZZ_IMAGE: from setup_data */
	__u32	flags;
	__u32	fail_nth;	/* the nth allocation fails; 0: none does */
	__u16	nr_mem;		/* struct pkram_fuzz_region of RAM */
	__u16	nr_reserved;	/* ... reserved before pkram_reserve() */
	__u16	cmdline_len;	/* bytes of the command line */
	__u16	nr_pages;	/* struct pkram_fuzz_page */
	__u16	nr_late;	/* ... kept for good after it (EFI tables) */
	__u16	pad;
} __packed;

struct pkram_fuzz_region {
	__u64	base;
	__u64	size;
} __packed;

struct pkram_fuzz_page {
	__u64	pfn;
	__u16	len;		/* bytes that follow, at the start of the page */
} __packed;

struct sim_input {
	const uint8_t *p;
	size_t left;
};

/* Memory reserved for good after pkram_reserve(): efi_mem_reserve(). */
static struct {
	phys_addr_t base;
	phys_addr_t size;
} sim_late[PKRAM_FUZZ_MAX_REGIONS];
static unsigned int sim_nr_late;

static const void *sim_take(struct sim_input *in, size_t n)
{
	const void *p = in->p;

	if (n > in->left)
		return NULL;
	in->p += n;
	in->left -= n;
	return p;
}

/* A region of the input, page-aligned and inside the simulated RAM. */
static bool sim_region(const struct pkram_fuzz_region *r, phys_addr_t *base,
		       phys_addr_t *size)
{
	phys_addr_t start = PAGE_ALIGN(r->base), end = r->base + r->size;

	if (end < r->base || end > SIM_PHYS_END)
		end = SIM_PHYS_END;
	end = round_down(end, PAGE_SIZE);
	if (start < SIM_PHYS_MIN)
		start = SIM_PHYS_MIN;
	if (start >= end)
		return false;
	*base = start;
	*size = end - start;
	return true;
}

/* The super block the kernel will look at: the image's, or pkram='s. */
static u64 sim_super_block_pfn(const struct pkram_fuzz_input *hdr)
{
	char *val;

	if (hdr->flags & PKRAM_FUZZ_IMAGE)
		return hdr->image_pfn;
	if (!sim_cmdline_arg("pkram", &val) || !val)
		return 0;
	return strtoull(val, NULL, 16);
}

/*
 * A region kept for good after pkram_reserve(), as the input gives it:
 * bytes, not pages (an EFI table), below SIM_PHYS_END.
 */
static bool sim_late_region(const struct pkram_fuzz_region *r,
			    phys_addr_t *base, phys_addr_t *size)
{
	if (!r->size || r->base >= SIM_PHYS_END || r->base < SIM_PHYS_MIN)
		return false;
	*base = r->base;
	*size = r->size;
	if (*size > SIM_PHYS_END - r->base)
		*size = SIM_PHYS_END - r->base;
	return true;
}

/* Set up the machine as the input says; false if it is not an input. */
static bool sim_setup(const uint8_t *data, size_t size)
{
	struct sim_input in = { data, size };
	const struct pkram_fuzz_input *hdr = sim_take(&in, sizeof(*hdr));
	const struct pkram_fuzz_region *r;
	const struct pkram_fuzz_page *pg;
	phys_addr_t base, len;
	const char *cmdline;
	unsigned int i;

	if (!hdr || memcmp(hdr->magic, PKRAM_FUZZ_MAGIC, 8) ||
	    hdr->nr_mem > PKRAM_FUZZ_MAX_REGIONS ||
	    hdr->nr_reserved > PKRAM_FUZZ_MAX_REGIONS ||
	    hdr->nr_late > PKRAM_FUZZ_MAX_REGIONS ||
	    hdr->cmdline_len >= SIM_CMDLINE_MAX)
		return false;
	sim_pkram_reset();
	sim_reset(hdr->fail_nth);
	for (i = 0; i < hdr->nr_mem; i++) {
		r = sim_take(&in, sizeof(*r));
		if (!r)
			return false;
		if (sim_region(r, &base, &len))
			memblock_add(base, len);
	}
	for (i = 0; i < hdr->nr_reserved; i++) {
		r = sim_take(&in, sizeof(*r));
		if (!r)
			return false;
		if (sim_region(r, &base, &len))
			memblock_reserve(base, len);
	}
	for (i = 0, sim_nr_late = 0; i < hdr->nr_late; i++) {
		r = sim_take(&in, sizeof(*r));
		if (!r)
			return false;
		if (sim_late_region(r, &sim_late[sim_nr_late].base,
				    &sim_late[sim_nr_late].size))
			sim_nr_late++;
	}
	/* A machine has RAM: memblock_end_of_DRAM() takes it for granted. */
	cmdline = sim_take(&in, hdr->cmdline_len);
	if (!cmdline || !memblock.memory.cnt)
		return false;
	memcpy(boot_command_line, cmdline, hdr->cmdline_len);
	boot_command_line[strnlen(boot_command_line, hdr->cmdline_len)] = 0;
	max_pfn = PHYS_PFN(memblock_end_of_DRAM());
	/* What the previous kernel left in memory; of RAM only. */
	for (i = 0; i < hdr->nr_pages; i++) {
		const void *bytes;

		pg = sim_take(&in, sizeof(*pg));
		if (!pg || pg->len > PAGE_SIZE)
			return false;
		bytes = sim_take(&in, pg->len);
		if (!bytes)
			return false;
		if (pg->pfn < PHYS_PFN(SIM_PHYS_END) &&
		    memblock_is_memory(PFN_PHYS(pg->pfn)))
			memcpy((void *)PFN_PHYS(pg->pfn), bytes, pg->len);
	}
	if (hdr->flags & PKRAM_FUZZ_IMAGE)
		sim_pkram_set_super_block(hdr->image_pfn);
	if (hdr->flags & PKRAM_FUZZ_FIX_CRC)
		sim_pkram_fix_checksums(sim_super_block_pfn(hdr));
	return true;
}

/* Boot the simulated kernel on the input; false if it is not an input. */
static bool sim_boot(const uint8_t *data, size_t size)
{
	unsigned int i;

	if (!sim_setup(data, size))
		return false;
	sim_early_params();
	sim_phase = SIM_RESERVE;
	sim_pkram_reserve();
	for (i = 0; i < sim_nr_late; i++)
		sim_pkram_late_reserved(sim_late[i].base, sim_late[i].size);
	sim_phase = SIM_RESTORE;
	sim_pkram_late_init();
	sim_initcalls(1);
	sim_initcalls(2);
	sim_reset_fail_nth();
	sim_pkram_check();
	for (i = 0; i < sim_nr_late; i++)
		sim_pkram_check_kept(sim_late[i].base, sim_late[i].size);
	return true;
}

/*
 * The verdict: the line the kernel logs that says nothing is preserved,
 * or how many nodes and pages it took back (without the time it took).
 */
static const char *sim_verdict(char *buf, size_t len)
{
	unsigned int i;
	char *p;

	for (i = 0; i < sim_log.nr; i++)
		if (strstr(sim_log.line[i], "nothing preserved"))
			return sim_log.line[i];
	for (i = 0; i < sim_log.nr; i++) {
		if (!strstr(sim_log.line[i], " nodes handed over, "))
			continue;
		snprintf(buf, len, "%s", sim_log.line[i]);
		p = strstr(buf, ", in ");
		if (p)
			*p = 0;
		return buf;
	}
	return "PKRAM: nothing handed over";
}

#ifndef SIM_REPLAY
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	sim_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[SIM_LOG_LEN];

	if (!sim_boot(data, size))
		return -1;	/* not an input: not added to the corpus */
	/* One line says why nothing is preserved, not two. */
	sim_verdict(buf, sizeof(buf));
	if (sim_log.refusals > 1)
		sim_bug("more than one line says nothing is preserved",
			sim_log.refusals);
	return 0;
}
#else
static uint8_t *sim_read(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(2);
	}
	buf = malloc(st.st_size ?: 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

/*
 * pkram_replay [-v] FILE...: one line per file, "FILE: VERDICT".  Exit 1
 * if a file is not an input.
 */
int main(int argc, char **argv)
{
	char buf[SIM_LOG_LEN];
	int i = 1, ret = 0;
	uint8_t *data;
	size_t size;

	if (i < argc && !strcmp(argv[i], "-v")) {
		sim_verbose = 1;
		i++;
	}
	sim_init();
	for (; i < argc; i++) {
		data = sim_read(argv[i], &size);
		if (!sim_boot(data, size)) {
			printf("%s: not an input\n", argv[i]);
			ret = 1;
		} else {
			printf("%s: %s\n", argv[i], sim_verdict(buf, sizeof(buf)));
		}
		free(data);
	}
	sim_pkram_reset();
	sim_reset(0);
	return ret;
}
#endif
