#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the section of one file in a patch of the series from an
# edited copy of the file (as it is once PATCH is applied): the diff from
# the file as the patches before PATCH leave it (pristine, or nothing for a
# new file no patch before creates) replaces that file's section of PATCH,
# or is added to PATCH.  No patch after PATCH may touch the file.
#   cp ~/.cache/pkram/tree/mm/shmem.c /tmp/shmem.c; $EDITOR /tmp/shmem.c
#   dev/rediff.sh patches/0012-*.patch mm/shmem.c /tmp/shmem.c
# A new file of the repository that the series adds in steps: after an
# edit of the file, refresh the last patch that changes it:
#   dev/rediff.sh patches/00NN-*.patch mm/pkram.c
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || [ $# -eq 3 ] || die "usage: $0 PATCH PATH [EDITED]"
patch=$1 path=$2 edited=${3:-$REPO/$2}
series=$(sed 's|^|'"$REPO"'/patches/|' "$REPO/patches/series")
me=$(realpath "$patch")
echo "$series" | grep -qxF "$me" || die "$patch is not in patches/series"
before=$(echo "$series" | sed "\\|^$me\$|,\$d")
after=$(echo "$series" | sed "1,\\|^$me\$|d")
for p in $after; do
	! "$REPO/dev/patchsec.py" files "$p" | grep -qxF "$path" ||
		die "$path is in a later patch too: $p"
done
new=$(mktemp /tmp/pkram-rediff.XXXXXX)
base=$(mktemp -d /tmp/pkram-rediff.XXXXXX)
trap 'rm -rf "$new" "$base"' EXIT
mkdir -p "$base/$(dirname "$path")"
[ ! -f "$PRISTINE/$path" ] || cp "$PRISTINE/$path" "$base/$path"
# the sections of PATH in the patches before this one, in order
for p in $before; do
	"$REPO/dev/patchsec.py" section "$p" "$path" >"$new"
	[ ! -s "$new" ] || patch -s -p1 -d "$base" <"$new"
done
if [ -f "$base/$path" ]; then
	diff -u --label "a/$path" --label "b/$path" "$base/$path" "$edited" >"$new" ||
		[ $? -eq 1 ]
else
	diff -u --label /dev/null --label "b/$path" /dev/null "$edited" >"$new" ||
		[ $? -eq 1 ]
fi
"$REPO/dev/patchsec.py" replace "$patch" "$path" "$new"
