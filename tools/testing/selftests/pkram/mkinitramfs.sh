#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the initramfs of the PKRAM VM tests: busybox, kexec-tools (with the
# shared libraries it needs), the test programs of this directory compiled
# statically, the guest /init and its scenarios, and the kernel itself so that
# the guest can kexec into it.
#
# Usage: mkinitramfs.sh -k bzImage -o initramfs.cpio [-w workdir]

set -euo pipefail

test_dir=$(realpath "$(dirname "$0")")
kernel_dir=$(realpath "$test_dir/../../../..")
kernel=""
out=""
work=""

usage() {
	echo "usage: $0 -k bzImage -o initramfs.cpio [-w workdir]" >&2
	exit 2
}

while getopts "k:o:w:h" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	o) out=$OPTARG ;;
	w) work=$OPTARG ;;
	*) usage ;;
	esac
done
[ -n "$kernel" ] && [ -n "$out" ] || usage
[ -f "$kernel" ] || { echo "$0: no kernel image $kernel" >&2; exit 1; }

# A missing prerequisite is a skip (kselftest: 4).
busybox=$(command -v busybox || true)
kexec=$(command -v kexec || ls /sbin/kexec /usr/sbin/kexec 2>/dev/null | head -n1 || true)
[ -n "$busybox" ] || { echo "$0: busybox not found (busybox-static)" >&2; exit 4; }
[ -n "$kexec" ] || { echo "$0: kexec not found (kexec-tools)" >&2; exit 4; }
case "$(ldd "$busybox" 2>&1)" in *"not a dynamic"*) ;; *) false ;; esac ||
	{ echo "$0: $busybox is not static (install busybox-static)" >&2; exit 4; }

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
	for s in "$test_dir"/guest/scenarios/*.sh; do
		echo "file /scenarios/$(basename "$s") $s 0644 0 0"
	done
} >"$list"

# kexec-tools is dynamically linked: bring its libraries and loader.
ldd "$kexec" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | sort -u |
while IFS= read -r lib; do
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

# The test programs of this directory, static.
for c in "$test_dir"/*.c; do
	[ -f "$c" ] || continue
	p=$bin/$(basename "$c" .c)
	${CC:-cc} -static -O2 -Wall -Werror -I "$kernel_dir/tools/include" \
		-o "$p" "$c" -lpthread
	echo "file /usr/bin/$(basename "$p") $p 0755 0 0" >>"$list.all"
done

"$gen" "$list.all" >"$out.tmp"
mv "$out.tmp" "$out"
