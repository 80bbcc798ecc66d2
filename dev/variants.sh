#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check's build variants: the series compiles in configurations and
# with tools the test kernel does not use.  Each result is a line "ok -
# WHAT" or "not ok - WHAT" (any warning is a failure); the exit code is
# non-zero if any failed.  Needs the test kernel built ($BUILD).
#
#   off      CONFIG_PKRAM=n (and so CONFIG_SHMEM_PKRAM=n), with CONFIG_EFI:
#            the patched upstream files compile against the stubs of
#            include/linux/pkram.h
#   noshmem  CONFIG_SHMEM_PKRAM=n with CONFIG_PKRAM=y: mm/shmem.c and the
#            core without the tmpfs user
#   clang    the test kernel's configuration, with CONFIG_EFI, compiled by
#            clang: PKRAM's objects with W=1, the patched upstream files
#   sparse   C=2: sparse on PKRAM's objects and the patched upstream files,
#            in the test kernel's build; the warnings sparse gives on the
#            unpatched upstream files (dev/sparse-upstream.txt) set aside
#
# CONFIG_TMPFS=n is the configuration of the KUnit command README gives
# (kunit.py run --arch=x86_64), which make check runs as it is.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

failed=0

# PKRAM's own objects, and those of the upstream files the series patches,
# that the test kernel builds; but the decompressor's (arch/x86/boot/),
# which builds only as part of bzImage.
# Listed from the tree's sources, which the build may have stale objects of.
own=$(cd "$TREE" && ls mm/pkram*.c mm/shmem_pkram*.c lib/test_pkram*.c 2>/dev/null |
	sed 's/\.c$/.o/' | while read -r o; do [ -f "$BUILD/$o" ] && echo "$o"; done)
# Upstream's files only: a patch also creates and changes files of PKRAM
# (mm/pkram.c, ...), which are in $own.
patched=$(grep -h '^+++ b/.*\.c$' "$REPO"/patches/*.patch | sed 's|^+++ b/||; s|\.c$|.o|' |
	grep -v '^arch/x86/boot/' | sort -u |
	while read -r o; do
		[ -f "$PRISTINE/${o%.o}.c" ] && [ -f "$BUILD/$o" ] && echo "$o"
	done)

# variant NAME CC CONFIG-CHANGES...: configure $PKRAM_CACHE/variant-NAME
# from the test kernel's configuration, scripts/config options applied.
variant() {
	local name=$1 cc=$2 dir=$PKRAM_CACHE/variant-$1

	shift 2
	mkdir -p "$dir"
	cp "$BUILD/.config" "$dir/.config.new"
	"$TREE/scripts/config" --file "$dir/.config.new" "$@"
	# unchanged: keep the build incremental
	cmp -s "$dir/.config.new" "$dir/.config.in" || cp "$dir/.config.new" "$dir/.config.in"
	cmp -s "$dir/.config.in" "$dir/.config.base" 2>/dev/null ||
		{ cp "$dir/.config.in" "$dir/.config" && cp "$dir/.config.in" "$dir/.config.base"; }
	rm -f "$dir/.config.new"
	make -C "$TREE" O="$dir" ARCH=x86_64 CC="$cc" HOSTCC=gcc olddefconfig \
		>"$dir/build.log" 2>&1
}

# vmake NAME CC [W=1] OBJECTS...: build the objects in the variant's
# directory, each compiled again (its warnings are in this log).
vmake() {
	local name=$1 cc=$2 a

	shift 2
	for a in "$@"; do
		case "$a" in *.o) rm -f "$PKRAM_CACHE/variant-$name/$a" ;; esac
	done
	make -C "$TREE" O="$PKRAM_CACHE/variant-$name" ARCH=x86_64 CC="$cc" \
		HOSTCC=gcc -j"$JOBS" "$@"
}

# check NAME WHAT LOG STATUS: the result of one build.
check() {
	local r

	if [ "$4" -eq 0 ]; then
		r=$(grep -E 'warning:|error:' "$3")
	else
		r=$(grep -E 'warning:|error:|Error' "$3"; echo "make failed")
	fi
	[ -z "$r" ] || echo "$r" | head -n 20 | sed 's/^/    /'
	tap "$1: $2" $([ -z "$r" ]; echo $?)
}

# A build: the configuration, then the objects.
step "build variant: CONFIG_PKRAM=n"
log=$PKRAM_CACHE/variant-off.log
variant off gcc --disable PKRAM --enable EFI >"$log" 2>&1
# shellcheck disable=SC2086
vmake off gcc $patched drivers/firmware/efi/efi.o >"$log" 2>&1
check "CONFIG_PKRAM=n" "the patched upstream files and efi.o build, no warning" \
	"$log" $?
grep -q '^# CONFIG_PKRAM is not set' "$PKRAM_CACHE/variant-off/.config"
tap "CONFIG_PKRAM=n: the variant has PKRAM off" $?

step "build variant: CONFIG_SHMEM_PKRAM=n"
log=$PKRAM_CACHE/variant-noshmem.log
variant noshmem gcc --disable SHMEM_PKRAM >"$log" 2>&1
core=$(echo "$own" | grep -v '^mm/shmem_pkram')
# shellcheck disable=SC2086
vmake noshmem gcc $core $patched >"$log" 2>&1
check "CONFIG_SHMEM_PKRAM=n" "PKRAM's core and the patched upstream files build, no warning" \
	"$log" $?
grep -q '^# CONFIG_SHMEM_PKRAM is not set' "$PKRAM_CACHE/variant-noshmem/.config" &&
	grep -q '^CONFIG_PKRAM=y' "$PKRAM_CACHE/variant-noshmem/.config"
tap "CONFIG_SHMEM_PKRAM=n: the variant has PKRAM on, its tmpfs user off" $?

step "build variant: clang"
log=$PKRAM_CACHE/variant-clang.log
variant clang clang --enable EFI >"$log" 2>&1
# shellcheck disable=SC2086
{ vmake clang clang W=1 $own && vmake clang clang $patched drivers/firmware/efi/efi.o; } \
	>"$log" 2>&1
check "clang" "PKRAM's objects (W=1), the patched upstream files and efi.o build, no warning" \
	"$log" $?

step "sparse (C=2) on the test kernel's objects"
log=$PKRAM_CACHE/variant-sparse.log
# shellcheck disable=SC2086
kmake C=2 $own $patched >"$log" 2>&1
rc=$?
# sparse speaks as "file:line:col: warning: ..." too.  The warnings it
# gives on the unpatched upstream files (dev/sparse-upstream.txt) are
# not the series': those are set aside, by file and message.
known=$(dirname "$0")/sparse-upstream.txt
unlined() {
	sed -E "s|^$TREE/||; s|^([^ :]+):[0-9]+:[0-9]+: warning: |\1: warning: |" "$1"
}
set_aside=$(grep -v '^#' "$known" | sed 's/: /: warning: /')
unlined "$log" | grep -x -F -e "$set_aside" | sed 's/^/    upstream, set aside: /'
unlined "$log" | grep -v -x -F -e "$set_aside" >"$log.new"
check "sparse" "PKRAM's objects and the patched upstream files, no warning but upstream's" \
	"$log.new" $rc

[ $failed -eq 0 ]
