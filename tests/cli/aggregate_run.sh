#!/usr/bin/env bash
# The aggregate stage in real runs, where the engine's limiter and stop matter:
# 1. a count window that never fills while the source may have only 1 batch in flight does
#    not stall the source: with acknowledge = "absorbed" nothing is held; with "emitted" the
#    engine's flush() makes it emit early. Both complete with every record counted once.
# 2. a graceful stop (--timeout) in the middle of an endless stream emits the open window:
#    exit 124, and the results count exactly the records the source read.
#   aggregate_run.sh GRAPH_RUNNER
set -u
exe=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

cat >"$tmp/g.toml" <<'TOML'
[graph]
name = "aggregate-stall"
max_in_flight = 1
batch_size = 8

[sources.numbers]
plugin = "generate"
count = 2000

[stages.totals]
plugin = "aggregate"
inputs = ["numbers"]
aggregates = { n = "count()" }
window = "count"
window_records = 1000000

[sinks.out]
plugin = "jsonl"
inputs = ["totals"]
path = "${OUT_DIR}/totals.jsonl"
TOML

# The sum of field n over the result lines.
total() { python3 -c 'import json,sys; print(sum(json.loads(l)["n"] for l in open(sys.argv[1])))' "$1"; }

for ack in absorbed emitted; do
  OUT_DIR=$tmp timeout 30 "$exe" run "$tmp/g.toml" --set stages.totals.acknowledge=$ack >"$tmp/out" 2>"$tmp/err"
  code=$?
  [ "$code" -eq 0 ] || { echo "acknowledge=$ack: exit code $code, expected 0 (124 from timeout(1): a stall)"; cat "$tmp/err"; fail=1; continue; }
  n=$(total "$tmp/totals.jsonl")
  [ "$n" = 2000 ] || { echo "acknowledge=$ack: the results count $n records, expected 2000"; cat "$tmp/err"; fail=1; }
  lines=$(wc -l <"$tmp/totals.jsonl")
  if [ $ack = absorbed ] && [ "$lines" -ne 1 ]; then echo "acknowledge=absorbed: $lines results, expected 1"; fail=1; fi
  if [ $ack = emitted ] && [ "$lines" -le 1 ]; then echo "acknowledge=emitted: $lines results, expected early flushes"; fail=1; fi
done

# An endless source stopped by the timeout: the open window is emitted on the way out.
OUT_DIR=$tmp "$exe" run "$tmp/g.toml" --set sources.numbers.count=0 --set sources.numbers.rate=2000 \
  --timeout 1 >"$tmp/out" 2>"$tmp/err"
code=$?
[ "$code" -eq 124 ] || { echo "graceful stop: exit code $code, expected 124"; fail=1; }
read_out=$(awk '$1 == "numbers" { print $6 }' "$tmp/err")
n=$(total "$tmp/totals.jsonl" 2>/dev/null)
[ -n "$read_out" ] && [ "$read_out" -gt 0 ] && [ "$n" = "$read_out" ] ||
  { echo "graceful stop: the source read '$read_out' records, the results count '$n'"; fail=1; }
if [ "$fail" -ne 0 ]; then echo "--- stderr of the last run ---"; cat "$tmp/err"; fi
exit "$fail"
