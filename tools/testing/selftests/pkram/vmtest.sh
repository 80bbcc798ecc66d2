#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PKRAM across kexec, in QEMU.  The guest boots a scenario's stage 1, kexecs
# the same kernel into stage 2 (and on, for scenarios of several hops); every
# stage reports KTAP on the serial console, which this script collects into
# one KTAP report.  Exit codes follow kselftest: 0 pass, 1 fail, 4 skip.
#
# Without -k, the kernel is built (x86_64 tinyconfig + ./config) in the build
# directory, as the upstream KHO and LUO vmtests do; without -i, the
# initramfs is made by mkinitramfs.sh.

set -uo pipefail

test_dir=$(realpath "$(dirname "$0")")
kernel_dir=$(realpath "$test_dir/../../../..")
. "$test_dir/vmtest-lib.sh"

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

kernel=""
initrd=""
build_dir=""
scenario=kexec
stages=""
kexec_mode=file
mem=512M
cpus=2
numa=1
timeout=120
append=""
log=""
jobs=$(nproc)
kunit=0
disk=""
dimm=""
target=x86_64
kvm_probe=20

usage() {
	cat <<EOF
usage: $0 [options]
  -d dir	build directory for -k-less runs (default: a temporary one)
  -j n		build jobs (default: $jobs)
  -t arch	target architecture: x86_64 only (default: $target)
  -h		this help
  -k bzImage	kernel to boot (default: build one in the build directory)
  -i initrd	initramfs (default: make one with mkinitramfs.sh)
  -s name	scenario of guest/scenarios/ (default: $scenario)
  -S n		number of kernels in a row (default: the scenario's own)
  -K mode	kexec with file (kexec_file_load), load (kexec_load) or alt
		(file, then load, ...) (default: $kexec_mode)
  -m size	guest memory (default: $mem)
  -c n		guest CPUs (default: $cpus)
  -n n		NUMA nodes, emulated with numa=fake= (default: $numa)
  -T sec	timeout of the whole run (default: $timeout)
  -a words	more kernel command line (adds to earlier -a)
  -u		run the KUnit suites built into the kernel at boot
  -l file	keep the serial log in file
  -V file	a raw disk image for the guest, as a virtio disk (/dev/vda)
  -D size	a DIMM of that size plugged in at boot: memory the kernel adds
		after boot, through ACPI memory hotplug
  -P		preallocate the guest's RAM (-mem-prealloc), for benchmarks: no
		host page fault when a guest kernel first touches a page
  -A		print the accelerator the guests get (kvm or tcg), and exit
KVM is used where it works (a guest boots with it within ${kvm_probe} s; set
VMTEST_ACCEL=kvm or tcg to skip the probe), TCG otherwise.
VMTEST_TIMEOUT_FACTOR=n multiplies the timeout, for a host that runs
several guests at once.
EOF
}

print_accel=0
prealloc_args=()
while getopts "k:i:d:s:S:K:m:c:n:T:a:ul:j:t:V:D:PAh" opt; do
	case $opt in
	h) usage; exit $KSFT_PASS ;;
	A) print_accel=1 ;;
	P) prealloc_args=(-mem-prealloc) ;;
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	d) build_dir=$OPTARG ;;
	s) scenario=$OPTARG ;;
	S) stages=$OPTARG ;;
	K) kexec_mode=$OPTARG ;;
	m) mem=$OPTARG ;;
	D) dimm=$OPTARG ;;
	c) cpus=$OPTARG ;;
	n) numa=$OPTARG ;;
	T) timeout=$OPTARG ;;
	a) append="${append:+$append }$OPTARG" ;;
	u) kunit=1 ;;
	l) log=$OPTARG ;;
	j) jobs=$OPTARG ;;
	t) target=$OPTARG ;;
	V) disk=$OPTARG ;;
	*) usage >&2; exit $KSFT_FAIL ;;
	esac
done
timeout=$((timeout * ${VMTEST_TIMEOUT_FACTOR:-1}))

# skip WHY: the whole test skipped, in KTAP, with kselftest's exit code.
skip() {
	echo "KTAP version 1"
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}

[ "$target" = x86_64 ] || skip "target $target: PKRAM is x86_64 only"

tmp_dir=$(mktemp -d /tmp/pkram-vmtest.XXXXXX)
trap 'rm -rf "$tmp_dir"' EXIT

scenario_file=$test_dir/guest/scenarios/$scenario.sh
[ -f "$scenario_file" ] || { echo "no scenario $scenario_file" >&2; exit $KSFT_FAIL; }
if [ -z "$stages" ]; then
	stages=$(sed -n 's/^SCENARIO_STAGES=\([0-9]*\).*/\1/p' "$scenario_file")
	[ -n "$stages" ] || { echo "$scenario_file sets no SCENARIO_STAGES" >&2; exit $KSFT_FAIL; }
fi
case "$kexec_mode" in file|load|alt) ;; *) usage >&2; exit $KSFT_FAIL ;; esac
# More properties of QEMU's machine a scenario may need, as
# SCENARIO_MACHINE=PROP=VALUE,... (lowscratch: max-ram-below-4g=)
machine=pc
machine_props=$(sed -n 's/^SCENARIO_MACHINE=\([^[:space:]]*\).*/\1/p' "$scenario_file")
[ -z "$machine_props" ] || machine="pc,$machine_props"

qemu=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not found"

build_kernel() {
	local kconfig=$build_dir/.config

	mkdir -p "$build_dir"
	kconfig_tiny "$kconfig" "$test_dir/config.$target" "$test_dir/config" -- \
		make -C "$kernel_dir" O="$build_dir" ARCH=x86_64 >/dev/null || return 1
	missing=$(kconfig_missing "$kconfig" "$test_dir/config.$target" "$test_dir/config") ||
		skip "the configuration lacks what the tests need: $(echo $missing)"
	make -C "$kernel_dir" O="$build_dir" ARCH=x86_64 -j"$jobs" bzImage
}

if [ -z "$kernel" ]; then
	[ -n "$build_dir" ] || build_dir=$tmp_dir/build
	build_kernel || { echo "kernel build failed" >&2; exit $KSFT_FAIL; }
	kernel=$build_dir/arch/x86/boot/bzImage
fi

# kvm_works: a guest of this kernel boots with KVM: it gets as far as
# looking for its init (none given: it panics, and QEMU exits) within
# $kvm_probe seconds.  /dev/kvm may be there while guests hang.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	timeout -k 2 "$kvm_probe" "$qemu" -machine pc -accel kvm -m 256M \
		-display none -nodefaults -no-reboot -monitor none \
		-serial file:"$tmp_dir/kvm-probe.log" -kernel "$kernel" \
		-append "console=ttyS0 panic=-1 rdinit=/pkram-no-init init=/pkram-no-init" \
		</dev/null >/dev/null 2>&1
	grep -q 'Kernel panic' "$tmp_dir/kvm-probe.log" 2>/dev/null
}

# -accel kvm -accel tcg: QEMU takes the first it can set up.
accel=${VMTEST_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	! kvm_works || accel=kvm
fi
accel_args=(-accel tcg)
[ "$accel" != kvm ] || accel_args=(-accel kvm -accel tcg)
[ $print_accel -eq 0 ] || { echo "$accel"; exit $KSFT_PASS; }

if [ -z "$initrd" ]; then
	initrd=$tmp_dir/initramfs.cpio
	# the scenarios that run QEMU inside the guest need it in the image
	with_qemu=""
	grep -qx 'SCENARIO_IMAGE=qemu' "$scenario_file" && with_qemu=-q
	"$test_dir/mkinitramfs.sh" -k "$kernel" -o "$initrd" $with_qemu
	rc=$?
	[ $rc -eq 0 ] || exit $rc
fi

# NUMA nodes are emulated by the kernel (numa=fake=): the test kernel has
# no ACPI, to keep its build short, so it would not read QEMU's SRAT.
numa_args=""
[ "$numa" -le 1 ] || numa_args="numa=fake=$numa"

cmdline="console=ttyS0 panic=-1 oops=panic retain_initrd"
[ $kunit -eq 1 ] || cmdline="$cmdline kunit.enable=0"
cmdline="$cmdline pkram_vmtest=$scenario pkram_stage=1 pkram_stages=$stages"
cmdline="$cmdline pkram_kexec=$kexec_mode $numa_args $append"

disk_args=()
# cache=none: what the guest reads back comes from the disk image, not from
# the host's page cache
[ -z "$disk" ] || disk_args=(-drive "file=$disk,if=virtio,format=raw,cache=none")
mem_arg=$mem
dimm_args=()
if [ -n "$dimm" ]; then
	mem_arg="$mem,slots=1,maxmem=64G"
	dimm_args=(-object "memory-backend-ram,id=dimm0,size=$dimm"
		   -device pc-dimm,id=d0,memdev=dimm0)
fi

serial=${log:-$tmp_dir/serial.log}
: >"$serial"
start=$(date +%s.%N)
timeout -k 5 "$timeout" "$qemu" -machine "$machine" "${accel_args[@]}" -m "$mem_arg" \
	-smp "$cpus" -display none -nodefaults \
	-no-reboot -monitor none -serial file:"$serial" \
	"${disk_args[@]}" "${dimm_args[@]}" "${prealloc_args[@]}" \
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline" </dev/null
qemu_rc=$?
elapsed=$(echo "$(date +%s.%N) - $start" | bc)

# Collect the results of each stage from the serial log: lines printed by the
# guest's /init, which the kernel's own messages never start with.  A stage
# passes only if it declared a plan, reported that many results, and ended
# with "done, 0 failed"; if it ended twice (kexec -e returned), the last
# verdict counts.  The last stage must be followed by a clean exit of QEMU:
# a hang or a panic after it fails it.
tr -d '\r' <"$serial" >"$tmp_dir/serial"
echo "KTAP version 1"
echo "# $scenario: $stages kernels, kexec mode $kexec_mode, ${mem} ${cpus} CPUs," \
	"$numa nodes, ${accel_args[*]}"
echo "1..$stages"
failed=0
stage=0
reached=0
declare -A plan results verdict
while IFS= read -r line; do
	case "$line" in
	"# pkram-vmtest: $scenario stage "*)
		# "# pkram-vmtest: <scenario> stage <n> ..." starts or ends a stage
		set -- ${line#\# pkram-vmtest: $scenario stage }
		stage=$1
		case "$line" in
		*" done, 0 failed") verdict[$stage]=ok; reached=$stage ;;
		*" done, "*) verdict[$stage]="not ok"; reached=$stage ;;
		*) results[$stage]=0 ;;
		esac
		;;
	"ok "*|"not ok "*|"# "*|"1.."*)
		[ "$stage" -gt 0 ] || continue
		case "$line" in
		# its digits: a kernel message can land within the line
		"1.."*) p=${line#1..}; plan[$stage]=${p%%[!0-9]*} ;;
		"ok "*|"not ok "*) results[$stage]=$((${results[$stage]:-0} + 1)) ;;
		esac
		echo "    $line" >>"$tmp_dir/stage.$stage"
		;;
	esac
done <"$tmp_dir/serial"

clean_exit=1
if [ "$reached" -eq "$stages" ] && [ $qemu_rc -ne 0 ]; then
	clean_exit=0
	echo "# QEMU did not exit after the last stage (exit code $qemu_rc)" \
		>>"$tmp_dir/stage.$stages"
fi
for ((s = 1; s <= reached; s++)); do
	echo "    KTAP version 1"
	echo "    # Subtest: $scenario.stage$s"
	cat "$tmp_dir/stage.$s" 2>/dev/null
	v=${verdict[$s]:-not ok}
	why=""
	if [ -z "${plan[$s]:-}" ]; then
		v="not ok" why=" # no plan"
	elif [ "${plan[$s]}" -ne "${results[$s]:-0}" ]; then
		v="not ok" why=" # planned ${plan[$s]}, reported ${results[$s]:-0}"
	fi
	[ $s -lt "$stages" ] || [ $clean_exit -eq 1 ] ||
		v="not ok" why=" # no clean exit"
	[ "$v" = ok ] || failed=1
	echo "$v $s $scenario.stage$s$why"
done

if [ "$reached" -lt "$stages" ]; then
	why="stopped in stage $((reached + 1))"
	[ $qemu_rc -eq 124 ] && why="QEMU timed out after $timeout s in stage $((reached + 1))"
	grep -m1 -E "$PKRAM_SPLAT|Oops" "$tmp_dir/serial" |
		sed 's/^/# /'
	for ((s = reached + 1; s <= stages; s++)); do
		if [ -f "$tmp_dir/stage.$s" ]; then
			echo "    # Subtest: $scenario.stage$s"
			cat "$tmp_dir/stage.$s"
		fi
		echo "not ok $s $scenario.stage$s # $why"
	done
	failed=1
fi
# A kernel warning or panic in any stage is a failure too; but the panic a
# stage asks for (splats()).
if splats "$tmp_dir/serial" >"$tmp_dir/splats"; then
	head -n 3 "$tmp_dir/splats" | sed 's/^/# /'
	failed=1
fi
printf '# %s: %.1f s, serial log: %s\n' "$scenario" "$elapsed" \
	"${log:-(not kept, use -l)}"
[ $failed -eq 0 ] && exit $KSFT_PASS
exit $KSFT_FAIL
