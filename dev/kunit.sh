#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the PKRAM KUnit suites: boot the test kernel in QEMU with KUnit on and
# parse its KTAP with the tree's kunit.py.
#
# Usage: kunit.sh [--no-build] [--filter GLOB] [--json FILE]
#   --filter GLOB  kunit.filter_glob, e.g. 'pkram.pkram_test_load_missing'
set -euo pipefail
. "$(dirname "$0")/lib.sh"

build=1
filter='pkram*'
json=""
while [ $# -gt 0 ]; do
	case "$1" in
	--no-build) build=0 ;;
	--filter) filter=$2; shift ;;
	--json) json=$2; shift ;;
	*) die "usage: $0 [--no-build] [--filter GLOB] [--json FILE]" ;;
	esac
	shift
done

if [ $build -eq 1 ]; then
	"$REPO/dev/tree.sh"
	"$REPO/dev/kernel.sh"
	"$REPO/dev/initramfs.sh"
fi

step "KUnit: $filter"
mkdir -p "$LOGS"
log=$LOGS/kunit.log
[ -n "$json" ] || json=$LOGS/kunit.json
rm -f "$json"
rc=0
# The boot must end cleanly: its one stage passed and QEMU exited.
# movablecore=: a ZONE_MOVABLE, for pkram_test_refused
vmtest -s boot -u -T 300 -m 1G -a "kunit.filter_glob=$filter movablecore=64M" -l "$log" \
	>"$LOGS/kunit.ktap" 2>&1 || {
	sed 's/^/    /' "$LOGS/kunit.ktap"
	info "the boot did not end cleanly (log: $log)"
	rc=1
}
python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$json" "$log" || rc=1
# Every case the sources declare, and nothing else, reported PASS once.
cases=$(python3 "$REPO/dev/kunit-cases.py" "$filter" "$json" $(kunit_sources)) || rc=1
echo "$cases" | grep -v '^PASS' | sed 's/^/    /' || true
info "$(echo "$cases" | grep -c '^PASS') of $(echo "$cases" | wc -l) declared cases passed"
exit $rc
