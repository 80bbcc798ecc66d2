#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make: build everything, then show PKRAM at work in QEMU.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
"$REPO/dev/deps.sh"
"$REPO/dev/tree.sh"
"$REPO/dev/kernel.sh"
"$REPO/dev/initramfs.sh"

# demo NAME KTAP-PATTERN LOG-PATTERN VMTEST-ARGS...: run a scenario, show the
# lines of its report and of the guest's log that tell the story.
demo() {
	local name=$1 ktap_re=$2 log_re=$3

	shift 3
	log=$LOGS/$name.log
	probe_accel
	if ! with_progress "$name" \
		"echo \$(grep -c 'pkram-vmtest: .* done' '$log' 2>/dev/null) stages done" \
		"$LOGS/$name.ktap" vmtest -l "$log" "$@"; then
		sed 's/^/    /' "$LOGS/$name.ktap"
		die "the demo failed (serial log: $log)"
	fi
	grep -E "$ktap_re" "$LOGS/$name.ktap" | sed 's/^ */    /'
	grep -E "$log_re" "$log" | sed 's/^/    /'
}

mkdir -p "$LOGS"
step "demo: data saved in kernel 1, found intact in kernels 2 and 3"
demo demo '^    ok .*(save|intact|folio|gone)|^    # kexec \(' '^\[[ 0-9.]*\] PKRAM: ' \
	-s handover -S 3 -K alt -m 1G
secs=$(sed -n 's/^# handover: \([0-9.]*\) s.*/\1/p' "$LOGS/demo.ktap")
echo "${c_grn}PKRAM demo: Linux $(kernel_version) saved 64 MiB of random folios, kexec'ed (kexec_file_load) into a kernel that loaded them and saved them again, kexec'ed (kexec_load) into a third that found every folio intact in the same physical pages: 3 kernels in ${secs} s${c_off}"

step "demo: a tmpfs written in kernel 1, preserved, and mounted again in kernel 2"
demo demo-tmpfs '^    ok .*(mount|preserve|tmpfs_pkram)' \
	'^\[[ 0-9.]*\] tmpfs: pkram=t1 (preserved|brought back)' \
	-s tmpfs -S 2 -K file -m 1G
saved=$(sed -n 's/^\[.*tmpfs: pkram=t1 preserved: \(.*\)/\1/p' "$log")
back=$(sed -n 's/^\[.*tmpfs: pkram=t1 brought back: \(.*\)/\1/p' "$log")
echo "${c_grn}PKRAM tmpfs demo: a tree of files (huge pages, holes, links) preserved in kernel 1 ($saved), mounted again in kernel 2 ($back), every byte, attribute and physical page checked${c_off}"

step "demo: a running VM kept across a kernel update, its RAM in a preserved tmpfs"
demo demo-vm '^    ok .*(QEMU|guest|heartbeat|state|physical)' \
	'^\[[ 0-9.]*\] tmpfs: pkram=vms (preserved|brought back)' \
	-s vm -S 2 -K file -m 1G -a pkram_vm_huge=within_size
line=$(grep '# vm: blackout' "$LOGS/demo-vm.ktap")
ms=$(echo "$line" | sed -n 's/.*blackout \([0-9]*\) ms.*/\1/p')
mib=$(echo "$line" | sed -n 's/.* \([0-9]*\) MiB of RAM never copied.*/\1/p')
echo "    ${line#*# }"
echo "${c_grn}PKRAM VM demo: a VM kept running across a kernel update (Debian's QEMU, kexec of the host kernel): paused $(awk -v ms="$ms" 'BEGIN { printf "%.1f", ms / 1000 }') s, $mib MiB of its RAM never copied${c_off}"
