# SPDX-License-Identifier: GPL-2.0
# A tmpfs survives kexec.  Stage 1 checks that bad requests fail and lose
# nothing, then mounts a tmpfs with pkram=t1, has the kselftest tmpfs_pkram
# write a tree of files of many shapes (contents from a seed), preserves it
# and records which physical pages back the files.  Every later stage mounts
# it again with the same pkram=, runs the kselftest's checks of every byte,
# attribute, link, hole, huge page and physical page, and preserves it again
# for the next kernel; the last checks that the tmpfs is writable.
SCENARIO_STAGES=2
M=/mnt/t
E=/mnt/e
NODES=/sys/kernel/debug/pkram/nodes

# kselftest TEST: one test of tmpfs_pkram as one result, its log as
# diagnostics.
kselftest() {
	out=$(PKRAM_TMPFS_DIR=$M PKRAM_TMPFS_SEED=$SEED \
	      PKRAM_TMPFS_PFNS=/tmp/pfns tmpfs_pkram -t "$1" 2>&1)
	rc=$?
	echo "$out" | grep '^# ' | grep -v '^# \(Starting\|Totals\|PASSED\)'
	check "tmpfs_pkram $1" [ $rc -eq 0 ]
}

preserve() {
	check "remount,preserve,ro preserves pkram=$1" \
		mount -o remount,preserve,ro "$M"
	check "/proc/mounts shows pkram=$1, ro" \
		grep -q " $M tmpfs ro,.*pkram=$1" /proc/mounts
	check "the node tmpfs:$1 is saved" \
		grep -q "^node tmpfs:$1: saved" $NODES
	NEXT_DROP="pkram= pkram_pfns= pkram_seed="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram) pkram_seed=$SEED"
}

last_log() {
	dmesg | grep 'tmpfs: ' | tail -n 1
}

# What an administrator can get wrong fails, says why, and loses nothing.
bad_requests() {
	mkdir -p "$E"
	mount -t tmpfs -o pkram=nosuch tmpfs "$E"
	check "an unknown name mounts an empty tmpfs" \
		[ -z "$(ls -A "$E")" ]
	check "... and says so" \
		sh -c "dmesg | grep -q 'pkram=nosuch: nothing preserved under that name'"
	echo data >"$E/f"
	check "preserve without ro fails" \
		sh -c "! mount -o remount,preserve $E"
	exec 3>>"$E/f"
	check "preserve with a file open for writing fails" \
		sh -c "! mount -o remount,preserve,ro $E"
	exec 3>&-
	check "... and the mount stays writable, not preserved" \
		sh -c "echo more >>$E/f && ! grep -q '^node tmpfs:nosuch' $NODES"
	mkfifo "$E/fifo"
	check "preserve with a special file fails" \
		sh -c "! mount -o remount,preserve,ro $E"
	check "... and the message names the file" \
		sh -c "dmesg | grep -q 'cannot preserve /fifo: special files are not supported'"
	check "... and the mount stays writable" sh -c "echo more >>$E/f"
	rm "$E/fifo"
	check "preserve works once the fifo is gone" \
		mount -o remount,preserve,ro "$E"
	check "the node is listed" grep -q '^node tmpfs:nosuch: saved' $NODES
	check "remount without preserve drops it and keeps the files" \
		sh -c "mount -o remount,rw $E && [ \"\$(cat $E/f)\" = 'data
more
more' ] && ! grep -q '^node tmpfs:nosuch' $NODES"
	mkdir -p "$E.2"
	mount -t tmpfs -o pkram=nosuch tmpfs "$E.2"
	mount -o remount,preserve,ro "$E"
	check "a name preserved already cannot be preserved again" \
		sh -c "! mount -o remount,preserve,ro $E.2"
	check "... and says so" \
		sh -c "dmesg | grep -q 'that name is preserved already'"
	umount "$E.2"
	umount "$E"
	check "preserved and unmounted, the same name mounts in this kernel" \
		sh -c "mount -t tmpfs -o pkram=nosuch tmpfs $E && [ \"\$(cat $E/f)\" = 'data
more
more' ]"
	umount "$E"
	check "nothing of it is left preserved" \
		sh -c "! grep -q '^node tmpfs:nosuch' $NODES"
}

stage_1() {
	SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	diag "seed $SEED"
	bad_requests
	mkdir -p "$M"
	check "mount a tmpfs with pkram=t1" \
		mount -t tmpfs -o pkram=t1,huge=within_size,size=1g,mode=0751 tmpfs "$M"
	kselftest create
	preserve t1
	diag "$(last_log)"
	kselftest record_pfns
	NEXT_APPEND="$NEXT_APPEND pkram_pfns=$(cat /tmp/pfns)"
}

stage_any() {
	SEED=$(param pkram_seed)
	param pkram_pfns >/tmp/pfns
	mkdir -p "$M"
	check "mount pkram=t1 again" mount -t tmpfs -o pkram=t1 tmpfs "$M"
	diag "$(last_log)"
	check "the mount options came back: size=1g, huge=within_size" \
		grep -q " $M tmpfs .*size=1048576k.*huge=within_size" /proc/mounts
	check "the root's mode came back: 0751" [ "$(stat -c %a $M)" = 751 ]
	for t in verify_attributes verify_data verify_holes verify_links; do
		kselftest $t
	done
	# Mapping the files lets khugepaged collapse their small pages: map
	# them once preserved (PKRAM's references keep them where they are).
	if [ "$STAGE" -lt "$STAGES" ]; then
		preserve t1
		kselftest verify_not_copied
		NEXT_APPEND="$NEXT_APPEND pkram_pfns=$(param pkram_pfns)"
		return
	fi
	kselftest verify_not_copied
	kselftest verify_writable
	check "nothing is left preserved" \
		sh -c "! grep -q '^node' $NODES"
}
