#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of the PKRAM VM tests: busybox, kexec-tools (with the
# shared libraries it needs), the test programs of this directory (linked
# against the same C library), the guest /init and its scenarios, and the
# kernel itself so that the guest can kexec into it.  With -q, for the scenario vm only: Debian's
# QEMU (qemu-system-x86_64, its libraries, its TCG module and the firmware
# it loads) and the inner guest it runs (guest/vm/payload.c).  With -u, a
# second, differently configured kernel as /boot/bzImage.update, which the
# scenario update kexecs into and back from.
#
# Usage: mkinitramfs.sh -k bzImage -o initramfs.cpio [-w workdir] [-q]
#                       [-u other-bzImage]

set -euo pipefail

test_dir=$(realpath "$(dirname "$0")")
kernel_dir=$(realpath "$test_dir/../../../..")
kernel=""
out=""
work=""
qemu=0
update=""

usage() {
	echo "usage: $0 -k bzImage -o initramfs.cpio [-w workdir] [-q] [-u other-bzImage]" >&2
	exit 2
}

while getopts "k:o:w:u:qh" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	u) update=$OPTARG ;;
	o) out=$OPTARG ;;
	w) work=$OPTARG ;;
	q) qemu=1 ;;
	*) usage ;;
	esac
done
[ -n "$kernel" ] && [ -n "$out" ] || usage
[ -f "$kernel" ] || { echo "$0: no kernel image $kernel" >&2; exit 1; }
[ -z "$update" ] || [ -f "$update" ] ||
	{ echo "$0: no kernel image $update" >&2; exit 1; }

# A missing prerequisite is a skip (kselftest: 4).
busybox=$(command -v busybox || true)
kexec=$(command -v kexec || ls /sbin/kexec /usr/sbin/kexec 2>/dev/null | head -n1 || true)
[ -n "$busybox" ] || { echo "$0: busybox not found (busybox-static)" >&2; exit 4; }
[ -n "$kexec" ] || { echo "$0: kexec not found (kexec-tools)" >&2; exit 4; }
case "$(ldd "$busybox" 2>&1)" in *"not a dynamic"*) ;; *) false ;; esac ||
	{ echo "$0: $busybox is not static (install busybox-static)" >&2; exit 4; }

# QEMU finds its TCG module relative to its binary, and its firmware in
# /usr/share/qemu and /usr/share/seabios (Debian's build).
qemu_bin=/usr/bin/qemu-system-x86_64
qemu_tcg=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
qemu_fw="/usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin
	 /usr/share/qemu/linuxboot_dma.bin /usr/share/qemu/multiboot_dma.bin"
if [ $qemu -eq 1 ]; then
	for f in $qemu_bin $qemu_tcg $qemu_fw; do
		[ -f "$f" ] || { echo "$0: $f not found (qemu-system-x86)" >&2; exit 4; }
	done
fi

cleanup=""
if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/pkram-initramfs.XXXXXX)
	cleanup=$work
fi
trap '[ -z "$cleanup" ] || rm -rf "$cleanup"' EXIT
mkdir -p "$work"
list=$work/cpio.list
bin=$work/bin
mkdir -p "$bin"

# The cpio is described as a gen_init_cpio list: no root needed for device
# nodes and owners, and the same inputs give the same image.
gen=$work/gen_init_cpio
if [ ! -x "$gen" ] || [ "$kernel_dir/usr/gen_init_cpio.c" -nt "$gen" ]; then
	${HOSTCC:-cc} -O2 -o "$gen" "$kernel_dir/usr/gen_init_cpio.c"
fi

{
	for d in /dev /proc /sys /tmp /mnt /run /bin /sbin /lib /lib64 /boot \
		 /scenarios /usr /usr/bin /usr/sbin /etc; do
		echo "dir $d 0755 0 0"
	done
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "nod /dev/null 0666 0 0 c 1 3"
	echo "file /bin/busybox $busybox 0755 0 0"
	for a in $("$busybox" --list-full); do
		[ "$a" = bin/busybox ] || echo "slink /$a /bin/busybox 0777 0 0"
	done
	echo "file /sbin/kexec $kexec 0755 0 0"
	echo "file /init $test_dir/guest/init.sh 0755 0 0"
	echo "file /boot/bzImage $kernel 0644 0 0"
	[ -z "$update" ] || echo "file /boot/bzImage.update $update 0644 0 0"
	for s in "$test_dir"/guest/scenarios/*.sh; do
		echo "file /scenarios/$(basename "$s") $s 0644 0 0"
	done
	# run_tests' script, and the KTAP helpers it takes from ../kselftest
	if [ -f "$test_dir/tmpfs_pkram.sh" ]; then
		echo "file /usr/bin/tmpfs_pkram.sh $test_dir/tmpfs_pkram.sh 0755 0 0"
		echo "dir /usr/kselftest 0755 0 0"
		ktap=$test_dir/../kselftest/ktap_helpers.sh
		echo "file /usr/kselftest/ktap_helpers.sh $ktap 0644 0 0"
	fi
	if [ $qemu -eq 1 ]; then
		for d in /usr/share /usr/share/qemu /usr/share/seabios /usr/share/pkram; do
			echo "dir $d 0755 0 0"
		done
		echo "file $qemu_bin $qemu_bin 0755 0 0"
		echo "file $qemu_tcg $qemu_tcg 0644 0 0"
		for f in $qemu_fw; do
			echo "file $f $(realpath "$f") 0644 0 0"
		done
		echo "file /usr/share/pkram/vm-payload.elf $work/vm-payload.elf 0644 0 0"
		echo "file /usr/share/pkram/vm-lib.sh $test_dir/guest/vm/vm-lib.sh 0644 0 0"
	fi
} >"$list"

# The test programs of this directory, linked against the C library that
# kexec-tools brings: static, each would carry its own copy (750 KiB), which
# every kexec of a test then reads, hashes and unpacks again.
progs=()
for c in "$test_dir"/*.c; do
	[ -f "$c" ] || continue
	p=$bin/$(basename "$c" .c)
	${CC:-cc} -O2 -Wall -Werror -I "$kernel_dir/tools/include" \
		-o "$p" "$c" -lpthread
	progs+=("$p")
	echo "file /usr/bin/$(basename "$p") $p 0755 0 0" >>"$list"
done

# libs FILE...: the shared libraries and loader FILE needs.
libs() {
	ldd "$@" | awk '/=> \//{print $3} /^\t\/lib/{print $1}'
}

# The libraries of kexec-tools and the test programs, and of QEMU and its
# TCG module with -q.
{
	libs "$kexec" "${progs[@]}"
	if [ $qemu -eq 1 ]; then
		libs "$qemu_bin" "$qemu_tcg"
	fi
} | sort -u | while IFS= read -r lib; do
	echo "file $lib $(realpath "$lib") 0755 0 0"
done >>"$list"
# Directories of the libraries.
for d in $(awk '$1 == "file" {print $2}' "$list" | grep '^/lib\|^/usr/lib' |
	   xargs -r -n1 dirname | sort -u); do
	p=""
	for c in ${d//\// }; do
		p=$p/$c
		echo "dir $p 0755 0 0"
	done
done | sort -u >"$work/dirs"
cat "$work/dirs" "$list" >"$list.all"


# The inner guest of the scenario vm: a 32-bit Multiboot payload.
if [ $qemu -eq 1 ]; then
	${CC:-cc} -m32 -O2 -ffreestanding -fno-pic -no-pie -fno-stack-protector \
		-nostdlib -static -Wall -Werror -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -Wl,-T,"$test_dir/guest/vm/payload.lds" \
		-o "$work/vm-payload.elf" "$test_dir/guest/vm/payload.c"
fi

"$gen" "$list.all" >"$out.tmp"
mv "$out.tmp" "$out"
