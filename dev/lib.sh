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

KCONFIG_FRAGMENT=${PKRAM_FRAGMENT:-$REPO/tools/testing/selftests/pkram/config}
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
		grep -vE '^CONFIG_(DEBUG_VM|PROVE_LOCKING|DEBUG_ATOMIC_SLEEP|FAULT_INJECTION[A-Z_]*|FAIL_PAGE_ALLOC)=' \
			"$REPO/tools/testing/selftests/pkram/config"
		printf 'CONFIG_%s=y\n' BLOCK BLK_DEV VIRTIO_MENU VIRTIO_PCI VIRTIO_BLK
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
	"$VMTEST" -k "$KERNEL_IMAGE" -i "$image" "$@"
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
