#!/usr/bin/env bash
# JSONL source speed (issue 7: read_jsonl parses at >= 500 MB/s per core and uses every core
# on one big file). Generates a JSON-lines file (SIZE_MB, default 200), then times, in
# alternating rounds (ROUNDS, default 5) so that a noisy machine hurts every variant alike:
#   cat > /dev/null        reading the file (page cache): the ceiling
#   wc -l                  a line-splitting pass
#   1 core                 graph-runner: read_jsonl (threads = 1) -> count, pinned to one CPU
#   all cores              graph-runner: read_jsonl (threads = 0: blocks parsed ahead on every
#                          thread of the run) -> count
#   read_jsonl alone       read_jsonl -> bench_discard, on one CPU and on all: the parse
#                          without count's checksum (when the bench plugins are built)
# and prints the median of each in MB/s of input. `count` checksums every field of every
# record, so the graph-runner figures are end to end (parse, batches, a sink), not the parser
# alone (plugins_tests "[read_jsonl_bench]" times the parser alone).
#
#   tools/bench/jsonl_read.sh [GRAPH_RUNNER]     default: build/release, else build/dev
#   SIZE_MB=50 ROUNDS=3 tools/bench/jsonl_read.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

gr=${1:-}
if [ -z "$gr" ]; then
  for b in build/release build/dev; do
    if [ -x "$b/bin/graph-runner" ]; then gr=$b/bin/graph-runner; break; fi
  done
fi
[ -x "${gr:-}" ] || { echo "graph-runner not found: build it, or pass its path" >&2; exit 2; }
size_mb=${SIZE_MB:-200}
rounds=${ROUNDS:-5}
cpus=$(nproc)

work=$(mktemp -d "${TMPDIR:-/tmp}/jsonl_read.XXXXXX")
trap 'rm -rf "$work"' EXIT
data=$work/events.jsonl

# Records shaped like application events: ints, a double, strings, a bool, a nested object.
awk -v target=$((size_mb * 1000000)) 'BEGIN {
  srand(7); bytes = 0
  for (i = 0; bytes < target; i++) {
    line = sprintf("{\"id\":%d,\"user\":\"user-%05d\",\"kind\":\"%s\",\"value\":%.3f,\"ok\":%s,\"ts\":%d,\"meta\":{\"region\":\"eu-%d\",\"tries\":%d}}",
                   i, i % 50000, (i % 3 ? "click" : "view"), rand() * 1000, (i % 2 ? "true" : "false"),
                   1700000000000 + i, i % 7, i % 4)
    print line; bytes += length(line) + 1
  }
}' > "$data"
bytes=$(stat -c %s "$data")
lines=$(wc -l < "$data")

graph() {  # $1: parser threads
  cat > "$work/read_$1.toml" <<EOF
[graph]
batch_size = 1024
[sources.events]
plugin = "jsonl"
path = "$data"
threads = $1
[sinks.total]
plugin = "count"
inputs = ["events"]
EOF
  echo "$work/read_$1.toml"
}
one_core=$(graph 1)
all_cores=$(graph 0)
# The parse alone: the same source into bench_discard (a sink that does nothing), when the
# bench plugins are built next to graph-runner (make bench builds them).
bench_plugins=$(dirname "$gr")/../tools/bench/plugins
parse_only="" parse_all=""
if [ -e "$bench_plugins/libgr_bench.so" ]; then
  parse_only=$work/parse_only.toml parse_all=$work/parse_all.toml
  sed 's/plugin = "count"/plugin = "bench_discard"/' "$one_core" > "$parse_only"
  sed 's/plugin = "count"/plugin = "bench_discard"/' "$all_cores" > "$parse_all"
fi

measure() {  # runs "$@" with output discarded; prints "WALL:CPU" seconds (CPU = user + system)
  local TIMEFORMAT='%R %U %S'
  { time "$@" > /dev/null 2>&1; } 2>&1 | awk '{ print $1 ":" $2 + $3 }'
}

# Check once that every record arrives (and warm the page cache).
got=$("$gr" run "$all_cores" 2>/dev/null | sed -n 's/^total: \([0-9]*\) records.*/\1/p')
[ "$got" = "$lines" ] || { echo "read_jsonl -> count saw ${got:-nothing}, the file has $lines lines" >&2; exit 1; }

declare -A times
for ((r = 0; r < rounds; r++)); do
  times[cat]+="$(measure cat "$data") "
  times[wc]+="$(measure wc -l "$data") "
  times[one]+="$(measure taskset -c 0 "$gr" run --threads 1 "$one_core") "
  times[all]+="$(measure "$gr" run "$all_cores") "
  if [ -n "$parse_only" ]; then
    times[parse]+="$(measure taskset -c 0 "$gr" run --threads 1 --plugin-path "$bench_plugins" "$parse_only") "
    times[parse_all]+="$(measure "$gr" run --plugin-path "$bench_plugins" "$parse_all") "
  fi
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Wall-clock MB/s, and MB per CPU-second: the per-core speed, which a loaded machine (other
# processes taking the cores) distorts far less than the wall clock.
report() {  # $1: label, $2: key
  local wall cpu
  wall=$(echo "${times[$2]}" | tr ' ' '\n' | cut -d: -f1 | tr '\n' ' ' | median)
  cpu=$(echo "${times[$2]}" | tr ' ' '\n' | cut -d: -f2 | tr '\n' ' ' | median)
  printf '%-34s %7.3f s %7.0f MB/s %7.3f CPU-s %7.0f MB/CPU-s\n' "$1" "$wall" \
    "$(awk -v b="$bytes" -v s="$wall" 'BEGIN { print b / 1e6 / s }')" "$cpu" \
    "$(awk -v b="$bytes" -v s="$cpu" 'BEGIN { print (s > 0) ? b / 1e6 / s : 0 }')"
}

printf 'read_jsonl: %s lines, %.0f MB, %d round(s), %d CPU(s), %s\n' "$lines" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" \
  "$rounds" "$cpus" "$gr"
report "cat > /dev/null" cat
report "wc -l" wc
report "graph-runner read_jsonl, 1 core" one
report "graph-runner read_jsonl, $cpus cores" all
if [ -n "$parse_only" ]; then
  report "read_jsonl alone (no sink work), 1 core" parse
  report "read_jsonl alone (no sink work), $cpus cores" parse_all
fi
