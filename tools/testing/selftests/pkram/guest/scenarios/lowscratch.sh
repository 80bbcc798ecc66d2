# SPDX-License-Identifier: GPL-2.0
# The low scratch region: room below 4 GiB for the next kernel's early
# allocations that must be there.  The guest has 1 GiB below 4 GiB and
# 1 GiB above (so the kernel sets up swiotlb); every kernel is booted with
# crashkernel=,high and ,low.  Stage 1, with no scratch region, notes its
# MemTotal and kexecs with pkram_scratch= and pkram_scratch_low= (with
# kexec_load, whose image does not name the first kernel's super block:
# kexec_file_load's would hand over the regions it chose).  Stage 2
# sets both regions aside and gives them back at once: MemTotal within 0.1%
# of stage 1's.  It takes every page of ZONE_DMA32 it can, frees those at
# odd pfns and saves the others (the frag test, below 4 GiB).  Stage 3 must
# reserve them all and still find swiotlb's 64 MiB and the 32 MiB of
# crashkernel=,low below 4 GiB: in the low region handed over, where early
# allocations go first (elsewhere, what stage 2 itself had reserved at
# boot is free and contiguous again).  Every page comes back intact, and
# once they are freed MemTotal is within 0.1% of stage 1's again.  Stage 3
# saves a small node and kexecs with pkram_scratch_low= of another size:
# stage 4 sets a new low region of that size aside in place of the one
# handed over, below 4 GiB, with swiotlb and crashkernel=,low in it, and
# has the node intact.
SCENARIO_STAGES=4
# The low region of stages 2 and 3, and the one stage 4 asks for instead.
LOW_MIB=128
NEW_LOW_MIB=192
SCENARIO_MACHINE=max-ram-below-4g=1G

# region KIND: "BASE END" of the region the log names ("scratch region" or
# "low scratch region"), in bytes.
region() {
	r=$(dmesg | grep "PKRAM: $1 for early allocations" |
		sed -n 's/.*: \([0-9]*\) MiB at \(0x[0-9a-f]*\).*/\1 \2/p')
	[ -n "$r" ] || return 1
	echo "$((${r#* })) $((${r#* } + (${r% *} << 20)))"
}

# inside BASE END START STOP: [START, STOP) lies in [BASE, END).
inside() {
	[ -n "$4" ] && [ $(($3)) -ge "$1" ] && [ $(($4)) -le "$2" ]
}

# low_region_below_4g: the low region is set aside, below 4 GiB.
low_region_below_4g() {
	set -- $(region "low scratch region") || return 1
	diag "low scratch region: $1 - $2"
	[ -n "$2" ] && [ "$2" -le $((1 << 32)) ]
}

# in_low_region PATTERN: the range "[mem 0xA-0xB]" or "0xA - 0xB" (B the
# end, excluded) of the first log line that matches PATTERN lies in the
# low region.
in_low_region() {
	line=$(dmesg | grep -m1 -e "$1")
	diag "${line:-no line matches $1}"
	set -- $(region "low scratch region") $(echo "$line" |
		sed -n 's/.*\(0x[0-9a-f]*\) *- *\(0x[0-9a-f]*\).*/\1 \2/p')
	inside "$@"
}

# resized MIB: the log names a new low region of MIB MiB, set aside in
# place of the one handed over.
resized() {
	dmesg | grep 'PKRAM: low scratch region for early allocations' |
		grep -q ": $1 MiB at .* (new, of the size asked for)"
}

stage_1() {
	plan 1
	check "no scratch region at a boot without pkram= or pkram_scratch=" \
		sh -c "! dmesg | grep -q 'PKRAM: .*scratch region'"
	NEXT_APPEND="pkram_scratch=256M pkram_scratch_low=${LOW_MIB}M"
	NEXT_APPEND="$NEXT_APPEND pkram_memtotal=$(mem_kb MemTotal)"
}

stage_2() {
	plan 4
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "a low scratch region is set aside at boot, below 4 GiB" \
		low_region_below_4g
	check_memtotal
	check "swiotlb is set up (memory above 4 GiB)" \
		sh -c "dmesg | grep -q 'software IO TLB: mapped'"
	check "save every other page of ZONE_DMA32, as much as it can take" \
		test_op frag 'low-1 8 4096'
	diag "$(dmesg | grep 'test_pkram_handover: .*frag' | tr '\n' ' ')"
	hand_over
}

stage_3() {
	plan 10
	diag "$(dmesg | grep -E 'PKRAM|IO TLB|crashkernel' | tr '\n' ' ')"
	# most of the 1 GiB below 4 GiB, every other page: 1/4 of it at least
	check "every other page below 4 GiB is reserved early" \
		reserved_at_least 65536
	check "the free pages between them all went to the page allocator" \
		managed_is_total
	check "the low scratch region was handed over and kept" \
		sh -c "dmesg | grep -q 'PKRAM: low scratch region .* (handed over)'"
	check "swiotlb's buffers are in the low region" \
		in_low_region 'software IO TLB: mapped'
	check "crashkernel=,low is in the low region" \
		in_low_region 'crashkernel low memory reserved'
	check "what is left of the low region serves movable allocations" \
		sh -c "dmesg | grep -q 'PKRAM: low scratch region: [1-9][0-9]* of its'"
	check "every page of low-1: same pfn, index and crc32" \
		test_op verify low-1
	check "nothing is left" none_listed
	check_memtotal
	check "save 8 MiB as low-2" test_op save 'low-2 8 10'
	hand_over
	NEXT_DROP="$NEXT_DROP pkram_scratch_low="
	NEXT_APPEND="$NEXT_APPEND pkram_scratch_low=${NEW_LOW_MIB}M"
}

stage_4() {
	plan 7
	diag "$(dmesg | grep -E 'PKRAM|IO TLB|crashkernel' | tr '\n' ' ')"
	check "pkram_scratch_low=${NEW_LOW_MIB}M: a new low region of that size" \
		resized $NEW_LOW_MIB
	check "... below 4 GiB" low_region_below_4g
	check "swiotlb's buffers are in the new low region" \
		in_low_region 'software IO TLB: mapped'
	check "crashkernel=,low is in the new low region" \
		in_low_region 'crashkernel low memory reserved'
	check "every page of low-2: same pfn, index and crc32" \
		test_op verify low-2
	check "nothing is left" none_listed
	check_memtotal
}
