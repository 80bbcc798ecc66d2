#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Write the series as mail: a cover letter and numbered patches that
# `git am` applies on the pristine tree, one logical change each.
#
# Each patches/*.patch is one commit: its mail header (From, Subject, and
# X-PKRAM-Files: the new files of this repository the commit adds whole),
# its message, and its diff.  The diff changes files that exist upstream,
# and may create a new file of the repository and change it in later
# commits, so that the series adds it in steps: the last of those steps
# must give the file as it is in the repository (dev/rediff.sh keeps a
# patch in step with an edited file).  Every new file of the repository is
# added by exactly one commit, whole or by its first step.
#
# Usage: series.sh [-o outdir] [--verify] [--build-each]
#   --verify      apply the result with git am on the pristine files and
#                 compare with the assembled tree
#   --build-each  also build the kernel at every step of the series
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$REPO/out/series
verify=0
build_each=0
while [ $# -gt 0 ]; do
	case "$1" in
	-o) out=$2; shift ;;
	--verify) verify=1 ;;
	--build-each) build_each=1; verify=1 ;;
	*) die "usage: $0 [-o outdir] [--verify] [--build-each]" ;;
	esac
	shift
done

step "series"
[ -f "$TREE/.pkram-managed" ] || die "no assembled tree: run dev/tree.sh"
work=$(mktemp -d /tmp/pkram-series.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The committer (and author of the cover letter): the author of patch 1.
mapfile -t series < <(series_patches)
first=${series[0]}
me=$(sed -n 's/^From: *//p' "$REPO/patches/$first" | head -n1)
git_() {
	git -C "$work/repo" -c user.name="${me% <*}" -c user.email="$(echo "$me" | sed 's/.*<\(.*\)>.*/\1/')" "$@"
}


# header FILE NAME: value of mail header NAME, continuation lines unfolded.
header() {
	awk -v name="$2" '
		/^$/ { exit }
		/^[ \t]/ { if (on) val = val " " $0; next }
		{ on = (tolower($0) ~ "^" tolower(name) ":") }
		on { sub(/^[^:]*:[ \t]*/, ""); val = $0 }
		END { gsub(/[ \t]+/, " ", val); print val }' "$1"
}

# message FILE: the commit message (between the header and the --- line).
message() {
	awk 'body && /^---$/ { exit } body { print } /^$/ && !body { body = 1 }' "$1"
}

# The base: pristine versions of every upstream file the series touches.
mkdir -p "$work/repo"
for p in "${series[@]}"; do
	"$REPO/dev/patchsec.py" files "$REPO/patches/$p"
done | sort -u >"$work/sections"
: >"$work/touched"
: >"$work/staged"
while IFS= read -r f; do
	if [ -f "$PRISTINE/$f" ]; then
		echo "$f" >>"$work/touched"
	else
		echo "$f" >>"$work/staged"
	fi
done <"$work/sections"
while IFS= read -r f; do
	mkdir -p "$work/repo/$(dirname "$f")"
	cp "$PRISTINE/$f" "$work/repo/$f"
done <"$work/touched"
git_ init -q
git_ add -A
git_ commit -q -m "Linux $(kernel_version) ($SRC_PACKAGE, files the series touches)"
base=$(git_ rev-parse HEAD)

: >"$work/assigned"
for p in "${series[@]}"; do
	pf=$REPO/patches/$p
	from=$(header "$pf" From)
	subject=$(header "$pf" Subject | sed 's/^\[[^]]*\] *//')
	[ -n "$from" ] && [ -n "$subject" ] || die "$p: needs From: and Subject:"
	if [ -n "$("$REPO/dev/patchsec.py" files "$pf")" ]; then
		patch -d "$work/repo" -p1 -F0 -N -s --no-backup-if-mismatch <"$pf" ||
			die "$p does not apply"
	fi
	for f in $(header "$pf" X-PKRAM-Files); do
		[ -f "$REPO/$f" ] || die "$p: X-PKRAM-Files names missing $f"
		grep -qxF "$f" "$work/assigned" && die "$f is in two patches"
		grep -qxF "$f" "$work/staged" &&
			die "$f is in $p's X-PKRAM-Files and in a diff of the series"
		echo "$f" >>"$work/assigned"
		mkdir -p "$work/repo/$(dirname "$f")"
		cp "$REPO/$f" "$work/repo/$f"
	done
	{ echo "$subject"; echo; message "$pf"; } >"$work/msg"
	git_ add -A
	git_ commit -q --author="$from" -F "$work/msg"
done

# The files added in steps are, after the last, those of the repository.
while IFS= read -r f; do
	cmp -s "$work/repo/$f" "$REPO/$f" ||
		die "$f: the patches that add it in steps do not give the repository's $f (dev/rediff.sh)"
	echo "$f" >>"$work/assigned"
done <"$work/staged"

# Every new file of the repository is in the series.
sort -u -o "$work/assigned" "$work/assigned"
comm -23 <(grep -vxFf <(cat "$work/touched") "$TREE/.pkram-managed" | sort -u) \
	"$work/assigned" >"$work/unassigned"
[ ! -s "$work/unassigned" ] ||
	die "new files in no patch's X-PKRAM-Files: $(tr '\n' ' ' <"$work/unassigned")"

rm -rf "$out"
mkdir -p "$out"
git_ format-patch -q --cover-letter --thread --base="$base" -o "$out" "$base..HEAD"
cover=$(ls "$out"/0000-*.patch)
if [ -f "$REPO/patches/cover-letter" ]; then
	subj=$(head -n1 "$REPO/patches/cover-letter")
	tail -n +3 "$REPO/patches/cover-letter" >"$work/blurb"
	sed -i -e "s|\*\*\* SUBJECT HERE \*\*\*|$subj|" \
		-e "/\*\*\* BLURB HERE \*\*\*/{r $work/blurb
d}" "$cover"
fi
info "$(ls "$out" | wc -l) files in $out (cover letter + ${#series[@]} patches)"

[ $verify -eq 1 ] || exit 0

step "series: git am on pristine"
rm -rf "$work/am"
mkdir -p "$work/am"
git -C "$work/repo" archive "$base" | tar -x -C "$work/am"
git -C "$work/am" init -q
git -C "$work/am" add -A
git -C "$work/am" -c user.name=pkram -c user.email=pkram@localhost commit -q -m base
n=0
for mail in "$out"/0*.patch; do
	case "$mail" in */0000-*) continue ;; esac
	git -C "$work/am" -c user.name=pkram -c user.email=pkram@localhost \
		am -q "$mail" || die "git am $(basename "$mail") failed"
	n=$((n + 1))
	if [ $build_each -eq 1 ]; then
		info "building after $(basename "$mail")"
		PKRAM_SERIES_STATE=$work/am "$REPO/dev/series-build.sh" ||
			die "the tree does not build after $(basename "$mail")"
	fi
done
while IFS= read -r f; do
	cmp -s "$work/am/$f" "$TREE/$f" || die "$f differs between the series and the tree"
done <"$TREE/.pkram-managed"
info "$n patches apply with git am and give the assembled tree"
