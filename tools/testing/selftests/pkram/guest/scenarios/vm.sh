# SPDX-License-Identifier: GPL-2.0
# A running VM survives a kernel update of its host, with Debian's QEMU,
# unmodified, and its RAM in a file of a preserved tmpfs (QEMU's local
# migration recipe, as in its docs/devel/migration/CPR.rst).  Needs the
# image of mkinitramfs.sh -q; the helpers are in guest/vm/vm-lib.sh.
#
# Stage 1 (the host's old kernel) mounts a tmpfs with pkram=vms and starts
# QEMU with its RAM in /srv/vms/vm1.ram (share=on).  The inner guest
# (guest/vm/payload.c) fills its RAM with a pattern and keeps a heartbeat on
# its serial port.  Then the update: QMP stop, migrate with x-ignore-shared
# to a state file on the same tmpfs (devices only: RAM is shared), quit,
# preserve the tmpfs, kexec.  Stage 2 (the new kernel) mounts pkram=vms,
# starts the same QEMU with -incoming from the state file, and cont.  It
# passes if the guest was not rebooted (its heartbeat goes on from where it
# stopped), checks its whole pattern intact, keeps running and writing, the
# state file is far smaller than the RAM, the RAM file is in the very same
# physical pages, and QEMU exits cleanly.  pkram_vm_mib= and pkram_vm_huge=
# (see vm-lib.sh) choose the guest's RAM and the tmpfs's huge=.
#
# Every step is timed with the TSC, which goes on across kexec; the blackout
# (QMP stop to cont) is printed, split, as one "vm: blackout" line.
SCENARIO_STAGES=2
SCENARIO_IMAGE=qemu
if [ -f /usr/share/pkram/vm-lib.sh ]; then
	. /usr/share/pkram/vm-lib.sh
else
	not_ok "QEMU is in the image (mkinitramfs.sh -q)"
fi

stage_1() {
	plan 10
	vm_keep_save
}

stage_2() {
	plan 13
	vm_keep_restore
}
