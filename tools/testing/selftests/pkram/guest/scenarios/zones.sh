# SPDX-License-Identifier: GPL-2.0
# A folio handed over that spans two zones of the next kernel: fake NUMA
# (numa=fake=2) puts its node boundary at any page, so a kernel booted
# without it can hold a folio across the boundary of the next.  A compound
# page must sit in one zone: the next kernel loads such a folio as single
# pages, every byte where it was.  Run with -n 2 over 3 kernels:
#   stage 1 (2 nodes): where node 1 starts (not on a 4 MiB boundary);
#   stage 2 (1 node): the 4 MiB folio across that page saved;
#   stage 3 (2 nodes): the folio loaded as 1024 pages, its checksum and
#   place intact, one log line for it, nothing left.
SCENARIO_STAGES=3

# node1_pfn: the first page of node 1, from /proc/zoneinfo.
node1_pfn() {
	awk '/^Node 1, zone/ { n = 1 } n && /start_pfn:/ { print $2; exit }' \
		/proc/zoneinfo
}

stage_1() {
	plan 2
	b=$(node1_pfn)
	diag "node 1 starts at pfn ${b:-?}"
	check "node 1 starts inside a folio of MAX_PAGE_ORDER" \
		sh -c "[ -n '$b' ] && [ \$(($b % 1024)) -ne 0 ]"
	check "save 8 MiB as zn-1" test_op save "zn-1 8"
	hand_over
	NEXT_DROP="$NEXT_DROP numa=fake="
	NEXT_APPEND="$NEXT_APPEND pkram_zone_pfn=$b"
}

stage_2() {
	plan 4
	b=$(param pkram_zone_pfn)
	check "one node in this kernel" sh -c '[ -z "$(node1_pfn)" ]'
	check "zn-1 intact" test_op verify zn-1
	check "save the folio of MAX_PAGE_ORDER across pfn $b as zn-at" \
		test_op save_at "zn-at $b"
	check "zn-at saved" listed zn-at
	hand_over
	NEXT_APPEND="$NEXT_APPEND numa=fake=2"
}

stage_3() {
	plan 4
	b=$(param pkram_zone_pfn)
	check "node 1 starts at pfn $b again" sh -c "[ '$(node1_pfn)' = '$b' ]"
	check "zn-at intact, as 1024 single pages" sh -c \
		'echo zn-at >'"$T"'/verify &&
		 dmesg | grep -q "ok 1 verify zn-at: 1 folios, 0 bytes, 0 bytes differ, 1024 pages split: 0"'
	check "one line says the folio came back as single pages" sh -c \
		'[ "$(dmesg | grep -c "PKRAM: a folio of 1024 pages at pfn .* spans two zones of this kernel: loaded as single pages")" = 1 ]'
	check "nothing is left" none_listed
}
