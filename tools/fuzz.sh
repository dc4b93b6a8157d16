#!/usr/bin/env bash
# make fuzz: builds the libFuzzer targets (preset `fuzz`, clang) and runs each for a bounded
# time. Usage: tools/fuzz.sh [TARGET...]   (default: every target of tests/fuzz)
#   FUZZ_SECONDS   time per target (default 60)
#   FUZZ_BUILD     build folder (default build/fuzz)
#   FUZZ_RUNS      stop a target after this many executions instead (default: no limit)
#   FUZZ_TIMEOUT   seconds one input may take before it counts as a hang (default 30:
#                  generous, because a loaded shared machine stalls processes for seconds)
#   FUZZ_MAX_LEN   longest input (default per target: expression 256, expand_env 512, jsonl and csv 1024,
#                  graph 4096, parse_regex 1024): long inputs add little and cost a lot of executions/s
# ASAN_OPTIONS defaults to a small quarantine that is never returned to the kernel and
# short allocation stacks: 1.2-2.5x the executions/s (madvise and TLB flushes dominated),
# at the price of shorter stacks in a report (replay the input for the full one).
# The working corpus grows in $FUZZ_BUILD/corpus/TARGET (seeded from tests/fuzz/corpus);
# a crashing input is written to $FUZZ_BUILD/crashes/TARGET/ and fails the run. Turn it into
# a regression: copy it into tests/fuzz/corpus/TARGET/crash-WHAT (replayed by CTest in every
# build) and add a Catch2 test for the behaviour it exposed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build/fuzz}
targets=("$@")
if ((${#targets[@]} == 0)); then targets=(graph expand_env expression jsonl csv parse_regex); fi

tools/setup.sh fuzz
if [ ! -f "$build/CMakeCache.txt" ]; then cmake --preset fuzz -B "$build" >/dev/null; fi
cmake --build "$build" -j "${JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=5:quarantine_size_mb=8:allocator_release_to_os_interval_ms=-1}
declare -A max_len=([expand_env]=512 [expression]=256 [jsonl]=1024 [csv]=1024 [graph]=4096 [parse_regex]=1024)
status=0
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t crashes=$build/crashes/$t
  mkdir -p "$corpus" "$crashes"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  args=(-max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=2048 -print_final_stats=1
        -max_len="${FUZZ_MAX_LEN:-${max_len[$t]:-4096}}" -artifact_prefix="$crashes"/)
  if [ -n "${FUZZ_RUNS:-}" ]; then args+=(-runs="$FUZZ_RUNS"); fi
  if [ -f tests/fuzz/$t.dict ]; then args+=(-dict=tests/fuzz/$t.dict); fi
  log=$build/fuzz-$t.log
  echo "fuzz: $t for ${seconds}s (log: $log)"
  if ! "$build/bin/fuzz_$t" "${args[@]}" "$corpus" >"$log" 2>&1; then
    status=1
    echo "fuzz: $t FAILED -- input(s) in $crashes:"
    ls -1 "$crashes" | sed 's/^/  /'
    grep -m1 -A3 "ERROR:\|==ERROR\|runtime error" "$log" || tail -20 "$log"
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  echo "fuzz: $t: ${runs:-?} executions, ${rate:-?} exec/s, corpus $(ls "$corpus" | wc -l) inputs"
done
exit $status
