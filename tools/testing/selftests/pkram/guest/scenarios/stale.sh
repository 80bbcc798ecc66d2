# SPDX-License-Identifier: GPL-2.0
# A super block is consumed once.  Stage 1 saves a node; stage 2 loads it
# and kexecs with nothing saved, giving stage 3 first the super block of
# this kernel (0 nodes), and on, in stage 3, the stale one of stage 1.
SCENARIO_STAGES=3

stage_1() {
	plan 1
	check "save 16 MiB as ho-1" test_op save 'ho-1 16 1000'
	hand_over
	NEXT_APPEND="$NEXT_APPEND pkram_stale=$(cat /sys/kernel/pkram)"
}

stage_2() {
	plan 2
	check "ho-1 handed over and intact" test_op verify ho-1
	check "nothing is left" none_listed
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(param pkram_stale)"
}

stage_3() {
	plan 4
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "the consumed super block is refused, in one error line" \
		[ "$(dmesg | grep -c 'PKRAM: .*nothing preserved')" -eq 1 ]
	# (its page may also be where this kernel went, or its initrd)
	gone='PKRAM: (no super block \(bad magic\) at pfn|pkram=[0-9a-f]+ is not usable RAM)'
	check "... because it is no super block any more" \
		sh -c "dmesg | grep -qE '$gone'"
	check "no node is handed out" none_listed
	check "ho-1 does not come back" test_op_fails verify ho-1
}
