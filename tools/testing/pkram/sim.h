/* SPDX-License-Identifier: GPL-2.0 */
/* The simulated machine (sim.c) and the parts of PKRAM around the parser. */
#ifndef _PKRAM_SIM_INTERNAL_H
#define _PKRAM_SIM_INTERNAL_H

#include <linux/pkram_sim.h>

#define SIM_CMDLINE_MAX		2048
#define SIM_LOG_LINES		32
#define SIM_LOG_LEN		256

/* Where the simulated boot is */
enum sim_phase {
	SIM_SETUP,	/* the harness sets up memblock and memory */
	SIM_RESERVE,	/* setup_arch(): pkram_reserve(), memblock only */
	SIM_RESTORE,	/* the page allocator is up: initcalls */
};

extern enum sim_phase sim_phase;
extern int sim_verbose;

/* What the simulated kernel said and did */
struct sim_log {
	unsigned int nr;
	unsigned int errors;		/* lines at KERN_ERR or worse */
	unsigned int refusals;		/* lines that say nothing is preserved */
	unsigned long freed;		/* pages given to the page allocator */
	char line[SIM_LOG_LINES][SIM_LOG_LEN];
};

extern struct sim_log sim_log;

/* A finding in @func, a function of the kernel: "@func() @what". */
void __noreturn sim_bug_in(const char *func, const char *what,
			   unsigned long pfn);

void sim_init(void);
void sim_reset(unsigned long fail_nth);
bool sim_cmdline_arg(const char *name, char **val);
void sim_early_params(void);
void sim_initcalls(int level);
/* The early_param()s and initcalls of pkram_sim.c, by the linker */
extern const struct sim_param __start_sim_params[], __stop_sim_params[];
extern const struct sim_initcall __start_sim_initcalls[], __stop_sim_initcalls[];
void sim_prep_page(unsigned long pfn);
unsigned long sim_find_state(unsigned long pfn, unsigned long end,
			     unsigned long flags);
bool sim_alloc_fails(void);
void sim_reset_fail_nth(void);

/* pkram_sim.c: the statics of the PKRAM source it includes */
void sim_pkram_reset(void);
void sim_pkram_reserve(void);
void sim_pkram_set_super_block(u64 pfn);
void sim_pkram_fix_checksums(u64 pfn);
void sim_pkram_late_reserved(phys_addr_t base, phys_addr_t size);
void sim_pkram_check_kept(phys_addr_t base, phys_addr_t size);
void sim_pkram_late_init(void);
unsigned long sim_pkram_nodes(void);
void sim_pkram_check(void);
#endif
