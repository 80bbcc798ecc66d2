#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build one intermediate state of the series: pristine + the files of
# $PKRAM_SERIES_STATE (a directory holding every file the series touches, as
# they are at that step), in a tree and build directory of their own; with
# the test kernel's configuration (CONFIG_PKRAM=y), then with CONFIG_PKRAM=n
# (and EFI on, for efi.c); either fails on a warning.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state=${PKRAM_SERIES_STATE:?}
export PKRAM_TREE=$PKRAM_CACHE/series-tree PKRAM_BUILD=$PKRAM_CACHE/series-build
TREE=$PKRAM_TREE
BUILD=$PKRAM_BUILD
step "series state tree"
(cd "$state" && find . -type f -not -path './.git/*' | sed 's|^\./||' | sort) >"$TREE.files"
sync_tree "$state" "$TREE.files"
# The configuration fragment as it is at this step, if the step has one.
dir=$state/tools/testing/selftests/pkram
[ -f "$dir/config" ] || dir=$SELFTEST
frag=$PKRAM_CACHE/series-step.config
test_config "$dir" "$frag"
PKRAM_FRAGMENT=$frag PKRAM_FRAGMENT_PARTIAL=1 "$REPO/dev/kernel.sh"
if grep -E '(warning|error):' "$BUILD/pkram-build.log" | sed 's/^/    /' | grep .; then
	die "warnings with the test configuration (log: $BUILD/pkram-build.log)"
fi

step "series state: CONFIG_PKRAM=n"
off=$PKRAM_CACHE/series-build-off
mkdir -p "$off"
cp "$BUILD/.config" "$off/.config.new"
"$TREE/scripts/config" --file "$off/.config.new" --disable PKRAM --enable EFI
# unchanged: keep the build incremental
cmp -s "$off/.config.new" "$off/.config.in" 2>/dev/null ||
	{ cp "$off/.config.new" "$off/.config.in" && cp "$off/.config.new" "$off/.config"; }
rm -f "$off/.config.new"
log=$off/pkram-build.log
if ! BUILD=$off kmake olddefconfig >"$log" 2>&1 ||
   ! BUILD=$off with_progress "building" "echo CONFIG_PKRAM=n" "$log" \
	kmake bzImage drivers/firmware/efi/efi.o; then
	grep -E 'error|Error' "$log" | head -n 30 >&2
	die "the kernel does not build with CONFIG_PKRAM=n (log: $log)"
fi
grep -q '^# CONFIG_PKRAM is not set' "$off/.config" ||
	die "CONFIG_PKRAM=n did not take ($off/.config)"
if grep -E '(warning|error):' "$log" | sed 's/^/    /' | grep .; then
	die "warnings with CONFIG_PKRAM=n (log: $log)"
fi
info "built with CONFIG_PKRAM=n"
