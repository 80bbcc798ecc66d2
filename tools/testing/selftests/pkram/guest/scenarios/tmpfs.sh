# SPDX-License-Identifier: GPL-2.0
# A tmpfs survives kexec.  Stage 1 checks that bad requests fail and lose
# nothing, then mounts a tmpfs with pkram=t1, has the kselftest tmpfs_pkram
# write a tree of files of many shapes (contents from a seed), preserves it
# and records which physical pages back the files.  Every later stage mounts
# it again with the same pkram=, runs the kselftest's checks of every byte,
# attribute, link, hole, huge page and physical page, and preserves it again
# for the next kernel; the last checks that the tmpfs is writable.  Stage 1
# also preserves the largest sparse file tmpfs allows, and a file that
# khugepaged collapses meanwhile, which stage 2 checks.  With
# pkram_tmpfs_swap=1, the tree is pushed to swap (a RAM disk) before it is
# preserved.
SCENARIO_STAGES=2
M=/mnt/t
E=/mnt/e
S=/mnt/s
K=/mnt/k
MAXSIZE=9223372036854775807	# MAX_LFS_FILESIZE, the largest file tmpfs allows
THP=/sys/kernel/mm/transparent_hugepage
# khugepaged fills no hole when it collapses (the mount is huge=within_size,
# and the files are mapped): verify_holes counts the blocks of sparse files.
[ ! -e $THP/khugepaged/max_ptes_none ] || echo 0 >$THP/khugepaged/max_ptes_none

# kselftest TEST: one test of tmpfs_pkram as one result, its log as
# diagnostics.  It passes only if exactly that test ran and passed.  It runs
# under $KSELFTEST_IN, if set (in_memcg, for example).
kselftest() {
	out=$(export PKRAM_TMPFS_DIR=$M PKRAM_TMPFS_SEED=$SEED PKRAM_TMPFS_PFNS=/tmp/pfns
	      export PKRAM_TMPFS_QUOTA=1
	      [ -z "$(param pkram_tmpfs_swap)" ] || export PKRAM_TMPFS_SWAPPED=1
	      $KSELFTEST_IN tmpfs_pkram -t "$1" 2>&1)
	rc=$?
	echo "$out" | grep '^# ' | grep -v '^# \(Starting\|Totals\|PASSED\)'
	plan1=$(echo "$out" | grep -c '^1\.\.1$')
	ran=$(echo "$out" | grep -cx "ok 1 global.$1")
	check "tmpfs_pkram $1" [ $rc -eq 0 -a "$plan1" -eq 1 -a "$ran" -eq 1 ]
}

# run_tests: tmpfs_pkram.sh, what kselftest's run_tests runs, passes in
# this kernel: every one of its results ok, none skipped.  Its KTAP goes
# out as diagnostics.
run_tests() {
	out=$(tmpfs_pkram.sh 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	[ $rc -eq 0 ] && echo "$out" | grep -qx '1\.\.8' &&
		[ "$(echo "$out" | grep -c '^ok ')" -eq 8 ] &&
		! echo "$out" | grep -q SKIP
}

# mounted DIR: DIR is a tmpfs mount point (what a refused request must find).
mounted() {
	grep -q " $1 tmpfs " /proc/mounts
}

# empty_mount DIR: DIR is a tmpfs mount point with nothing in it.
empty_mount() {
	mounted "$1" && [ -z "$(ls -A "$1")" ]
}

# writable_unpreserved DIR NAME: a file of DIR can be appended to, and no
# node NAME is preserved.
writable_unpreserved() {
	echo more >>"$1/f" && none_listed "$2"
}

# What $E/f holds once bad_requests() appended to it three times.
F='data
more
more
more'

# unpreserve_keeps DIR NAME: a remount to rw drops node NAME and keeps the
# files.
unpreserve_keeps() {
	mount -o remount,rw "$1" && [ "$(cat "$1/f")" = "$F" ] && none_listed "$2"
}

# refused DIR OPTIONS: DIR is mounted, and the remount with OPTIONS fails.
refused() {
	mounted "$1" && ! mount -o "remount,$2" "$1"
}

preserve() {
	check "remount,preserve,ro preserves pkram=$1" \
		mount -o remount,preserve,ro "$M"
	check "/proc/mounts shows pkram=$1, ro" \
		grep -q " $M tmpfs ro,.*pkram=$1" /proc/mounts
	check "the node tmpfs:$1 is saved" listed "tmpfs:$1"
	NEXT_DROP="$NEXT_DROP pkram_pfns= pkram_seed="
	NEXT_APPEND="$NEXT_APPEND pkram_seed=$SEED"
	hand_over
}

last_log() {
	dmesg | grep 'tmpfs: ' | tail -n 1
}

# meta_pages: PKRAM's metadata pages now.
meta_pages() {
	sed -n 's/^metadata pages: \([0-9]*\).*/\1/p' $NODES
}

# Memory running out in the middle of a save leaves the mount as it was.
memory_pressure() {
	dd if=/dev/urandom of="$E/big" bs=1M count=8 2>/dev/null
	sum=$(md5sum <"$E/big")
	before=$(meta_pages)
	check "fail allocations after 2 pages, in the middle of the save" \
		fail_allocs_in shmem_pkram_save_range 2
	check "preserve fails when memory runs out" refused "$E" preserve,ro
	fail_off
	check "... and says so" \
		sh -c "dmesg | grep -q 'pkram=nosuch not preserved: error -12'"
	check "... and the mount stays writable, its files intact" \
		sh -c "echo more >>$E/f && [ \"\$(md5sum <$E/big)\" = '$sum' ]"
	check "... and nothing is left preserved" none_listed tmpfs:nosuch
	check "... and PKRAM's metadata pages are back to $before" \
		[ "$(meta_pages)" -eq "$before" ]
	rm -f "$E/big"
}

# A page that gets a memory error while preserved: a mount of the tree in
# the same kernel fails and says why, the tree stays preserved, and only
# echo 0 >/sys/kernel/pkram drops it (nothing else is preserved yet).
poisoned_while_preserved() {
	d=/mnt/hw
	mkdir -p $d
	mount -t tmpfs -o pkram=hw tmpfs $d && echo poisoned >$d/f &&
	mount -o remount,preserve,ro $d || return 1
	file_pfns -p $d/f 2>/dev/null	# killed by SIGBUS: it has it mapped
	umount $d
	! mount -t tmpfs -o pkram=hw tmpfs $d 2>/dev/null &&
	dmesg | grep -q 'pkram=hw: not brought back (error -133: a page has a memory error)' &&
	listed tmpfs:hw && echo 0 >/sys/kernel/pkram && none_listed tmpfs:hw
}

# What an administrator can get wrong fails, says why, and loses nothing.
bad_requests() {
	mkdir -p /mnt/u
	check "a plain tmpfs mounts in a user namespace" \
		unshare -U -r -m mount -t tmpfs none /mnt/u
	check "... where pkram= is refused" \
		sh -c "! unshare -U -r -m mount -t tmpfs -o pkram=userns none /mnt/u"
	mkdir -p "$E"
	mount -t tmpfs -o pkram=nosuch tmpfs "$E"
	check "an unknown name mounts an empty tmpfs" empty_mount "$E"
	check "... and says so" \
		sh -c "dmesg | grep -q 'pkram=nosuch: nothing preserved under that name'"
	echo data >"$E/f"
	check "preserve without ro fails" refused "$E" preserve
	exec 3>>"$E/f"
	check "preserve with a file open for writing fails" \
		refused "$E" preserve,ro
	exec 3>&-
	check "... and the mount stays writable, not preserved" \
		writable_unpreserved "$E" tmpfs:nosuch
	memory_pressure
	echo poisoned >"$E/bad"
	file_pfns -p "$E/bad" 2>/dev/null	# killed by SIGBUS: it has it mapped
	check "a page of a file gets a memory error (MADV_HWPOISON)" \
		sh -c "dmesg | grep -q 'Memory failure: .*: recovery action for dirty LRU page'"
	check "... and preserve fails" refused "$E" preserve,ro
	check "... and the message names the file" \
		sh -c "dmesg | grep -q 'cannot preserve /bad: a page of it is poisoned'"
	rm -f "$E/bad"
	mkfifo "$E/fifo"
	check "preserve with a special file fails" refused "$E" preserve,ro
	check "... and the message names the file" \
		sh -c "dmesg | grep -q 'cannot preserve /fifo: special files are not supported'"
	check "... and the mount stays writable" sh -c "echo more >>$E/f"
	rm "$E/fifo"
	check "preserve works once the fifo is gone" \
		mount -o remount,preserve,ro "$E"
	check "the node is listed" listed tmpfs:nosuch
	check "remount without preserve drops it and keeps the files" \
		unpreserve_keeps "$E" tmpfs:nosuch
	mkdir -p "$E.2"
	mount -o remount,preserve,ro "$E"
	check "a name preserved already cannot be mounted a second time" \
		sh -c "! mount -t tmpfs -o pkram=nosuch tmpfs $E.2"
	check "... and says so" \
		sh -c "dmesg | grep -q 'pkram=nosuch is another mount'"
	umount "$E"
	check "preserved and unmounted, the same name mounts in this kernel" \
		sh -c "mount -t tmpfs -o pkram=nosuch tmpfs $E && [ \"\$(cat $E/f)\" = '$F' ]"
	umount "$E"
	check "nothing of it is left preserved" none_listed tmpfs:nosuch
	check "a page poisoned while preserved fails its mount, which says why" \
		poisoned_while_preserved
}

# opts_of DIR: the mount options /proc/mounts shows for DIR.
opts_of() {
	awk -v d="$1" '$2 == d { print $4 }' /proc/mounts
}

# Preservation belongs to the mount that did it: only remount,rw drops it.
remount_rules() {
	d=/mnt/r
	mkdir -p $d $d.2
	mount -t tmpfs -o pkram=rules,size=20m tmpfs $d
	echo keep >$d/f
	mkfifo $d/fifo
	check "a preserve that fails (a FIFO) changes no option" sh -c \
		"! mount -o remount,preserve,ro,size=30m,nr_inodes=77 $d &&
		 [ \"\$(awk '\$2 == \"$d\" { print \$4 }' /proc/mounts)\" = '$(opts_of $d)' ]"
	rm $d/fifo
	check "in the same kernel, a live mount's pkram= name is refused to another" \
		sh -c "! mount -t tmpfs -o pkram=rules tmpfs $d.2 &&
		       dmesg | grep -q 'pkram=rules is another mount'"
	mount -o remount,preserve,ro $d
	check "/proc/mounts shows that it is preserved" \
		sh -c "grep ' $d tmpfs ' /proc/mounts | grep -q ',preserved'"
	check "a remount that keeps it read-only keeps it preserved" \
		sh -c "mount -o remount,ro $d && grep -q '^node tmpfs:rules: saved' $NODES"
	check "... as does one that replays the options /proc/mounts shows" \
		sh -c "mount -o remount,$(opts_of $d) $d &&
		       grep -q '^node tmpfs:rules: saved' $NODES"
	check "remount,rw with those options drops it, and keeps the files" \
		sh -c "mount -o remount,rw,$(opts_of $d | sed 's/^ro,//') $d &&
		       ! grep -q '^node tmpfs:rules' $NODES && [ \"\$(cat $d/f)\" = keep ] &&
		       ! grep ' $d tmpfs ' /proc/mounts | grep -q preserved"
	umount $d
}

# in_memcg NAME MAX COMMAND...: run COMMAND in memory cgroup NAME, of at
# most MAX bytes.
in_memcg() {
	cg=/sys/fs/cgroup
	if [ ! -f $cg/cgroup.controllers ]; then
		mount -t cgroup2 none $cg || return 1
	fi
	echo +memory >$cg/cgroup.subtree_control &&
	mkdir -p "$cg/$1" && echo "$2" >"$cg/$1/memory.max" || return 1
	sh -c 'echo $$ >"/sys/fs/cgroup/$0/cgroup.procs" && shift && exec "$@"' "$@"
}

# in_small_memcg COMMAND...: run COMMAND in a memory cgroup of 4 MiB.
in_small_memcg() {
	in_memcg small 4M "$@"
}

# swap_out: what tmpfs_pkram wrote (in memory cgroup swapme) goes to swap,
# a RAM disk; at least 1 MiB of it.
swap_out() {
	mkswap /dev/ram0 >/dev/null && swapon /dev/ram0 || return 1
	echo 256M >/sys/fs/cgroup/swapme/memory.reclaim 2>/dev/null
	used=$(awk '/^SwapTotal/ { t = $2 } /^SwapFree/ { f = $2 } END { print t - f }' \
		/proc/meminfo)
	diag "on swap: $used kB"
	[ "$used" -ge 1024 ]
}

# lru_counted: the pages of memory cgroup restored's tmpfs (memory.stat's
# shmem) are all on its LRU lists, as the sizes of the lists say: a mount
# that brings pages back puts them there in batches, and counts them once
# per batch.
lru_counted() {
	set -- $(awk '/^shmem / { s = $2 }
		/^(inactive_anon|active_anon|unevictable) / { l += $2 }
		END { print s + 0, l + 0 }' /sys/fs/cgroup/restored/memory.stat)
	diag "memory cgroup restored: shmem $1 bytes, on its LRU lists $2"
	[ "$1" -gt 0 ] && [ "$2" -ge "$1" ]
}

sparse_write() {
	printf x | dd of=$S/last bs=1 seek=$((MAXSIZE - 1)) 2>/dev/null &&
	truncate -s $MAXSIZE $S/empty
}

# The largest file tmpfs allows, with its last byte written, and one as
# large with no page at all: their stream space is empty but for one page,
# and the preserve must not walk it.
sparse_save() {
	mkdir -p $S
	mount -t tmpfs -o pkram=sparse tmpfs $S
	check "write the last byte of a file of $MAXSIZE bytes; truncate another to it" \
		sparse_write
	check "remount,preserve,ro preserves them" mount -o remount,preserve,ro $S
	us=$(dmesg | sed -n 's/.*tmpfs: pkram=sparse preserved: .* in \([0-9]*\) us/\1/p')
	check "... in well under a second (${us:-no} us)" [ -n "$us" -a "${us:-0}" -lt 300000 ]
}

# Both sparse files back: sizes, the last byte, one page and none.
sparse_back() {
	mkdir -p $S
	mount -t tmpfs -o pkram=sparse tmpfs $S &&
	[ "$(stat -c %s $S/last)" = $MAXSIZE ] && [ "$(stat -c %s $S/empty)" = $MAXSIZE ] &&
	[ "$(dd if=$S/last bs=1 skip=$((MAXSIZE - 1)) count=1 2>/dev/null)" = x ] &&
	[ "$(stat -c %b $S/last)" -le 8 ] && [ "$(stat -c %b $S/empty)" -eq 0 ] &&
	umount $S
}

# khugepaged collapsing the small pages of a 64 MiB file while it is
# preserved: every folio is saved once, in the form it had when saved.
collapse_save() {
	mkdir -p $K
	mount -t tmpfs -o pkram=collapse,huge=never tmpfs $K
	dd if=/dev/urandom of=$K/big bs=1M count=64 2>/dev/null
	NEXT_APPEND="$NEXT_APPEND pkram_collapse=$(md5sum <$K/big | cut -d' ' -f1)"
	mount -o remount,huge=within_size $K
	echo 0 >$THP/khugepaged/scan_sleep_millisecs
	echo 0 >$THP/khugepaged/alloc_sleep_millisecs
	echo 4096 >$THP/khugepaged/pages_to_scan
	before=$(cat $THP/khugepaged/pages_collapsed)
	file_pfns -m $K/big >/dev/null &
	holder=$!
	# The preserve starts once khugepaged made its first huge page of
	# the file (32 to make), not before it found the mapping.
	n=300
	while [ "$(cat $THP/khugepaged/pages_collapsed)" -eq "$before" ] &&
	      [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	started=$(($(cat $THP/khugepaged/pages_collapsed) - before))
	check "khugepaged is at work on it ($started huge pages made)" \
		[ "$started" -gt 0 ]
	check "preserve a 64 MiB file of small pages that khugepaged collapses" \
		mount -o remount,preserve,ro $K
	collapsed=$(($(cat $THP/khugepaged/pages_collapsed) - before - started))
	kill $holder
	diag "khugepaged made $collapsed huge pages more, of any memory, while it was preserved"
}

# The file khugepaged worked on is back, every byte.
collapse_back() {
	mkdir -p $K
	mount -t tmpfs -o pkram=collapse tmpfs $K &&
	[ "$(md5sum <$K/big | cut -d' ' -f1)" = "$(param pkram_collapse)" ] &&
	umount $K
}

# mount_max_fails: a mount that fails after its tree is brought back (over
# fs.mount-max: the VFS counts mounts once the super block is filled) loses
# nothing: the tree is preserved again, whole, when the super block goes.
mount_max_fails() {
	max=$(cat /proc/sys/fs/mount-max)
	before=$(dmesg | grep -c 'pkram=t1 brought back')
	wc -l </proc/self/mounts >/proc/sys/fs/mount-max || return 1
	mount -t tmpfs -o pkram=t1 tmpfs "$M" 2>/dev/null
	rc=$?
	echo "$max" >/proc/sys/fs/mount-max
	diag "over fs.mount-max: mount exit status $rc"
	[ $rc -ne 0 ] && ! grep -q " $M " /proc/mounts &&
	[ "$(dmesg | grep -c 'pkram=t1 brought back')" -gt "$before" ] &&
	listed tmpfs:t1
}

# restore_fails WHY OPTIONS [PREFIX...]: a mount of pkram=t1 with OPTIONS
# (run under PREFIX) fails, the log says WHY, and the tree stays preserved.
restore_fails() {
	why=$1 opts=$2
	shift 2
	! grep -q " $M " /proc/mounts &&
	! "$@" mount -t tmpfs -o "pkram=t1$opts" tmpfs "$M" &&
	dmesg | grep 'pkram=t1: not brought back' | grep -q "$why" &&
	listed tmpfs:t1
}

stage_1() {
	swap=$(param pkram_tmpfs_swap)
	plan $((47 + ${swap:-0}))
	# pkram_seed= (vmtest.sh -a) replays a run
	SEED=$(param pkram_seed)
	[ -n "$SEED" ] || SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
	diag "seed $SEED (replay: vmtest.sh -a pkram_seed=$SEED)"
	bad_requests
	check "every preserved page is accounted for, after them" accounted
	remount_rules
	check "... and after the remount rules" accounted
	sparse_save
	collapse_save
	check "... and after the sparse and the collapsed files" accounted
	mkdir -p "$M"
	check "mount a tmpfs with pkram=t1" \
		mount -t tmpfs -o pkram=t1,huge=within_size,size=1g,mode=0751,usrquota,grpquota \
		tmpfs "$M"
	[ -z "$swap" ] || KSELFTEST_IN="in_memcg swapme max"
	kselftest create
	KSELFTEST_IN=
	[ -z "$swap" ] || check "what it wrote goes to swap" swap_out
	preserve t1
	diag "$(last_log)"
	kselftest record_pfns
	NEXT_APPEND="$NEXT_APPEND pkram_pfns=$(cat /tmp/pfns)"
}

stage_any() {
	n=17
	[ "$STAGE" -ne 2 ] || n=$((n + 2))
	[ "$STAGE" -lt "$STAGES" ] || n=$((n + 1))
	plan $n
	SEED=$(param pkram_seed)
	diag "seed $SEED"
	param pkram_pfns >/tmp/pfns
	mkdir -p "$M"
	# khugepaged would collapse small pages (swap leaves only those, with
	# pkram_tmpfs_swap=1) into new ones while verify_not_copied maps the
	# files and reads their pfns: only stage 1 needs it.  With THP off for
	# anonymous memory (and shmem_enabled at never) it stops; the mount's
	# huge=within_size still gets huge pages.
	echo never >$THP/enabled
	# What cannot be brought back stays preserved, and says why.
	check "a mount with size= too small fails, says so, loses nothing" \
		restore_fails 'size= too small' ,size=1m
	check "one with nr_inodes= too small fails, says so, loses nothing" \
		restore_fails 'nr_inodes= too small' ,nr_inodes=10
	check "one over its memory cgroup's limit, with pages in, fails, loses nothing" \
		restore_fails 'error -12: out of memory, or over the limit of the memory' '' \
		in_small_memcg
	check "... which it hit with pages in the page cache already" \
		sh -c "dmesg | grep -q 'pkram=t1: .*: error -12 bringing its pages back'"
	check "one that fails once the tree is back (fs.mount-max) loses nothing" \
		mount_max_fails
	diag "$(dmesg | grep 'pkram=t1: not brought back' | tail -n 3 | tr '\n' ' ')"
	check "mount pkram=t1 again, in memory cgroup restored" \
		in_memcg restored max mount -t tmpfs -o pkram=t1 tmpfs "$M"
	diag "$(last_log)"
	check "... which its pages are charged to, all on its LRU lists" lru_counted
	check "the mount options came back: size=1g, huge=within_size, quota" \
		grep -q " $M tmpfs .*size=1048576k.*huge=within_size.*usrquota,grpquota" \
		/proc/mounts
	check "the root's mode came back: 0751" [ "$(stat -c %a $M)" = 751 ]
	# The last kernel does not preserve again: check the pages before
	# anything maps the files (khugepaged would collapse them).
	[ "$STAGE" -lt "$STAGES" ] || kselftest verify_not_copied
	if [ "$STAGE" -eq 2 ]; then
		check "the largest sparse files are back: sizes, last byte, pages" \
			sparse_back
		check "the file khugepaged collapsed is back, every byte" collapse_back
	fi
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
	kselftest verify_writable
	check "nothing is left preserved" none_listed
	check "... and the tracker holds no page but the super block's" accounted
	check "tmpfs_pkram.sh (make run_tests) passes in this kernel" run_tests
}
