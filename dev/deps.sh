#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the PKRAM build and tests need, if missing,
# and those named as arguments.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
step "dependencies"

PACKAGES=(
	# kernel source and build
	"$SRC_PACKAGE" gcc make flex bison bc libelf-dev libssl-dev libc6-dev
	perl python3 cpio xz-utils rsync ccache git patch
	# documentation
	python3-sphinx
	# guest: userspace and the emulator
	busybox-static kexec-tools qemu-system-x86
	# the handover parser in user space: libFuzzer, ASan and UBSan from
	# clang, liburcu for the memblock simulator it runs on
	clang libclang-rt-14-dev liburcu-dev
	# build variants: sparse on the PKRAM objects
	sparse
)
# what one command needs besides (make bench: gnuplot-nox for its plot)
PACKAGES+=("$@")

missing=()
for p in "${PACKAGES[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	info "all ${#PACKAGES[@]} packages present"
	exit 0
fi

info "installing: ${missing[*]}"
sudo=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]}"
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/pkram-apt.XXXXXX)
if ! $sudo apt-get update >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "apt-get update failed (log: $log)"
fi
if ! $sudo apt-get install -y --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "apt-get install ${missing[*]} failed (log: $log)"
fi
rm -f "$log"
info "installed ${#missing[@]} packages"
