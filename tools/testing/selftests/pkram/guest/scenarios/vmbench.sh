# SPDX-License-Identifier: GPL-2.0
# Benchmark (reports, never fails on numbers): the blackout of a VM across a
# kernel update of its host, with PKRAM and without.  Stages 1 and 2 are the
# scenario vm: the VM's RAM in a preserved tmpfs, its devices saved, kexec,
# restored.  Then stage 2 does what an administrator does today: a VM with
# its RAM in a plain tmpfs is migrated whole, RAM and devices, to the disk
# (/dev/vda, which vmtest.sh -d gives with the host's page cache out of the
# way), and stage 3 starts it again from there.  The same checks hold in
# both: the guest goes on where it was paused with every word of its RAM
# intact.  The "vm: blackout" and "vm-disk: blackout" lines are the result.
SCENARIO_STAGES=3
SCENARIO_IMAGE=qemu
P=/srv/plain
if [ -f /usr/share/pkram/vm-lib.sh ]; then
	. /usr/share/pkram/vm-lib.sh
else
	not_ok "QEMU is in the image (mkinitramfs.sh -q)"
fi

stage_1() {
	plan 11
	check "/dev/vda is there" [ -b /dev/vda ]
	vm_keep_save
}

stage_2() {
	plan 20
	vm_keep_restore
	# Without PKRAM: RAM and devices to the disk.
	mkdir -p $P
	check "mount a plain tmpfs, huge=$HUGE" \
		mount -t tmpfs -o "huge=$HUGE,size=$((RAM_MIB + 64))m" tmpfs $P
	vm_boot $P
	check "migrate RAM and devices to /dev/vda: completed" \
		vm_migrate_out "exec:dd of=/dev/vda bs=1M conv=fsync 2>/dev/null"
	t1=$(tsc_now)
	check "QMP quit: QEMU exits cleanly" vm_quit
	t2=$(tsc_now)
	NEXT_DROP="pkram_vm_t= pkram_vm_hb="
	NEXT_APPEND="pkram_vm_t=$T_STOP,$t1,$t2 pkram_vm_hb=$HB"
	hand_over
}

stage_3() {
	t3=$(tsc_now)
	boot_ms=$(awk '{ printf "%.0f\n", $1 * 1000 }' /proc/uptime)
	plan 12
	MHZ=$(param pkram_vm_mhz)
	HB=$(param pkram_vm_hb)
	mkdir -p $P
	check "mount a plain tmpfs, huge=$HUGE" \
		mount -t tmpfs -o "huge=$HUGE,size=$((RAM_MIB + 64))m" tmpfs $P
	check "QEMU starts with the same arguments and -incoming defer" \
		vm_start $P -incoming defer
	check "RAM and devices come in from /dev/vda" \
		vm_migrate_in "exec:dd if=/dev/vda bs=1M 2>/dev/null"
	t4=$(tsc_now)
	check "QMP cont" qmp '{"execute":"cont"}'
	t5=$(tsc_now)
	vm_resumed "$(param pkram_vm_fill)"
	check "QMP quit: QEMU exits cleanly" vm_quit
	set -- $(param pkram_vm_t | tr , ' ') "$t3" "$t4" "$t5"
	# $1 stop, $2 saved, $3 exited, $4 at /init, $5 loaded, $6 running
	diag "vm-disk: blackout $(tsc_ms "$1" "$6") ms: RAM and device state save" \
	     "$(tsc_ms "$1" "$2") ms, QEMU exit $(tsc_ms "$2" "$3") ms," \
	     "kexec to /init $(tsc_ms "$3" "$4") ms (of which boot $boot_ms ms)," \
	     "QEMU start and RAM and state load $(tsc_ms "$4" "$5") ms," \
	     "cont $(tsc_ms "$5" "$6") ms; guest RAM $RAM_MIB MiB, huge=$HUGE"
}
