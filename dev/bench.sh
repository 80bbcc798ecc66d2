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

"$REPO/dev/deps.sh"
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
		echo "Streams API, $mib MiB of folios, one thread, QEMU TCG ($(nproc) host cores), Linux $(kernel_version), no lockdep or DEBUG_VM:"
		echo
		echo "| folios | save ns/folio | load ns/folio | memcpy ns/folio | save+load vs memcpy | metadata |"
		echo "|---|---|---|---|---|---|"
		sed -n 's/.*pkram_bench: order \([0-9]*\), \([0-9]*\) folios .*: save \([0-9]*\) ns\/folio, load \([0-9]*\) ns\/folio, memcpy \([0-9]*\) ns\/folio; save+load \([0-9.]*%\) of memcpy; metadata \([0-9]*\) pages, \([0-9.]*%\) of the data/| \2 of order \1 | \3 | \4 | \5 | \6 | \7 pages, \8 |/p' "$log"
	} >>"$table"
	cat "$table"
}

# BENCH_BOOT_MIB: the sizes the boot part measures (default: BENCH_MIB).
bench_boot() {
	local size kind mem extra label
	step "benchmark: boot of the next kernel with ${BENCH_BOOT_MIB:-$mib} MiB preserved"
	{
		echo
		echo "Boot of the next kernel with memory preserved, then with nothing (same run, QEMU TCG, 2 CPUs; every other page: all the memory but 256 MiB taken, the pages at odd pfns freed, the others preserved, about half of the guest's RAM):"
		echo
		echo "| preserved | guest RAM | uptime at /init | reserve (early) | restore (in the background, while the boot goes on) |"
		echo "|---|---|---|---|---|"
	} >>"$table"
	for size in ${BENCH_BOOT_MIB:-$mib}; do
		for kind in 0 9 frag; do
			mem=$((size + 1024))
			extra=
			[ $kind != frag ] || extra="-a pkram_bench_keep=256"
			log=$LOGS/bench-bootcost-$size-$kind.log
			vmtest -s bootcost -K file -T 1800 -m ${mem}M -l "$log" $extra \
				-a "pkram_bench_mib=$size pkram_bench_order=$kind" >"$log.ktap" ||
				die "the boot benchmark failed (serial log: $log)"
			sed -n "s/^ *# bootcost: \([^:]*\): uptime at init \([0-9.]*\) s; reserve: \(.*\); restore: \(.*\)\$/| \1 | $mem MiB | \2 s | \3 | \4 |/p" \
				"$log.ktap" >>"$table"
		done
	done
	cat "$table"
}

bench_tmpfs() {
	step "benchmark: a tmpfs of $mib MiB across kexec, against copying it"
	disk=$PKRAM_CACHE/bench-disk.img
	truncate -s $((mib + 16))M "$disk"
	log=$LOGS/bench-tmpfs.log
	prof=
	[ -z "${BENCH_PROFILE:-}" ] || prof="-a profile=4"
	vmtest -s tmpfsbench -K file -T 1800 -m $((mib * 4 + 1024))M -V "$disk" \
		-l "$log" -a "pkram_bench_mib=$mib" $prof >"$log.ktap" ||
		{ rm -f "$disk"; die "the tmpfs benchmark failed (serial log: $log)"; }
	rm -f "$disk"
	# ms with two decimals from us
	ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }
	ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.4f", a / b; else print "-" }'; }
	{
		echo
		echo "tmpfs, $mib MiB file, preserved in one kernel and mounted again in the next (same run, QEMU TCG, 2 CPUs); times in ms, ms/GiB in brackets:"
		echo
		echo "| pages | preserve | restore | memcpy | preserve+restore vs memcpy | copy to a new tmpfs file and back | preserve+restore vs copy | disk write and read back | preserve+restore vs disk |"
		echo "|---|---|---|---|---|---|---|---|---|"
		for name in b4k b2m; do
			line=$(grep "# tmpfsbench: $name: $mib MiB" "$log.ktap") ||
				die "no tmpfs benchmark output for $name (serial log: $log)"
			n='\([0-9]*\)'
			memcpy=$(echo "$line" | sed -n "s/.*memcpy $n ms.*/\\1/p")
			cout=$(echo "$line" | sed -n "s/.*new tmpfs file $n ms, and back $n ms.*/\\1/p")
			cback=$(echo "$line" | sed -n "s/.*new tmpfs file $n ms, and back $n ms.*/\\2/p")
			dout=$(echo "$line" | sed -n "s/.*disk write $n ms, read back $n ms.*/\\1/p")
			dback=$(echo "$line" | sed -n "s/.*disk write $n ms, read back $n ms.*/\\2/p")
			save=$(echo "$line" | sed -n "s/.*preserve $n us.*/\\1/p")
			rest=$(grep "# tmpfsbench: $name: restore" "$log.ktap" |
			       sed -n "s/.*restore $n us.*/\\1/p")
			both=$((save + rest))
			per() { awk -v us="$1" -v mib="$mib" 'BEGIN { printf "%.1f", us / 1000 * 1024 / mib }'; }
			echo "| ${name#b} | $(ms "$save") ($(per "$save")) | $(ms "$rest") ($(per "$rest")) | $memcpy | $(ratio "$both" "$((memcpy * 1000))") | $cout + $cback | $(ratio "$both" "$(((cout + cback) * 1000))") | $dout + $dback | $(ratio "$both" "$(((dout + dback) * 1000))") |"
		done
		if [ -n "$prof" ]; then
			echo
			echo "Where the kernel's time went (profile=4, timer ticks on both CPUs, idle included):"
			echo
			python3 "$REPO/dev/kprofile.py" "$BUILD/System.map" "$log.ktap"
		fi
	} >>"$table"
	cat "$table"
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

for part in $only; do
	case "$part" in
	streams|boot|tmpfs|vm) "bench_$part" ;;
	*) die "BENCH_ONLY: no part $part (streams boot tmpfs vm)" ;;
	esac
done
