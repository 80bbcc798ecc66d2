# SPDX-License-Identifier: GPL-2.0
# Helpers of the scenarios that run a VM inside the test guest (vm,
# vmbench), sourced from /usr/share/pkram/vm-lib.sh of the image of
# mkinitramfs.sh -q: Debian's QEMU, driven over QMP on FIFOs, runs the inner
# guest of payload.c with its RAM in a file.
#
#   pkram_vm_mib=<MiB>	guest RAM (default 64)
#   pkram_vm_huge=<huge=> of the tmpfs: within_size (default) or never
V=/srv/vms
R=/run/vm1
RAM_MIB=$(param pkram_vm_mib)
: "${RAM_MIB:=64}"
HUGE=$(param pkram_vm_huge)
: "${HUGE:=within_size}"
CAPS='"capabilities":[{"capability":"x-ignore-shared","state":true}]'

# tsc_ms T0 [T1]: the time from TSC value T0 to T1 (default: now), in ms,
# at the TSC frequency $MHZ of the first kernel.
tsc_ms() {
	awk -v a="$1" -v b="${2:-$(tsc_now)}" -v mhz="$MHZ" \
		'BEGIN { printf "%.0f\n", (b - a) / mhz / 1000 }'
}

# tsc_mhz: the TSC frequency the kernel found.
tsc_mhz() {
	dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p
		       s/.*tsc: Detected \([0-9.]*\) MHz processor.*/\1/p' | tail -n 1
}

# wait_for PATTERN SECONDS: until the guest's console has a line matching
# PATTERN (grep -E).
wait_for() {
	n=$(($2 * 10))
	while [ $n -gt 0 ]; do
		grep -qE "$1" $R/console && return 0
		sleep 0.1
		n=$((n - 1))
	done
	diag "no '$1' from the guest in $2 s; it said: $(tail -c 200 $R/console)"
	return 1
}

# qmp JSON: send one QMP command, print its reply (skipping events); fails
# on an error reply, or on none within 60 s.
qmp() {
	echo "$1" >&7
	while read -r -t 60 line <&8; do
		case "$line" in
		*'"return"'*) echo "$line"; return 0 ;;
		*'"error"'*) diag "QMP $1: $line"; return 1 ;;
		esac
	done
	diag "QMP $1: no reply"
	return 1
}

# qmp_wait COMMAND STATUS SECONDS: poll COMMAND until its reply has STATUS.
qmp_wait() {
	n=$(($3 * 10))
	while [ $n -gt 0 ]; do
		r=$(qmp "{\"execute\":\"$1\"}") || return 1
		case "$r" in *"\"status\": \"$2\""*) return 0 ;; esac
		case "$r" in *'"status": "failed"'*) diag "$1: $r"; return 1 ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	diag "$1: no $2 in $3 s: $r"
	return 1
}

# vm_start DIR [QEMU ARGS]: start the VM with its RAM in DIR/vm1.ram, its
# console in $R/console, and QMP ready.  align=2M: QEMU maps a file at its
# page size (4 KiB on a tmpfs), and only a mapping aligned to 2 MiB gets the
# tmpfs's huge pages.
vm_start() {
	ram="memory-backend-file,id=ram,size=${RAM_MIB}M,mem-path=$1/vm1.ram"
	shift
	rm -rf $R
	mkdir -p $R
	mkfifo $R/qmp.in $R/qmp.out $R/ser.in $R/ser.out
	qemu-system-x86_64 -machine pc,memory-backend=ram -accel tcg \
		-m "${RAM_MIB}M" -smp 1 -nodefaults -no-user-config -display none \
		-object "$ram,share=on,align=2M" \
		-kernel /usr/share/pkram/vm-payload.elf \
		-chardev pipe,id=ser,path=$R/ser -serial chardev:ser \
		-chardev pipe,id=qmp,path=$R/qmp -mon chardev=qmp,mode=control \
		"$@" 2>$R/qemu.err &
	QEMU_PID=$!
	: >$R/console
	cat <>$R/ser.out >>$R/console &
	exec 5<>$R/ser.in 7<>$R/qmp.in 8<>$R/qmp.out
	if ! read -r -t 120 line <&8; then
		diag "QEMU did not greet on QMP: $(cat $R/qemu.err)"
		return 1
	fi
	qmp '{"execute":"qmp_capabilities"}' >/dev/null
}

# vm_ignore_shared [ignore-shared]: with the word, migrate the devices only
# (and what RAM is not shared): x-ignore-shared.
vm_ignore_shared() {
	[ "${1:-}" = ignore-shared ] || return 0
	qmp "{\"execute\":\"migrate-set-capabilities\",\"arguments\":{$CAPS}}" >/dev/null
}

# vm_migrate_out URI [ignore-shared]: migrate to URI, until completed.
vm_migrate_out() {
	vm_ignore_shared "${2:-}" &&
	qmp "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"$1\"}}" >/dev/null &&
		qmp_wait query-migrate completed 900
}

# vm_migrate_in URI [ignore-shared]: take the state in from URI, until
# completed.
vm_migrate_in() {
	vm_ignore_shared "${2:-}" &&
	qmp "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"$1\"}}" >/dev/null &&
		qmp_wait query-migrate completed 900
}

# vm_quit: QMP quit, and QEMU exits with 0.
vm_quit() {
	qmp '{"execute":"quit"}' >/dev/null || return 1
	wait $QEMU_PID
	rc=$?
	exec 5>&- 7>&- 8>&-
	[ $rc -eq 0 ] || diag "QEMU exited with $rc: $(cat $R/qemu.err)"
	[ $rc -eq 0 ]
}

# guest CMD ANSWER SECONDS: one command to the inner guest, and its answer.
guest() {
	echo "$1" >&5
	wait_for "$2" "$3"
}

# last_hb: the last heartbeat the guest printed, counting one it was in
# the middle of printing (the rest of its line comes after cont).
last_hb() {
	n=$(sed -n 's/^hb \([0-9]*\)$/\1/p' $R/console | tail -n 1)
	[ -z "$(tail -c 1 $R/console)" ] || n=$((n + 1))
	echo "$n"
}

# filled: the MiB of pattern the guest wrote.
filled() {
	sed -n 's/^pkram-vm: filled \([0-9]*\) MiB.*/\1/p' $R/console
}

# pfns_ok: record the RAM file's pages (file_pfns) in $PFNS, and check
# that they are in huge pages or not, as huge= asks: within_size gives huge
# pages to all but what the guest never touched (a few MiB).
pfns_ok() {
	PFNS=$(file_pfns $V/vm1.ram) || return 1
	diag "$V/vm1.ram: $PFNS"
	set -- $PFNS
	if [ "$HUGE" = never ]; then
		[ "$4" -eq 0 ]
	else
		[ $(($4 * 100)) -ge $(($2 * 90)) ]
	fi
}

# vm_boot DIR: start the VM with its RAM in DIR, let it fill its RAM and
# beat; 4 results.
vm_boot() {
	t=$(tsc_now)
	check "QEMU starts, its RAM in $1/vm1.ram (share=on), and answers QMP" \
		vm_start "$1"
	check "the inner guest boots and fills its RAM with a pattern" \
		wait_for '^pkram-vm: filled' 900
	diag "$(grep '^pkram-vm:' $R/console | tr '\n' ' ')"
	diag "QEMU start, guest boot and fill: $(tsc_ms "$t") ms"
	check "its heartbeat runs" wait_for '^hb 3$' 120
	check "QMP stop" qmp '{"execute":"stop"}'
	T_STOP=$(tsc_now)
	sleep 0.2
	HB=$(last_hb)
	diag "heartbeat at stop: $HB"
}

# vm_keep_save: the host's side of an update with PKRAM: pkram=vms, the VM
# with its RAM there, paused, its devices saved, QEMU gone, the tmpfs
# preserved; 10 results.  The next stage runs vm_keep_restore.
vm_keep_save() {
	MHZ=$(tsc_mhz)
	diag "TSC at $MHZ MHz; guest RAM $RAM_MIB MiB, huge=$HUGE"
	# What kexec_next would copy in the blackout.
	cp /sys/firmware/initrd /tmp/initrd
	mkdir -p $V
	check "mount a tmpfs with pkram=vms,huge=$HUGE" \
		mount -t tmpfs -o "pkram=vms,huge=$HUGE,size=$((RAM_MIB + 64))m" tmpfs $V
	vm_boot $V
	check "migrate, x-ignore-shared, to $V/vm1.state: completed" \
		vm_migrate_out "exec:cat > $V/vm1.state" ignore-shared
	t1=$(tsc_now)
	check "QMP quit: QEMU exits cleanly" vm_quit
	t2=$(tsc_now)
	state=$(stat -c %s $V/vm1.state)
	diag "state file: $state bytes, guest RAM: $((RAM_MIB << 20)) bytes"
	check "the state file is far smaller than the guest's RAM (1/64)" \
		[ "$state" -lt $(((RAM_MIB << 20) / 64)) ]
	check "the RAM file's pages, in huge pages as huge=$HUGE asks" pfns_ok
	t3=$(tsc_now)
	check "remount,preserve,ro preserves pkram=vms" \
		mount -o remount,preserve,ro $V
	t4=$(tsc_now)
	set -- $PFNS
	hand_over
	NEXT_APPEND="$NEXT_APPEND pkram_vm_mhz=$MHZ pkram_vm_hb=$HB pkram_vm_pfns=$6"
	NEXT_APPEND="$NEXT_APPEND pkram_vm_pages=$2 pkram_vm_state=$state"
	NEXT_APPEND="$NEXT_APPEND pkram_vm_t=$T_STOP,$t1,$t2,$t3,$t4 pkram_vm_fill=$(filled)"
}

# vm_resumed FILL: the guest goes on where it was paused (heartbeat $HB),
# was not rebooted, finds its FILL MiB of pattern intact, and keeps running
# and writing; 7 results.
vm_resumed() {
	check "the heartbeat goes on from $HB, where it stopped" \
		wait_for "^hb $((HB + 1))$" 60
	first=$(sed -n 's/^hb \([0-9]*\)$/\1/p' $R/console | head -n 1)
	check "... and not from anything else (first after cont: $first)" \
		[ "$first" = $((HB + 1)) ]
	check "the guest was not rebooted" \
		sh -c "! grep -q '^pkram-vm: boot' $R/console"
	check "the guest checks its whole pattern: $1 MiB intact" \
		guest v "^pkram-vm: verify: $1 MiB, 0 bad words" 900
	check "the guest keeps running and writing: its RAM rewritten" \
		guest w "^pkram-vm: rewrote: $1 MiB" 900
	: >$R/console
	check "... and checked again" \
		guest v "^pkram-vm: verify: $1 MiB, 0 bad words" 900
	check "... and its heartbeat goes on" wait_for '^hb ' 60
}

# vm_keep_restore: the new kernel's side: pkram=vms mounted again, the same
# QEMU with -incoming from the state file, cont, the guest as it was, the
# RAM file in the same pages; 13 results, and the "vm: blackout" line.
vm_keep_restore() {
	t5=$(tsc_now)
	boot_ms=$(awk '{ printf "%.0f\n", $1 * 1000 }' /proc/uptime)
	MHZ=$(param pkram_vm_mhz)
	HB=$(param pkram_vm_hb)
	mkdir -p $V
	check "mount pkram=vms again" mount -t tmpfs -o pkram=vms tmpfs $V
	t6=$(tsc_now)
	check "QEMU starts with the same arguments and -incoming defer" \
		vm_start $V -incoming defer
	check "the state comes in from $V/vm1.state" \
		vm_migrate_in "exec:cat $V/vm1.state" ignore-shared
	t7=$(tsc_now)
	check "QMP cont" qmp '{"execute":"cont"}'
	t8=$(tsc_now)
	vm_resumed "$(param pkram_vm_fill)"
	check "QMP quit: QEMU exits cleanly" vm_quit
	check "the RAM file is in the very same physical pages" \
		[ "$(file_pfns $V/vm1.ram | cut -d' ' -f6)" = "$(param pkram_vm_pfns)" ]
	set -- $(param pkram_vm_t | tr , ' ') "$t5" "$t6" "$t7" "$t8"
	# $1 stop, $2 saved, $3 exited, $4 pages recorded (a real host does
	# not: not counted), $5 preserved, $6 at /init, $7 mounted, $8 state
	# loaded, $9 running
	total=$(($(tsc_ms "$1" "$9") - $(tsc_ms "$3" "$4")))
	diag "vm: blackout $total ms: device state save $(tsc_ms "$1" "$2") ms," \
	     "QEMU exit $(tsc_ms "$2" "$3") ms, preserve $(tsc_ms "$4" "$5") ms," \
	     "kexec to /init $(tsc_ms "$5" "$6") ms (of which boot $boot_ms ms)," \
	     "mount $(tsc_ms "$6" "$7") ms," \
	     "QEMU start and state load $(tsc_ms "$7" "$8") ms, cont $(tsc_ms "$8" "$9") ms;" \
	     "state file $(($(param pkram_vm_state) / 1024)) KiB," \
	     "$(($(param pkram_vm_pages) / 256)) MiB of RAM never copied," \
	     "guest RAM $RAM_MIB MiB, huge=$HUGE"
	umount $V
}
