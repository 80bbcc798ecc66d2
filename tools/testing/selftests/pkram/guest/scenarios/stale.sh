# SPDX-License-Identifier: GPL-2.0
# A super block is consumed once.  Stage 1 saves a node; stage 2 loads it
# and kexecs with nothing saved, giving stage 3 first the super block of
# this kernel (0 nodes), and on, in stage 3, the stale one of stage 1.
SCENARIO_STAGES=3
T=/sys/kernel/debug/pkram_test

stage_1() {
	check "save 16 MiB as ho-1" sh -c "echo 'ho-1 16 1000' >$T/save"
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram) pkram_stale=$(cat /sys/kernel/pkram)"
}

stage_2() {
	check "ho-1 handed over and intact" sh -c "echo ho-1 >$T/verify"
	check "nothing is left" \
		sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(param pkram_stale)"
}

stage_3() {
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "the consumed super block is refused, in one error line" \
		[ "$(dmesg | grep -c 'PKRAM: .*nothing preserved')" -eq 1 ]
	check "no node is handed out" \
		sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
	check "ho-1 does not come back" sh -c "! echo ho-1 >$T/verify"
}
