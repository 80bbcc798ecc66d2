#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the hunks of one upstream file in a patch of the series from an
# edited copy of the file (the whole series applied, as in the assembled
# tree): the diff from pristine replaces that file's section of the patch.
# Only for a file that no other patch of the series touches.
#   cp ~/.cache/pkram/tree/mm/shmem.c /tmp/shmem.c; $EDITOR /tmp/shmem.c
#   dev/rediff.sh patches/0005-*.patch mm/shmem.c /tmp/shmem.c
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 3 ] || die "usage: $0 PATCH PATH EDITED"
patch=$1 path=$2 edited=$3
others=$(grep -l -- "^--- a/$path\$" "$REPO"/patches/*.patch | grep -vxF "$(realpath "$patch")" || true)
[ -z "$others" ] || die "$path is in other patches too: $others"
new=$(mktemp /tmp/pkram-rediff.XXXXXX)
trap 'rm -f "$new"' EXIT
diff -u --label "a/$path" --label "b/$path" "$PRISTINE/$path" "$edited" >"$new" || [ $? -eq 1 ]
python3 - "$patch" "$path" "$new" <<'PY'
import sys
patch, path, new = sys.argv[1:]
lines = open(patch).read().split('\n')
start = lines.index(f'--- a/{path}')
end = start + 1
while end < len(lines) and not lines[end].startswith('--- a/') and lines[end] != '-- ':
    end += 1
body = open(new).read().rstrip('\n').split('\n')
out = '\n'.join(lines[:start] + body + lines[end:])
open(patch, 'w').write(out if out.endswith('\n') else out + '\n')
PY
