#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make soak: the randomized soak (scenario soak): SOAK_HOPS kexec hops
# (default 100) in one chain of guests, each drawing from SOAK_SEED (default
# a random one, printed) what it saves, leaves, loads, how it kexecs and
# whether NUMA is on.  Every byte is checked, and nothing may leak.  Ends
# with the line "N hops, C corrupted bytes, L leaked pages, seed S", and
# exits non-zero unless the chain ran to the end with both counts 0.
# SOAK_SEED=S replays a run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

hops=${SOAK_HOPS:-100}
seed=${SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
[ "$hops" -ge 1 ] && [ "$seed" -ge 0 ] 2>/dev/null ||
	die "SOAK_HOPS and SOAK_SEED must be numbers"

"$REPO/dev/deps.sh" && "$REPO/dev/tree.sh" && "$REPO/dev/kernel.sh" &&
	"$REPO/dev/initramfs.sh" || exit 1

mkdir -p "$LOGS"
log=$LOGS/soak-$seed.log
out=$LOGS/soak-$seed.ktap
step "soak: $hops hops, seed $seed (replay: SOAK_SEED=$seed make soak)"
t0=$(date +%s)
# About 15 s a hop under TCG; the frag hops take longer.
vmtest -s soak -S $((hops + 1)) -K file -m 1G -T $((120 + hops * 60)) \
	-a "pkram_soak_seed=$seed pkram_scratch=192M test_pkram_handover.seed=$seed" \
	-l "$log" >"$out" 2>&1
rc=$?
grep -E '^ *(not ok|# kernel [0-9]+ of)' "$out" | sed 's/^ */    /'
line=$(grep -E '# [0-9]+ hops, [0-9]+ corrupted bytes, [0-9]+ leaked pages, seed' "$out" |
	sed 's/^ *# //')
info "serial log: $log, KTAP: $out ($(($(date +%s) - t0)) s)"
if [ -z "$line" ]; then
	echo "${c_red}the chain did not reach its last hop (seed $seed)${c_off}"
	exit 1
fi
echo "$line"
[ $rc -eq 0 ]
