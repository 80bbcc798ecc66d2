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
(cd "$state" && find . -type f -not -path './.git/*' | sed 's|^\./||' | sort) >"$TREE.files.new"
mkdir -p "$TREE"
[ -f "$TREE/.pkram-managed" ] || : >"$TREE/.pkram-managed"
sort -u "$TREE.files.new" "$TREE/.pkram-managed" | sed 's|^|/|' >"$TREE.exclude"
printf '%s\n' /.pkram-managed >>"$TREE.exclude"
new_dirs "$TREE.exclude" >>"$TREE.exclude"
rsync -a --delete --exclude-from="$TREE.exclude" "$PRISTINE/" "$TREE/"
comm -23 <(sort -u "$TREE/.pkram-managed") "$TREE.files.new" | while IFS= read -r f; do
	if [ -f "$PRISTINE/$f" ]; then cp "$PRISTINE/$f" "$TREE/$f"; else rm -f "$TREE/$f"; fi
done
while IFS= read -r f; do
	cmp -s "$state/$f" "$TREE/$f" && continue
	mkdir -p "$TREE/$(dirname "$f")"
	cp --remove-destination "$state/$f" "$TREE/$f"
done <"$TREE.files.new"
mv "$TREE.files.new" "$TREE/.pkram-managed"
# The configuration fragment as it is at this step, if the step has one.
frag=$state/tools/testing/selftests/pkram/config
[ -f "$frag" ] || frag=$REPO/tools/testing/selftests/pkram/config
PKRAM_FRAGMENT=$frag PKRAM_FRAGMENT_PARTIAL=1 "$REPO/dev/kernel.sh"
