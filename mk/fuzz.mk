# libFuzzer targets for overroot's parsers (tests/fuzz/). Included by the top Makefile, or
# run alone from the top directory:  make -f mk/fuzz.mk fuzz FUZZ_SECONDS=60
#   fuzz-build   build build/fuzz/fuzz_<target> for every target
#   fuzz         run each target FUZZ_SECONDS (20) from a random seed on a copy of
#                tests/fuzz/corpus/<target>: explores something new every time
#   fuzz-check   for `make check`: replay every saved reproducer and the whole corpus, then
#                FUZZ_RUNS (20000) runs from FUZZ_SEED (1): the same tree gives the same
#                runs, coverage and verdict every time, on any machine
#   fuzz-merge   add to tests/fuzz/corpus/<target> what `make fuzz` found that reaches new
#                code (libFuzzer's -merge=1), to be committed
#   fuzz-clean   remove build/fuzz
# Variables: FUZZ_SECONDS, FUZZ_RUNS, FUZZ_SEED, FUZZ_TARGETS (a subset), FUZZ_CC (clang),
# FUZZ_KEEP_CORPUS=1 (go on from what earlier runs found), FUZZ_ARGS (more libFuzzer
# options), V=1.
# Needs clang with its libFuzzer runtime: Debian's clang and libclang-rt-dev
# (libclang-rt-14-dev on bookworm).

FUZZ_GOAL_BEFORE := $(.DEFAULT_GOAL)

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
# About 20 s a target on a busy 2-core host; the figures are the same on any machine.
FUZZ_RUNS ?= 20000
FUZZ_SEED ?= 1
FUZZ_TARGETS ?= cmdline devspec mountopts kmod boot verity
FUZZ_DIR := build/fuzz
FUZZ_Q := $(if $(filter 1,$(V)),,@)

# Everything but what touches the real system (main, the syscalls, libblkid).
FUZZ_SRC := $(filter-out src/main.c $(wildcard src/lib/sys_linux*.c) src/lib/probe_blkid.c,$(sort $(wildcard src/*.c src/*/*.c))) \
	$(wildcard tests/unit/fake_*.c) tests/fuzz/fixed_clock.c
FUZZ_OBJ := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_SRC))
FUZZ_HDR := $(wildcard include/overroot/*.h tests/unit/fake_*.h tests/fuzz/*.h)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) -Wall -Wextra \
	-Wno-unused-parameter -Iinclude -Itests/unit -DCONFIG_SHELL_FALLBACK=1
FUZZ_BINS := $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_MAIN_OBJ := $(patsubst %,$(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o,$(FUZZ_TARGETS))

# The only real clock in what is fuzzed: frozen (tests/fuzz/fixed_clock.c says why).
$(FUZZ_DIR)/obj/src/sys_trace.o: FUZZ_CFLAGS += -Dclock_gettime=fuzz_clock_gettime
$(FUZZ_DIR)/obj/src/sys_trace.o: mk/fuzz.mk

# Objects made by pattern rules would otherwise be deleted as intermediates.
.SECONDARY: $(FUZZ_OBJ) $(FUZZ_MAIN_OBJ)

.PHONY: fuzz fuzz-check fuzz-build fuzz-clean fuzz-tools fuzz-merge

fuzz-build: $(FUZZ_BINS)

# Fail loudly, naming the package, rather than with a linker error.
fuzz-tools:
	$(FUZZ_Q)command -v $(FUZZ_CC) >/dev/null 2>&1 || { \
		echo "fuzz: $(FUZZ_CC) not found: install Debian's clang and libclang-rt-dev" \
			"(sudo sh tools/setup-host.sh)"; exit 1; }
	$(FUZZ_Q)mkdir -p $(FUZZ_DIR); \
	printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' \
		>$(FUZZ_DIR)/.probe.c; \
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $(FUZZ_DIR)/.probe \
		$(FUZZ_DIR)/.probe.c >$(FUZZ_DIR)/.probe.log 2>&1 || { \
		v=$$($(FUZZ_CC) -dumpversion 2>/dev/null | cut -d. -f1); \
		echo "fuzz: $(FUZZ_CC) cannot link -fsanitize=fuzzer: its libFuzzer runtime is" \
			"missing; install Debian's libclang-rt-$$v-dev (or libclang-rt-dev for the" \
			"default clang), e.g. sudo sh tools/setup-host.sh"; \
		sed 's/^/fuzz:   /' $(FUZZ_DIR)/.probe.log | head -n 5; exit 1; }

# Harness files are ours: no warnings at all.
$(FUZZ_DIR)/obj/tests/fuzz/%.o: tests/fuzz/%.c $(FUZZ_HDR) | fuzz-tools
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/obj/%.o: %.c $(FUZZ_HDR) | fuzz-tools
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_DIR)/fuzz_%: $(FUZZ_DIR)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	@echo "  LD      $@"
	$(FUZZ_Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

# Every target runs even after one fails; the run fails if any did.
fuzz: FUZZ_BUDGET = time=$(FUZZ_SECONDS)
fuzz-check: FUZZ_BUDGET = runs=$(FUZZ_RUNS):$(FUZZ_SEED)
fuzz fuzz-check: fuzz-build
	$(FUZZ_Q)st=0; for t in $(FUZZ_TARGETS); do \
		sh tests/fuzz/run.sh $(FUZZ_DIR)/fuzz_$$t $$t $(FUZZ_BUDGET) \
			tests/fuzz/corpus/$$t $(FUZZ_DIR) tests/fuzz/$$t.dict || st=1; \
	done; \
	if [ $$st != 0 ]; then echo "fuzz: FAILED: see the reproducers above"; exit 1; fi

# Only the inputs that reach code the committed corpus does not: a small, reviewable diff.
fuzz-merge: fuzz-build
	$(FUZZ_Q)for t in $(FUZZ_TARGETS); do \
		[ -d $(FUZZ_DIR)/corpus/$$t ] || { echo "fuzz: $$t: nothing found yet (make fuzz)"; \
			continue; }; \
		n=$$(ls tests/fuzz/corpus/$$t | wc -l); \
		$(FUZZ_DIR)/fuzz_$$t -merge=1 -max_len=8192 tests/fuzz/corpus/$$t \
			$(FUZZ_DIR)/corpus/$$t >$(FUZZ_DIR)/$$t.merge.log 2>&1 || { \
			echo "fuzz: $$t: merge failed: $(FUZZ_DIR)/$$t.merge.log"; exit 1; }; \
		echo "fuzz: $$t: $$(( $$(ls tests/fuzz/corpus/$$t | wc -l) - n )) inputs added to" \
			"tests/fuzz/corpus/$$t"; \
	done

fuzz-clean:
	rm -rf $(FUZZ_DIR)

# Included: leave the including Makefile's default goal alone. Alone: default to fuzz.
ifeq ($(notdir $(firstword $(MAKEFILE_LIST))),fuzz.mk)
.DEFAULT_GOAL := fuzz
else
.DEFAULT_GOAL := $(FUZZ_GOAL_BEFORE)
endif
