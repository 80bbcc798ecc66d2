# SPDX-License-Identifier: GPL-2.0
# A running VM survives a kernel update of its host, with Debian's QEMU,
# unmodified, and its RAM in a file of a preserved tmpfs (QEMU's local
# migration recipe, as in its docs/devel/migration/CPR.rst).  Needs the
# image of mkinitramfs.sh -q.
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
# physical pages, and QEMU exits cleanly.
#
#   pkram_vm_mib=<MiB>	guest RAM (default 64)
#   pkram_vm_huge=<huge=> of the tmpfs: within_size (default) or never
#
# Every step is timed with the TSC, which goes on across kexec; the blackout
# (QMP stop to cont) is printed, split, as one "vm: blackout" line.
SCENARIO_STAGES=2
SCENARIO_IMAGE=qemu
V=/srv/vms
R=/run/vm1
RAM_MIB=$(param pkram_vm_mib)
: "${RAM_MIB:=64}"
HUGE=$(param pkram_vm_huge)
: "${HUGE:=within_size}"

# tsc_ms T0 [T1]: the time from TSC value T0 to T1 (default: now), in ms,
# at the TSC frequency $MHZ that kernel 1 found.
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
# on an error reply or none within 60 s.
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

# vm_start [QEMU ARGS]: start the VM, its console in $R/console, QMP ready.
# align=2M: QEMU maps a file at its page size (4 KiB on a tmpfs), and only a
# mapping aligned to 2 MiB gets the tmpfs's huge pages.
vm_start() {
	rm -rf $R
	mkdir -p $R
	mkfifo $R/qmp.in $R/qmp.out $R/ser.in $R/ser.out
	qemu-system-x86_64 -machine pc,memory-backend=ram -accel tcg \
		-m "${RAM_MIB}M" -smp 1 -nodefaults -no-user-config -display none \
		-object "memory-backend-file,id=ram,size=${RAM_MIB}M,mem-path=$V/vm1.ram,share=on,align=2M" \
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
	qmp '{"execute":"qmp_capabilities"}' >/dev/null &&
	qmp '{"execute":"migrate-set-capabilities","arguments":{"capabilities":[{"capability":"x-ignore-shared","state":true}]}}' >/dev/null
}

# vm_migrate_out: migrate to the state file, devices only.
vm_migrate_out() {
	qmp "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"exec:cat > $V/vm1.state\"}}" \
		>/dev/null && qmp_wait query-migrate completed 300
}

# vm_migrate_in: take the state in from the state file.
vm_migrate_in() {
	qmp "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"exec:cat $V/vm1.state\"}}" \
		>/dev/null && qmp_wait query-migrate completed 300
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

# pfns_ok DESCRIPTION: record the RAM file's pages (file_pfns) in $PFNS,
# and check that they are in huge pages or not, as huge= asks.
pfns_ok() {
	PFNS=$(file_pfns $V/vm1.ram) || return 1
	diag "$V/vm1.ram: $PFNS"
	set -- $PFNS
	[ "$HUGE" = never ] && [ "$4" -eq 0 ] && return 0
	# within_size: all but the pages the guest never touched (a few MiB)
	[ "$HUGE" != never ] && [ $(($4 * 100)) -ge $(($2 * 90)) ]
}

stage_1() {
	plan 10
	MHZ=$(tsc_mhz)
	diag "TSC at $MHZ MHz; guest RAM $RAM_MIB MiB, huge=$HUGE"
	# What kexec_next would copy in the blackout.
	cp /sys/firmware/initrd /tmp/initrd
	mkdir -p $V
	check "mount a tmpfs with pkram=vms,huge=$HUGE" \
		mount -t tmpfs -o "pkram=vms,huge=$HUGE,size=$((RAM_MIB + 64))m" tmpfs $V
	t=$(tsc_now)
	check "QEMU starts, its RAM in $V/vm1.ram (share=on), and answers QMP" \
		vm_start
	check "the inner guest boots and fills its RAM with a pattern" \
		wait_for '^pkram-vm: filled' 600
	diag "$(grep '^pkram-vm:' $R/console | tr '\n' ' ')"
	diag "QEMU start, guest boot and fill: $(tsc_ms "$t") ms"
	check "its heartbeat runs" wait_for '^hb 3$' 120

	# The update.
	t0=$(tsc_now)
	check "QMP stop" qmp '{"execute":"stop"}'
	sleep 0.2
	hb=$(last_hb)
	diag "heartbeat at stop: $hb"
	check "migrate, x-ignore-shared, to $V/vm1.state: completed" \
		vm_migrate_out
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
	NEXT_APPEND="$NEXT_APPEND pkram_vm_mhz=$MHZ pkram_vm_hb=$hb pkram_vm_pfns=$6"
	NEXT_APPEND="$NEXT_APPEND pkram_vm_pages=$2 pkram_vm_state=$state"
	NEXT_APPEND="$NEXT_APPEND pkram_vm_t=$t0,$t1,$t2,$t3,$t4"
	NEXT_APPEND="$NEXT_APPEND pkram_vm_fill=$(sed -n 's/^pkram-vm: filled \([0-9]*\) MiB.*/\1/p' $R/console)"
}

stage_2() {
	t5=$(tsc_now)
	plan 13
	MHZ=$(param pkram_vm_mhz)
	hb=$(param pkram_vm_hb)
	fill=$(param pkram_vm_fill)
	mkdir -p $V
	check "mount pkram=vms again" mount -t tmpfs -o pkram=vms tmpfs $V
	t6=$(tsc_now)
	check "QEMU starts with the same arguments and -incoming defer" \
		vm_start -incoming defer
	check "the state comes in from $V/vm1.state" vm_migrate_in
	t7=$(tsc_now)
	check "QMP cont" qmp '{"execute":"cont"}'
	t8=$(tsc_now)
	check "the heartbeat goes on from $hb, where it stopped" \
		wait_for "^hb $((hb + 1))$" 60
	first=$(sed -n 's/^hb \([0-9]*\)$/\1/p' $R/console | head -n 1)
	check "... and not from anything else (first after cont: $first)" \
		[ "$first" = $((hb + 1)) ]
	check "the guest was not rebooted" \
		sh -c "! grep -q '^pkram-vm: boot' $R/console"
	check "the guest checks its whole pattern: $fill MiB intact" \
		guest v "^pkram-vm: verify: $fill MiB, 0 bad words" 600
	check "the guest keeps running and writing: its RAM rewritten" \
		guest w "^pkram-vm: rewrote: $fill MiB" 600
	: >$R/console
	check "... and checked again" \
		guest v "^pkram-vm: verify: $fill MiB, 0 bad words" 600
	check "... and its heartbeat goes on" wait_for '^hb ' 60
	check "QMP quit: QEMU exits cleanly" vm_quit
	check "the RAM file is in the very same physical pages" \
		[ "$(file_pfns $V/vm1.ram | cut -d' ' -f6)" = "$(param pkram_vm_pfns)" ]
	blackout "$t5" "$t6" "$t7" "$t8"
	umount $V
}

# blackout T5 T6 T7 T8: the split of the pause, as one line.
blackout() {
	set -- $(param pkram_vm_t | tr , ' ') "$@"
	# $1 stop, $2 saved, $3 exited, $4 pages recorded (which a real host
	# does not do: not counted), $5 preserved, $6 at /init, $7 mounted,
	# $8 state loaded, $9 running
	total=$(($(tsc_ms "$1" "$9") - $(tsc_ms "$3" "$4")))
	mib=$(($(param pkram_vm_pages) / 256))
	diag "vm: blackout $total ms: device state save $(tsc_ms "$1" "$2") ms," \
	     "QEMU exit $(tsc_ms "$2" "$3") ms, preserve $(tsc_ms "$4" "$5") ms," \
	     "kexec to /init $(tsc_ms "$5" "$6") ms, mount $(tsc_ms "$6" "$7") ms," \
	     "QEMU start and state load $(tsc_ms "$7" "$8") ms, cont $(tsc_ms "$8" "$9") ms;" \
	     "state file $(($(param pkram_vm_state) / 1024)) KiB, $mib MiB of RAM never copied," \
	     "guest RAM $RAM_MIB MiB, huge=$HUGE"
}
