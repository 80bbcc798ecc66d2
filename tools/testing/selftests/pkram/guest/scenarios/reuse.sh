# SPDX-License-Identifier: GPL-2.0
# One command to kexec: "kexec -s -l KERNEL --reuse-cmdline", no pkram=.
# kexec_file_load puts the super block's pfn in the image (setup_data
# SETUP_PKRAM), and that is what the next kernel uses, in place of a
# pkram= on its command line: a reused command line may carry a stale one.
#   stage 1: save ho-1, kexec with this command line reused (no pkram=);
#   stage 2: ho-1 is back; save ho-2, kexec with pkram= given as usual;
#   stage 3: save ho-3, kexec reusing the command line, whose pkram= is
#            stage 2's super block, freed since;
#   stage 4: that pkram= was ignored, ho-2 and ho-3 are back.
SCENARIO_STAGES=4

# handed_over: the previous kernel's nodes came back, through setup_data.
handed_over() {
	dmesg | grep -q 'PKRAM: .* nodes handed over'
}

stage_1() {
	plan 2
	check "no pkram= on this command line" \
		sh -c "! grep -q 'pkram=' /proc/cmdline"
	check "save 32 MiB as ho-1" test_op save 'ho-1 32 1000'
	NEXT_REUSE=1
}

stage_2() {
	plan 4
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	check "still no pkram= on the command line" \
		sh -c "! grep -q 'pkram=' /proc/cmdline"
	check "the kexec image handed the nodes over" handed_over
	check "ho-1: every folio and byte, in the same pages" test_op verify ho-1
	check "save 16 MiB as ho-2" test_op save 'ho-2 16 10'
	hand_over
}

stage_3() {
	plan 3
	check "nodes handed over with pkram=" handed_over
	check "debugfs lists ho-2" listed ho-2
	check "save 8 MiB as ho-3" test_op save 'ho-3 8 10'
	NEXT_REUSE=1
}

stage_4() {
	plan 5
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	ignored='PKRAM: pkram=[0-9a-f]* ignored: the kexec image gives the super block'
	check "the stale pkram= of the reused command line is ignored" \
		sh -c "dmesg | grep -q '$ignored'"
	check "the kexec image handed the nodes over" handed_over
	check "ho-2, through two kernels, intact" test_op verify ho-2
	check "ho-3 intact" test_op verify ho-3
	check "nothing is left" none_listed
}
