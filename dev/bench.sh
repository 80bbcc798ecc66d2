#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: time PKRAM's save and load paths in QEMU and print a table.
# Reports, never fails on numbers; the table goes to out/bench.md as well.
#
# Usage: bench.sh [MiB]   (default 1024)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
mib=${1:-1024}

# Benchmarks run a kernel of their own: the test kernel's lockdep, DEBUG_VM
# and fault injection would weigh on every lock and page operation measured.
if [ -z "${PKRAM_BENCH_KERNEL:-}" ]; then
	bench_config
	PKRAM_BENCH_KERNEL=1 PKRAM_BUILD=$BENCH_BUILD \
		PKRAM_GUEST=$PKRAM_CACHE/guest-bench \
		PKRAM_FRAGMENT=$BENCH_CONFIG exec "$0" "$@"
fi

"$REPO/dev/deps.sh" gnuplot-nox
"$REPO/dev/tree.sh"
"$REPO/dev/kernel.sh"
"$REPO/dev/initramfs.sh"

# The parts to run: BENCH_ONLY="streams boot tmpfs vm" (the default: all).
# BENCH_PROFILE=1: the tmpfs part also says where the kernel's time went.
only=${BENCH_ONLY:-streams boot tmpfs vm}
table=$REPO/out/bench.md
mkdir -p "$LOGS" "$REPO/out"
: >"$table"

bench_streams() {
	step "benchmark: streams API, $mib MiB"
	log=$LOGS/bench-streams.log
	mem=$((mib + 1024))M
	vmtest -s boot -u -T 900 -m "$mem" -c 2 -l "$log" \
		-a "kunit.filter_glob=bench_pkram test_pkram.bench_mib=$mib" >/dev/null ||
		die "the benchmark run failed (serial log: $log)"
	grep -q 'pkram_bench: order' "$log" || die "no benchmark output (serial log: $log)"

	{
		echo "Streams API, $mib MiB of folios, one thread, QEMU TCG ($(nproc) host cores), Linux $(kernel_version), no lockdep or DEBUG_VM; memcpy: the yardstick of every table, the kernel's memcpy() of the same bytes from up to 256 MiB of pages in RAM to a 32 MiB ring, the fastest of 3 copies, as in every table (lib/test_pkram_bench.h):"
		echo
		echo "| folios | save ns/folio | load ns/folio | memcpy ns/folio | save+load vs memcpy | metadata |"
		echo "|---|---|---|---|---|---|"
		sed -n 's/.*pkram_bench: order \([0-9]*\), \([0-9]*\) folios .*: save \([0-9]*\) ns\/folio, load \([0-9]*\) ns\/folio, memcpy \([0-9]*\) ns\/folio; save+load \([0-9.]*%\) of memcpy; metadata \([0-9]*\) pages, \([0-9.]*%\) of the data/| \2 of order \1 | \3 | \4 | \5 | \6 | \7 pages, \8 |/p' "$log"
	} >>"$table"
	cat "$table"
}

# The guest may use at most this much of the machine's memory.
guest_max=${BENCH_GUEST_MAX_MIB:-12288}

# ms with two decimals from us; a/b with four decimals, - without both
ms() { awk -v us="$1" 'BEGIN { if (us == "-") print "-"; else printf "%.2f", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-" && b > 0) printf "%.4f", a / b; else print "-" }'; }

# kexec_to_init LOG BOOT REPORT: seconds from the kexec reboot of the kernel
# before boot BOOT (1, 2, ...) of the bootcost run whose serial log is LOG
# to that boot's /init, whose REPORT line gives the cycle counter there and
# its rate: the TSC runs on across kexec.  Unlike the uptime, this counts
# all of the boot, the part before the kernel's clock starts included (it
# starts late when the early TSC calibration fails).  - if unknown.
kexec_to_init() {
	local from at khz

	from=$(grep -o 'pkram_test: kexec at cycle [0-9]*' "$1" | sed -n "$2s/.* //p")
	at=$(echo "$3" | sed -n 's/.*cycles at init \([0-9]*\) at \([0-9]*\) kHz.*/\1/p')
	khz=$(echo "$3" | sed -n 's/.*cycles at init \([0-9]*\) at \([0-9]*\) kHz.*/\2/p')
	awk -v f="${from:-}" -v a="${at:-}" -v k="${khz:-0}" \
		'BEGIN { if (f == "" || a == "" || k <= 0 || a < f) print "-"; else printf "%.3f", (a - f) / k / 1000 }'
}

# BENCH_BOOT_MIB: the sizes the boot part measures (default 1024 4096 8192).
bench_boot() {
	local size kind mem extra n with w k run w0 n0 k0 kn rsv rst dat
	step "benchmark: boot of the next kernel with ${BENCH_BOOT_MIB:-1024 4096 8192} MiB preserved"
	dat=$REPO/out/bench-boot.dat
	echo "# MiB kind preserved_MiB boot_with_s boot_without_s reserve_us restore_us restore_done_s uptime_with_s uptime_without_s" >"$dat"
	{
		echo
		echo "Boot of the next kernel with memory preserved, and with nothing preserved (the baseline), each the second boot of a QEMU run of its own, its RAM preallocated (-mem-prealloc: a guest's first touch of a page costs the host a page fault, and the first kernel of a run touches more or less of it) (QEMU TCG, 2 CPUs; the fastest of ${BENCH_BOOT_RUNS:-2} runs of each case: under TCG a boot now and then stalls for seconds; kexec to /init: from the previous kernel's kexec reboot to /init, by the TSC, which runs on across kexec, all of the boot; uptime at /init from /proc/uptime, which misses the part before the kernel's clock starts, all of the early boot when the early TSC calibration fails; every other page: all the memory but 256 MiB taken, the pages at odd pfns freed, the others preserved, about half of the guest's RAM):"
		echo
		echo "| preserved | guest RAM | kexec to /init | with nothing preserved | added | uptime at /init | with nothing preserved | reserve (early) | late pass (in the background: check, free) | restore (in the background, after the late pass) |"
		echo "|---|---|---|---|---|---|---|---|---|---|"
	} >>"$table"
	for size in ${BENCH_BOOT_MIB:-1024 4096 8192}; do
		# The baseline first: a run of its own that preserves nothing.
		# Each case BENCH_BOOT_RUNS times (default 2), the fastest kept:
		# under TCG a boot now and then stalls for seconds.
		for kind in none 0 9 frag; do
			mem=$((size + 1024))
			extra=
			[ $kind != frag ] || extra="-a pkram_bench_keep=256"
			n='\([0-9.]*\)'
			with=
			k0=-
			for run in $(seq "${BENCH_BOOT_RUNS:-2}"); do
				log=$LOGS/bench-bootcost-$size-$kind-$run.log
				vmtest -s bootcost -K file -T 1800 -m ${mem}M -P -l "$log" $extra \
					-a "pkram_bench_mib=$size pkram_bench_order=$kind" >"$log.ktap" ||
					die "the boot benchmark failed (serial log: $log)"
				w=$(grep '# bootcost: with ' "$log.ktap") ||
					die "no boot benchmark output (serial log: $log)"
				k=$(kexec_to_init "$log" 1 "$w")
				if [ -z "$with" ] || awk -v a="$k" -v b="$k0" 'BEGIN { exit !(b == "-" || (a != "-" && a < b)) }'; then
					with=$w
					k0=$k
				fi
			done
			if [ $kind = none ]; then
				kn=$k0
				n0=$(echo "$with" | sed -n "s/.*uptime at init $n s.*/\\1/p")
				continue
			fi
			w0=$(echo "$with" | sed -n "s/.*uptime at init $n s.*/\\1/p")
			rsv=$(echo "$with" | sed -n 's/.*reserve: \([^;]*\);.*/\1/p')
			late=$(echo "$with" | sed -n 's/.*late pass: \([^;]*\);.*/\1/p')
			rst=$(echo "$with" | sed -n 's/.*restore: \(.*\)$/\1/p')
			echo "| $(echo "$with" | sed -n 's/.*bootcost: with \([^:]*\):.*/\1/p') | $mem MiB | $k0 s | $kn s | $(awk -v a="$k0" -v b="$kn" 'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%+.0f ms", (a - b) * 1000 }') | $w0 s | $n0 s | $rsv | $late | $rst |" >>"$table"
			echo "$size $kind $(($(echo "$rsv" | sed -n 's/^\([0-9]*\) pages.*/\1/p') / 256)) $k0 $kn $(echo "$rsv" | sed -n "s/.*, $n us/\\1/p") $(echo "$rst" | sed -n "s/^$n us.*/\\1/p") $(echo "$rst" | sed -n "s/.*done at $n s/\\1/p") $w0 $n0" >>"$dat"
		done
	done
	cat "$table"
}

# One run of the tmpfs benchmark: $1 MiB in pages $2 (4k or 2m) on $3 CPUs
# (default 2); its KTAP output goes to $run_log.  What is compared besides the yardstick depends
# on the memory it needs: the copy to a second tmpfs and back holds three
# times the bytes, the disk twice.
bench_tmpfs_run() {
	local size=$1 pages=$2 cpus=${3:-2} huge=never cmp=none mem disk log prof
	[ "$pages" = 4k ] || huge=always
	mem=$((size + 1024))
	if [ $((3 * size + 1024)) -le "$guest_max" ]; then
		cmp=copy mem=$((3 * size + 1024))
	elif [ $((2 * size + 1024)) -le "$guest_max" ]; then
		cmp=disk mem=$((2 * size + 1024))
	fi
	disk=$PKRAM_CACHE/bench-disk.img
	rm -f "$disk"
	truncate -s $((size + 16))M "$disk"
	log=$LOGS/bench-tmpfs-$size-$pages-$cpus.log
	prof=
	[ -z "${BENCH_PROFILE:-}" ] || prof="-a profile=4"
	vmtest -s tmpfsbench -K file -T 3600 -m ${mem}M -c "$cpus" -V "$disk" -l "$log" \
		-a "pkram_bench_mib=$size pkram_bench_huge=$huge pkram_bench_compare=$cmp" \
		$prof >"$log.ktap" ||
		{ rm -f "$disk"; die "the tmpfs benchmark failed (serial log: $log)"; }
	rm -f "$disk"
	run_log=$log.ktap
}

# BENCH_TMPFS_MIB: the sizes the tmpfs part measures (default 256 1024
# 4096 8192).
bench_tmpfs() {
	local size pages name l1 l2 n save rsv rst rest total memcpy copy disk dat one two
	step "benchmark: a tmpfs across kexec at ${BENCH_TMPFS_MIB:-256 1024 4096 8192} MiB, against copying it"
	dat=$REPO/out/bench-tmpfs.dat
	echo "# MiB pages preserve_us reserve_us boot_restore_us mount_us total_us memcpy_us copy_us disk_us" >"$dat"
	{
		echo
		echo "tmpfs, one file preserved in one kernel and mounted again in the next (the same run, QEMU TCG, 2 CPUs); times in ms, ms/GiB in brackets; total: preserve, the next kernel's early reservation and restore at boot (in the background) and the mount.  The yardstick, memcpy, is the kernel's memcpy() of the same number of bytes from pages in RAM to a 32 MiB ring, the fastest of 3 copies (lib/test_pkram_bench.h, as in the streams table).  The copy to a second tmpfs and back, and the disk (virtio, cache=none, direct I/O) written and read back into a tmpfs, are measured where the guest ($guest_max MiB at most) holds them; - where not:"
		echo
		echo "| size | pages | preserve | reserve | restore at boot | mount | total | memcpy | total vs memcpy | copy to a tmpfs and back | total vs copy | disk write and read back | total vs disk |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	} >>"$table"
	per() { awk -v us="$1" -v mib="$size" 'BEGIN { if (us == "-") print "-"; else printf "%.1f", us / 1000 * 1024 / mib }'; }
	for size in ${BENCH_TMPFS_MIB:-256 1024 4096 8192}; do
		for pages in 4k 2m; do
			bench_tmpfs_run "$size" "$pages"
			log=$run_log name=b$pages
			l1=$(grep "# tmpfsbench: $name: $size MiB" "$log") &&
				l2=$(grep "# tmpfsbench: $name: reserve" "$log") ||
				die "no tmpfs benchmark output for $size MiB $pages (log: $log)"
			n='\([0-9-]*\)'
			v() { echo "$1" | sed -n "s/.*$2.*/\\1/p"; }
			memcpy=$(v "$l1" "memcpy $n us")
			copy=$(v "$l1" "new tmpfs file $n ms, and back")
			[ "$copy" = - ] || copy=$(( (copy + $(v "$l1" "and back $n ms")) * 1000 ))
			disk=$(v "$l1" "disk write $n ms")
			[ "$disk" = - ] || disk=$(( (disk + $(v "$l1" "read back $n ms")) * 1000 ))
			save=$(v "$l1" "preserve $n us")
			rsv=$(v "$l2" "reserve $n us")
			rst=$(v "$l2" "boot restore $n us")
			rest=$(v "$l2" "; restore $n us")
			total=$((save + ${rsv/-/0} + ${rst/-/0} + rest))
			echo "$size $pages $save $rsv $rst $rest $total $memcpy $copy $disk" >>"$dat"
			echo "| $size MiB | $pages | $(ms "$save") ($(per "$save")) | $(ms "$rsv") | $(ms "$rst") | $(ms "$rest") ($(per "$rest")) | $(ms "$total") ($(per "$total")) | $(ms "$memcpy") | $(ratio "$total" "$memcpy") | $(ms "$copy") | $(ratio "$total" "$copy") | $(ms "$disk") | $(ratio "$total" "$disk") |" >>"$table"
			if [ -n "${BENCH_PROFILE:-}" ]; then
				{
					echo
					echo "Where the kernel's time went, $size MiB $pages (profile=4, timer ticks on both CPUs, idle included):"
					echo
					python3 "$REPO/dev/kprofile.py" "$BUILD/System.map" "$log"
					echo
				} >>"$table"
			fi
		done
	done
	# how the restore scales: one CPU against two, 1 GiB of 4 KiB pages
	bench_tmpfs_run 1024 4k 1
	one=$(sed -n 's/.*# tmpfsbench: b4k: reserve.*; restore \([0-9]*\) us.*/\1/p' "$run_log")
	case " ${BENCH_TMPFS_MIB:-256 1024 4096 8192} " in
	*" 1024 "*) run_log=$LOGS/bench-tmpfs-1024-4k-2.log.ktap ;;
	*) bench_tmpfs_run 1024 4k 2 ;;
	esac
	two=$(sed -n 's/.*# tmpfsbench: b4k: reserve.*; restore \([0-9]*\) us.*/\1/p' "$run_log")
	[ -n "$one" ] && [ -n "$two" ] || die "no tmpfs benchmark output for the scaling runs"
	{
		echo
		echo "The mount's restore of 1 GiB of 4 KiB pages on one CPU: $(ms "$one") ms, on two: $(ms "$two") ms; two CPUs are $(ratio "$one" "$two") times one."
	} >>"$table"
	cat "$table"
}

# out/bench.svg: how the costs grow with size, from the data files of this
# run (dev/bench.gp, Debian's gnuplot-nox).
bench_plot() {
	[ -s "$REPO/out/bench-tmpfs.dat" ] || [ -s "$REPO/out/bench-boot.dat" ] ||
		return 0
	gnuplot -e "tmpfs='$REPO/out/bench-tmpfs.dat'; boot='$REPO/out/bench-boot.dat'; out='$REPO/out/bench.svg'" \
		"$REPO/dev/bench.gp" || die "gnuplot failed"
	info "the plot: out/bench.svg"
}

bench_vm() {
	step "benchmark: a running VM across a kernel update, with PKRAM and through the disk"
	{
		echo
		echo "A VM (Debian's QEMU $(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null), TCG inside the TCG guest) kept across a kexec of its host: its pause, from QMP stop to cont, in ms (same runs; with PKRAM its RAM stays in a preserved tmpfs file and only its devices are saved; without, RAM and devices are migrated to a virtio disk, cache=none, and back):"
		echo
		echo "| guest RAM | pages | PKRAM: blackout | device state save | QEMU exit | preserve | kexec to /init (boot) | mount | QEMU start, state load | cont | state file | RAM never copied | disk: blackout | RAM and state save | kexec to /init (boot) | QEMU start, RAM and state load |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	} >>"$table"
	for vmib in 256 1024; do
		for huge in within_size never; do
			disk=$PKRAM_CACHE/bench-vm-disk.img
			rm -f "$disk"
			truncate -s $((vmib + 64))M "$disk"
			log=$LOGS/bench-vm-$vmib-$huge.log
			vmtest -s vmbench -K file -T 3600 -m $((vmib * 2 + 1536))M -V "$disk" \
				-l "$log" -a "pkram_vm_mib=$vmib pkram_vm_huge=$huge" >"$log.ktap" ||
				{ rm -f "$disk"; die "the VM benchmark failed (serial log: $log)"; }
			rm -f "$disk"
			n='\([0-9]*\)'
			k=$(grep '# vm: blackout' "$log.ktap") ||
				die "no VM benchmark output (serial log: $log)"
			d=$(grep '# vm-disk: blackout' "$log.ktap") ||
				die "no VM benchmark output without PKRAM (serial log: $log)"
			f() { echo "$1" | sed -n "s/.*$2 $n ms.*/\\1/p"; }
			pages=4k
			[ "$huge" = never ] || pages=2m
			echo "| $vmib MiB | $pages | $(f "$k" blackout) | $(f "$k" 'device state save') | $(f "$k" 'QEMU exit') | $(f "$k" preserve) | $(f "$k" 'kexec to \/init') ($(f "$k" 'of which boot')) | $(f "$k" mount) | $(f "$k" 'QEMU start and state load') | $(f "$k" cont) | $(echo "$k" | sed -n "s/.*state file $n KiB.*/\\1/p") KiB | $(echo "$k" | sed -n "s/.* $n MiB of RAM never copied.*/\\1/p") MiB | $(f "$d" blackout) | $(f "$d" 'RAM and device state save') | $(f "$d" 'kexec to \/init') ($(f "$d" 'of which boot')) | $(f "$d" 'QEMU start and RAM and state load') |" >>"$table"
		done
	done
	cat "$table"
}

rm -f "$REPO/out/bench-tmpfs.dat" "$REPO/out/bench-boot.dat" "$REPO/out/bench.svg"
for part in $only; do
	case "$part" in
	streams|boot|tmpfs|vm) "bench_$part" ;;
	*) die "BENCH_ONLY: no part $part (streams boot tmpfs vm)" ;;
	esac
done
bench_plot
