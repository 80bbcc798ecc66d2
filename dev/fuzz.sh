#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The handover parser in user space (tools/testing/pkram/): build it with
# AddressSanitizer, UBSan and libFuzzer, run memblock against a model
# (memblock_model, on the same memblock.c), replay every input whose
# verdict is known, then fuzz it.
#
# Usage: fuzz.sh [--check] [--runs N] [--time SECONDS]
#   make fuzz    fuzz.sh: 10 million executions (FUZZ_RUNS=N for others),
#                shared by one fuzzer per CPU (FUZZ_JOBS=N for others)
#   make check   fuzz.sh --check: 60 s, after the VM tests, whose dumps
#                must be there (at least FUZZ_MIN_DUMPS of them)
# Each result is a line "ok - WHAT" or "not ok - WHAT"; the exit code is
# non-zero if any failed.
#
# The inputs whose verdict is known:
#   synth     handovers mkinput.py builds, valid and damaged, with the
#             verdicts the format requires;
#   regress   tools/testing/pkram/regressions/*.hex: what the fuzzer once
#             found (a crash, a hang, two error lines), with the verdict
#             now expected;
#   dumps     the handovers the VM tests dumped (pkram_dump=1: the serial
#             logs in $LOGS), with the verdict the next kernel logged: the
#             same input must give the same verdict in user space.
# The corpus grows in $PKRAM_CACHE/fuzz/corpus; what fuzzing finds goes to
# $PKRAM_CACHE/fuzz/crashes/, to become a regression input (mkinput.py hex).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

check=0
runs=${FUZZ_RUNS:-10000000}
time=0
while [ $# -gt 0 ]; do
	case "$1" in
	--check) check=1; runs=0; time=60 ;;
	--runs) runs=$2; time=0; shift ;;
	--time) time=$2; runs=0; shift ;;
	*) die "usage: $0 [--check] [--runs N] [--time SECONDS]" ;;
	esac
	shift
done

FUZZ=$PKRAM_CACHE/fuzz
SRC=$TREE/tools/testing/pkram
MKINPUT="python3 $SRC/mkinput.py"
failed=0

step "handover fuzzer: build (ASan, UBSan, libFuzzer)"
mkdir -p "$FUZZ/build" "$FUZZ/corpus" "$FUZZ/crashes"
if ! make -C "$SRC" O="$FUZZ/build" -j"$JOBS" >"$FUZZ/build.log" 2>&1; then
	tail -n 30 "$FUZZ/build.log" | sed 's/^/    /'
	tap "fuzz: the handover parser builds in user space" 1
	exit 1
fi
r=$(grep -E 'warning:|error:' "$FUZZ/build.log")
[ -z "$r" ] || echo "$r" | sed 's/^/    /'
tap "fuzz: the handover parser builds in user space, no warning" \
	$([ -z "$r" ]; echo $?)

# Inputs with known verdicts, in one directory per kind.
seeds=$FUZZ/seeds
rm -rf "$seeds"
mkdir -p "$seeds"
$MKINPUT synth "$seeds/synth" >/dev/null
$MKINPUT regress "$seeds/regress" "$SRC"/regressions/*.hex >/dev/null
mapfile -t logs < <(grep -l 'pkram-dump: begin' "$LOGS"/*.log 2>/dev/null)
ndumps=0
[ ${#logs[@]} -eq 0 ] || ndumps=$($MKINPUT dump "$seeds/dumps" "${logs[@]}")

# replay KIND WHAT: every input of the kind gives its verdict.
replay() {
	local dir=$seeds/$1 n bad

	n=$(wc -l <"$dir/verdicts")
	(cd "$dir" && "$FUZZ/build/pkram_replay" $(cut -d: -f1 verdicts)) \
		>"$dir/got" 2>"$dir/stderr"
	rc=$?
	bad=$(diff <(sort "$dir/verdicts") <(sort "$dir/got") | grep '^[<>]')
	if [ $rc -ne 0 ] || [ -n "$bad" ]; then
		echo "$bad" | head -n 20 | sed -e 's/^</    expected:/' -e 's/^>/    got:     /'
		tail -n 20 "$dir/stderr" | sed 's/^/    /'
		tap "fuzz: $n $2" 1
	else
		tap "fuzz: $n $2" 0
	fi
}

step "memblock against a model"
# Four fixed seeds: the same operations every run (SEED OPERATIONS replays).
for seed in 1 2 3 4; do
	out=$("$FUZZ/build/memblock_model" $seed 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    /'
	[ $rc -eq 0 ] || break
done
tap "fuzz: memblock's reserved regions, allocations and free-range walks agree with a model (memblock_model)" $rc

step "handover fuzzer: replay"
replay synth "handovers built by mkinput.py give the verdicts the format requires"
replay regress "regression inputs (what fuzzing found) give the verdicts expected"
if [ $ndumps -gt 0 ]; then
	replay dumps "handovers dumped in the VM tests give the verdict the next kernel gave"
fi
if [ $check -eq 1 ]; then
	min=${FUZZ_MIN_DUMPS:-1}
	tap "fuzz: the VM tests dumped $ndumps handovers (at least $min expected)" \
		$([ "$ndumps" -ge "$min" ]; echo $?)
fi

step "handover fuzzer: $([ "$runs" -gt 0 ] && echo "$runs executions" || echo "$time s")"
# Fuzzing starts from every input above, and from copies whose checksums
# the harness makes right, to get past them.
mkdir -p "$seeds/crc"
find "$seeds"/{synth,regress,dumps} -type f ! -name verdicts ! -name got \
	! -name stderr 2>/dev/null | xargs -r $MKINPUT fixcrc "$seeds/crc"
before=$(ls "$FUZZ/crashes" | wc -l)
# One fuzzer per CPU (FUZZ_JOBS), sharing the corpus; in make check one,
# for 60 s.
jobs=${FUZZ_JOBS:-$JOBS}
[ $check -eq 0 ] || jobs=1
args=(-artifact_prefix="$FUZZ/crashes/" -timeout=10 -print_final_stats=1
      -print_coverage=1 -max_len=65536)
if [ "$runs" -gt 0 ]; then
	args+=(-runs=$(((runs + jobs - 1) / jobs)))
else
	args+=(-max_total_time="$time")
fi
t0=$(date +%s)
rm -f "$FUZZ"/fuzz-*.log
pids=()
for j in $(seq 1 "$jobs"); do
	(cd "$FUZZ" && exec "$FUZZ/build/pkram_fuzz" "${args[@]}" "$FUZZ/corpus" \
		"$seeds"/{synth,regress,crc} $([ $ndumps -eq 0 ] || echo "$seeds/dumps")) \
		>"$FUZZ/fuzz-$j.log" 2>&1 &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
	wait "$p" || rc=1
done
secs=$(($(date +%s) - t0))
cat "$FUZZ"/fuzz-*.log >"$FUZZ/fuzz.log"
info "seeds (-seed= replays one): $(sed -n 's/^INFO: Seed: //p' "$FUZZ/fuzz.log" | tr '\n' ' ')"
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$FUZZ/fuzz.log" |
	awk '{ n += $1 } END { print n + 0 }')
cov=$(for f in "$FUZZ"/fuzz-*.log; do
	grep -oE 'cov: [0-9]+' "$f" | tail -n 1 | cut -d' ' -f2
done | sort -n | tail -n 1)
total=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline.*/\1/p' "$FUZZ/fuzz.log" | head -n 1)
# Edges covered in the PKRAM source, of the functions the parse reached
# (of each, the most any fuzzer covered).
grep -E '^COVERED_FUNC' "$FUZZ/fuzz.log" | grep -E 'mm/pkram_[a-z]+\.c' |
	sed -E 's/.*edges: ([0-9]+)\/([0-9]+) ([^ ]+) .*(pkram_[a-z]+\.c).*/\4 \3 \1 \2/' |
	awk '{ k = $1 " " $2; if ($3 > c[k]) c[k] = $3; t[k] = $4; f[k] = $1 }
	     END { for (k in c) { cc[f[k]] += c[k]; tt[f[k]] += t[k]; n[f[k]]++ }
		   for (x in cc) printf "    %s: %d of %d edges in the %d functions reached\n", x, cc[x], tt[x], n[x] }' |
	sort
crashes=$(($(ls "$FUZZ/crashes" | wc -l) - before))
info "${execs:-0} executions in $secs s, coverage ${cov:-0} of ${total:-?} edges, $crashes crashes or hangs"
if [ $crashes -gt 0 ] || [ $rc -ne 0 ]; then
	grep -E 'ERROR|BUG|SUMMARY|runtime error|==[0-9]+==' "$FUZZ/fuzz.log" | head -n 20 | sed 's/^/    /'
	ls -t "$FUZZ/crashes" | head -n "$((crashes > 0 ? crashes : 1))" | sed "s|^|    $FUZZ/crashes/|"
	info "replay one with $FUZZ/build/pkram_replay -v FILE; make it a regression"
	info "input with: python3 tools/testing/pkram/mkinput.py hex FILE"
fi
tap "fuzz: ${execs:-0} executions, coverage ${cov:-0} edges, $crashes crashes or hangs" \
	$([ $rc -eq 0 ] && [ $crashes -eq 0 ] && [ "${execs:-0}" -gt 0 ]; echo $?)
[ $failed -eq 0 ]
