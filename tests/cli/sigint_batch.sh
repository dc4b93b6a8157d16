#!/usr/bin/env bash
# Ctrl-C flushes the `batch` stage's last partial batch (graphs/event-batching.toml): SIGINT
# in the middle of the stream, with a timeout too long to fire, exits 130 and every record
# the source read reaches the file (the partial batch was sent by finish() on the graceful
# stop, not lost).
#   sigint_batch.sh GRAPH_RUNNER GRAPHS_DIR
set -u
exe=$1 graphs=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OUT_DIR=$tmp "$exe" run "$graphs/event-batching.toml" --set sources.events.rate=50 \
  --set stages.bulk.timeout_ms=600000 >"$tmp/stdout" 2>"$tmp/err" &
pid=$!
sleep 2.5  # 50 records/s: the 500 take 10 s; by now a full batch of 100 and part of the next
kill -INT "$pid"
wait "$pid"
code=$?

fail=0
[ "$code" -eq 130 ] || { echo "exit code $code, expected 130"; fail=1; }
lines=$(wc -l <"$tmp/sent-events.jsonl" 2>/dev/null || echo 0)
read_out=$(awk '$1 == "events" { print $6 }' "$tmp/err")
[ -n "$read_out" ] && [ "$read_out" -gt 0 ] && [ "$read_out" -lt 500 ] ||
  { echo "the source read '$read_out' records; expected a stop in the middle of the 500"; fail=1; }
[ "$lines" = "$read_out" ] || { echo "the file has $lines records, the source read $read_out: the partial batch was lost"; fail=1; }
if [ "$fail" -ne 0 ]; then echo "--- stderr ---"; cat "$tmp/err"; fi
exit "$fail"
