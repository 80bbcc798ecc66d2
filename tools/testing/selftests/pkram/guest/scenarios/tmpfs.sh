# SPDX-License-Identifier: GPL-2.0
# A tmpfs survives kexec: stage 1 mounts a tmpfs with pkram=, writes a tree
# of files and preserves it; every later stage mounts it again with the
# same pkram=, checks every byte and attribute against the digest of stage
# 1, and preserves it again for the next kernel.
SCENARIO_STAGES=2
M=/mnt/t

# A digest of the tree: every name, type, mode, owner, size, link count,
# modification time and symbolic link target, and the bytes of every file.
tree_digest() {
	(cd "$M" && find . | sort | while IFS= read -r f; do
		stat -c '%n %F %a %u %g %s %h %Y' "$f"
		[ -L "$f" ] && readlink "$f"
		[ -f "$f" ] && [ ! -L "$f" ] && md5sum <"$f"
	done) | md5sum | cut -d' ' -f1
}

make_tree() {
	mkdir -p "$M/a/b/c/d" "$M/empty-dir" &&
	: >"$M/empty" &&
	printf x >"$M/one-byte" &&
	dd if=/dev/urandom of="$M/a/16k" bs=4096 count=4 2>/dev/null &&
	dd if=/dev/urandom of="$M/a/b/c/d/3m+1" bs=1 count=1 seek=3145728 2>/dev/null &&
	dd if=/dev/urandom of="$M/a/b/c/d/3m+1" bs=1M count=3 conv=notrunc 2>/dev/null &&
	dd if=/dev/urandom of="$M/sparse" bs=4096 count=1 seek=262144 2>/dev/null &&
	dd if=/dev/urandom of="$M/sparse" bs=4096 count=1 conv=notrunc 2>/dev/null &&
	ln "$M/a/16k" "$M/a/b/hardlink" &&
	ln -s a/b/c/d/3m+1 "$M/symlink" &&
	ln -s "$(printf '%0200d' 0)" "$M/long-symlink" &&
	touch -d '2001-02-03 04:05:06' "$M/one-byte" &&
	chmod 0640 "$M/one-byte" && chown 12:34 "$M/a/16k" &&
	chmod 0700 "$M/a/b"
}

preserve() {
	check "remount,preserve,ro saves pkram=$1" \
		mount -o remount,preserve,ro "$M"
	check "/proc/mounts shows pkram=$1 and preserve" \
		grep -q " $M tmpfs .*pkram=$1,preserve" /proc/mounts
	NEXT_DROP="pkram="
	NEXT_APPEND="pkram=$(cat /sys/kernel/pkram)"
}

stage_1() {
	mkdir -p "$M"
	check "mount a tmpfs with pkram=t1" \
		mount -t tmpfs -o pkram=t1,size=256m,mode=0751 tmpfs "$M"
	check "write a tree of files" make_tree
	digest=$(tree_digest)
	diag "digest $digest"
	preserve t1
	NEXT_APPEND="$NEXT_APPEND pkram_digest=$digest"
}

stage_any() {
	mkdir -p "$M"
	check "mount pkram=t1 again" mount -t tmpfs -o pkram=t1 tmpfs "$M"
	diag "$(dmesg | grep 'tmpfs: ' | tr '\n' ' ')"
	check "every name, attribute and byte is back" \
		[ "$(tree_digest)" = "$(param pkram_digest)" ]
	check "the mount options came back (size=256m, mode=0751)" \
		sh -c "grep -q ' $M tmpfs .*size=262144k' /proc/mounts && [ \$(stat -c %a $M) = 751 ]"
	check "the hard link is one inode" \
		[ "$(stat -c %i "$M/a/16k")" = "$(stat -c %i "$M/a/b/hardlink")" ]
	check "the sparse file has 2 pages, not 262145" \
		[ "$(stat -c %b "$M/sparse")" -le 16 ]
	if [ "$STAGE" -lt "$STAGES" ]; then
		preserve t1
		NEXT_APPEND="$NEXT_APPEND pkram_digest=$(param pkram_digest)"
		return
	fi
	mount | grep $M
	check "the files are writable" sh -c "echo more >>$M/a/16k"
	check "nothing is left preserved" \
		sh -c "! grep -q '^node' /sys/kernel/debug/pkram/nodes"
}
