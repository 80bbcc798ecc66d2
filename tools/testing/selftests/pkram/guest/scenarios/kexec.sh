# SPDX-License-Identifier: GPL-2.0
# The harness itself: this kernel kexecs into itself, by kexec_file_load or
# kexec_load, and each new kernel checks that it is a new boot of the same
# kernel, reached through kexec from the previous stage.
SCENARIO_STAGES=3

stage_1() {
	plan 1
	check "booted the test kernel" [ -n "$(uname -r)" ]
	NEXT_APPEND="pkram_prev_boot=$(cat /proc/sys/kernel/random/boot_id)"
	NEXT_APPEND="$NEXT_APPEND pkram_release=$(uname -r)"
}

stage_any() {
	plan 4
	prev=$(param pkram_prev_boot)
	check "reached through kexec from stage $((STAGE - 1))" [ -n "$prev" ]
	check "a new boot (boot_id changed)" \
		[ "$prev" != "$(cat /proc/sys/kernel/random/boot_id)" ]
	check "the same kernel release" [ "$(param pkram_release)" = "$(uname -r)" ]
	check "no kexec image loaded after boot" grep -qx 0 /sys/kernel/kexec_loaded
	NEXT_DROP="pkram_prev_boot="
	NEXT_APPEND="pkram_prev_boot=$(cat /proc/sys/kernel/random/boot_id)"
}
