#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tmpfs kselftest in the running kernel: a tree of files of many shapes
# written to a tmpfs mounted with pkram=, preserved (remount,preserve,ro),
# checked byte by byte and attribute by attribute while preserved, then
# un-preserved (remount,rw) and written to.  Across a kexec, vmtest.sh runs
# the same tests in a guest (guest/scenarios/tmpfs.sh).  Skips where no
# tmpfs takes pkram= (a kernel without CONFIG_SHMEM_PKRAM) or without root.
# POSIX shell: the guests run it with busybox.

dir=$(dirname "$(realpath "$0")")
. "$dir/../kselftest/ktap_helpers.sh"

name=kselftest-$$
mnt=$(mktemp -d /tmp/tmpfs_pkram.XXXXXX)
pfns=$mnt.pfns
seed=${PKRAM_TMPFS_SEED:-$$}

cleanup() {
	umount "$mnt" 2>/dev/null
	rmdir "$mnt"
	rm -f "$pfns"
}
trap cleanup EXIT

# kselftest TEST: one test of tmpfs_pkram, on $mnt, its output as
# diagnostics.
kselftest() {
	PKRAM_TMPFS_DIR=$mnt PKRAM_TMPFS_SEED=$seed PKRAM_TMPFS_PFNS=$pfns \
		"$dir/tmpfs_pkram" -t "$1" >"$mnt.out" 2>&1
	rc=$?
	sed 's/^/# /' "$mnt.out"
	rm -f "$mnt.out"
	return $rc
}

# check DESCRIPTION COMMAND...: one result, for COMMAND's exit status.
check() {
	desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

ktap_print_header
if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "needs root"
	exit "$KSFT_SKIP"
fi
if ! mount -t tmpfs -o "pkram=$name,huge=within_size" tmpfs "$mnt" 2>/dev/null; then
	ktap_skip_all "no tmpfs takes pkram= here (CONFIG_SHMEM_PKRAM)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 8
ktap_print_msg "seed $seed (PKRAM_TMPFS_SEED=$seed replays it)"
check "write a tree of files (tmpfs_pkram create)" kselftest create
check "remount,preserve,ro" mount -o remount,preserve,ro "$mnt"
check "record where the pages are (tmpfs_pkram record_pfns)" kselftest record_pfns
for t in verify_data verify_holes verify_links verify_attributes; do
	check "while preserved: tmpfs_pkram $t" kselftest "$t"
done
check "remount,rw un-preserves, and the files can be written" \
	sh -c "mount -o remount,rw '$mnt' && echo more >>'$mnt/one-byte'"
ktap_finished
