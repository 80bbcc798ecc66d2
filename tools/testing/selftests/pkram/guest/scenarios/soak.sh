# SPDX-License-Identifier: GPL-2.0
# The randomized soak (make soak, dev/soak.sh): a chain of kexec hops, each
# drawing what it does from the soak's seed (pkram_soak_seed=) and its hop
# number, so that a seed replays a run:
#   - the kexec path to the next kernel: kexec_file_load or kexec_load;
#   - NUMA on (numa=fake=2) or off in the next kernel;
#   - which nodes handed over it loads (every byte checked), and which it
#     leaves for a later hop; every 5th hop and the last load them all;
#   - what it saves: 1 to 3 streams of random size (1-48 MiB), byte count
#     (up to 64 KiB) and folio orders (random, all 4 KiB or all 2 MiB), a
#     tmpfs tree (the kselftest tmpfs_pkram's, with a new seed), and now
#     and then every other page of most of memory (frag).
# Where every node is loaded, nothing may be left: no PKRAM metadata, no
# folio, no preserved range, and the memory in use no more than at the
# first such hop with the same NUMA setting, plus PKRAM_SOAK_SLACK_KB.
# What is left over is counted as leaked pages, what differs as corrupted
# bytes; the last hop prints
#   N hops, C corrupted bytes, L leaked pages, seed S
# and fails unless both are 0.  The ledger of nodes left, the counts and
# the references travel on the command line (pkram_soak_*=).
SCENARIO_STAGES=11
M=/mnt/soak
PKRAM_SOAK_SLACK_KB=1024

# rnd N: R set to the next number in [0, N) of this hop's generator.
rnd() {
	SOAK_STATE=$(((SOAK_STATE * 6364136223846793005 + 1442695040888963407) &
		0x7fffffffffffffff))
	R=$(((SOAK_STATE >> 33) % $1))
}

# stats: "M P" from the first line of PKRAM's debugfs node list
# ("metadata pages: M, folios: F (P pages)").
stats() {
	head -n 1 "$NODES" |
		sed -n 's/^metadata pages: \([0-9]*\),.*(\([0-9]*\) pages)$/\1 \2/p'
}

# used_kb: memory in use, in kB: MemTotal less MemFree, and less the free
# pages that sit on the per-CPU lists (/proc/zoneinfo's count: lines),
# which MemFree leaves out and which grow with what was freed last.
used_kb() {
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '$1 == "MemTotal:" { t = $2 } $1 == "MemFree:" { f = $2 }
	     END { print t - f - pcp }' /proc/meminfo
}

# verify_node NAME: load NAME, check every folio and byte; the bytes that
# differ are added to BAD, all of the node's (its name says how many MiB)
# if it cannot be loaded.
verify_node() {
	test_op verify "$1"
	rc=$?
	d=$(dmesg | grep "ok 1 verify $1: " | tail -n 1 |
		sed -n 's/.* \([0-9]*\) bytes differ.*/\1/p')
	mib=${1##*-}
	mib=${mib%m}
	case "$mib" in *[!0-9]*|'') mib=0 ;; esac
	[ -n "$d" ] || d=$((mib << 20))
	BAD=$((BAD + d))
	[ $rc -eq 0 ] && [ "${d:-x}" = 0 ]
}

# tmpfs_run TEST SEED: one test of the kselftest tmpfs_pkram on $M; what
# record_pfns wrote before the kexec is in pkram_soak_pfns=.
tmpfs_run() {
	out=$(PKRAM_TMPFS_DIR=$M PKRAM_TMPFS_SEED=$2 PKRAM_TMPFS_QUOTA=1 \
		PKRAM_TMPFS_PFNS=/tmp/soak-pfns tmpfs_pkram -t "$1" 2>&1)
	rc=$?
	echo "$out" | grep -q "^ok 1 global.$1" && [ $rc -eq 0 ] && return 0
	echo "$out" | grep '^# ' | grep -v '^# \(Starting\|Totals\|PASSED\)' |
		head -n 5
	return 1
}

# tmpfs_verify NAME SEED: mount the tmpfs preserved as pkram=NAME, check it
# with the kselftest, unmount it.
tmpfs_verify() {
	mkdir -p "$M"
	mount -t tmpfs -o "pkram=$1" tmpfs "$M" || return 1
	param pkram_soak_pfns >/tmp/soak-pfns
	ok=0
	for t in verify_data verify_holes verify_links verify_attributes; do
		tmpfs_run $t "$2" || { ok=1; break; }
	done
	# A tmpfs that does not come back right: count its data as corrupted.
	[ $ok -eq 0 ] || BAD=$((BAD + $(du -sk "$M" | cut -f1) * 1024))
	umount "$M"
	return $ok
}

# tmpfs_save NAME SEED: a new tmpfs tree, preserved as pkram=NAME, and
# what record_pfns finds of it in PFNS.
tmpfs_save() {
	mkdir -p "$M"
	mount -t tmpfs -o "pkram=$1,size=256m,huge=within_size,usrquota,grpquota" \
		tmpfs "$M" && tmpfs_run create "$2" &&
	mount -o remount,preserve,ro "$M" && listed "tmpfs:$1" &&
	tmpfs_run record_pfns "$2" && PFNS=$(cat /tmp/soak-pfns) &&
	umount "$M"
}

# nothing_left: no node, metadata, folio or preserved range but the super
# block's page; the memory in use within the slack of the reference.  The
# excess goes to LEAK.
nothing_left() {
	[ -r "$NODES" ] && [ -r /sys/kernel/debug/pkram/ranges ] || return 1
	set -- $(stats)
	meta=$1 pages=$2
	sb=$((0x$(cat /sys/kernel/pkram) << 12))
	ranges=0
	while IFS=- read -r a b; do
		[ $((a)) -eq $sb ] && [ $((b)) -eq $((sb + 4095)) ] ||
			ranges=$((ranges + (b - a + 1) / 4096))
	done </sys/kernel/debug/pkram/ranges
	used=$(used_kb)
	refname=pkram_soak_ref$NUMA
	ref=$(param "$refname")
	if [ -z "$ref" ]; then
		ref=$used
		diag "reference for NUMA=$NUMA: $used kB in use"
	fi
	NEXT_DROP="$NEXT_DROP $refname="
	NEXT_APPEND="$NEXT_APPEND $refname=$ref"
	over=$((used - ref - PKRAM_SOAK_SLACK_KB))
	[ $over -gt 0 ] || over=0
	m='MemTotal|MemFree|Cached|Shmem|Slab|SUnreclaim|PageTables|Percpu|CmaFree'
	diag "$(grep -E "^($m):" /proc/meminfo | tr -s ' \n' ' ')"
	diag "in use: $used kB (reference $ref kB); PKRAM: $meta metadata pages," \
		"$pages folio pages, $ranges preserved pages besides the super block"
	LEAK=$((LEAK + ${meta:-0} + ${pages:-0} + ranges + over / 4))
	none_listed && [ "${meta:-x}" = 0 ] && [ "${pages:-x}" = 0 ] &&
		[ "$ranges" -eq 0 ] && [ $over -eq 0 ]
}

stage_any() {
	SEED=$(param pkram_soak_seed)
	if [ -z "$SEED" ]; then
		SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
		diag "soak seed $SEED (replay: SOAK_SEED=$SEED make soak)"
		NEXT_APPEND="$NEXT_APPEND pkram_soak_seed=$SEED"
	fi
	BAD=$(param pkram_soak_bad) LEAK=$(param pkram_soak_leak)
	: "${BAD:=0}" "${LEAK:=0}"
	SOAK_STATE=$(((SEED * 1000003 + STAGE * 7919) & 0x7fffffffffffffff))
	NUMA=0
	grep -q 'numa=fake=' /proc/cmdline && NUMA=1
	last=0
	[ "$STAGE" -lt "$STAGES" ] || last=1
	all=$last
	[ $((STAGE % 5)) -ne 0 ] || all=1

	# The draws, all before the plan: what to load, what to save.
	load="" left=""
	for n in $(param pkram_soak_left | tr ',' ' '); do
		rnd 3
		if [ $all -eq 1 ] || [ $R -ne 0 ] || [ "${n#f}" != "$n" ]; then
			load="$load $n"
		else
			left="$left,$n"
		fi
	done
	saves=""
	if [ $last -eq 0 ]; then
		rnd 3
		for i in $(seq 0 $R); do
			rnd 48; mib=$((R + 1))
			rnd 65537; bytes=$R
			rnd 3; set -- -1 0 9; shift $R; order=$1
			saves="$saves s$STAGE-$i-${mib}m:$mib:$bytes:$order"
		done
		tmpfs=""
		case "$left" in *,t*) ;; *) rnd 3; [ $R -ne 0 ] || tmpfs=1 ;; esac
		frag=""
		rnd 10; [ $R -ne 0 ] || frag=1
		rnd 2; next_mode=$R
		rnd 2; next_numa=$R
	fi
	n=0
	for x in $load; do n=$((n + 1)); done
	for x in $saves; do n=$((n + 1)); done
	n=$((n + ${tmpfs:-0} + ${frag:-0}))
	[ "$all" -eq 0 ] || n=$((n + 1))
	[ $last -eq 0 ] || n=$((n + 1))
	plan $n
	next=""
	if [ $last -eq 0 ]; then
		next="; next: kexec_file"
		[ "$next_mode" -eq 0 ] || [ -n "$frag" ] || next="; next: kexec_load"
		next="$next, NUMA $next_numa"
	fi
	diag "kernel $STAGE of $STAGES (seed $SEED): NUMA $NUMA; load:${load:- none};" \
		"leave: ${left#,}; save:${saves:- none}${tmpfs:+ tmpfs}${frag:+ frag}$next"

	for x in $load; do
		case "$x" in
		t*) check "tmpfs ${x%@*}: every byte, hole, link, attribute" \
			tmpfs_verify "${x%@*}" "${x#*@}" ;;
		*) check "$x: every folio and byte" verify_node "$x" ;;
		esac
	done
	[ "$all" -eq 0 ] || check "nothing left: no node, metadata, folio, range or memory" \
		nothing_left
	if [ $last -eq 1 ]; then
		diag "$((STAGES - 1)) hops, $BAD corrupted bytes, $LEAK leaked pages, seed $SEED"
		check "no corrupted byte, no leaked page" [ "$BAD" -eq 0 -a "$LEAK" -eq 0 ]
		return
	fi

	for x in $saves; do
		IFS=: read -r name mib bytes order <<EOF
$x
EOF
		check "save $name: $mib MiB, $bytes bytes, order $order" \
			test_op save "$name $mib $bytes $order"
		left="$left,$name"
	done
	if [ -n "$tmpfs" ]; then
		rnd 1000000000; tseed=$R
		check "save a tmpfs tree as t$STAGE (seed $tseed)" tmpfs_save "t$STAGE" "$tseed"
		left="$left,t$STAGE@$tseed"
		NEXT_DROP="$NEXT_DROP pkram_soak_pfns="
		NEXT_APPEND="$NEXT_APPEND pkram_soak_pfns=$PFNS"
	fi
	if [ -n "$frag" ]; then
		check "every other page of most of memory as f$STAGE" \
			test_op frag "f$STAGE 160"
		left="$left,f$STAGE"
	fi
	hand_over
	# kexec_load's window is the largest gap between preserved ranges:
	# after frag, only kexec_file_load finds room (in the scratch region).
	KEXEC_MODE=file
	[ "$next_mode" -eq 0 ] || [ -n "$frag" ] || KEXEC_MODE=load
	NEXT_DROP="$NEXT_DROP pkram_soak_left= pkram_soak_bad= pkram_soak_leak= numa=fake="
	NEXT_APPEND="$NEXT_APPEND pkram_soak_left=${left#,}"
	NEXT_APPEND="$NEXT_APPEND pkram_soak_bad=$BAD pkram_soak_leak=$LEAK"
	[ "$next_numa" -eq 0 ] || NEXT_APPEND="$NEXT_APPEND numa=fake=2"
}
