#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the hunks of one upstream file in a patch of the series from an
# edited copy of the file (the whole series applied, as in the assembled
# tree): the diff from the file as the patches before PATCH in the series
# leave it (pristine if none touches it) replaces that file's section of
# PATCH, or is added to PATCH.  No patch after PATCH may touch the file.
#   cp ~/.cache/pkram/tree/mm/shmem.c /tmp/shmem.c; $EDITOR /tmp/shmem.c
#   dev/rediff.sh patches/0005-*.patch mm/shmem.c /tmp/shmem.c
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 3 ] || die "usage: $0 PATCH PATH EDITED"
patch=$1 path=$2 edited=$3
series=$(sed 's|^|'"$REPO"'/patches/|' "$REPO/patches/series")
me=$(realpath "$patch")
echo "$series" | grep -qxF "$me" || die "$patch is not in patches/series"
before=$(echo "$series" | sed "\\|^$me\$|,\$d")
after=$(echo "$series" | sed "1,\\|^$me\$|d")
for p in $after; do
	! grep -q -- "^--- a/$path\$" "$p" || die "$path is in a later patch too: $p"
done
new=$(mktemp /tmp/pkram-rediff.XXXXXX)
base=$(mktemp -d /tmp/pkram-rediff.XXXXXX)
trap 'rm -rf "$new" "$base"' EXIT
mkdir -p "$base/$(dirname "$path")"
cp "$PRISTINE/$path" "$base/$path"
# the sections of PATH in the patches before this one, in order
for p in $before; do
	awk -v f="--- a/$path" '$0 == f { on = 1 } on && /^--- a\// && $0 != f { on = 0 }
		on && $0 == "-- " { on = 0 } on' "$p" >"$new"
	[ ! -s "$new" ] || patch -s -p1 -d "$base" <"$new"
done
diff -u --label "a/$path" --label "b/$path" "$base/$path" "$edited" >"$new" || [ $? -eq 1 ]
python3 - "$patch" "$path" "$new" <<'PY'
import sys
patch, path, new = sys.argv[1:]
lines = open(patch).read().split('\n')
if f'--- a/{path}' in lines:
    start = lines.index(f'--- a/{path}')
    end = start + 1
    while end < len(lines) and not lines[end].startswith('--- a/') and lines[end] != '-- ':
        end += 1
else:
    start = end = lines.index('-- ') if '-- ' in lines else len(lines)
body = open(new).read().rstrip('\n').split('\n')
out = '\n'.join(lines[:start] + body + lines[end:])
open(patch, 'w').write(out if out.endswith('\n') else out + '\n')
PY
