# SPDX-License-Identifier: GPL-2.0
# The worst case for the next kernel's boot: every other page of as much
# memory as possible preserved.  Stage 1, booted with pkram_scratch=, takes
# every page it can, frees those at odd pfns and saves the others, filled
# with random bytes (lib/test_pkram_handover.c, frag).  The next kernels
# must reserve them all, boot with their early allocations in the scratch
# region handed over, and find every page intact at the same pfn; stage 2
# saves them again for stage 3.
SCENARIO_STAGES=3

stage_1() {
	plan 2
	check "a scratch region is set aside at boot (pkram_scratch=)" \
		sh -c "dmesg | grep -q 'PKRAM: scratch region .* (new)'"
	check "save every other page of all the memory it can take" \
		test_op frag 'frag-1 8'
	diag "$(dmesg | grep 'test_pkram_handover: .*frag' | tr '\n' ' ')"
	diag "$(grep -E 'MemTotal|MemFree' /proc/meminfo | tr -s ' \n' ' ')"
	hand_over
}

stage_any() {
	prev=frag-$((STAGE - 1))
	if [ "$STAGE" -lt "$STAGES" ]; then plan 5; else plan 6; fi
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	# 1/4 of a 1 GiB guest at least: the odd half of 512 MiB
	check "every other page of most of memory is reserved early" \
		reserved_at_least 65536
	check "the free pages between them all went to the page allocator" \
		managed_is_total
	check "the scratch region was handed over and kept" \
		sh -c "dmesg | grep -q 'PKRAM: scratch region .* (handed over)'"
	check "the node was handed over" listed "$prev"
	if [ "$STAGE" -lt "$STAGES" ]; then
		check "load $prev, check it, and save the same pages as frag-$STAGE" \
			test_op resave "$prev frag-$STAGE"
		hand_over
		return
	fi
	check "every page of $prev: same pfn, index and crc32" \
		test_op verify "$prev"
	check "nothing is left" none_listed
	diag "$(dmesg | grep 'test_pkram_handover:' | tr '\n' ' ')"
}
