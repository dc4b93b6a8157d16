#!/usr/bin/env bash
# The ABI check of the plugin SDK (docs/plugin-sdk.md, "ABI and versions"). libabigail's
# abidw describes, from their debug information and restricted to the public headers
# (engine/include), the built libgraph_runner.so and the plugin types that do not pass
# through it (tests/abi/abi_probe.cpp); abidiff compares each with the baseline of engine/abi/,
# the ABI of the last release of this SDK major.
#
#   tools/abi_check.sh [--build-dir DIR]            check a built tree (default: build/ci)
#   tools/abi_check.sh --update [--build-dir DIR]   record its ABI as the new baseline
#   --library FILE --probe FILE                     the two binaries, instead of a tree (CTest)
#
# Exit status: 0 when the ABI is the baseline's, or only adds to it under a newer minor
# version; 1 for an incompatible change, or an addition under the baseline's own minor
# version (the report says which); 77 (CTest: skipped) when version.hpp's major is not the
# baseline's: a new major breaks the ABI on purpose, and --update records its baseline.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
headers=$root/engine/include
baseline=$root/engine/abi
corpora=(libgraph_runner plugin_types)

die() { echo "abi_check: $*" >&2; exit 1; }

update=0 build_dir=$root/build/ci library="" probe=""
while (($#)); do
  case $1 in
    --update) update=1 ;;
    --build-dir) build_dir=${2:?--build-dir needs a folder}; shift ;;
    --library) library=${2:?--library needs a file}; shift ;;
    --probe) probe=${2:?--probe needs a file}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done
if [ -z "$library" ]; then
  libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)
  library=$build_dir/${libdir:-lib}/libgraph_runner.so
fi
probe=${probe:-$build_dir/tests/abi/libgraph_runner_abi_probe.so}
for file in "$library" "$probe"; do
  [ -f "$file" ] || die "$file is missing: build the tree first (cmake --build --preset ci)"
done
for tool in abidw abidiff; do
  command -v $tool >/dev/null || die "$tool is missing: it is libabigail's (Debian: abigail-tools; tools/setup.sh test installs it)"
done

# The SDK version of the headers, and the one the baseline records.
sdk_part() { sed -n "s/^#define GRAPH_RUNNER_SDK_VERSION_$1 \([0-9][0-9]*\).*/\1/p" "$headers/graph_runner/version.hpp"; }
major=$(sdk_part MAJOR) minor=$(sdk_part MINOR)
{ [ -n "$major" ] && [ -n "$minor" ]; } || die "no SDK version in $headers/graph_runner/version.hpp"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Short locations and no build paths: the baseline is the same from any checkout.
dump() {
  abidw --headers-dir "$headers" --drop-private-types --no-corpus-path --no-comp-dir-path \
    --short-locs --type-id-style hash --out-file "$2" "$1" || die "abidw failed on $1"
}
dump "$library" "$work/libgraph_runner.abi"
dump "$probe" "$work/plugin_types.abi"

if ((update)); then
  mkdir -p "$baseline"
  for corpus in "${corpora[@]}"; do cp "$work/$corpus.abi" "$baseline/$corpus.abi"; done
  printf '%s\n' "# The SDK version (engine/include/graph_runner/version.hpp) whose ABI the .abi files of this" \
    "# folder record. Written by tools/abi_check.sh --update; docs/plugin-sdk.md, \"ABI and versions\"." \
    "$major.$minor" >"$baseline/sdk_version"
  echo "abi_check: recorded the ABI of SDK $major.$minor in engine/abi/ (commit it)"
  exit 0
fi

[ -f "$baseline/sdk_version" ] || die "no baseline in engine/abi/: record one with tools/abi_check.sh --update"
base=$(grep -v '^#' "$baseline/sdk_version" | head -n 1)
base_major=${base%%.*} base_minor=${base#*.}
if [ "$major" != "$base_major" ]; then
  echo "abi_check: version.hpp says SDK $major.$minor; the baseline in engine/abi/ is SDK $base."
  echo "A new major version breaks the ABI on purpose, so there is nothing to compare: once it is"
  echo "merged, record its baseline with 'tools/abi_check.sh --update' and commit engine/abi/."
  exit 77
fi
((minor >= base_minor)) || die "version.hpp says SDK $major.$minor, older than the baseline's $base"

# What abidiff reports, besides added functions and variables (--no-added-syms), when all that
# changed is virtual functions appended at the end of a class. (abidiff may list every member
# function of such a class as inserted, when the debug info it reads now describes them; the
# destructors then come without a vtable offset: their slots do not move.) Anything else (a size, an
# offset, a type, a vtable slot moved, a removal) is a change a plugin built for the
# baseline would see. abidiff itself calls only some of those incompatible (exit bit 8: a
# removed function, a moved virtual), not a struct that grew, so both are asked.
only_appended_virtuals() {
  ! grep -Ev -e '^$' \
    -e '^(Functions|Variables) changes summary: 0 Removed, ' \
    -e '^[0-9]+ functions? with some indirect sub-type changes?:$' \
    -e "^ *\[C\] '.*'( at [^ ]*)? has some indirect sub-type changes:$" \
    -e "^ *implicit parameter 0 of type '.*' has sub-type changes:$" \
    -e "^ *in (pointed to|unqualified underlying) type '[^']*'( at [^ ]*)?:$" \
    -e "^ *(pointed to|unqualified underlying) type '.*' changed.*, as (being reported|reported earlier)$" \
    -e '^ *type size hasn.t changed$' \
    -e '^ *[0-9]+ member function insertions?:$' \
    -e "^ *'method virtual .*'( at [^ ]*)?, virtual at voffset [0-9]+/[0-9]+( +\{[^}]*\})?$" \
    -e "^ *'method virtual [^']*::~[A-Za-z_]+\(int\)'( at [^ ]*)?( +\{[^}]*\})?$" \
    -e '^ *no member function changes \([0-9]+ filtered\);$' "$1" >/dev/null
}

report() { echo "abidiff's report:"; sed 's/^/  /' "$1"; }
status=0
for corpus in "${corpora[@]}"; do
  old=$baseline/$corpus.abi new=$work/$corpus.abi out=$work/$corpus.report
  rc=0
  abidiff "$old" "$new" >"$out" 2>&1 || rc=$?
  ((rc & 3)) && { cat "$out" >&2; die "abidiff failed ($rc) on $corpus.abi"; }
  ((rc)) || continue
  rest=0
  abidiff --no-added-syms "$old" "$new" >"$out.rest" 2>&1 || rest=$?
  if ((rc & 8)) || { ((rest)) && ! only_appended_virtuals "$out.rest"; }; then
    echo "abi_check: INCOMPATIBLE change of the SDK's ABI ($corpus.abi, against SDK $base): a plugin"
    echo "built for SDK $base would break against this build. Within a major version the ABI only"
    echo "grows (new functions; virtual functions appended at the end of a class): undo the change,"
    echo "or keep it for the next major (docs/plugin-sdk.md, \"ABI and versions\"). A change that"
    echo "moves no byte (a renamed member: no size, offset or vtable change below) is recorded with"
    echo "tools/abi_check.sh --update."
    report "$out"
    status=1
  elif ((minor == base_minor)); then
    echo "abi_check: the SDK's ABI grew ($corpus.abi) but version.hpp still says SDK $major.$minor, the"
    echo "baseline's version. An addition needs a new minor version, so that the engines that lack it"
    echo "refuse a plugin that uses it: bump GRAPH_RUNNER_SDK_VERSION_MINOR and say what it adds in"
    echo "version.hpp."
    report "$out"
    status=1
  else
    echo "abi_check: SDK $major.$minor adds to the ABI of SDK $base ($corpus.abi), compatibly; record it"
    echo "with tools/abi_check.sh --update when $major.$minor is released."
    report "$out"
  fi
done
((status)) || echo "abi_check: the ABI of SDK $major.$minor is compatible with the baseline (SDK $base)"
exit $status
