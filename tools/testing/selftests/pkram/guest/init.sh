#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the PKRAM VM tests (busybox sh).  The kernel command line says
# which scenario runs and which of its stages this boot is:
#
#   pkram_vmtest=<scenario> pkram_stage=<n> [pkram_kexec=file|load|alt]
#
# A scenario (/scenarios/<scenario>.sh) sets STAGES (pkram_stages=<n> on the
# command line overrides it) and defines stage_<n> for some stages and
# stage_any for the others.  Each stage reports KTAP results with ok, not_ok,
# skip or check; all but the last end by kexec'ing this same kernel with
# pkram_stage=<n+1>.

export PATH=/usr/bin:/usr/sbin:/bin:/sbin

mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev 2>/dev/null
mount -t tmpfs none /tmp
mount -t debugfs none /sys/kernel/debug

cmdline=$(cat /proc/cmdline)

# param NAME: value of NAME= on the kernel command line, the last one if
# it is there several times, as for the kernel's own parameters (a command
# line reused with kexec --reuse-cmdline gets a new pkram_stage= appended).
param() {
	v=""
	for w in $cmdline; do
		case "$w" in "$1="*) v=${w#*=} ;; esac
	done
	[ -z "$v" ] || echo "$v"
}

SCENARIO=$(param pkram_vmtest)
STAGE=$(param pkram_stage)
KEXEC_MODE=$(param pkram_kexec)
: "${KEXEC_MODE:=file}"
TESTNUM=0
FAILED=0
PLAN=""
NODES=/sys/kernel/debug/pkram/nodes
T=/sys/kernel/debug/pkram_test

# plan N: the number of results this stage reports, printed before the first
# of them (KTAP); the check that the next kernel was loaded, which every
# stage but the last adds, is counted here.  A stage that reports a
# different number, or declares no plan, fails.
plan() {
	PLAN=$1
	[ "$STAGE" -ge "$STAGES" ] || PLAN=$((PLAN + 1))
	echo "1..$PLAN"
}

# KTAP helpers for the stages.
ok() {
	TESTNUM=$((TESTNUM + 1))
	echo "ok $TESTNUM stage$STAGE: $*"
}

not_ok() {
	TESTNUM=$((TESTNUM + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $TESTNUM stage$STAGE: $*"
}

skip() {
	TESTNUM=$((TESTNUM + 1))
	echo "ok $TESTNUM stage$STAGE: $* # SKIP"
}

# check DESCRIPTION COMMAND...: one KTAP result for the outcome of COMMAND.
check() {
	desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

diag() {
	echo "# $*"
}

# mem_kb FIELD: FIELD of /proc/meminfo, in kB.
mem_kb() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# within_permille A B: A and B differ by 0.1% of B at most.
within_permille() {
	[ $((($1 - $2) * 1000)) -le "$2" ] && [ $((($2 - $1) * 1000)) -le "$2" ]
}

# managed_is_total: the page allocator got every page MemTotal counts: the
# zones' managed pages add up to it, within 0.1%.  memblock_free_all()
# counts the free pages it leaves to deferred init and to PKRAM's late pass
# (those around preserved pages, freed in the restore thread before the
# restore, which every stage waits for), which free them later: if they
# did not, the sum falls short by as much.  4 KiB pages.
managed_is_total() {
	managed=$(awk '$1 == "managed" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	total=$(mem_kb MemTotal)
	diag "the zones' managed pages: $managed kB; MemTotal: $total kB"
	within_permille "$managed" "$total"
}

# check_memtotal: one result, MemTotal within 0.1% of pkram_memtotal=, the
# first kernel's, booted with no scratch region (scratch, lowscratch).
check_memtotal() {
	before=$(param pkram_memtotal)
	now=$(mem_kb MemTotal)
	diag "MemTotal: $before kB in the first kernel, $now kB now"
	check "MemTotal within 0.1% of the first kernel's" \
		within_permille "$now" "$before"
}

# reserved_at_least PAGES: the preserved pages reserved early, at least PAGES
# of them, in at least as many ranges as half of them (frag, lowscratch).
reserved_at_least() {
	n='\([0-9]*\)'
	r="PKRAM: reserved $n preserved pages in $n ranges"
	set -- "$1" $(dmesg | sed -n "s/.*$r.*/\\1 \\2/p")
	diag "reserved early: $2 pages in $3 ranges"
	[ -n "$3" ] && [ "$2" -ge "$1" ] && [ "$3" -ge $(($2 / 2)) ]
}

# accounted: every page the tracker holds as preserved (debugfs ranges) is
# one PKRAM counts (debugfs nodes): a metadata page, a page of a saved
# folio, or the super block's page.  A page left tracked when its folio or
# metadata page went away would be refused to a later save (-EBUSY), and
# handed over as preserved by the next kexec.  Call it with nothing being
# saved or loaded: a save counts its pages once per link page.
accounted() {
	[ -r "$NODES" ] && [ -r /sys/kernel/debug/pkram/ranges ] || return 1
	set -- $(head -n 1 "$NODES" |
		sed -n 's/^metadata pages: \([0-9]*\),.*(\([0-9]*\) pages)$/\1 \2/p')
	sb=0
	[ "$(cat /sys/kernel/pkram 2>/dev/null || echo 0)" = 0 ] || sb=1
	# busybox awk reads 0x... fields as hexadecimal
	tracked=$(awk -F- '{ n += ($2 - $1 + 1) / 4096 } END { print n + 0 }' \
		/sys/kernel/debug/pkram/ranges)
	[ -n "$2" ] && [ "$tracked" -eq $(($1 + $2 + sb)) ] && return 0
	diag "tracked: $tracked pages; counted: ${1:-?} metadata," \
		"${2:-?} of folios, $sb of the super block"
	return 1
}

# Negative checks assert what they depend on first, so that a missing
# debugfs or test module cannot make them pass.
#
# none_listed [NAME]: PKRAM's debugfs node list is there and lists no node
# (named NAME, if given).
none_listed() {
	[ -r "$NODES" ] || { diag "$NODES is missing"; return 1; }
	! grep -q "^node ${1:-}" "$NODES"
}

# listed NAME: the node NAME is listed as saved.
listed() {
	grep -q "^node $1: saved" "$NODES"
}

# test_op OP ARGS: one operation of lib/test_pkram_handover.c.
test_op() {
	[ -w "$T/$1" ] || { diag "$T/$1 is missing"; return 1; }
	echo "$2" >"$T/$1"
}

# test_op_fails OP ARGS: the operation is there, and fails.
test_op_fails() {
	[ -w "$T/$1" ] || { diag "$T/$1 is missing"; return 1; }
	! echo "$2" >"$T/$1"
}

# fail_allocs_in FUNCTION N: page allocations made under FUNCTION (a
# return address in it: fail_page_alloc's stack filter) fail once N pages
# were allocated (its budget counts pages); fail_off stops it.  The
# compiler may have cloned FUNCTION (FUNCTION.isra.0, ...): the first
# symbol of either name is taken.
fail_allocs_in() {
	f=/sys/kernel/debug/fail_page_alloc
	range=$(sort /proc/kallsyms | awk -v fn="$1" '
		found { print $1; exit }
		$3 == fn || index($3, fn ".") == 1 { printf "%s ", $1; found = 1 }')
	set -- "$2" $range
	[ -n "$3" ] || return 1
	echo "0x$2" >$f/require-start &&
	echo "0x$3" >$f/require-end &&
	echo N >$f/ignore-gfp-wait && echo N >$f/task-filter &&
	echo 0 >$f/min-order &&
	echo 0 >$f/verbose && echo 1 >$f/interval && echo -1 >$f/times &&
	echo "$1" >$f/space && echo 100 >$f/probability
}

fail_off() {
	echo 0 >/sys/kernel/debug/fail_page_alloc/probability
}

# hand_over: give the next kernel this kernel's super block.
hand_over() {
	NEXT_DROP="$NEXT_DROP pkram="
	NEXT_APPEND="$NEXT_APPEND pkram=$(cat /sys/kernel/pkram)"
	dump_handover
}

# dump_handover: with pkram_dump=1, what is handed over is written to the
# log at kexec -e, for the handover fuzzer (tools/testing/pkram/).
dump_handover() {
	[ "$(param pkram_dump)" = 1 ] || return 0
	test_op dump 1 || diag "cannot ask for the handover to be dumped"
}

# kmemleak_scan: with kmemleak (make check-debug), scan now, and print what
# it finds for the host to see in the serial log.
kmemleak_scan() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak
}

# verdict: the line that ends this stage, on which the host counts it.
verdict() {
	kmemleak_scan
	if [ -z "$PLAN" ]; then
		diag "stage $STAGE declared no plan"
		FAILED=$((FAILED + 1))
	elif [ "$TESTNUM" -ne "$PLAN" ]; then
		diag "stage $STAGE planned $PLAN results, reported $TESTNUM"
		FAILED=$((FAILED + 1))
	fi
	diag "pkram-vmtest: $SCENARIO stage $STAGE done, $FAILED failed"
}

finish() {
	verdict
	sync
	reboot -f
	sleep 5
}

# next_cmdline: this command line with the stage advanced; extra words in
# $NEXT_APPEND are added, words named in $NEXT_DROP (NAME=) are removed.
next_cmdline() {
	out=""
	for w in $cmdline; do
		case "$w" in
		pkram_stage=*) w="pkram_stage=$((STAGE + 1))" ;;
		esac
		drop=0
		for d in $NEXT_DROP; do
			case "$w" in "$d"*) drop=1 ;; esac
		done
		[ $drop -eq 1 ] || out="$out $w"
	done
	echo "${out# } $NEXT_APPEND"
}

# kexec_window: for kexec_load, whose user space placement does not know
# about preserved memory, --mem-min and --mem-max around the largest gap
# in RAM between preserved ranges (the kernel refuses a segment over them).
# A hole between System RAM regions ends a gap, as a range does.  One awk
# pass over the ranges, which come in ascending order: a shell loop over
# every other page of 1 GiB (100000 ranges) took 4 minutes under TCG.
kexec_window() {
	[ "$mode" = load ] || return 0
	[ -n "$(head -n 1 /sys/kernel/debug/pkram/ranges 2>/dev/null)" ] ||
		return 0
	# The RAM regions first ("M START END"), then the ranges ("R ..."):
	# busybox awk reads 0x... fields as hexadecimal.
	set -- $({
		sed -n 's/^\([0-9a-f]*\)-\([0-9a-f]*\) : System RAM$/M 0x\1 0x\2/p' \
			/proc/iomem
		sed 's/^/R /' /sys/kernel/debug/pkram/ranges
	} | awk -F'[ -]' -v prev=16777216 '
		# [lo, hi] is not free: the gap before it, above prev, counts
		function used(lo, hi) {
			if (lo - prev > best) { best = lo - prev; at = prev }
			if (hi + 1 > prev) prev = hi + 1
		}
		BEGIN { end = -1; n = 0; i = 0 }
		$1 == "M" {
			if (end >= 0 && $2 + 0 > end + 1) {
				hole_lo[n] = end + 1
				hole_hi[n++] = $2 - 1
			}
			end = $3 + 0
		}
		$1 == "R" {
			for (; i < n && hole_lo[i] < $2 + 0; i++)
				used(hole_lo[i], hole_hi[i])
			used($2 + 0, $3 + 0)
		}
		END {
			for (; i < n; i++)
				used(hole_lo[i], hole_hi[i])
			used(end + 1, end + 1)
			printf "%.0f %.0f\n", at, at + best - 1
		}')
	printf -- '--mem-min=%#x --mem-max=%#x' "$1" "$2"
}

# kexec_next: load this kernel again and jump into it.  The mode is that of
# pkram_kexec: file (kexec_file_load), load (kexec_load), or alt (file from
# odd stages, load from even ones); or, if the stage set NEXT_VIA=crash, a
# crash kernel (kexec -s -p, into the crashkernel= region) that a panic
# starts.
kexec_next() {
	mode=$KEXEC_MODE
	if [ "$mode" = alt ]; then
		if [ $((STAGE % 2)) -eq 1 ]; then mode=file; else mode=load; fi
	fi
	[ "${NEXT_VIA:-}" != crash ] || mode=crash
	case "$mode" in
	file) flag=-s ;;
	load) flag=-c ;;
	crash) flag="-s -p" ;;
	*) not_ok "unknown kexec mode $mode"; finish ;;
	esac
	# Read where it was retained, unless a scenario copied it (vm: out of
	# the timed blackout): a copy costs a second per kexec under TCG.
	initrd=/tmp/initrd
	[ -s $initrd ] || initrd=/sys/firmware/initrd
	if [ ! -s $initrd ]; then
		not_ok "initrd retained (retain_initrd)"
		finish
	fi
	next=$(next_cmdline)
	window=
	[ "$mode" = crash ] || window=$(kexec_window)
	if [ -n "$NEXT_REUSE" ]; then
		# This command line as it is, and the next stage: $NEXT_DROP
		# does not apply.
		next="pkram_stage=$((STAGE + 1)) $NEXT_APPEND"
		set -- --reuse-cmdline --append="$next"
	else
		set -- --command-line="$next"
	fi
	diag "kexec ($mode${window:+ $window}${NEXT_REUSE:+ reusing the command line}): $next"
	# $NEXT_KERNEL: another kernel to kexec (the scenario update)
	[ "$mode" = crash ] || set -- -l "$@"
	if ! kexec $flag "$@" --initrd=$initrd $window \
			"${NEXT_KERNEL:-/boot/bzImage}"; then
		not_ok "kexec $flag loads the next kernel"
		finish
	fi
	if [ "$mode" = crash ]; then
		check "kexec -s -p: crash kernel loaded" \
			grep -qx 1 /sys/kernel/kexec_crash_loaded
		verdict
		sync
		diag "pkram-vmtest: a panic is expected"
		echo c >/proc/sysrq-trigger
		not_ok "the panic returned"
		finish
	fi
	check "kexec_$mode: next kernel loaded" \
		grep -qx 1 /sys/kernel/kexec_loaded
	verdict
	sync
	kexec -e
	# The host takes this stage's last verdict: failed, once.
	not_ok "kexec -e returned"
	finish
}

# PKRAM takes back what was handed over in a thread of its own while the
# boot goes on: note the uptime of /init, then wait for it (a read of
# /sys/kernel/pkram waits), as whatever uses PKRAM would.  Only then does
# the stage start: the host finds it by the line "# pkram-vmtest: ...",
# which the thread's own log lines, printed on the same console while it
# runs, could otherwise cut in two.
INIT_UPTIME=$(cut -d' ' -f1 /proc/uptime)
# The cycle counter and its rate in kHz (x86: the TSC, which runs on across
# kexec), for make bench: the previous kernel logged it at its kexec reboot.
INIT_CYCLES=$(cat "$T/cycles" 2>/dev/null || true)
[ ! -e /sys/kernel/pkram ] || cat /sys/kernel/pkram >/dev/null
echo "KTAP version 1"
diag "pkram-vmtest: $SCENARIO stage $STAGE ($(uname -r), $(nproc) CPUs)"
if [ -z "$SCENARIO" ] || [ ! -f "/scenarios/$SCENARIO.sh" ]; then
	not_ok "scenario '$SCENARIO' exists"
	finish
fi
. "/scenarios/$SCENARIO.sh"
STAGES=$(param pkram_stages || true)
[ -n "$STAGES" ] || STAGES=$SCENARIO_STAGES
if [ -z "$STAGE" ] || [ "$STAGE" -lt 1 ] || [ "$STAGE" -gt "$STAGES" ]; then
	not_ok "stage '$STAGE' of $STAGES"
	finish
fi
if type "stage_$STAGE" >/dev/null 2>&1; then
	"stage_$STAGE"
else
	stage_any
fi
if [ "$STAGE" -lt "$STAGES" ]; then
	kexec_next
fi
finish
