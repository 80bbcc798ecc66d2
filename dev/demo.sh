#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make: build everything, then show it working in QEMU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$REPO/dev/deps.sh"
"$REPO/dev/tree.sh"
"$REPO/dev/kernel.sh"
"$REPO/dev/initramfs.sh"

step "demo: the kernel kexecs into itself by both paths"
mkdir -p "$LOGS"
log=$LOGS/demo.log
if ! vmtest -s kexec -S 3 -K alt -l "$log" >"$LOGS/demo.ktap" 2>&1; then
	sed 's/^/    /' "$LOGS/demo.ktap"
	die "the demo failed (serial log: $log)"
fi
grep -E '^    # kexec \(|^ok ' "$LOGS/demo.ktap" | sed 's/^ */    /'
secs=$(sed -n 's/^# kexec: \([0-9.]*\) s.*/\1/p' "$LOGS/demo.ktap")
echo "${c_grn}PKRAM demo: Linux $(kernel_version) booted, kexec'ed into itself with kexec_file_load, then with kexec_load, and came back: 3 kernels in ${secs} s${c_off}"
