#!/usr/bin/env bash
# SIGINT in the middle of a stream into a jsonl file: exit 130, no torn last line, every
# record in the file was produced by an acknowledged batch (the summary's in-count of the
# sink equals the file's lines and every batch is acknowledged), and the shutdown takes
# well under the grace period. With SECOND=1 a second SIGINT cancels at once and says how
# many batches it abandoned in flight.
#   sigint_jsonl.sh GRAPH_RUNNER [SECOND]
set -u
exe=$1 second=${2:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/g.toml" <<TOML
[graph]
batch_size = 64
shutdown_grace_ms = 5000
[sources.numbers]
plugin = "generate"
count = 0
[stages.slow]
plugin = "chaos"
inputs = ["numbers"]
sleep_ms = $([ "$second" = 1 ] && echo 400 || echo 2)
# SECOND=1: one call at a time, so the drain after the first signal (up to 64 batches of
# 400 ms) outlasts the grace period and the second signal always finds the run draining.
concurrency = $([ "$second" = 1 ] && echo 1 || echo '"unlimited"')
[sinks.file]
plugin = "jsonl"
inputs = ["slow"]
path = "$tmp/out.jsonl"
TOML
"$exe" run "$tmp/g.toml" >"$tmp/stdout" 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do
  [ -s "$tmp/out.jsonl" ] && break
  sleep 0.05
done
sleep 0.3
start=$(date +%s%N)
kill -INT "$pid"
if [ "$second" = 1 ]; then sleep 0.1; kill -INT "$pid"; fi
wait "$pid"
code=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

fail=0
[ "$code" -eq 130 ] || { echo "exit code $code, expected 130"; fail=1; }
[ -s "$tmp/out.jsonl" ] || { echo "no output written"; fail=1; }
[ "$(tail -c1 "$tmp/out.jsonl" | od -An -c | tr -d ' ')" = '\n' ] || { echo "torn last line"; fail=1; }
bad=$(grep -cv '^{.*}$' "$tmp/out.jsonl")
[ "$bad" -eq 0 ] || { echo "$bad lines are not whole JSON objects"; fail=1; }
lines=$(wc -l <"$tmp/out.jsonl")
sink_in=$(awk '$1 == "file" { print $5 }' "$tmp/err")
[ "$lines" = "$sink_in" ] || { echo "file has $lines lines, the sink was given $sink_in records"; fail=1; }
if [ "$second" = 1 ]; then
  [ "$elapsed_ms" -lt 1500 ] || { echo "second signal took ${elapsed_ms} ms to stop"; fail=1; }
  grep -Eq 'second signal: cancelled with [0-9]+ batch\(es\) abandoned in flight' "$tmp/err" ||
    { echo "stderr does not say how many batches were abandoned in flight"; fail=1; }
else
  grep -Eq ' ([0-9]+)/\1 batches acknowledged' "$tmp/err" || { echo "not every batch acknowledged"; fail=1; }
  [ "$elapsed_ms" -lt 2500 ] || { echo "shutdown took ${elapsed_ms} ms (grace 5000)"; fail=1; }
fi
if [ "$fail" -ne 0 ]; then echo "--- stderr ---"; cat "$tmp/err"; fi
exit "$fail"
