#!/usr/bin/env bash
# A link another user planted where root's jsonl sink writes (issue 20): `run` refuses it at
# the start with the reason and exit code 1, without a crash, and the link's target keeps its
# contents and mode; `validate --instantiate` creates nothing. Needs root (chown to nobody).
#   planted_link.sh GRAPH_RUNNER
set -u
exe=$1
if [ "$(id -u)" != 0 ]; then echo "skipped: planting another user's link needs root"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAILED: $*"; echo "--- stderr:"; cat "$tmp/err"; exit 1; }
printf 'secret\n' >"$tmp/victim" && chmod 600 "$tmp/victim"
mkdir -m 1777 "$tmp/shared"
ln -s "$tmp/victim" "$tmp/shared/out.jsonl" && chown -h nobody "$tmp/shared/out.jsonl"
cat >"$tmp/g.toml" <<TOML
[sources.numbers]
plugin = "generate"
count = 10
[sinks.file]
plugin = "jsonl"
inputs = ["numbers"]
path = "\${OUT}"
TOML
OUT="$tmp/shared/out.jsonl" "$exe" run "$tmp/g.toml" --quiet >/dev/null 2>"$tmp/err"
code=$?
[ "$code" = 1 ] || fail "exit code $code, expected 1"
expected="graph-runner: run failed: node 'file' (plugin 'jsonl'): cannot start: jsonl: refusing to write '$tmp/shared/out.jsonl': it is a symbolic link (a planted link could point anywhere)"
grep -qF "$expected" "$tmp/err" || fail "stderr lacks: $expected"
[ "$(cat "$tmp/victim")" = secret ] || fail "the victim's contents changed: $(cat "$tmp/victim")"
[ "$(stat -c %a "$tmp/victim")" = 600 ] || fail "the victim's mode is $(stat -c %a "$tmp/victim"), expected 600"

OUT="$tmp/new/out.jsonl" "$exe" validate --instantiate "$tmp/g.toml" >/dev/null 2>"$tmp/err" || fail "validate failed"
[ ! -e "$tmp/new" ] || fail "validate --instantiate created $tmp/new"
echo ok
