#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure (x86_64 tinyconfig + tools/testing/selftests/pkram/config.x86_64
# and config) and build the test kernel in $BUILD.  Incremental: an unchanged configuration
# keeps its timestamp, and ccache serves what was compiled before.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

configure() {
	local missing line sym log frag
	[ -f "$cfg" ] && cp -p "$cfg" "$cfg.pkram-prev"
	log=$BUILD/pkram-config.log
	# An intermediate state of the series (dev/series-build.sh) lacks the
	# symbols later patches add: leave those out.
	frag=$KCONFIG_FRAGMENT
	if [ -n "${PKRAM_FRAGMENT_PARTIAL:-}" ]; then
		frag=$BUILD/.pkram-fragment
		while IFS= read -r line; do
			sym=$(echo "$line" | sed -n 's/^\(# \)\{0,1\}CONFIG_\([A-Za-z0-9_]*\).*/\2/p')
			[ -n "$sym" ] || continue
			grep -rqs --include='Kconfig*' "^[[:space:]]*\(menu\)\{0,1\}config $sym\$" "$TREE" &&
				echo "$line"
		done <"$KCONFIG_FRAGMENT" >"$frag"
	fi
	kconfig_tiny "$cfg" "$frag" -- kmake >"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; die "kernel configuration failed (log: $log)"; }

	# Every option of the fragment must have survived olddefconfig.
	if ! missing=$(kconfig_missing "$cfg" "$frag"); then
		echo "$missing" | sed 's/^/    /' >&2
		die "the kernel configuration lacks options of $KCONFIG_FRAGMENT"
	fi

	# Same configuration as before: keep the old file and its timestamp.
	if [ -f "$cfg.pkram-prev" ] && cmp -s "$cfg" "$cfg.pkram-prev"; then
		mv "$cfg.pkram-prev" "$cfg"
	else
		rm -f "$cfg.pkram-prev"
		info "configuration changed"
	fi
}

step "configure kernel"
mkdir -p "$BUILD"
cfg=$BUILD/.config
# Inputs of the configuration: the fragment, every Kconfig file we change,
# and the source version.  Skip the work when none changed.
inputs=$( {
	cat "$KCONFIG_FRAGMENT" "$PRISTINE/.pkram-source"
	grep 'Kconfig' "$TREE/.pkram-managed" | while IFS= read -r f; do
		cat "$TREE/$f"
	done
} | sha256sum | cut -d' ' -f1)
if [ -f "$cfg" ] && [ "$(cat "$BUILD/.pkram-config-inputs" 2>/dev/null)" = "$inputs" ]; then
	info "configuration up to date"
else
	configure
	echo "$inputs" >"$BUILD/.pkram-config-inputs"
fi

step "build kernel"
start=$(date +%s)
log=$BUILD/pkram-build.log
touch "$BUILD/.pkram-build-start"
if ! with_progress "building" \
	"echo \$(find '$BUILD' -name '*.o' -newer '$BUILD/.pkram-build-start' | wc -l) objects built" \
	"$log" kmake bzImage; then
	grep -E 'error|Error' "$log" | head -n 30 >&2
	die "kernel build failed (log: $log)"
fi
grep -E '(warning|error):' "$log" | sed 's/^/    /' || true
info "$BUILD/arch/x86/boot/bzImage built in $(($(date +%s) - start)) s"
