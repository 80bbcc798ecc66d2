# SPDX-License-Identifier: GPL-2.0
# Memory hot-added since boot is not RAM the next kernel starts with: the
# guest runs with a DIMM plugged in (vmtest.sh -D), which the kernel adds
# through ACPI after boot and onlines as ZONE_MOVABLE
# (memhp_default_state=online_movable), where tmpfs pages go first.  A
# tmpfs file there cannot be preserved: the preserve fails, says why, and
# keeps the mount as it was.
SCENARIO_STAGES=1
M=/mnt/h

# movable_pages: present pages of ZONE_MOVABLE, the hot-added memory here.
movable_pages() {
	awk '/^Node .* zone *Movable/ { m = 1; next }
	     /^Node / { m = 0 }
	     m && $1 == "present" { n += $2 }
	     END { print n + 0 }' /proc/zoneinfo
}

stage_1() {
	plan 6
	pages=$(movable_pages)
	diag "ZONE_MOVABLE: $pages pages present"
	check "memory was hot-added and onlined as ZONE_MOVABLE" [ "$pages" -gt 0 ]
	mkdir -p "$M"
	check "mount a tmpfs with pkram=hot" mount -t tmpfs -o pkram=hot tmpfs "$M"
	check "write 16 MiB into it (into the hot-added memory)" \
		sh -c "dd if=/dev/urandom of=$M/f bs=1M count=16 2>/dev/null"
	check "preserving it fails" sh -c "! mount -o remount,preserve,ro $M"
	why='cannot preserve .*/f: a page of it is in memory hot-added since boot'
	check "... and says why" sh -c "dmesg | grep -q '$why'"
	check "nothing is preserved, the tmpfs is still writable" \
		sh -c "echo more >>$M/f && ! grep -q '^node hot' $NODES"
}
