#!/usr/bin/env bash
# A signal during `run` stops the graph gracefully: the summary is printed and the exit
# code is 128 + the signal number.
#   signal.sh GRAPH_RUNNER SIGNAL EXPECTED_EXIT GRAPH [RUN ARGS...]
# The graph must write to stdout while it runs: the signal is sent once output appears,
# so it reaches the running graph, not the loading (where the default action would kill
# the process with the same exit code and hide a missing handler).
set -u
exe=$1 sig=$2 expect=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$exe" run "$@" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 200); do
  [ -s "$tmp/out" ] && break
  sleep 0.05
done
if [ ! -s "$tmp/out" ]; then
  echo "no output from the graph after 10 s"; kill -KILL "$pid"; cat "$tmp/err"; exit 1
fi
kill -"$sig" "$pid"
wait "$pid"
code=$?

fail=0
[ "$code" -eq "$expect" ] || { echo "exit code $code, expected $expect"; fail=1; }
grep -q "interrupted by SIG$sig" "$tmp/err" || { echo "stderr does not say 'interrupted by SIG$sig'"; fail=1; }
grep -q "records in" "$tmp/err" || { echo "no summary on stderr"; fail=1; }
if [ "$fail" -ne 0 ]; then
  echo "--- stderr ---"; cat "$tmp/err"
fi
exit "$fail"
