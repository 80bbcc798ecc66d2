# SPDX-License-Identifier: GPL-2.0
# The point of no return.  PKRAM hands over in kexec -e, where a failure can
# still stop the kexec: with memory running out there, kexec -e fails, says
# why, and everything stays as it was.  Then kexec -e comes while saves are
# still going on: a streams save that takes minutes (save_slow of
# lib/test_pkram_handover.c) and a tmpfs of 128 MiB being preserved.  The
# nodes that finished saving before reach the next kernel intact; the one
# still being saved does not, and nothing else is lost with it.
SCENARIO_STAGES=2
B=/mnt/big

# kexec_e_refused: with allocations failing under pkram_kexec_handover(),
# kexec -e (of a loaded image) returns, with an error.
kexec_e_refused() {
	fail_allocs_in pkram_kexec_handover 0 || return 1
	kexec -e
	rc=$?
	fail_off
	[ $rc -ne 0 ]
}

# largest_range: the start of the largest preserved range.
largest_range() {
	best=-1
	lo=
	while IFS=- read -r a b; do
		[ $((b - a)) -le "$best" ] || { best=$((b - a)); lo=$a; }
	done </sys/kernel/debug/pkram/ranges
	echo "$lo"
}

stage_1() {
	plan 11
	check "save 64 MiB of random folios and 1000 bytes as ho-1" \
		test_op save 'ho-1 64 1000'
	lo=$(largest_range)
	check "kexec_load with a segment in preserved memory ($lo) fails: EADDRNOTAVAIL" \
		kexec_seg "$lo"
	check "... and says why" sh -c \
		"dmesg | grep -q 'PKRAM: kexec segment .* overlaps preserved memory'"
	mkdir -p $B
	mount -t tmpfs -o pkram=big,huge=never tmpfs $B
	check "write 128 MiB in 4 KiB pages to a tmpfs with pkram=big" \
		sh -c "dd if=/dev/urandom of=$B/f bs=1M count=128 2>/dev/null"
	NEXT_APPEND="$NEXT_APPEND pkram_big=$(md5sum <$B/f | cut -d' ' -f1)"
	cp /sys/firmware/initrd /tmp/initrd
	check "load the next kernel" \
		kexec -s -l /boot/bzImage --initrd=/tmp/initrd \
		--command-line="$(next_cmdline) pkram=$(cat /sys/kernel/pkram)"
	check "kexec -e fails when the handover runs out of memory" kexec_e_refused
	check "... and says so" sh -c \
		"dmesg | grep -q 'PKRAM: cannot hand over preserved memory (error -12): no kexec'"
	check "... and PKRAM goes on: ho-1 is there, and a save works" \
		sh -c "grep -q '^node ho-1: saved' $NODES && echo 'ho-2 4 10' >$T/save"
	check "a save that takes minutes starts (slow)" test_op save_slow 'slow 64'
	sleep 1
	check "... and is under way" grep -q '^node slow: saving' $NODES
	# A preserve in flight when kexec -e comes, or just done: either way
	# the rules hold.
	mount -o remount,preserve,ro $B &
	check "ho-1 and ho-2 are saved" \
		sh -c "grep -q '^node ho-1: saved' $NODES && grep -q '^node ho-2: saved' $NODES"
	hand_over
}

stage_2() {
	plan 6
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	check "ho-1, saved before kexec -e, is intact" test_op verify ho-1
	check "ho-2 too" test_op verify ho-2
	check "slow, still being saved, is not handed over" none_listed slow
	check "... and cannot be loaded" test_op_fails verify slow
	mkdir -p $B
	if grep -q '^node tmpfs:big: saved' $NODES; then
		diag "the preserve of pkram=big was done at kexec -e"
		check "pkram=big, preserved in time, mounts" \
			mount -t tmpfs -o pkram=big tmpfs $B
		check "... every byte of it" \
			[ "$(md5sum <$B/f | cut -d' ' -f1)" = "$(param pkram_big)" ]
	else
		diag "the preserve of pkram=big was under way at kexec -e"
		check "pkram=big, still being saved, is gone" none_listed tmpfs:big
		check "... and mounts empty" sh -c \
			"mount -t tmpfs -o pkram=big tmpfs $B && [ -z \"\$(ls -A $B)\" ]"
	fi
}
