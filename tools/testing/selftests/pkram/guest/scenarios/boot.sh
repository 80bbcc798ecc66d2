# SPDX-License-Identifier: GPL-2.0
# One boot, nothing else: the host reads what the kernel printed (KUnit).
SCENARIO_STAGES=1

stage_1() {
	plan 1
	check "booted the test kernel" [ -n "$(uname -r)" ]
}
