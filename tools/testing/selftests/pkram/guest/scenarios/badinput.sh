# SPDX-License-Identifier: GPL-2.0
# What the next kernel is handed is untrusted input.  Stage 1 saves a node,
# then damages the handover as pkram_corrupt=<mode> says (see the corrupt
# file of lib/test_pkram_handover.c), or gives the next kernel a pkram= that
# points outside RAM (outside-ram) or at a page of garbage (garbage); those
# two run with kexec_load, whose image does not name the super block.
# Stage 2 must boot normally, with one error line that gives the reason
# this mode must be found for, and nothing handed out.
SCENARIO_STAGES=2

mem_total() {
	awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

# reason MODE: what the error line of the next kernel must say.
reason() {
	case "$1" in
	magic|garbage) echo 'no super block (bad magic) at pfn' ;;
	checksum) echo 'bad super block checksum at pfn' ;;
	version) echo 'super block of another format version at pfn' ;;
	truncate) echo 'the range list does not match the counts of the super block' ;;
	overlap|outside) echo 'a range is unsorted, overlaps or is not usable RAM' ;;
	loop|dupname|entryflag|reserved|shared) echo 'inconsistent nodes handed over' ;;
	sbreserved) echo 'reserved field set' ;;
	listout) echo 'a page of the range list is in no range' ;;
	lowmem) echo 'a range is in the first MiB, reserved later' ;;
	crashkernel) echo 'a range is in the crashkernel= region' ;;
	cma) echo 'a range is in the cma= region' ;;
	outside-ram) echo 'pkram=fffffffff is not usable RAM' ;;
	esac
}

# garbage_pfn: a page of ho-1's data, in the middle of the largest
# preserved range: RAM the next kernel has, where kexec put nothing (it
# keeps out of preserved memory), and no super block.
garbage_pfn() {
	best=0
	pfn=0
	while IFS=- read -r lo hi; do
		if [ $((hi - lo)) -gt $best ]; then
			best=$((hi - lo))
			pfn=$(((lo + (hi - lo) / 2) >> 12))
		fi
	done </sys/kernel/debug/pkram/ranges
	[ "$(printf '%x' $pfn)" != "$(cat /sys/kernel/pkram)" ] || pfn=$((pfn + 1))
	printf '%x' $pfn
}

stage_1() {
	mode=$(param pkram_corrupt)
	case "$mode" in
	outside-ram|garbage) plan 3 ;;
	*) plan 4 ;;
	esac
	check "pkram_corrupt=$mode is a known mode" [ -n "$(reason "$mode")" ]
	# shared needs a stream of several link pages: order-0 folios
	order=
	[ "$mode" != shared ] || order=' 0'
	check "save 64 MiB as ho-1" test_op save "ho-1 64 1000$order"
	check "save 1 MiB as ho-1b" test_op save 'ho-1b 1 10'
	NEXT_DROP="pkram="
	case "$mode" in
	outside-ram) NEXT_APPEND="pkram=fffffffff"; dump_handover ;;
	garbage) NEXT_APPEND="pkram=$(garbage_pfn)"; dump_handover ;;
	crashkernel|cma)
		# The next kernel is to put a crash kernel or its CMA area
		# where ho-1 is.
		range=$(tail -n 1 /sys/kernel/debug/pkram/ranges)
		check "a preserved range is listed: $range" [ -n "$range" ]
		NEXT_APPEND="$mode=1M@${range%-*}"
		hand_over
		;;
	*)
		check "ask for the handover to be damaged: $mode" \
			test_op corrupt "$mode"
		hand_over
		;;
	esac
	NEXT_APPEND="$NEXT_APPEND pkram_memtotal=$(mem_total)"
}

stage_2() {
	plan 6
	why=$(reason "$(param pkram_corrupt)")
	errors=$(dmesg | grep -c 'PKRAM: .*nothing preserved')
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "exactly one error line says that nothing is preserved" \
		[ "$errors" -eq 1 ]
	check "... and gives the reason: $why" \
		sh -c "dmesg | grep 'PKRAM: .*nothing preserved' | grep -qF '$why'"
	check "no node is handed out" none_listed
	check "ho-1 cannot be loaded" test_op_fails verify ho-1
	before=$(param pkram_memtotal)
	now=$(mem_total)
	diag "MemTotal: $before kB before, $now kB now"
	check "the memory of ho-1 is back (MemTotal within 1%)" \
		[ $((now * 100)) -ge $((before * 99)) ]
	check "PKRAM still works: save and load a node" \
		sh -c "echo 'ho-2 8 10' >$T/save && echo ho-2 >$T/verify"
}
