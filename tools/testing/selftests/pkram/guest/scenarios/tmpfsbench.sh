# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): a tmpfs file of
# pkram_bench_mib MiB in 4 KiB pages (pkram_bench_huge=never) or in huge
# pages (always), preserved in stage 1 and brought back in stage 2, with
# what the next kernel's boot spends on it (the early reservation, the
# restore in the background), against what an administrator does without
# PKRAM, measured in the same run: with pkram_bench_compare=copy, copy the
# bytes to a new tmpfs file and back, and write them to a disk (the virtio
# disk /dev/vda, cache=none) and read them back (direct I/O); with disk,
# only the disk.  The yardstick is the test module's memcpy of the same
# number of bytes (lib/test_pkram_bench.h), as in every table of make
# bench.  Times from /proc/uptime (10 ms) and from the kernel's own
# messages (us).
SCENARIO_STAGES=2

now_ms() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# timed VAR COMMAND...: run COMMAND as one result, set VAR to its time in ms.
timed() {
	var=$1
	shift
	t0=$(now_ms)
	"$@"
	rc=$?
	eval "$var=\$((\$(now_ms) - t0))"
	check "$*" [ $rc -eq 0 ]
}

# The kernel's time for pkram=$1 $2 ("preserved" or "brought back"), in us.
pkram_us() {
	dmesg | sed -n "s/.*tmpfs: pkram=$1 $2: .* in \([0-9]*\) us/\1/p" | tail -n 1
}

# With profile=<shift> on the command line: reset the kernel's profile, and
# report it as "bucket:count ... step S" (the counts that are not zero).
profile_reset() {
	[ ! -e /proc/profile ] || echo >/proc/profile
}

profile_report() {
	[ -e /proc/profile ] || return 0
	diag "kprofile: $1: $(od -A n -t u4 -v /proc/profile | awk '
		{ for (i = 1; i <= NF; i++) {
			if (n == 0) step = $i; else if ($i) printf "%d:%d ", n - 1, $i
			n++ } }
		END { printf "step %d", step }')"
}

# The kernel's time for what a boot line of PKRAM ($1, a sed pattern with
# the time as \1) says, in us.
boot_us() {
	dmesg | sed -n "s/.*PKRAM: $1.*/\\1/p" | tail -n 1
}

# The test module's yardstick for $1 MiB, in us.
memcpy_us() {
	dmesg | sed -n "s/.*pkram_bench: memcpy of $1 MiB: \([0-9]*\) us/\1/p" |
		tail -n 1
}

bench_name() {
	if [ "$(param pkram_bench_huge)" = never ]; then
		echo b4k
	else
		echo b2m
	fi
}

stage_1() {
	mib=$(param pkram_bench_mib)
	huge=$(param pkram_bench_huge)
	cmp=$(param pkram_bench_compare)
	m=/mnt/$(bench_name)
	case $cmp in
	copy) plan 8 ;;
	disk) plan 6 ;;
	*) plan 3 ;;
	esac
	mkdir -p $m /mnt/copy
	# sizes: the default, half the RAM, is too small for the copies
	mount -t tmpfs -o pkram=$(bench_name),huge=$huge,size=$((mib + 16))m \
		tmpfs $m
	mount -t tmpfs -o huge=$huge,size=$((2 * mib + 16))m tmpfs /mnt/copy
	check "write $mib MiB to $m/file (huge=$huge)" \
		dd if=/dev/zero of=$m/file bs=1M count=$mib
	sync
	check "memcpy of $mib MiB" test_op memcpy "$mib"
	copy="copy to a new tmpfs file - ms, and back - ms"
	if [ "$cmp" = copy ]; then
		timed copy_out dd if=$m/file of=/mnt/copy/file bs=1M
		timed copy_back dd if=/mnt/copy/file of=/mnt/copy/back bs=1M
		rm /mnt/copy/file /mnt/copy/back
		copy="copy to a new tmpfs file $copy_out ms, and back $copy_back ms"
	fi
	disk="disk write - ms, read back - ms"
	if [ "$cmp" = copy ] || [ "$cmp" = disk ]; then
		check "/dev/vda is there" [ -b /dev/vda ]
		timed disk_out dd if=$m/file of=/dev/vda bs=1M oflag=direct
		timed disk_back dd if=/dev/vda of=/mnt/copy/file bs=1M \
			count="$mib" iflag=direct
		rm /mnt/copy/file
		disk="disk write $disk_out ms, read back $disk_back ms"
	fi
	umount /mnt/copy
	profile_reset
	check "preserve $m" mount -o remount,preserve,ro $m
	profile_report "$(bench_name) preserve"
	save="preserve $(pkram_us "$(bench_name)" preserved) us"
	diag "tmpfsbench: $(bench_name): $mib MiB, huge=$huge:" \
		"memcpy $(memcpy_us "$mib") us; $copy; $disk; $save"
	hand_over
}

stage_2() {
	n='\([0-9]*\)'
	plan 1
	m=/mnt/$(bench_name)
	mkdir -p $m
	profile_reset
	check "mount pkram=$(bench_name)" \
		mount -t tmpfs -o pkram=$(bench_name) tmpfs $m
	profile_report "$(bench_name) restore"
	# the boot's restore, done in the background, is over once a mount
	# could take the node
	rsv=$(boot_us "reserved [0-9]* preserved pages in [0-9]* ranges in $n us")
	rst=$(boot_us "[0-9]* nodes handed over, [0-9]* pages, in $n us")
	diag "tmpfsbench: $(bench_name): reserve ${rsv:--} us;" \
		"boot restore ${rst:--} us;" \
		"restore $(pkram_us "$(bench_name)" 'brought back') us"
}
