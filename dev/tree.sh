#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the kernel tree: pristine Debian source + this repository's new
# files (the overlay) + patches/series.  Files whose content does not change
# keep their timestamps, so kbuild stays incremental.  A file or patch removed
# from the repository disappears from (or is restored in) the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

step "kernel source"
check_space
[ -f "$SRC_TARBALL" ] || die "$SRC_TARBALL missing: install $SRC_PACKAGE (dev/deps.sh)"
pkgver=$(dpkg-query -W -f='${Version}' "$SRC_PACKAGE" 2>/dev/null || echo unknown)
stamp="$SRC_PACKAGE $pkgver $(stat -c %s.%Y "$SRC_TARBALL")"
if [ "$(cat "$PRISTINE/.pkram-source" 2>/dev/null)" != "$stamp" ]; then
	info "unpacking $SRC_TARBALL ($pkgver) into $PRISTINE"
	rm -rf "$PRISTINE.tmp"
	mkdir -p "$PRISTINE.tmp"
	tar -xJf "$SRC_TARBALL" -C "$PRISTINE.tmp" --strip-components=1 ||
		die "cannot unpack $SRC_TARBALL"
	echo "$stamp" >"$PRISTINE.tmp/.pkram-source"
	rm -rf "$PRISTINE"
	mv "$PRISTINE.tmp" "$PRISTINE"
fi
echo "    using $SRC_PACKAGE $pkgver: Linux $(kernel_version)"

step "assemble tree"
work=$(mktemp -d /tmp/pkram-tree.XXXXXX)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage"

# The overlay: files of this repository whose top directory is one of the
# kernel's (tracked, or new and not ignored).
: >"$work/overlay"
while IFS= read -r f; do
	top=${f%%/*}
	[ "$top" != "$f" ] && [ -d "$PRISTINE/$top" ] || continue
	[ -f "$REPO/$f" ] || continue
	[ -e "$PRISTINE/$f" ] &&
		die "$f exists upstream: change it with a patch in patches/, not a copy"
	echo "$f" >>"$work/overlay"
done < <(git -C "$REPO" ls-files -co --exclude-standard | sort -u)

# Files the patches touch, in pristine form, then the overlay, then the series.
# A patch may also create or change a new file of the repository, so that
# the series adds it in steps (see dev/series.sh): the overlay has its last
# version already, so only the sections of upstream files are applied here.
series_patches >"$work/series" || exit 1
mapfile -t series <"$work/series"
: >"$work/touched"
for p in "${series[@]}"; do
	"$REPO/dev/patchsec.py" files "$REPO/patches/$p" >>"$work/touched"
done
sort -u -o "$work/touched" "$work/touched"
while IFS= read -r f; do
	[ -f "$PRISTINE/$f" ] || continue
	mkdir -p "$stage/$(dirname "$f")"
	cp -p "$PRISTINE/$f" "$stage/$f"
done <"$work/touched"
while IFS= read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	cp "$REPO/$f" "$stage/$f"
done <"$work/overlay"
for p in "${series[@]}"; do
	"$REPO/dev/patchsec.py" upstream "$REPO/patches/$p" "$PRISTINE" \
		>"$work/upstream.patch"
	[ -s "$work/upstream.patch" ] || continue
	if ! out=$(patch -d "$stage" -p1 -F0 -N -s --no-backup-if-mismatch \
			<"$work/upstream.patch" 2>&1); then
		echo "$out" >&2
		die "patches/$p does not apply to Linux $(kernel_version)"
	fi
	[ -z "$out" ] || { echo "$out" >&2; die "patches/$p applies with warnings"; }
done

# The managed set: everything staged.  Sync the rest from pristine.
(cd "$stage" && find . -type f | sed 's|^\./||' | sort) >"$work/managed"
sync_tree "$stage" "$work/managed"
info "$(wc -l <"$work/overlay") new files, ${#series[@]} patches, $SYNC_CHANGED files updated in $TREE"
