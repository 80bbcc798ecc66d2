# SPDX-License-Identifier: GPL-2.0
#
# What vmtest.sh shares with the scripts that drive it (sourced by bash).

# A kernel splat in a serial log: warnings, BUGs (KASAN's and KFENCE's
# reports among them), panics, lockdep, UBSAN and kmemleak reports.
PKRAM_SPLAT='(WARNING|BUG):|Call Trace:|Kernel panic|circular locking'
PKRAM_SPLAT+='|INFO: (possible|inconsistent)|UBSAN:|unreferenced object'

# kconfig_missing CONFIG FRAGMENT...: print each option of the FRAGMENTs
# that the kernel configuration CONFIG does not have as asked ("missing:
# CONFIG_X=y", "not unset: CONFIG_Y"); false if there is any.
kconfig_missing() {
	local cfg=$1 line sym rc=0

	shift
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$cfg" || { echo "missing: $line"; rc=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$cfg" || { echo "not unset: $sym"; rc=1; } ;;
		esac
	done < <(cat "$@")
	return $rc
}

# splats LOG: the splat lines of a serial log, but for the panic a stage
# asks for (it says "pkram-vmtest: a panic is expected" first: the scenario
# kdump) and what follows it up to the boot of the crash kernel it starts.
splats() {
	awk '/pkram-vmtest: a panic is expected/ { skip = 1 }
	     /Linux version/ { skip = 0 }
	     !skip' "$1" | grep -E "$PKRAM_SPLAT"
}

# kconfig_tiny CONFIG FRAGMENT... -- MAKE...: configure the kernel whose
# .config is CONFIG: tinyconfig, then the FRAGMENTs, then olddefconfig, with
# MAKE the make command of its tree and build directory.
kconfig_tiny() {
	local cfg=$1 frags=()

	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		frags+=("$1")
		shift
	done
	shift
	"$@" tinyconfig && cat "${frags[@]}" >>"$cfg" && "$@" olddefconfig
}
