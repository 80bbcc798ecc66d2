#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the other kernel of the scenario update, which a kernel update
# kexecs into: the bench kernel (the test kernel without lockdep, DEBUG_VM
# and fault injection, in $BENCH_BUILD, shared with make bench), and the
# image of that scenario: the test kernel's, with it as /boot/bzImage.update.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_config
PKRAM_BUILD=$BENCH_BUILD PKRAM_FRAGMENT=$BENCH_CONFIG \
	"$REPO/dev/kernel.sh"
step "guest initramfs with the other kernel"
"$TREE/tools/testing/selftests/pkram/mkinitramfs.sh" -k "$KERNEL_IMAGE" \
	-u "$BENCH_BUILD/arch/x86/boot/bzImage" -o "$INITRAMFS_UPDATE" \
	-w "$GUEST/work-update" || die "cannot build $INITRAMFS_UPDATE"
info "$INITRAMFS_UPDATE (with the bench kernel): $(($(stat -c %s "$INITRAMFS_UPDATE") / 1024)) KiB"
