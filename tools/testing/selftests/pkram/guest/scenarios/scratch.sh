# SPDX-License-Identifier: GPL-2.0
# No memory is lost to the scratch region, and it serves movable
# allocations only.  Stage 1, a kernel with no region, notes its MemTotal
# and kexecs with pkram_scratch=320M (with kexec_load, whose image does not
# name the first kernel's super block).  Stage 2 sets a new region aside at
# boot and gives all of it back at once (its pageblocks MIGRATE_CMA); its
# MemTotal is within 0.1% of the first kernel's.  It saves a node and hands
# over, region included.  Stage 3 does its early allocations in the region,
# gives back what they left, and once the node is loaded and freed its
# MemTotal is within 0.1% of the first kernel's too.  It saves another
# node and kexecs with pkram_scratch= 64 MiB smaller: stage 4 sets a new
# region of that size aside in place of the one handed over, does its
# early allocations there first (as in a region handed over: it was handed
# preserved memory), gives back what they left, and has the node intact.
SCENARIO_STAGES=4
# Room for the next kernel (physical KASLR puts it in the region) and its
# early allocations, KASAN's shadow among them in make check-debug (about
# 210 MiB of a 1 GiB guest's early allocations there), in the region and
# in the smaller one of stage 4, which fits where the region handed over was.
MIB=320
SMALLER=$((MIB - 64))

# given_back: "FREE TOTAL" MiB of the region, from the log.
given_back() {
	dmesg | grep 'PKRAM: scratch region: .* free, for movable allocations only' |
		sed -n 's/.*region: \([0-9]*\) of its \([0-9]*\) MiB.*/\1 \2/p'
}

# at_least A B: A is a number, B or more.
at_least() {
	[ -n "$1" ] && [ "$1" -ge "$2" ]
}

# clear_of_region: no preserved range is in the scratch region.
clear_of_region() {
	r=$(dmesg | grep 'PKRAM: scratch region for early allocations' |
		sed -n 's/.*: \([0-9]*\) MiB at \(0x[0-9a-f]*\).*/\1 \2/p')
	[ -n "$r" ] || return 1
	lo=$((${r#* })) hi=$((${r#* } + (${r% *} << 20)))
	[ -r /sys/kernel/debug/pkram/ranges ] || return 1
	while IFS=- read -r a b; do
		[ $((b)) -lt "$lo" ] || [ $((a)) -ge "$hi" ] || return 1
	done </sys/kernel/debug/pkram/ranges
}

stage_1() {
	plan 1
	check "no scratch region at a boot without pkram= or pkram_scratch=" \
		sh -c "! dmesg | grep -q 'PKRAM: scratch region'"
	NEXT_APPEND="pkram_scratch=${MIB}M pkram_memtotal=$(mem_kb MemTotal)"
}

stage_2() {
	plan 5
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	back=$(given_back)
	check "a new region of $MIB MiB, all of it given back: $back MiB" \
		[ "$back" = "$MIB $MIB" ]
	cma=$(mem_kb CmaFree)
	check "... for movable allocations only: CmaFree $cma kB" \
		at_least "$cma" $((32 * 1024))
	check_memtotal
	check "save 8 MiB as sc-1" test_op save 'sc-1 8 10'
	check "no preserved page is in the region (a folio there is saved as a copy)" \
		clear_of_region
	hand_over
	NEXT_APPEND="$NEXT_APPEND pkram_memtotal=$(param pkram_memtotal)"
}

stage_3() {
	plan 6
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	back=$(given_back)
	check "the region handed over, what early allocations left given back: $back MiB" \
		at_least "${back% *}" 1
	cma=$(mem_kb CmaFree)
	check "... for movable allocations only: CmaFree $cma kB" at_least "$cma" 1
	check "sc-1 handed over and intact" test_op verify sc-1
	check "nothing is left" none_listed
	check_memtotal
	check "save 8 MiB as sc-2" test_op save 'sc-2 8 10'
	hand_over
	NEXT_DROP="$NEXT_DROP pkram_scratch="
	NEXT_APPEND="$NEXT_APPEND pkram_scratch=${SMALLER}M"
}

# resized MIB: the log names a new region of MIB MiB, set aside in place
# of the one handed over.
resized() {
	dmesg | grep 'PKRAM: scratch region for early allocations' |
		grep -q ": $1 MiB at .* (new, of the size asked for)"
}

stage_4() {
	plan 5
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "pkram_scratch=${SMALLER}M: a new region of that size" resized $SMALLER
	back=$(given_back)
	check "... early allocations in it, what they left given back: $back MiB" \
		sh -c "[ '${back#* }' = $SMALLER ] && [ '${back% *}' -ge 1 ] &&
		       [ '${back% *}' -lt $SMALLER ]"
	check "sc-2 handed over and intact" test_op verify sc-2
	check "nothing is left" none_listed
	check_memtotal
}
