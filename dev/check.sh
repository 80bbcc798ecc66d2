#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: every test of the PKRAM series.  Ends with "N passed, M failed"
# and exits non-zero if anything failed.  A step that others depend on (the
# packages, the tree, the build) stops the run when it fails.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Documentation directories the series adds to, and what marks its files.
DOC_DIRS="mm admin-guide"
DOC_PATTERN='(Documentation/.*pkram|include/linux/pkram\.h|mm/pkram|mm/shmem_pkram)'

# The number of tests a full run counts: a test deleted, skipped or never
# reached makes the count differ, and that fails the run.
EXPECTED_TESTS=295

t0=$(date +%s)

summary() {
	local counted=$((passed + failed))

	if [ "${1:-}" = final ] && [ $counted -ne $EXPECTED_TESTS ]; then
		result "the count: $EXPECTED_TESTS tests expected, $counted counted" 1
	fi
	echo
	[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
	echo "make check took $(($(date +%s) - t0)) s"
	echo "$passed passed, $failed failed"
}


# fatal SCRIPT: a step the rest depends on.
fatal() {
	if ! "$REPO/dev/$1"; then
		result "$1" 1
		summary
		exit 1
	fi
}

fatal deps.sh
fatal tree.sh

# Static checks -------------------------------------------------------------
step "static checks"
out=$(mktemp -d /tmp/pkram-check.XXXXXX)
trap 'rm -rf "$out"' EXIT
if "$REPO/dev/series.sh" -o "$out/series" --verify >"$out/series.log" 2>&1; then
	result "series: git am on the pristine tree gives the assembled tree" 0
else
	sed 's/^/    /' "$out/series.log"
	result "series: git am on the pristine tree gives the assembled tree" 1
fi

# Justified checkpatch exceptions: "<file or patch glob> <TYPE> <why>".
ignores_for() {
	local name=$1 glob type why types=""

	[ -f "$REPO/patches/checkpatch-exceptions" ] || return 0
	while read -r glob type why; do
		case "$glob" in ''|'#'*) continue ;; esac
		# shellcheck disable=SC2254
		case "$name" in $glob) types="$types,$type" ;; esac
	done <"$REPO/patches/checkpatch-exceptions"
	[ -z "$types" ] || echo "--ignore=${types#,}"
}

checkpatch() {
	local name=$1 r

	shift
	# shellcheck disable=SC2046
	r=$(cd "$TREE" && perl scripts/checkpatch.pl --strict --quiet \
		--no-summary $(ignores_for "$name") "$@" 2>&1)
	[ -z "$r" ] || echo "$r" | sed 's/^/        /'
	result "checkpatch --strict $name" $([ -z "$r" ]; echo $?)
}

for p in "$out"/series/0*.patch; do
	[ -f "$p" ] || continue
	case "$p" in */0000-*) continue ;; esac
	checkpatch "$(basename "$p")" "$p"
done
grep -E '\.(c|h|sh|rst)$|Kconfig|Makefile' "$TREE/.pkram-managed" |
while IFS= read -r f; do
	[ -e "$PRISTINE/$f" ] || echo "$f"
done >"$out/newfiles"
while IFS= read -r f; do
	checkpatch "$f" -f "$f"
done <"$out/newfiles"

for f in include/linux/pkram.h include/linux/pkram_abi.h $(cd "$TREE" && ls mm/pkram*.[ch] mm/shmem_pkram*.[ch] lib/test_pkram.c 2>/dev/null); do
	r=$(cd "$TREE" && scripts/kernel-doc -Wall -none "$f" 2>&1)
	[ -z "$r" ] || echo "$r" | sed 's/^/        /'
	result "kernel-doc -Wall $f" $([ -z "$r" ]; echo $?)
done
# The upstream files the series changes: no warning that pristine has not
# (line numbers aside).
for p in $(series_patches); do
	"$REPO/dev/patchsec.py" files "$REPO/patches/$p"
done | sort -u | grep -E '\.[ch]$' | while IFS= read -r f; do
	[ ! -f "$PRISTINE/$f" ] || echo "$f"
done >"$out/upstream-c"
n=$(wc -l <"$out/upstream-c")
while IFS= read -r f; do
	comm -13 <(cd "$PRISTINE" && scripts/kernel-doc -Wall -none "$f" 2>&1 |
		   sed 's/:[0-9]*:/:/' | sort) \
		 <(cd "$TREE" && scripts/kernel-doc -Wall -none "$f" 2>&1 |
		   sed 's/:[0-9]*:/:/' | sort)
done <"$out/upstream-c" >"$out/kernel-doc-upstream"
r=$(cat "$out/kernel-doc-upstream")
[ -z "$r" ] || echo "$r" | sed 's/^/        /'
result "kernel-doc -Wall: no new warning in the $n upstream C files and headers the series changes" $([ -z "$r" ]; echo $?)

# The documentation builds, with no warning about what the series adds.
docs=$PKRAM_CACHE/docs
mkdir -p "$docs"
if with_progress "htmldocs" \
	"echo \$(find '$docs' -name '*.html' | wc -l) pages written" "$out/docs.log" \
	make -C "$TREE" O="$docs" SPHINXDIRS="$DOC_DIRS" htmldocs; then
	r=$(grep -E 'WARNING|ERROR' "$out/docs.log" | grep -E "$DOC_PATTERN")
else
	r=$(tail -n 20 "$out/docs.log"; echo "make htmldocs failed")
fi
[ -z "$r" ] || echo "$r" | sed 's/^/        /'
result "htmldocs ($DOC_DIRS): no warnings in PKRAM's documents" $([ -z "$r" ]; echo $?)

# Build ---------------------------------------------------------------------
fatal kernel.sh

step "W=1 build of the PKRAM objects"
w1=$PKRAM_CACHE/build-w1
mkdir -p "$w1"
cmp -s "$BUILD/.config" "$w1/.config" || cp "$BUILD/.config" "$w1/.config"
# (continuation lines joined: a list may go on over several)
objs=$(cat "$TREE/mm/Makefile" "$TREE/lib/Makefile" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
	grep '^obj-$(CONFIG_[A-Z_]*PKRAM' |
	sed 's/.*+= *//' | tr ' \t' '\n\n' | grep '\.o$' |
	while read -r o; do
		[ -f "$TREE/mm/${o%.o}.c" ] && echo "mm/$o"
		[ -f "$TREE/lib/${o%.o}.c" ] && echo "lib/$o"
	done)
if BUILD=$w1 kmake W=1 olddefconfig $objs >"$out/w1.log" 2>&1; then
	r=$(grep -E 'warning:|error:' "$out/w1.log")
else
	r=$(grep -E 'warning:|error:|Error' "$out/w1.log"; echo "make W=1 failed")
fi
[ -z "$r" ] || echo "$r" | sed 's/^/        /'
result "W=1 build of $(echo $objs)" $([ -z "$r" ]; echo $?)

# Build variants: CONFIG_PKRAM=n, clang, sparse (dev/variants.sh).
"$REPO/dev/variants.sh" >"$out/variants.log" 2>&1
results_of "$out/variants.log"

# README's KUnit command, as a newcomer types it in the assembled tree:
# kunit.py's own x86_64 kernel (CONFIG_TMPFS=n, so no CONFIG_SHMEM_PKRAM).
step "KUnit as README runs it: kunit.py run --arch=x86_64"
(cd "$TREE" && ./tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig=mm/pkram.kunitconfig) >"$out/kunitpy.log" 2>&1
rc=$?
grep -E 'FAILED|CRASHED|error:|Testing complete|Elapsed' "$out/kunitpy.log" | tail -n 20 |
	sed 's/^/    /'
result "kunit.py run --arch=x86_64 --kunitconfig=mm/pkram.kunitconfig passes" $rc

# kselftest's own way, as upstream CI runs it: the host kernel has no
# tmpfs that takes pkram=, so run_tests must skip cleanly (KTAP SKIP); in a
# guest, the scenario tmpfs runs the same script and it must pass.
step "kselftest: make -C tools/testing/selftests TARGETS=pkram run_tests, install"
ksft=$PKRAM_CACHE/kselftest
rm -rf "$ksft"
make -C "$TREE/tools/testing/selftests" TARGETS=pkram O="$ksft/build" \
	run_tests >"$out/kselftest.log" 2>&1
rc=$?
grep -E '^(not )?ok [0-9]+ selftests: pkram|SKIP' "$out/kselftest.log" | sed 's/^/    /'
result "kselftest run_tests: tmpfs_pkram.sh builds and passes or skips cleanly" \
	$([ $rc -eq 0 ] && grep -qE '^ok 1 selftests: pkram: tmpfs_pkram.sh( # SKIP)?$' \
		"$out/kselftest.log"; echo $?)
make -C "$TREE/tools/testing/selftests" TARGETS=pkram O="$ksft/build" \
	INSTALL_PATH="$ksft/install" install >>"$out/kselftest.log" 2>&1
rc=$?
missing=""
for f in run_kselftest.sh kselftest-list.txt pkram/tmpfs_pkram.sh pkram/tmpfs_pkram \
	pkram/vmtest.sh pkram/mkinitramfs.sh pkram/vmtests pkram/config \
	pkram/config.x86_64 pkram/guest/init.sh pkram/guest/scenarios/tmpfs.sh; do
	[ -e "$ksft/install/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] || info "not installed:$missing"
result "kselftest install: tmpfs_pkram.sh, vmtest.sh, guest/, the configuration" \
	$([ $rc -eq 0 ] && [ -z "$missing" ]; echo $?)

fatal initramfs.sh
# the other kernel of the scenario update
fatal other-kernel.sh

# KUnit ---------------------------------------------------------------------
# Every case that lib/test_pkram*.c declares must report PASS, once: a boot
# that crashed, a log with no KTAP or a "1..0" plan fail (dev/kunit-cases.py).
step "KUnit (pkram suites, booted in QEMU)"
mkdir -p "$LOGS"
probe_accel
"$REPO/dev/kunit.sh" --no-build --json "$out/kunit.json" >"$out/kunit.log" 2>&1
rc=$?
sed 's/^/    /' "$out/kunit.log" | grep -v '^\s*$' | tail -n 60
result "kunit: the boot ended cleanly and kunit.py parsed a passing run" $rc
while IFS=$'\t' read -r status name; do
	if [ "$status" = PASS ]; then
		result "kunit $name" 0
	else
		result "kunit $name: $status" 1
	fi
done < <(python3 "$REPO/dev/kunit-cases.py" "pkram*" "$out/kunit.json" $(kunit_sources))
r=$(splats "$LOGS/kunit.log" | head -n 5)
[ -z "$r" ] || echo "$r" | sed 's/^/        /'
result "kunit: no kernel warning, BUG or lockdep report" $([ -z "$r" ]; echo $?)

# Across kexec --------------------------------------------------------------
# The runs: tools/testing/selftests/pkram/vmtests, one per line,
# "scenario stages kexec-mode [more vmtest.sh options]".
mapfile -t vmtests < <(grep -vE '^[[:space:]]*(#|$)' \
	"$TREE/tools/testing/selftests/pkram/vmtests")
probe_accel
# VMTEST_JOBS runs at a time (default: 2 on a host with 2 CPUs or more).  A
# guest under TCG keeps about 1.2 CPUs busy (its boot runs on one vCPU), so
# two at once get through the list in about two thirds of the time; their
# timeouts are doubled.  The runs with the most kernels start first, so
# that a long one does not run alone at the end; the results are reported
# in the order of the list, each when its run is over.
vm_jobs=${VMTEST_JOBS:-$(( $(nproc) >= 2 ? 2 : 1 ))}
[ "$vm_jobs" -le 1 ] || export VMTEST_TIMEOUT_FACTOR=2
vm_log() {
	echo "$LOGS/vmtest-$(echo "${vmtests[$1]}" | tr -c 'a-zA-Z0-9=\n-' _).log"
}
vm_run() {
	local i=$1 scen nstages mode

	# shellcheck disable=SC2086
	set -- ${vmtests[$i]}
	scen=$1 nstages=$2 mode=$3
	shift 3
	vmtest -s "$scen" -S "$nstages" -K "$mode" -l "$(vm_log "$i")" "$@" \
		>"$out/vm-$i.log" 2>&1
	echo $? >"$out/vm-$i.rc"
}
mapfile -t vm_order < <(for i in "${!vmtests[@]}"; do
	# shellcheck disable=SC2086
	set -- ${vmtests[$i]}
	echo "$2 $i"
done | sort -s -k1,1nr | cut -d' ' -f2)
rm -f "$out"/vm-*.rc
vm_next=0
vm_pids=()
vm_t0=$(date +%s)
vm_tick=$vm_t0
# Start runs while fewer than vm_jobs run.
vm_fill() {
	local p busy=0

	for p in "${vm_pids[@]}"; do
		kill -0 "$p" 2>/dev/null && busy=$((busy + 1))
	done
	while [ $busy -lt "$vm_jobs" ] && [ $vm_next -lt ${#vm_order[@]} ]; do
		vm_run "${vm_order[$vm_next]}" &
		vm_pids+=($!)
		vm_next=$((vm_next + 1))
		busy=$((busy + 1))
	done
}
for i in "${!vmtests[@]}"; do
	t=${vmtests[$i]}
	# shellcheck disable=SC2086
	set -- $t
	scen=$1 nstages=$2 mode=$3
	shift 3
	name="$scen${*:+ $*}"
	until [ -e "$out/vm-$i.rc" ]; do
		vm_fill
		sleep 1
		if [ $(($(date +%s) - vm_tick)) -ge 60 ]; then
			vm_tick=$(date +%s)
			info "vmtests: $(find "$out" -name 'vm-*.rc' | wc -l) of ${#vmtests[@]} runs done in $((vm_tick - vm_t0)) s, waiting for $scen $*"
		fi
	done
	vm_fill
	step "vmtest: $scen, $nstages kernels, kexec $mode $*"
	rc=$(cat "$out/vm-$i.rc")
	sed 's/^/    /' "$out/vm-$i.log" | grep -E '^    ((    )?not ok|# )' || true
	# the seeds of a failed run, to replay it
	[ "$rc" -eq 0 ] || grep -E '^    # .*seed' "$out/vm-$i.log" | sort -u || true
	n=0
	while read -r st rest; do
		n=$((n + 1))
		case "$st" in
		ok) result "vmtest $name ($mode) ${rest#* }" 0 ;;
		*) result "vmtest $name ($mode) ${rest#ok * }" 1 ;;
		esac
	done < <(grep -E '^(ok|not ok) [0-9]+ ' "$out/vm-$i.log")
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && ! grep -q '^not ok' "$out/vm-$i.log"; then
		result "vmtest $name ($mode): exit code $rc" 1
	fi
	[ "$rc" -ne 4 ] || result "vmtest $name ($mode): skipped, a prerequisite is missing" 1
	[ $n -gt 0 ] || [ "$rc" -ne 0 ] || result "vmtest $name ($mode) reported nothing" 1
done
wait
info "vmtests: ${#vmtests[@]} runs, $vm_jobs at a time, in $(($(date +%s) - vm_t0)) s"
unset VMTEST_TIMEOUT_FACTOR

# memblock in user space ------------------------------------------------------
# The upstream memblock simulator's tests on the series' mm/memblock.c (which
# patches 0004 to 0007 and 0009 change), built with ASan and UBSan, without NUMA and
# with it.
step "memblock simulator (tools/testing/memblock)"
for numa in 0 1; do
	make -s -C "$TREE/tools/testing/memblock" clean >/dev/null 2>&1
	if make -s -C "$TREE/tools/testing/memblock" NUMA=$numa \
		>"$out/memblock-$numa.log" 2>&1 &&
	   (cd "$TREE/tools/testing/memblock" && ./main) \
		>>"$out/memblock-$numa.log" 2>&1; then
		result "memblock simulator, NUMA=$numa" 0
	else
		sed 's/^/    /' "$out/memblock-$numa.log" | tail -20
		result "memblock simulator, NUMA=$numa" 1
	fi
done
make -s -C "$TREE/tools/testing/memblock" clean >/dev/null 2>&1

# The handover parser in user space ------------------------------------------
# Built with ASan, UBSan and libFuzzer: the inputs whose verdict is known
# (among them the handovers the VM tests above dumped) replayed, then 60 s
# of fuzzing (make fuzz runs 10 million executions).
step "handover fuzzer (tools/testing/pkram)"
FUZZ_MIN_DUMPS=$(printf '%s\n' "${vmtests[@]}" | grep -c 'pkram_dump=1') \
	"$REPO/dev/fuzz.sh" --check >"$out/fuzz.log" 2>&1
results_of "$out/fuzz.log"

summary final
[ $failed -eq 0 ]
