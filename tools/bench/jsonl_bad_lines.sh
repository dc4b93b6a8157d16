#!/usr/bin/env bash
# What bad lines cost read_jsonl (issue 13: 0.5 % of bad lines took 40x the clean file's time;
# target <= 1.3x). Generates LINES (default 200,000) event lines, clean and with BAD_PER_MILLE
# (default 5 = 0.5 %) of them truncated, and 10 MB of random bytes with and without newlines;
# times read_jsonl (threads = 1, on_error = "drop") -> count on each, in alternating rounds
# (ROUNDS, default 5), and prints medians of CPU seconds and the ratio bad / clean.
#
#   tools/bench/jsonl_bad_lines.sh [GRAPH_RUNNER]     default: build/release, else build/dev, build/ci
#   LINES=50000 ROUNDS=3 tools/bench/jsonl_bad_lines.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

gr=${1:-}
if [ -z "$gr" ]; then
  for b in build/release build/dev build/ci; do
    if [ -x "$b/bin/graph-runner" ]; then gr=$b/bin/graph-runner; break; fi
  done
fi
[ -x "${gr:-}" ] || { echo "graph-runner not found: build it, or pass its path" >&2; exit 2; }
lines=${LINES:-200000}
bad=${BAD_PER_MILLE:-5}
rounds=${ROUNDS:-5}

work=$(mktemp -d "${TMPDIR:-/tmp}/jsonl_bad.XXXXXX")
trap 'rm -rf "$work"' EXIT

events() {  # $1: bad lines per mille; the same records either way (same seed)
  awk -v n="$lines" -v bad="$1" 'BEGIN {
    srand(7)
    for (i = 0; i < n; i++) {
      line = sprintf("{\"id\":%d,\"user\":\"user-%05d\",\"kind\":\"%s\",\"value\":%.3f,\"ok\":%s,\"ts\":%d,\"meta\":{\"region\":\"eu-%d\",\"tries\":%d}}",
                     i, i % 50000, (i % 3 ? "click" : "view"), rand() * 1000, (i % 2 ? "true" : "false"),
                     1700000000000 + i, i % 7, i % 4)
      cut = rand() * 1000 < bad
      if (cut) line = substr(line, 1, int(rand() * (length(line) - 1)) + 1)  # truncated
      print line
    }
  }'
}
events 0 > "$work/clean.jsonl"
events "$bad" > "$work/bad.jsonl"
head -c 10000000 /dev/urandom > "$work/garbage.jsonl"
tr -d '\n' < "$work/garbage.jsonl" > "$work/garbage_one_line.jsonl"

graph() {  # $1: data file
  cat > "$1.toml" <<EOF2
[sources.events]
plugin = "jsonl"
path = "$1"
threads = 1
on_error = "drop"
[sinks.total]
plugin = "count"
inputs = ["events"]
EOF2
  echo "$1.toml"
}

cpu() {  # CPU seconds (user + system) of one run
  local TIMEFORMAT='%U %S'
  { time "$gr" run --threads 1 "$1" > /dev/null 2>&1; } 2>&1 | awk '{ print $1 + $2 }'
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A t
kinds="clean bad garbage garbage_one_line"
for k in $kinds; do graph "$work/$k.jsonl" > /dev/null; done
for ((r = 0; r < rounds; r++)); do
  for k in $kinds; do t[$k]+="$(cpu "$work/$k.jsonl.toml") "; done
done
printf 'read_jsonl bad lines: %d lines, %s per mille truncated, %d round(s), %s\n' "$lines" "$bad" "$rounds" "$gr"
for k in $kinds; do
  printf '%-34s %7.3f CPU-s\n' "$k" "$(echo "${t[$k]}" | median)"
done
clean=$(echo "${t[clean]}" | median)
badm=$(echo "${t[bad]}" | median)
printf 'bad / clean: %.2fx (target <= 1.3)\n' "$(awk -v b="$badm" -v c="$clean" 'BEGIN { print (c > 0) ? b / c : 0 }')"
