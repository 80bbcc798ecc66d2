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
filter='pkram'
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
vmtest -s boot -u -t 300 -m 1G -a "kunit.filter_glob=$filter" -l "$log" >/dev/null ||
	info "the boot did not end cleanly (log: $log)"
parse=("$TREE/tools/testing/kunit/kunit.py" parse)
[ -z "$json" ] || parse+=(--json="$json")
if [ -n "$json" ]; then
	python3 "${parse[@]}" "$log" >/dev/null || true
	python3 "$TREE/tools/testing/kunit/kunit.py" parse "$log"
else
	python3 "${parse[@]}" "$log"
fi
