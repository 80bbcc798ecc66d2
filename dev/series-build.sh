#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build one intermediate state of the series: pristine + the files of
# $PKRAM_SERIES_STATE (a directory holding every file the series touches, as
# they are at that step), in a tree and build directory of their own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
state=${PKRAM_SERIES_STATE:?}
export PKRAM_TREE=$PKRAM_CACHE/series-tree PKRAM_BUILD=$PKRAM_CACHE/series-build
TREE=$PKRAM_TREE
step "series state tree"
(cd "$state" && find . -type f -not -path './.git/*' | sed 's|^\./||' | sort) >"$TREE.files"
sync_tree "$state" "$TREE.files"
# The configuration fragment as it is at this step, if the step has one.
dir=$state/tools/testing/selftests/pkram
[ -f "$dir/config" ] || dir=$SELFTEST
frag=$PKRAM_CACHE/series-step.config
test_config "$dir" "$frag"
PKRAM_FRAGMENT=$frag PKRAM_FRAGMENT_PARTIAL=1 "$REPO/dev/kernel.sh"
