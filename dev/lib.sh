# SPDX-License-Identifier: GPL-2.0
# Common settings and helpers for the PKRAM development scripts.
# Sourced by the other scripts in dev/; not meant to be run.

# Where the work tree of this repository is.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Everything big lives outside the work tree: the unpacked kernel source,
# the assembled tree, build outputs, guest images and logs.
PKRAM_CACHE=${PKRAM_CACHE:-$HOME/.cache/pkram}
PRISTINE=$PKRAM_CACHE/pristine		# Debian's linux-source-6.12, as shipped
TREE=${PKRAM_TREE:-$PKRAM_CACHE/tree}	# pristine + overlay + patches/series
BUILD=${PKRAM_BUILD:-$PKRAM_CACHE/build}	# O= of the test kernel
GUEST=${PKRAM_GUEST:-$PKRAM_CACHE/guest}	# initramfs staging and image
LOGS=$PKRAM_CACHE/logs			# serial logs of every QEMU run
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
SRC_PACKAGE=linux-source-6.12

SELFTEST=$REPO/tools/testing/selftests/pkram
# PKRAM_SPLAT, kconfig_missing(): shared with vmtest.sh
. "$SELFTEST/vmtest-lib.sh"

# test_config DIR OUT: the configuration fragment of the test kernel, as
# vmtest.sh builds it on tinyconfig, into OUT: DIR/config.x86_64 (a small VM
# kernel; a step of the series may not have it yet) and DIR/config (what the
# tests need).  OUT keeps its timestamp if unchanged.
test_config() {
	local f

	mkdir -p "$(dirname "$2")"
	for f in "$1/config.x86_64" "$1/config"; do
		[ ! -f "$f" ] || cat "$f"
	done >"$2.new"
	if cmp -s "$2.new" "$2"; then rm -f "$2.new"; else mv "$2.new" "$2"; fi
}

if [ -n "${PKRAM_FRAGMENT:-}" ]; then
	KCONFIG_FRAGMENT=$PKRAM_FRAGMENT
else
	KCONFIG_FRAGMENT=$PKRAM_CACHE/test.config
	test_config "$SELFTEST" "$KCONFIG_FRAGMENT"
fi
JOBS=${JOBS:-$(nproc)}

export CCACHE_DIR=${CCACHE_DIR:-$PKRAM_CACHE/ccache}
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
# Depend mode: no preprocessor run on a miss, which is every file of a
# first build (kbuild gives the compiler -MMD, which depend mode needs).
export CCACHE_DEPEND=${CCACHE_DEPEND:-true}
export LC_ALL=C

# Reproducible build stamps: keep ccache hits across rebuilds.
export KBUILD_BUILD_USER=pkram
export KBUILD_BUILD_HOST=pkram
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'

if [ -t 1 ]; then
	c_red=$'\e[31m' c_grn=$'\e[32m' c_bld=$'\e[1m' c_off=$'\e[0m'
else
	c_red='' c_grn='' c_bld='' c_off=''
fi

# One checkout at a time per cache: two sharing ~/.cache/pkram would
# corrupt each other's tree and build.  The first script takes the lock;
# the scripts it runs inherit it (PKRAM_LOCKED).
if [ -z "${PKRAM_LOCKED:-}" ]; then
	mkdir -p "$PKRAM_CACHE"
	exec 9>>"$PKRAM_CACHE/.lock"
	if ! flock -n 9; then
		echo "${c_red}$PKRAM_CACHE is in use by $(cat "$PKRAM_CACHE/.lock.owner" 2>/dev/null || echo another checkout): wait for it to finish, or set PKRAM_CACHE to another directory${c_off}" >&2
		exit 1
	fi
	echo "$REPO, pid $$, since $(date '+%F %T')" >"$PKRAM_CACHE/.lock.owner"
	export PKRAM_LOCKED=$$
fi

# check_space: the file system of the cache has room for what it will hold:
# 8 GiB for a new cache (the source twice, unpacked and assembled, the
# builds, ccache), 2 GiB for one that holds them already.
check_space() {
	local need=8 free

	[ ! -f "$PRISTINE/.pkram-source" ] || need=2
	free=$(df -Pk "$PKRAM_CACHE" | awk 'NR == 2 { print int($4 / 1048576) }')
	[ "$free" -ge "$need" ] ||
		die "$free GiB free in $PKRAM_CACHE's file system, $need GiB needed: free some, or set PKRAM_CACHE to a larger one"
}

# with_progress WHAT COUNT LOG CMD...: run CMD, its output into LOG; every
# 30 s while it runs print "WHAT: N s", and what the shell command COUNT
# prints if given, so that a long step shows that it moves.
with_progress() {
	local what=$1 count=$2 log=$3 pid t0 i

	shift 3
	t0=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		for i in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 1
		done
		kill -0 "$pid" 2>/dev/null || break
		info "$what: $(($(date +%s) - t0)) s${count:+, $(eval "$count")}"
	done
	wait "$pid"
}

# result NAME STATUS: count one test case of make check or check-debug
# (passed, failed, and the names of the failures).
passed=0
failed=0
failures=()
result() {
	if [ "$2" -eq 0 ]; then
		passed=$((passed + 1))
		echo "    ${c_grn}ok${c_off}   $1"
	else
		failed=$((failed + 1))
		failures+=("$1")
		echo "    ${c_red}FAIL${c_off} $1"
	fi
}

# tap NAME STATUS: one result of a script that make check runs, as a line
# "ok - NAME" or "not ok - NAME" that results_of() reads; counted in $failed.
tap() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

# results_of LOG: show what such a script printed besides its results, and
# count each of its results with result().
results_of() {
	grep -vE '^(ok|not ok) - |^==> ' "$1" | sed 's/^/    /'
	while read -r st rest; do
		case "$st" in
		ok) result "${rest#- }" 0 ;;
		*) result "${rest#ok - }" 1 ;;
		esac
	done < <(grep -E '^(ok|not ok) - ' "$1")
}

# step NAME: announce a step; die() names it if it fails.
STEP=${STEP:-setup}
step() {
	STEP=$1
	echo "${c_bld}==> $STEP${c_off}"
}

die() {
	echo "${c_red}FAILED [$STEP]: $*${c_off}" >&2
	exit 1
}

info() {
	echo "    $*"
}

# The compiler of a build directory: ccache if it holds results already.
# A clean build on an empty cache only pays for it: the first build of the
# test kernel took 404 s with it, 331 s without (here, -j2, 2026-11-25).
# The choice is made once per build directory and kept (in .pkram-cc):
# kbuild rebuilds every object whose compiler command changes.
build_cc() {
	local f=$BUILD/.pkram-cc cc=gcc

	if [ -s "$f" ]; then
		cat "$f"
		return
	fi
	if command -v ccache >/dev/null &&
	   [ -n "$(find "$CCACHE_DIR" -type f -name '*R' -print -quit 2>/dev/null)" ]; then
		cc="ccache gcc"
	fi
	mkdir -p "$BUILD"
	echo "$cc" >"$f"
	echo "$cc"
}

# Paths of the kernel make invocation.
kmake() {
	local cc

	cc=$(build_cc)
	make -C "$TREE" O="$BUILD" ARCH=x86_64 CC="$cc" HOSTCC="$cc" \
		-j"$JOBS" "$@"
}

# Kernel version of the pristine source, as its Makefile says.
kernel_version() {
	make -s -C "$PRISTINE" kernelversion 2>/dev/null
}

KERNEL_IMAGE=$BUILD/arch/x86/boot/bzImage
INITRAMFS=$GUEST/initramfs.cpio
VMTEST=$TREE/tools/testing/selftests/pkram/vmtest.sh

# kunit_sources: the files of the tree that declare PKRAM's KUnit suites.
kunit_sources() {
	grep -l 'struct kunit_suite' "$TREE"/lib/test_pkram*.c "$TREE"/mm/*pkram*.c \
		2>/dev/null
}

# The image of the scenarios that run QEMU inside the guest (mkinitramfs.sh
# -q): only they pay for its size.
INITRAMFS_QEMU=$GUEST/initramfs-qemu.cpio

# The bench kernel: the test kernel without lockdep, DEBUG_VM and fault
# injection, which would weigh on what make bench measures; also the other
# kernel of the scenario update (a kernel update is a different kernel),
# which runs with the image INITRAMFS_UPDATE (dev/other-kernel.sh).
BENCH_BUILD=$PKRAM_CACHE/build-bench
BENCH_CONFIG=$PKRAM_CACHE/bench.config
INITRAMFS_UPDATE=$GUEST/initramfs-update.cpio

# bench_config: write the configuration fragment of the bench kernel.  It
# has a virtio disk too, to compare with what PKRAM spares: writing the data
# to a disk and reading it back.
bench_config() {
	mkdir -p "$PKRAM_CACHE"
	{
		test_config "$SELFTEST" "$BENCH_CONFIG.test"
		grep -vE '^CONFIG_(DEBUG_VM|PROVE_LOCKING|DEBUG_ATOMIC_SLEEP|FAULT_INJECTION[A-Z_]*|FAIL_PAGE_ALLOC)=' \
			"$BENCH_CONFIG.test"
		# PROFILING: profile=<shift> samples the kernel's time at each
		# timer tick (/proc/profile), for where a save or load goes.
		printf 'CONFIG_%s=y\n' BLOCK BLK_DEV VIRTIO_MENU VIRTIO_PCI VIRTIO_BLK \
			PROFILING
	} >"$BENCH_CONFIG.new"
	# unchanged: keep its timestamp, and the build incremental
	if cmp -s "$BENCH_CONFIG.new" "$BENCH_CONFIG"; then
		rm -f "$BENCH_CONFIG.new"
	else
		mv "$BENCH_CONFIG.new" "$BENCH_CONFIG"
	fi
}

# vmtest ARGS...: run one vmtest.sh scenario on the test kernel, with the
# image the scenario asks for (SCENARIO_IMAGE=qemu in its file).
vmtest() {
	local a prev="" image=$INITRAMFS

	for a in "$@"; do
		if [ "$prev" = -s ]; then
			case $(grep -x 'SCENARIO_IMAGE=.*' \
				"$TREE/tools/testing/selftests/pkram/guest/scenarios/$a.sh" 2>/dev/null) in
			*=qemu) image=$INITRAMFS_QEMU ;;
			*=update) image=$INITRAMFS_UPDATE ;;
			esac
		fi
		prev=$a
	done
	mkdir -p "$LOGS"
	probe_accel
	"$VMTEST" -k "$KERNEL_IMAGE" -i "$image" "$@"
}

# probe_accel: the accelerator of the guests (vmtest.sh -A: KVM if a guest
# boots with it, TCG otherwise), probed once for this script and the ones it
# runs: call it in the foreground before runs in the background.
probe_accel() {
	[ -z "${VMTEST_ACCEL:-}" ] || return 0
	VMTEST_ACCEL=$("$VMTEST" -k "$KERNEL_IMAGE" -A) || VMTEST_ACCEL=tcg
	export VMTEST_ACCEL
	info "QEMU accelerator: $VMTEST_ACCEL"
}

# new_dirs LIST: the directories of the paths in LIST (one per line) that
# pristine does not have, as rsync exclude rules, so that rsync --delete
# leaves the managed files in them alone.
new_dirs() {
	sed 's|^/||' "$1" | while IFS= read -r f; do
		d=$(dirname "$f")
		while [ "$d" != . ] && [ ! -d "$PRISTINE/$d" ]; do
			echo "/$d/"
			d=$(dirname "$d")
		done
	done | sort -u
}

# series_patches: the patches of patches/series, in order, one per line;
# dies if one is missing.
series_patches() {
	local p _

	[ -f "$REPO/patches/series" ] || return 0
	while read -r p _; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$REPO/patches/$p" ] || die "patches/series names missing $p"
		echo "$p"
	done <"$REPO/patches/series"
}

# sync_tree SRC LIST: make $TREE pristine plus the files of directory SRC
# that LIST names (sorted, one path per line), touching only what changed,
# so that kbuild stays incremental: a file no longer named goes back to
# pristine (or away), a named one is copied if its content changed.  Sets
# SYNC_CHANGED to the number of files changed.
sync_tree() {
	local src=$1 list=$2 old=$TREE/.pkram-managed ex f

	mkdir -p "$TREE"
	[ -f "$old" ] || : >"$old"
	ex=$(mktemp /tmp/pkram-exclude.XXXXXX)
	sort -u "$old" "$list" | sed 's|^|/|' >"$ex"
	# New directories hold only managed files: keep rsync from deleting them.
	new_dirs "$ex" >>"$ex"
	printf '%s\n' /.pkram-managed /.kunit/ >>"$ex"
	if ! rsync -a --delete --exclude-from="$ex" "$PRISTINE/" "$TREE/"; then
		rm -f "$ex"
		die "rsync $PRISTINE -> $TREE failed"
	fi
	rm -f "$ex"
	SYNC_CHANGED=0
	while IFS= read -r f; do
		if [ -f "$PRISTINE/$f" ]; then
			cmp -s "$PRISTINE/$f" "$TREE/$f" && continue
			cp --remove-destination "$PRISTINE/$f" "$TREE/$f"
		else
			[ -e "$TREE/$f" ] || continue
			rm -f "$TREE/$f"
		fi
		info "restored $f"
		SYNC_CHANGED=$((SYNC_CHANGED + 1))
	done < <(comm -23 <(sort -u "$old") <(sort -u "$list"))
	while IFS= read -r f; do
		cmp -s "$src/$f" "$TREE/$f" && continue
		mkdir -p "$TREE/$(dirname "$f")"
		cp --remove-destination "$src/$f" "$TREE/$f"
		SYNC_CHANGED=$((SYNC_CHANGED + 1))
	done <"$list"
	sort -u "$list" >"$old"
}
