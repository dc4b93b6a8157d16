#!/usr/bin/env bash
# The live status line: drawn on stderr when it is a terminal (run under script(1), which
# gives the command a pseudo-terminal) and stdout goes elsewhere; absent when stderr is a
# file, so logs and CI output stay clean.
#   status_line.sh GRAPH_RUNNER GRAPH
set -u
exe=$1 graph=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

script -qec "'$exe' run '$graph' --timeout 0.8 >/dev/null" /dev/null >"$tmp/tty" 2>&1
grep -q "in flight: ticks [0-9]*/64" "$tmp/tty" || { echo "no status line on a terminal"; cat -v "$tmp/tty"; fail=1; }

"$exe" run "$graph" --timeout 0.8 >/dev/null 2>"$tmp/err"
if grep -q $'\033' "$tmp/err" || grep -q "in flight:" "$tmp/err"; then
  echo "status line drawn into a file"; cat -v "$tmp/err"; fail=1
fi
grep -q "records in" "$tmp/err" || { echo "no summary in the file"; cat "$tmp/err"; fail=1; }
exit "$fail"
