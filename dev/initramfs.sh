#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the guest initramfs (with the test kernel inside) from the tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step "guest initramfs"
mkdir -p "$GUEST"
"$TREE/tools/testing/selftests/pkram/mkinitramfs.sh" -k "$KERNEL_IMAGE" \
	-o "$INITRAMFS" -w "$GUEST/work" || die "cannot build $INITRAMFS"
info "$INITRAMFS: $(($(stat -c %s "$INITRAMFS") / 1024)) KiB"
"$TREE/tools/testing/selftests/pkram/mkinitramfs.sh" -k "$KERNEL_IMAGE" -q \
	-o "$INITRAMFS_QEMU" -w "$GUEST/work-qemu" || die "cannot build $INITRAMFS_QEMU"
info "$INITRAMFS_QEMU (with QEMU): $(($(stat -c %s "$INITRAMFS_QEMU") / 1024)) KiB"
