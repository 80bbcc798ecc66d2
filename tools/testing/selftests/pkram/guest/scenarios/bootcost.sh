# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): what preserved memory costs
# the boot of the next kernel.  Stage 1 saves pkram_bench_mib MiB of folios of
# order pkram_bench_order (or, for frag, every other page of memory); stage 2
# boots with them and reports PKRAM's
# reserve and restore times, the uptime at /init and when the restore was
# done (it runs in the background), frees them and kexecs into stage 3,
# which reports the same with nothing preserved.
SCENARIO_STAGES=3

report() {
	n='\([0-9]*\)'
	rsv="PKRAM: reserved $n preserved pages in $n ranges in $n us"
	rsv=$(dmesg | sed -n "s/.*$rsv.*/\\1 pages, \\2 ranges, \\3 us/p")
	rst="PKRAM: $n nodes handed over, $n pages, in $n us"
	at=$(dmesg | sed -n "s/^\[ *\([0-9.]*\)\] $rst.*/\\1/p")
	rst=$(dmesg | sed -n "s/.*$rst.*/\\3 us/p")
	rst="${rst:-none}${at:+, done at $at s}"
	diag "bootcost: $1: uptime at init ${INIT_UPTIME} s;" \
		"reserve: ${rsv:-none}; restore: $rst"
}

# What stage 1 saved: pkram_bench_order=frag is every other page of all the
# memory but pkram_bench_keep MiB (the worst case for the reservation).
what() {
	if [ "$(param pkram_bench_order)" = frag ]; then
		echo "every other page of memory"
	else
		echo "$(param pkram_bench_mib) MiB of order-$(param pkram_bench_order) folios"
	fi
}

stage_1() {
	plan 1
	if [ "$(param pkram_bench_order)" = frag ]; then
		check "save $(what)" test_op frag "bench $(param pkram_bench_keep)"
	else
		check "save $(what)" test_op save \
			"bench $(param pkram_bench_mib) 0 $(param pkram_bench_order)"
	fi
	hand_over
}

stage_2() {
	plan 2
	report "with $(what)"
	check "the node was handed over" listed bench
	check "free it" sh -c "echo 0 >/sys/kernel/pkram"
	hand_over
}

stage_3() {
	plan 1
	report "with nothing preserved"
	check "nothing was handed over" none_listed
}
