# SPDX-License-Identifier: GPL-2.0
# Data saved in one kernel is found intact, in the same physical pages, by
# the next ones.  Stage 1 saves two nodes of folios of random orders filled
# with random bytes (lib/test_pkram_handover.c records each folio's pfn, order, index
# and crc32).  Middle stages load one node and save the very same folios
# again under a new name, and pass the other on untouched.  The last stage
# checks every folio and byte of both, and that what was loaded is gone.
SCENARIO_STAGES=2
T=/sys/kernel/debug/pkram_test
HO_MIB=$(param pkram_ho_mib)
: "${HO_MIB:=64}"

# pkram_op OP ARGS: one operation of the test module, ok if it succeeded.
pkram_op() {
	echo "$2" >"$T/$1"
}

hand_over() {
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram)"
}

node_listed() {
	grep -q "^node $1: saved" /sys/kernel/debug/pkram/nodes
}

stage_1() {
	check "/sys/kernel/pkram shows a super block pfn" \
		grep -qE '^[0-9a-f]+$' /sys/kernel/pkram
	check "save $HO_MIB MiB of random folios and 100000 bytes as ho-1" \
		pkram_op save "ho-1 $HO_MIB 100000"
	check "save 8 MiB and 1 byte as ho-keep" pkram_op save "ho-keep 8 1"
	check "debugfs lists ho-1" node_listed ho-1
	check "debugfs lists ho-keep" node_listed ho-keep
	diag "$(cat /sys/kernel/debug/pkram/nodes | head -n 3)"
	hand_over
}

stage_any() {
	prev=ho-$((STAGE - 1))
	check "the previous kernel handed nodes over" \
		sh -c "dmesg | grep -q 'PKRAM: .* nodes handed over'"
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	check "the previous kernel handed a scratch region over" \
		sh -c "dmesg | grep -q 'PKRAM: scratch region .* (handed over)'"
	check "debugfs lists $prev" node_listed "$prev"
	check "debugfs lists ho-keep" node_listed ho-keep
	if [ "$STAGE" -lt "$STAGES" ]; then
		check "load $prev, check it, and save the same folios as ho-$STAGE" \
			pkram_op resave "$prev ho-$STAGE"
		hand_over
		return
	fi
	check "every folio of $prev: same pfn, order, index and crc32" \
		pkram_op verify "$prev"
	check "ho-keep, passed through $((STAGES - 2)) kernels untouched, intact" \
		pkram_op verify ho-keep
	check "a loaded node is gone" sh -c "! echo ho-keep >$T/verify"
	[ "$STAGE" -gt 2 ] && check "ho-1, loaded in kernel 2, is gone" \
		sh -c "! echo ho-1 >$T/verify"
	check "nothing is left" sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
	diag "$(dmesg | grep 'test_pkram_handover:' | tr '\n' ' ')"
}
