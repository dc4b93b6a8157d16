#!/usr/bin/env bash
# The manual page of `graph-runner man`: groff reads it without a warning, and it shows
# every subcommand and every option that the subcommands' --help shows.
#   man_page.sh GRAPH_RUNNER WORK_DIR
set -u
gr=$1 work=$2
rm -rf "$work" && mkdir -p "$work" || exit 1
page=$work/graph-runner.1
"$gr" man >"$page" || { echo "FAIL: graph-runner man exited $?"; exit 1; }

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if command -v groff >/dev/null; then
  warnings=$(groff -man -ww -z "$page" 2>&1)
  [[ -z $warnings ]] || fail "groff warns about the page:"$'\n'"$warnings"
  text=$(groff -man -Tutf8 -P-cbou "$page" 2>/dev/null)
  grep -q "^NAME" <<<"$text" || fail "the rendered page has no NAME section:"$'\n'"$text"
else
  echo "groff not installed: the page's roff is not linted"
fi

for words in "" run validate test dot plugins "plugins describe" new-plugin completion man; do
  title="graph-runner${words:+ $words}"
  if [[ -n $words ]] && ! grep -qxF ".SS \"$title\"" "$page"; then
    fail "no section for '$title' (expected the line: .SS \"$title\")"
  fi
  # Every option spelling of its --help, as roff writes it (each - as \-).
  # shellcheck disable=SC2086
  for option in $("$gr" $words --help | grep -oE '(^|[ ,])--?[a-z][a-z-]*' | sed 's/^[ ,]//' | sort -u); do
    [[ $option == --help || $option == -h ]] && continue
    roff=${option//-/\\-}
    grep -qF -- "$roff" "$page" || fail "'$title --help' shows $option, the man page does not (looked for $roff)"
  done
done

if ((failures)); then
  echo "$failures problem(s); the page is in $page"
  exit 1
fi
echo "ok: the man page covers every command and option"
