#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check-debug: the KUnit suites and every vmtest run of make check
# (tools/testing/selftests/pkram/vmtests) on the test kernel built with the
# memory debugging tools: KASAN (generic), KFENCE, DEBUG_PAGEALLOC,
# init_on_free, kmemleak (each stage scans before its kexec) and UBSAN.
# Besides the tests' own results, no KASAN, KFENCE, UBSAN or kmemleak
# report, BUG or warning may appear in any serial log.  Ends with
# "N passed, M failed" and exits non-zero on any failure.
# CHECK_DEBUG_ONLY=REGEX runs only the vmtest lines that match it (grep -E),
# and not KUnit: e.g. CHECK_DEBUG_ONLY='^(soak|update|vm) '.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

t0=$(date +%s)

"$REPO/dev/deps.sh" && "$REPO/dev/tree.sh" || exit 1
# The bench kernel: the other kernel of the scenario update.
"$REPO/dev/other-kernel.sh" || exit 1

DEBUG_BUILD=$PKRAM_CACHE/build-debug
DEBUG_CONFIG=$PKRAM_CACHE/debug.config
mkdir -p "$PKRAM_CACHE"
{
	cat "$KCONFIG_FRAGMENT"
	printf 'CONFIG_%s=y\n' KASAN KASAN_GENERIC KASAN_INLINE KFENCE \
		DEBUG_PAGEALLOC DEBUG_PAGEALLOC_ENABLE_DEFAULT \
		INIT_ON_FREE_DEFAULT_ON DEBUG_KMEMLEAK UBSAN UBSAN_BOUNDS \
		SLUB_DEBUG STACKTRACE
	# KASAN needs the full SLUB; each stage scans for leaks itself.
	printf '# CONFIG_%s is not set\n' SLUB_TINY DEBUG_KMEMLEAK_AUTO_SCAN
} >"$DEBUG_CONFIG.new"
cmp -s "$DEBUG_CONFIG.new" "$DEBUG_CONFIG" && rm -f "$DEBUG_CONFIG.new" ||
	mv "$DEBUG_CONFIG.new" "$DEBUG_CONFIG"
PKRAM_BUILD=$DEBUG_BUILD PKRAM_FRAGMENT=$DEBUG_CONFIG "$REPO/dev/kernel.sh" || exit 1

# The images of the debug kernel: the vmtest helpers take these names.
KERNEL_IMAGE=$DEBUG_BUILD/arch/x86/boot/bzImage
INITRAMFS=$GUEST/initramfs-debug.cpio
INITRAMFS_QEMU=$GUEST/initramfs-debug-qemu.cpio
INITRAMFS_UPDATE=$GUEST/initramfs-debug-update.cpio
mk=$TREE/tools/testing/selftests/pkram/mkinitramfs.sh
step "guest initramfs with the debug kernel"
"$mk" -k "$KERNEL_IMAGE" -o "$INITRAMFS" -w "$GUEST/work-debug" &&
"$mk" -k "$KERNEL_IMAGE" -q -o "$INITRAMFS_QEMU" -w "$GUEST/work-debug-qemu" &&
"$mk" -k "$KERNEL_IMAGE" -u "$BENCH_BUILD/arch/x86/boot/bzImage" \
	-o "$INITRAMFS_UPDATE" -w "$GUEST/work-debug-update" || exit 1

# report LOG: the lines of a report of the debugging tools, or of a BUG.
reports() {
	splats "$1" | head -n 5
}

mkdir -p "$LOGS"
if [ -z "${CHECK_DEBUG_ONLY:-}" ]; then
	step "KUnit on the debug kernel"
	log=$LOGS/debug-kunit.log
	# movablecore=320M: KASAN's shadow (1/8 of memory) and the rest of the
	# early allocations come from the top of memory, where ZONE_MOVABLE is.
	vmtest -s boot -u -T 1200 -m 1G -a "kunit.filter_glob=pkram* movablecore=320M" \
		-l "$log" >"$LOGS/debug-kunit.ktap" 2>&1
	rc=$?
	json=$LOGS/debug-kunit.json
	python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$json" "$log" >/dev/null 2>&1
	while IFS=$'\t' read -r status name; do
		result "kunit $name${status:+: $status}" $([ "$status" = PASS ]; echo $?)
	done < <(python3 "$REPO/dev/kunit-cases.py" "pkram*" "$json" $(kunit_sources))
	r=$(reports "$log")
	[ -z "$r" ] || echo "$r" | sed 's/^/        /'
	result "kunit: the boot ended cleanly, no report" $([ $rc -eq 0 ] && [ -z "$r" ]; echo $?)
fi

probe_accel
mapfile -t runs < <(grep -vE '^[[:space:]]*(#|$)' "$TREE/tools/testing/selftests/pkram/vmtests" |
	grep -E -- "${CHECK_DEBUG_ONLY:-.}")
for t in "${runs[@]}"; do
	# shellcheck disable=SC2086
	set -- $t
	scen=$1 nstages=$2 mode=$3
	shift 3
	step "vmtest (debug kernel): $t"
	log=$LOGS/debug-vmtest-$(echo "$t" | tr -c 'a-zA-Z0-9=\n-' _).log
	# The debug kernel's timeout last: it outlasts the run's own.
	with_progress "vmtest $scen" \
		"echo \$(grep -c 'pkram-vmtest: .* done' '$log' 2>/dev/null) of $nstages stages done" \
		"$LOGS/debug-vm.out" \
		vmtest -s "$scen" -S "$nstages" -K "$mode" -l "$log" "$@" -T 1800
	rc=$?
	grep -E '^(    )?not ok' "$LOGS/debug-vm.out" | sed 's/^/    /'
	r=$(reports "$log")
	[ -z "$r" ] || echo "$r" | sed 's/^/        /'
	result "vmtest $t: every stage ok" $rc
	result "vmtest $t: no KASAN, KFENCE, UBSAN or kmemleak report, BUG or warning" \
		$([ -z "$r" ]; echo $?)
done

echo
echo "make check-debug took $(($(date +%s) - t0)) s"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
