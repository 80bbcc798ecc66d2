# SPDX-License-Identifier: GPL-2.0
# A crash kernel ignores PKRAM.  Stage 1, booted with crashkernel=, saves a
# node, loads a crash kernel with kexec -s -p, given pkram= as a kexec would
# be, and panics.  Stage 2 is the crash kernel: it says it ignores pkram=,
# hands nothing out, and has the old kernel's memory, the node's pages
# among it, to dump in /proc/vmcore.
SCENARIO_STAGES=2

stage_1() {
	plan 2
	check "crashkernel= reserved memory for a crash kernel" \
		sh -c "grep -q 'Crash kernel' /proc/iomem"
	check "save 16 MiB as ho-1" test_op save 'ho-1 16 1000'
	hand_over
	NEXT_DROP="$NEXT_DROP crashkernel="
	NEXT_VIA=crash
}

stage_2() {
	plan 4
	diag "$(dmesg | grep 'PKRAM' | tr '\n' ' ')"
	check "this is a crash kernel: /proc/vmcore" [ -e /proc/vmcore ]
	check "it ignores pkram=, and says so" \
		sh -c "dmesg | grep -q 'PKRAM: ignoring pkram= in a kdump kernel'"
	check "... with no other PKRAM line that takes anything" \
		sh -c "! dmesg | grep -qE 'PKRAM: (reserved|.* nodes handed over)'"
	check "no node is handed out" none_listed
}
