#!/usr/bin/env bash
# The bash completion script of `graph-runner completion bash`, sourced into bash and
# asked as bash asks it (COMP_WORDS, COMP_CWORD, then COMPREPLY).
#   completion.sh GRAPH_RUNNER WORK_DIR
set -u
gr=$1 work=$2
rm -rf "$work" && mkdir -p "$work/graphs/sub" "$work/plugins-here" || exit 1
touch "$work/graphs/one.toml" "$work/graphs/two.toml" "$work/graphs/notes.txt"
cd "$work" || exit 1

script=$("$gr" completion bash) || { echo "FAIL: graph-runner completion bash exited $?"; exit 1; }
eval "$script"
complete -p graph-runner >/dev/null || { echo "FAIL: the script registers no completion for graph-runner"; exit 1; }

failures=0
# expect "WORDS..." -- EXPECTED...: completing the last word of WORDS gives exactly EXPECTED
# (sorted). The first word is the program as typed: the script calls it for plugin names.
expect() {
  local words=() expected=()
  while [[ $1 != -- ]]; do words+=("$1"); shift; done
  shift
  expected=("$@")
  COMP_WORDS=("$gr" "${words[@]}")
  COMP_CWORD=${#words[@]}
  COMPREPLY=()
  _graph_runner
  local got want
  got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ')
  want=$(printf '%s\n' "${expected[@]}" | sort | tr '\n' ' ')
  if [[ $got != "$want" ]]; then
    echo "FAIL: graph-runner ${words[*]}<TAB>"
    echo "  expected: $want"
    echo "  actual:   $got"
    failures=$((failures + 1))
  else
    echo "ok: graph-runner ${words[*]}<TAB> -> $got"
  fi
}

expect "" -- run validate test dot plugins new-plugin completion man
expect test --ju -- --junit
expect test graphs/o -- graphs/one.toml
expect test graphs/one.toml --junit graphs/n -- graphs/notes.txt
expect "pl" -- plugins
expect "--v" -- --version
expect run --ti -- --timeout
expect validate --in -- --instantiate
expect dot --with -- --with-metrics
expect dot graphs/ -- graphs/one.toml graphs/two.toml graphs/sub
expect validate --set x=1 graphs/o -- graphs/one.toml
expect run graphs/one.toml --plugin-path plug -- plugins-here
expect dot graphs/one.toml -o graphs/n -- graphs/notes.txt
expect run graphs/one.toml --threads "" --
expect run graphs/one.toml --log-level w -- warn
expect plugins "" -- describe
expect plugins describe fil -- filter
expect plugins describe ge -- generate
expect plugins describe --js -- --json
expect plugins describe cs -- csv  # a source and a sink: one name to complete
expect plugins describe csv --kind "" -- source stage sink
expect completion "" -- bash

if ((failures)); then
  echo "$failures completion(s) wrong"
  exit 1
fi
echo "all completions as expected"
