#!/usr/bin/env bash
# Issue 20, finding 1, end to end: a plugin folder owned by another user (nobody) is refused
# whichever way it is named — --plugin-path, the graph's plugin_path (with ${VAR} or --set),
# GRAPH_RUNNER_PLUGIN_PATH — with its owner and the chown fix; `plugins` still lists it.
#   plugin_trust.sh GRAPH_RUNNER FIXTURE_LIBRARY   (a library providing the sink fixture_count)
# Exits 77 (skipped) when it may not chown, i.e. not run as root.
set -u
exe=$1 lib=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -m 0755 "$tmp/other" "$tmp/graphs"
cp "$lib" "$tmp/other/" && chmod 0644 "$tmp/other/"*
chown 65534 "$tmp/other" 2>/dev/null || { echo "cannot chown to uid 65534 (needs root): skipped"; exit 77; }
graph() {  # graph FILE [PLUGIN_PATH]: numbers into the fixture sink
  { [ $# -gt 1 ] && printf '[graph]\nplugin_path = ["%s"]\n' "$2"
    printf '[sources.numbers]\nplugin = "generate"\ncount = 10\n[sinks.total]\nplugin = "fixture_count"\n'
    printf 'inputs = ["numbers"]\n'; } >"$1"
}
graph "$tmp/graphs/plain.toml"
graph "$tmp/graphs/relative.toml" ../other
graph "$tmp/graphs/variable.toml" '${TRUST_TEST_DIR}'

fail=0
refused() {  # refused HOW COMMAND...: exits non-zero naming the folder, its owner and the fix
  local how=$1; shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  if [ "$code" -eq 0 ] || ! grep -q "$tmp/other is owned by .*uid 65534.*chown root $tmp/other" "$tmp/err"; then
    echo "$how: exit $code, expected a refusal naming $tmp/other, uid 65534 and chown; stderr:"; cat "$tmp/err"; fail=1
  fi
}
refused "--plugin-path" "$exe" validate "$tmp/graphs/plain.toml" --plugin-path "$tmp/other"
refused "plugin_path" "$exe" validate "$tmp/graphs/relative.toml"
refused "plugin_path with \${VAR}" env TRUST_TEST_DIR="$tmp/other" "$exe" validate "$tmp/graphs/variable.toml"
refused "--set graph.plugin_path" "$exe" validate "$tmp/graphs/plain.toml" --set "graph.plugin_path=[\"$tmp/other\"]"
refused "GRAPH_RUNNER_PLUGIN_PATH" env GRAPH_RUNNER_PLUGIN_PATH="$tmp/other" "$exe" validate "$tmp/graphs/plain.toml"

# Listing reads symbols without running code: the plugin is shown, with why it cannot load.
"$exe" plugins --plugin-path "$tmp/other" >"$tmp/out" 2>&1
grep -q "^fixture_count .*cannot load: refusing to load" "$tmp/out" || { echo "plugins does not list the refused plugin:"; cat "$tmp/out"; fail=1; }

chown 0 "$tmp/other"  # the fix the message names
"$exe" validate "$tmp/graphs/relative.toml" >"$tmp/out" 2>"$tmp/err" || { echo "after chown root, validate fails:"; cat "$tmp/err"; fail=1; }
exit $fail
