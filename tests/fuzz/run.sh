#!/bin/sh
# Run one libFuzzer target on a copy of its committed corpus; print one summary line; exit
# non-zero on a crash, a leak, a timeout or an invariant, naming the reproducer.
# Usage: run.sh BINARY NAME BUDGET CORPUS_DIR WORK_DIR [DICT]
#   BUDGET time=SECONDS: random (libFuzzer picks the seed and prints it), for `make fuzz`;
#   BUDGET runs=N[:SEED]: N runs from SEED (1), for `make fuzz-check`: the same binary and
#     corpus give the same runs, coverage and verdict every time.
# First replays every saved reproducer in tests/fuzz/crashes/NAME/ (found bugs stay fixed),
# then the whole corpus (libFuzzer runs every unit of it before mutating).
# Environment: FUZZ_KEEP_CORPUS=1 keeps what earlier timed runs found in
# WORK_DIR/corpus/NAME (never in runs= mode); FUZZ_ARGS adds libFuzzer options.
set -u

bin=$1 name=$2 budget=$3 seeds=$4 work=$5 dict=${6:-}
corpus=$work/corpus/$name
crashes=$work/crashes/$name
log=$work/$name.log

say() { printf 'fuzz: %s\n' "$*"; }

# runs= mode leaves out what lets anything but the seed and the corpus steer libFuzzer
# (measured: with any of them, two runs of one binary from one seed differed):
# - the corpus directory re-read every second (-reload=0): a seed file whose input was
#   replaced by a smaller one is found again and run at whatever moment the clock says;
# - address space randomisation (setarch -R): addresses reach the mutations through the
#   comparisons libFuzzer watches, most of all pointer compares (-use_cmp=0 too), and
#   the environment, which moves the stack, is a fixed one (env -i).
case $budget in
time=*)
	secs=${budget#time=} seed= keep=${FUZZ_KEEP_CORPUS:-0} fixed=env
	case $secs in ''|*[!0-9]*) say "FUZZ_SECONDS=$secs is not a whole number"; exit 2 ;; esac
	limit="-max_total_time=$secs" what="$secs s" ;;
runs=*)
	runs=${budget#runs=} seed=1 keep=0 fixed="env -i PATH=/usr/bin:/bin LC_ALL=C"
	if setarch -R true 2>/dev/null; then
		fixed="setarch -R $fixed"
	else
		say "$name: setarch -R refused here: the figures may vary from run to run"
	fi
	case $runs in *:*) seed=${runs#*:} runs=${runs%%:*} ;; esac
	case $runs$seed in ''|*[!0-9]*) say "bad budget $budget: runs=N[:SEED]"; exit 2 ;; esac
	limit="-runs=$runs -seed=$seed -use_cmp=0 -reload=0" what="seed $seed" ;;
*)	say "bad budget $budget: time=SECONDS or runs=N[:SEED]"; exit 2 ;;
esac
[ -x "$bin" ] || { say "$bin is missing: build it first (make fuzz-build)"; exit 2; }
[ -d "$seeds" ] || { say "no seed corpus $seeds"; exit 2; }

# Saved reproducers first: deterministic, and they name the bug.
known=$(dirname "$0")/crashes/$name
if [ -d "$known" ] && [ -n "$(ls "$known" 2>/dev/null)" ]; then
	mkdir -p "$work"
	if ! "$bin" -runs=1 "$known"/* >"$work/$name.replay.log" 2>&1; then
		printf 'fuzz: %-10s FAILED: a saved reproducer in %s still fails\n' "$name" "$known"
		grep -E '^(Running:|==[0-9]+==ERROR|SUMMARY|fuzz: invariant|.*runtime error)' \
			"$work/$name.replay.log" | sed 's/^/fuzz:   /' | head -n 6
		say "  full log:   $work/$name.replay.log"
		exit 1
	fi
fi

# A copy: libFuzzer writes what it finds into the corpus it is given.
if [ "$keep" != 1 ]; then
	rm -rf "$corpus"
fi
mkdir -p "$corpus" "$crashes"
cp "$seeds"/* "$corpus"/ 2>/dev/null

set -- $limit -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
	-print_final_stats=1 -artifact_prefix="$crashes/"
[ -n "$dict" ] && [ -f "$dict" ] && set -- "$@" -dict="$dict"
# Leaks are errors: kmod must free what it reads.
$fixed ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	"$bin" "$@" ${FUZZ_ARGS:-} "$corpus" >"$log" 2>&1
rc=$?

execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
[ -n "$execs" ] || execs=$(sed -n 's/^Done \([0-9]*\) runs in.*/\1/p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
units=$(printf '%s\n' "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
if [ -z "$seed" ]; then
	seed=$(sed -n 's/^INFO: Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
	what="$what, seed ${seed:-?}"
fi

if [ "$rc" = 0 ] && [ -z "$artifact" ]; then
	printf 'fuzz: %-10s ok: %s runs (%s), cov %s ft %s, corpus %s\n' "$name" \
		"${execs:-?}" "$what" "${cov:-?}" "${ft:-?}" "${units:-?}"
	exit 0
fi
printf 'fuzz: %-10s FAILED (exit %s) after %s runs (seed %s), cov %s ft %s\n' "$name" \
	"$rc" "${execs:-?}" "${seed:-?}" "${cov:-?}" "${ft:-?}"
grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: invariant|.*runtime error)' "$log" | head -n 5 |
	sed 's/^/fuzz:   /'
if [ -n "$artifact" ]; then
	say "  reproducer: $artifact"
	say "  replay:     $bin $artifact"
	say "  minimise:   $bin -minimize_crash=1 -runs=20000 $artifact"
	say "  keep it:    cp the minimised input into tests/fuzz/crashes/$name/ or corpus/$name/"
fi
say "  full log:   $log"
exit 1
