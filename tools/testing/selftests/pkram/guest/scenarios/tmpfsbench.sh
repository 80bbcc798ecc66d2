# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): a tmpfs file of
# pkram_bench_mib MiB in 4 KiB pages and one in huge pages, preserved in
# stage 1 and brought back in stage 2, against what an administrator does
# without PKRAM, measured in the same run: copy the bytes to a new tmpfs
# file and back, or write them to a disk (the virtio disk /dev/vda) and
# read them back.  "memcpy" is reading the file into a user buffer: a copy
# of the same bytes.  Times from /proc/uptime (10 ms) and from the kernel's
# own messages (us).
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

measure() {
	name=$1 huge=$2 mib=$3
	m=/mnt/$name
	mkdir -p $m /mnt/copy
	mount -t tmpfs -o pkram=$name,huge=$huge tmpfs $m
	mount -t tmpfs -o huge=$huge tmpfs /mnt/copy
	check "write $mib MiB to $m/file (huge=$huge)" \
		dd if=/dev/zero of=$m/file bs=1M count=$mib
	sync
	timed memcpy dd if=$m/file of=/dev/null bs=1M
	timed copy_out dd if=$m/file of=/mnt/copy/file bs=1M
	timed copy_back dd if=/mnt/copy/file of=/mnt/copy/back bs=1M
	rm /mnt/copy/file /mnt/copy/back
	timed disk_out dd if=$m/file of=/dev/vda bs=1M oflag=direct
	timed disk_back dd if=/dev/vda of=/mnt/copy/file bs=1M count=$mib iflag=direct
	rm /mnt/copy/file
	umount /mnt/copy
	profile_reset
	check "preserve $m" mount -o remount,preserve,ro $m
	profile_report "$name preserve"
	copy="copy to a new tmpfs file $copy_out ms, and back $copy_back ms"
	disk="disk write $disk_out ms, read back $disk_back ms"
	save="preserve $(pkram_us $name preserved) us"
	diag "tmpfsbench: $name: $mib MiB, huge=$huge: memcpy $memcpy ms; $copy; $disk; $save"
}

stage_1() {
	mib=$(param pkram_bench_mib)
	plan 15
	check "/dev/vda is there" [ -b /dev/vda ]
	measure b4k never "$mib"
	measure b2m always "$mib"
	hand_over
}

stage_2() {
	plan 2
	for name in b4k b2m; do
		mkdir -p /mnt/$name
		profile_reset
		check "mount pkram=$name" mount -t tmpfs -o pkram=$name tmpfs /mnt/$name
		profile_report "$name restore"
		diag "tmpfsbench: $name: restore $(pkram_us $name 'brought back') us"
	done
}
