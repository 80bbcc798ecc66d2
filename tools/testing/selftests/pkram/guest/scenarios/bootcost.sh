# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): what preserved memory costs
# the boot of the next kernel.  Stage 1 saves pkram_bench_mib MiB of folios of
# order pkram_bench_order; stage 2 boots with them and reports PKRAM's
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
	diag "bootcost: $1: uptime at init ${INIT_UPTIME} s; reserve: ${rsv:-none}; restore: ${rst:-none}${at:+, done at $at s}"
}

stage_1() {
	mib=$(param pkram_bench_mib)
	order=$(param pkram_bench_order)
	plan 1
	check "save $mib MiB of order-$order folios" \
		test_op save "bench $mib 0 $order"
	hand_over
}

stage_2() {
	plan 2
	report "with $(param pkram_bench_mib) MiB of order-$(param pkram_bench_order) folios"
	check "the node was handed over" listed bench
	check "free it" sh -c "echo 0 >/sys/kernel/pkram"
	hand_over
}

stage_3() {
	plan 1
	report "with nothing preserved"
	check "nothing was handed over" none_listed
}
