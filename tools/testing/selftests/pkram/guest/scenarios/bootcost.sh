# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): what preserved memory costs
# the boot of the next kernel.  Stage 1 saves pkram_bench_mib MiB of folios of
# order pkram_bench_order; stage 2 boots with them and reports PKRAM's
# reserve and restore times and the uptime at /init, frees them and kexecs
# into stage 3, which reports the same with nothing preserved.
SCENARIO_STAGES=3
T=/sys/kernel/debug/pkram_test

report() {
	up=$(cut -d' ' -f1 /proc/uptime)
	n='\([0-9]*\)'
	rsv="PKRAM: reserved $n preserved pages in $n ranges in $n us"
	rsv=$(dmesg | sed -n "s/.*$rsv.*/\\1 pages, \\2 ranges, \\3 us/p")
	rst="PKRAM: $n nodes handed over, $n pages, in $n us"
	rst=$(dmesg | sed -n "s/.*$rst.*/\\3 us/p")
	diag "bootcost: $1: uptime at init ${up} s; reserve: ${rsv:-none}; restore: ${rst:-none}"
}

stage_1() {
	mib=$(param pkram_bench_mib)
	order=$(param pkram_bench_order)
	check "save $mib MiB of order-$order folios" \
		sh -c "echo 'bench $mib 0 $order' >$T/save"
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram)"
}

stage_2() {
	report "with $(param pkram_bench_mib) MiB of order-$(param pkram_bench_order) folios"
	check "the node was handed over" grep -q '^node bench: saved' \
		/sys/kernel/debug/pkram/nodes
	check "free it" sh -c "echo 0 >/sys/kernel/pkram"
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram)"
}

stage_3() {
	report "with nothing preserved"
	check "nothing was handed over" \
		sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
}
