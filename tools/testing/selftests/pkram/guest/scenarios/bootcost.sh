# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): what preserved memory costs
# the boot of the next kernel.  Stage 1 saves pkram_bench_mib MiB of folios of
# order pkram_bench_order (for frag, every other page of memory; for none,
# nothing: the baseline); stage 2 boots with them and reports PKRAM's
# reserve, late pass and restore times, the uptime at /init, the cycle
# counter there (make bench counts the boot from the previous kernel's kexec
# reboot) and when the restore was done (the late pass, then the restore,
# run in the background).  Each case is a run of its own, the baseline too,
# so that each is measured in the second boot of a fresh QEMU: under TCG a
# third boot can be seconds slower.
SCENARIO_STAGES=2

report() {
	n='\([0-9]*\)'
	rsv="PKRAM: reserved $n preserved pages in $n ranges in $n us"
	rsv=$(dmesg | sed -n "s/.*$rsv.*/\\1 pages, \\2 ranges, \\3 us/p")
	late="PKRAM: freed $n pages of the memory handed over in $n us"
	late=$(dmesg | sed -n "s/.*$late.*/\\2 us, \\1 pages freed/p")
	rst="PKRAM: $n nodes handed over, $n pages, in $n us"
	at=$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\] $rst.*/\\1/p")
	rst=$(dmesg | sed -n "s/.*$rst.*/\\3 us/p")
	rst="${rst:-none}${at:+, done at $at s}"
	set -- "$1" ${INIT_CYCLES:-}
	diag "bootcost: $1: uptime at init ${INIT_UPTIME} s;" \
		"cycles at init ${2:-0} at ${3:-0} kHz;" \
		"reserve: ${rsv:-none}; late pass: ${late:-none}; restore: $rst"
}

# What stage 1 saved: pkram_bench_order=frag is every other page of all the
# memory but pkram_bench_keep MiB (the worst case for the reservation).
what() {
	if [ "$(param pkram_bench_order)" = frag ]; then
		echo "every other page of memory"
	elif [ "$(param pkram_bench_order)" = none ]; then
		echo "nothing preserved"
	else
		echo "$(param pkram_bench_mib) MiB of order-$(param pkram_bench_order) folios"
	fi
}

stage_1() {
	plan 1
	if [ "$(param pkram_bench_order)" = none ]; then
		check "save $(what)" true
	elif [ "$(param pkram_bench_order)" = frag ]; then
		check "save $(what)" test_op frag "bench $(param pkram_bench_keep)"
	else
		check "save $(what)" test_op save \
			"bench $(param pkram_bench_mib) 0 $(param pkram_bench_order)"
	fi
	hand_over
}

stage_2() {
	plan 1
	report "with $(what)"
	if [ "$(param pkram_bench_order)" = none ]; then
		check "nothing was handed over" none_listed
	else
		check "the node was handed over" listed bench
	fi
}
