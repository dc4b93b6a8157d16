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

# --progress: the status into a file as plain lines (a CI log), at most one a second.
"$exe" run "$graph" --timeout 2.5 --progress >/dev/null 2>"$tmp/progress"
if grep -q $'\033' "$tmp/progress" || ! grep -Eq "^ +[0-9.]+s +[0-9]+ records  show [0-9]+/s  errors 0  retries 0  in flight: ticks [0-9]+/64$" "$tmp/progress"; then
  echo "--progress: no plain status lines in the file"; cat -v "$tmp/progress"; fail=1
fi
lines=$(grep -c "in flight:" "$tmp/progress")
if [ "$lines" -lt 1 ] || [ "$lines" -gt 4 ]; then
  echo "--progress: $lines status lines in 2.5 s, expected 1 to 4 (one a second)"; cat -v "$tmp/progress"; fail=1
fi

# --quiet: nothing on a terminal either.
script -qec "'$exe' run '$graph' --timeout 0.8 --quiet >/dev/null" /dev/null >"$tmp/quiet" 2>&1
if grep -q "in flight:" "$tmp/quiet" || grep -q "records in" "$tmp/quiet"; then
  echo "--quiet: status line or summary on a terminal"; cat -v "$tmp/quiet"; fail=1
fi
exit "$fail"
