# SPDX-License-Identifier: GPL-2.0
# PKRAM development: the two commands a newcomer needs are `make` and
# `make check`.  The work is done by the scripts in dev/.

.PHONY: all check check-debug soak bench fuzz kunit series series-build deps tree kernel initramfs demo clean

all:
	@bash dev/demo.sh

check:
	@bash dev/check.sh

# KUnit and every vmtest run on a kernel with KASAN, KFENCE, DEBUG_PAGEALLOC,
# init_on_free, kmemleak and UBSAN: no report may appear.
check-debug:
	@bash dev/check-debug.sh

# The randomized soak: SOAK_HOPS kexec hops (default 100) drawn from
# SOAK_SEED (default a random one; it replays a run).
soak:
	@bash dev/soak.sh

# Time the save and load paths (BENCH_MIB, default 1024; the boot part at
# each of BENCH_BOOT_MIB; BENCH_ONLY, BENCH_PROFILE: see dev/bench.sh).
bench:
	@bash dev/bench.sh $(BENCH_MIB)

# Fuzz the handover parser in user space: 10 million executions
# (FUZZ_RUNS=N for another number).
fuzz:
	@bash dev/deps.sh && bash dev/tree.sh && bash dev/fuzz.sh

# Rebuild and rerun the KUnit suites (KUNIT_FILTER='pkram.<case>' for one).
kunit:
	@bash dev/kunit.sh $(if $(KUNIT_FILTER),--filter '$(KUNIT_FILTER)')

series:
	@bash dev/tree.sh && bash dev/series.sh --verify

# Build the kernel at every step of the series.
series-build:
	@bash dev/tree.sh && bash dev/series.sh --build-each

deps tree kernel initramfs:
	@bash dev/$@.sh

clean:
	rm -rf out
