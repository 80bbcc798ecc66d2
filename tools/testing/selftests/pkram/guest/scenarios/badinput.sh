# SPDX-License-Identifier: GPL-2.0
# What the next kernel is handed is untrusted input.  Stage 1 saves a node,
# then damages the handover as pkram_corrupt=<mode> says (see the corrupt
# file of lib/test_pkram_handover.c), or gives the next kernel a pkram= that
# points outside RAM (outside-ram) or at a page of garbage (garbage).
# Stage 2 must boot normally, with one error line and nothing handed out.
SCENARIO_STAGES=2
T=/sys/kernel/debug/pkram_test

mem_total() {
	awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

stage_1() {
	mode=$(param pkram_corrupt)
	check "save 64 MiB as ho-1" sh -c "echo 'ho-1 64 1000' >$T/save"
	NEXT_DROP="pkram="
	case "$mode" in
	outside-ram) NEXT_APPEND="pkram=fffffffff" ;;
	garbage) NEXT_APPEND="pkram=30000" ;;
	*)
		check "ask for the handover to be damaged: $mode" \
			sh -c "echo $mode >$T/corrupt"
		NEXT_APPEND="pkram=$(cat /sys/kernel/pkram)"
		;;
	esac
	NEXT_APPEND="$NEXT_APPEND pkram_memtotal=$(mem_total)"
}

stage_2() {
	errors=$(dmesg | grep -c 'PKRAM: .*nothing preserved')
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "exactly one error line says that nothing is preserved" \
		[ "$errors" -eq 1 ]
	check "no node is handed out" \
		sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
	check "ho-1 cannot be loaded" sh -c "! echo ho-1 >$T/verify"
	before=$(param pkram_memtotal)
	now=$(mem_total)
	diag "MemTotal: $before kB before, $now kB now"
	check "the memory of ho-1 is back (MemTotal within 1%)" \
		[ $((now * 100)) -ge $((before * 99)) ]
	check "PKRAM still works: save and load a node" \
		sh -c "echo 'ho-2 8 10' >$T/save && echo ho-2 >$T/verify"
}
