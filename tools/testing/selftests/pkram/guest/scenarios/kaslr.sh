# SPDX-License-Identifier: GPL-2.0
# Physical KASLR stays on across a chain of PKRAM kexecs: the decompressor
# reads the super block handed over and places each kernel at a random
# address inside the scratch region, where nothing is preserved.  Run with
# pkram_scratch= large enough for many places (vmtests: 256M, about 117
# places for the test kernel), over 4 kernels, by both kexec paths (alt:
# kexec_file_load's SETUP_PKRAM, kexec_load's pkram=).
#   every stage: a node saved and handed over, the previous one intact;
#   stages 2 on: the kernel is inside the region;
#   last stage: the kernels of stages 2 on are not all at one address.
SCENARIO_STAGES=4

# kernel_at: the physical address of the running kernel's code.
kernel_at() {
	sed -n 's/^ *\([0-9a-f]*\)-[0-9a-f]* : Kernel code$/0x\1/p' /proc/iomem
}

# in_region ADDR: ADDR is inside this kernel's scratch region.
in_region() {
	r=$(dmesg | grep 'PKRAM: scratch region for early allocations' |
		sed -n 's/.*: \([0-9]*\) MiB at \(0x[0-9a-f]*\).*/\1 \2/p')
	[ -n "$r" ] && [ -n "$1" ] || return 1
	lo=$((${r#* })) hi=$((${r#* } + (${r% *} << 20)))
	diag "kernel at $1, scratch region $(printf '%#x-%#x' "$lo" "$hi")"
	[ $(($1)) -ge "$lo" ] && [ $(($1)) -lt "$hi" ]
}

# not_all_equal A B ...: at least two of the words differ.
not_all_equal() {
	first=$1
	shift
	for a in "$@"; do
		[ "$a" = "$first" ] || return 0
	done
	return 1
}

# save_and_hand_over: a node of this stage, and the kernel's address noted.
save_and_hand_over() {
	at=$(kernel_at)
	check "save 16 MiB as kl-$STAGE" test_op save "kl-$STAGE 16 $((STAGE * 7))"
	hand_over
	NEXT_DROP="$NEXT_DROP pkram_kaslr_at="
	NEXT_APPEND="$NEXT_APPEND pkram_kaslr_at=$(param pkram_kaslr_at)${at},"
}

stage_1() {
	plan 2
	check "the kernel's code is listed in /proc/iomem" \
		sh -c '[ -n "$(sed -n "s/ : Kernel code$//p" /proc/iomem)" ]'
	save_and_hand_over
}

stage_2() {
	plan 3
	check "kernel $STAGE is inside the scratch region" in_region "$(kernel_at)"
	check "kl-$((STAGE - 1)) intact" test_op verify "kl-$((STAGE - 1))"
	save_and_hand_over
}

stage_3() {
	stage_2
}

stage_4() {
	plan 4
	check "kernel $STAGE is inside the scratch region" in_region "$(kernel_at)"
	check "kl-$((STAGE - 1)) intact" test_op verify "kl-$((STAGE - 1))"
	check "nothing is left" none_listed
	# stage 1 was booted by QEMU, outside the region
	at="$(param pkram_kaslr_at)$(kernel_at)"
	set -- $(echo "$at" | tr ',' ' ')
	shift
	diag "kernels 2 to $STAGE at $*"
	check "kernels 2 to $STAGE are not all at one address" not_all_equal "$@"
}
