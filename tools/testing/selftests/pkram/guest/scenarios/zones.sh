# SPDX-License-Identifier: GPL-2.0
# A folio handed over that spans two zones of the next kernel: fake NUMA
# (numa=fake=2) puts its node boundary at any page, so a kernel booted
# without it can hold a folio across the boundary of the next.  A compound
# page must sit in one zone: the next kernel loads such a folio as single
# pages, every byte where it was.  Run with -n 2 over 3 kernels:
#   stage 1 (2 nodes): where node 1 starts (not on a 4 MiB boundary); the
#   last page of its 4 MiB block saved, so that the next kernel reserves
#   the block as a cover and frees the rest of it late;
#   stage 2 (1 node): that page intact; the 4 MiB folio across the node
#   boundary saved, which needs the pageblocks freed late to be movable;
#   stage 3 (2 nodes): the folio loaded as 1024 pages, its checksum and
#   place intact, one log line for it, nothing left.
# The first kernel sets aside its scratch region at boot (pkram_scratch=),
# at the top of memory, and hands it on: one chosen at the kexec reboot is
# the top of the largest part of memory clear of preserved pages, which can
# end in the block, where nothing may be preserved then.
SCENARIO_STAGES=3

# node1_pfn: the first page of node 1, from /proc/zoneinfo.
node1_pfn() {
	awk '/^Node 1, zone/ { n = 1 } n && /start_pfn:/ { print $2; exit }' \
		/proc/zoneinfo
}

# no_node1: this kernel has one node.
no_node1() {
	grep -q '^Node 0, zone' /proc/zoneinfo && [ -z "$(node1_pfn)" ]
}

# node1_at PFN: node 1 begins at PFN.
node1_at() {
	[ -n "$1" ] && [ "$(node1_pfn)" = "$1" ]
}

# inside_folio PFN: PFN is not the first page of a folio of MAX_PAGE_ORDER.
inside_folio() {
	[ -n "$1" ] && [ $(($1 % 1024)) -ne 0 ]
}

# block_end PFN: the last page of the folio of MAX_PAGE_ORDER that holds PFN.
block_end() {
	echo $(($1 - $1 % 1024 + 1023))
}

stage_1() {
	plan 3
	b=$(node1_pfn)
	diag "node 1 starts at pfn ${b:-?}"
	check "node 1 starts inside a folio of MAX_PAGE_ORDER" inside_folio "$b"
	check "save 8 MiB as zn-1" test_op save "zn-1 8"
	check "save the last page of the block of pfn ${b:-?} as zn-0" \
		test_op save_at "zn-0 $(block_end "${b:-0}") 0"
	hand_over
	NEXT_DROP="$NEXT_DROP numa=fake="
	NEXT_APPEND="$NEXT_APPEND pkram_zone_pfn=$b"
}

stage_2() {
	plan 5
	b=$(param pkram_zone_pfn)
	check "one node in this kernel" no_node1
	check "zn-1 intact" test_op verify zn-1
	check "zn-0 intact, and its page freed" test_op verify zn-0
	check "save the folio of MAX_PAGE_ORDER across pfn $b as zn-at" \
		test_op save_at "zn-at $b"
	check "zn-at saved" listed zn-at
	hand_over
	NEXT_APPEND="$NEXT_APPEND numa=fake=2"
}

# split_lines: the kernel said once that a folio of 1024 pages came back
# as single pages.
split_lines() {
	msg='spans two zones of this kernel: loaded as single pages'
	[ "$(dmesg | grep -c "PKRAM: a folio of 1024 pages at pfn .* $msg")" = 1 ]
}

# verified_split NAME: NAME loaded, every byte intact, as 1024 pages.
verified_split() {
	test_op verify "$1" &&
	dmesg | grep -q "ok 1 verify $1: 1 folios, .* 0 bytes differ, 1024 pages split: 0"
}

stage_3() {
	plan 4
	b=$(param pkram_zone_pfn)
	check "node 1 starts at pfn $b again" node1_at "$b"
	check "zn-at intact, as 1024 single pages" verified_split zn-at
	check "one line says the folio came back as single pages" split_lines
	check "nothing is left" none_listed
}
