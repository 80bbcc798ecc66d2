# SPDX-License-Identifier: GPL-2.0
# Data saved in one kernel is found intact, in the same physical pages, by
# the next ones.  Stage 1 saves two nodes of folios of random orders filled
# with random bytes (lib/test_pkram_handover.c records each folio's pfn, order, index
# and crc32).  Middle stages load one node and save the very same folios
# again under a new name, and pass the other on untouched.  The last stage
# checks every folio and byte of both, and that what was loaded is gone.
SCENARIO_STAGES=2
# pkram_ho_mib=N saves N MiB; pkram_ho_high=1 checks that pages above
# 4 GiB are among them (a guest with more memory).
HO_MIB=$(param pkram_ho_mib)
: "${HO_MIB:=64}"

# above_4g: a preserved range ends above 4 GiB.
above_4g() {
	[ -r /sys/kernel/debug/pkram/ranges ] || return 1
	while IFS=- read -r a b; do
		[ $((b)) -lt $((1 << 32)) ] || return 0
	done </sys/kernel/debug/pkram/ranges
	return 1
}

stage_1() {
	if [ "$(param pkram_ho_high)" = 1 ]; then plan 7; else plan 6; fi
	check "/sys/kernel/pkram shows a super block pfn" \
		grep -qE '^[0-9a-f]+$' /sys/kernel/pkram
	check "... to root only (a physical address): mode 0600" \
		[ "$(stat -c %a /sys/kernel/pkram)" = 600 ]
	check "save $HO_MIB MiB of random folios and 100000 bytes as ho-1" \
		test_op save "ho-1 $HO_MIB 100000"
	check "save 8 MiB and 1 byte as ho-keep" test_op save "ho-keep 8 1"
	check "debugfs lists ho-1" listed ho-1
	check "debugfs lists ho-keep" listed ho-keep
	[ "$(param pkram_ho_high)" != 1 ] ||
		check "pages preserved above 4 GiB" above_4g
	diag "$(dmesg | grep 'test_pkram_handover: .*seed' | tr '\n' ' ')"
	diag "$(head -n 3 $NODES)"
	hand_over
}

stage_any() {
	prev=ho-$((STAGE - 1))
	if [ "$STAGE" -lt "$STAGES" ]; then
		plan 5
	elif [ "$STAGE" -gt 2 ]; then
		plan 9
	else
		plan 8
	fi
	check "the previous kernel handed nodes over" \
		sh -c "dmesg | grep -q 'PKRAM: .* nodes handed over'"
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	check "the previous kernel handed a scratch region over" \
		sh -c "dmesg | grep -q 'PKRAM: scratch region .* (handed over)'"
	check "debugfs lists $prev" listed "$prev"
	check "debugfs lists ho-keep" listed ho-keep
	if [ "$STAGE" -lt "$STAGES" ]; then
		check "load $prev, check it, and save the same folios as ho-$STAGE" \
			test_op resave "$prev ho-$STAGE"
		hand_over
		return
	fi
	check "every folio of $prev: same pfn, order, index and crc32" \
		test_op verify "$prev"
	check "ho-keep, passed through $((STAGES - 2)) kernels untouched, intact" \
		test_op verify ho-keep
	check "a loaded node is gone" test_op_fails verify ho-keep
	[ "$STAGE" -gt 2 ] && check "ho-1, loaded in kernel 2, is gone" \
		test_op_fails verify ho-1
	check "nothing is left" none_listed
	diag "$(dmesg | grep 'test_pkram_handover:' | tr '\n' ' ')"
}
