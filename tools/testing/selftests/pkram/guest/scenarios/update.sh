# SPDX-License-Identifier: GPL-2.0
# A kernel update is a different kernel.  Stage 1 runs the test kernel
# (lockdep, DEBUG_VM, fault injection), saves a node of random folios and
# bytes and preserves a tmpfs tree, and kexecs the bench kernel
# (/boot/bzImage.update: none of those, so its spinlocks, and with them
# struct page and the page tables' locks, differ).  Stage 2 checks both
# there, passes them on, and kexecs the test kernel again, where stage 3
# checks them once more.
SCENARIO_STAGES=3
SCENARIO_IMAGE=update
M=/mnt/t

# test_kernel: this is the test kernel (lockdep is there), not the other.
test_kernel() {
	[ -e /proc/lockdep ]
}

other_kernel() {
	[ ! -e /proc/lockdep ] && [ ! -d /sys/kernel/debug/fail_page_alloc ]
}

# tree_ok: the files of $M, with the checksums written with them.
tree_ok() {
	(cd "$M" && sha256sum -c -s SUMS) &&
	[ "$(readlink "$M/dir/link")" = ../big ] &&
	[ "$(stat -c %s "$M/sparse")" -eq $(((64 << 20) + 4)) ]
}

remount_preserve() {
	mount -o remount,preserve,ro "$M"
}

stage_1() {
	plan 6
	check "the test kernel runs (lockdep)" test_kernel
	check "save 32 MiB of random folios and 5000 bytes as ho-1" \
		test_op save 'ho-1 32 5000'
	mkdir -p "$M"
	check "mount a tmpfs with pkram=up" \
		mount -t tmpfs -o pkram=up,huge=within_size tmpfs "$M"
	check "write a tree: 24 MiB of random data, a sparse file, a link" \
		sh -c "dd if=/dev/urandom of=$M/big bs=1M count=24 2>/dev/null &&
		       mkdir $M/dir && ln -s ../big $M/dir/link &&
		       head -c 12345 /dev/urandom >$M/dir/small &&
		       truncate -s 67108864 $M/sparse && echo end >>$M/sparse &&
		       (cd $M && sha256sum big dir/small sparse >SUMS)"
	check "preserve it" remount_preserve
	check "the tree is intact before the kexec" tree_ok
	NEXT_KERNEL=/boot/bzImage.update
	hand_over
}

stage_2() {
	plan 6
	diag "$(dmesg | grep 'PKRAM:' | tr '\n' ' ')"
	check "the other kernel runs (no lockdep, no fault injection)" other_kernel
	check "load ho-1, check every folio and byte, save them as ho-2" \
		test_op resave 'ho-1 ho-2'
	mkdir -p "$M"
	check "mount pkram=up again" mount -t tmpfs -o pkram=up tmpfs "$M"
	check "every file and checksum of the tree" tree_ok
	check "the tree is writable" sh -c "echo more >>$M/dir/small &&
		(cd $M && sha256sum big dir/small sparse >SUMS)"
	check "preserve it again" remount_preserve
	hand_over
}

stage_3() {
	plan 5
	check "the test kernel runs again" test_kernel
	check "ho-2: every folio and byte, same pfns" test_op verify ho-2
	mkdir -p "$M"
	check "mount pkram=up again" mount -t tmpfs -o pkram=up tmpfs "$M"
	check "every file and checksum of the tree" tree_ok
	check "nothing is left" none_listed
}
