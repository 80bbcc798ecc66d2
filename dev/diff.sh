#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Author a patch hunk: print the diff from the pristine version of PATH
# to EDITED, with a/ and b/ prefixes (mind earlier patches of the series).
#   dev/diff.sh mm/Kconfig /tmp/Kconfig >>patches/00NN-foo.patch
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 2 ] || die "usage: $0 PATH EDITED"
diff -u --label "a/$1" --label "b/$1" "$PRISTINE/$1" "$2" || [ $? -eq 1 ]
