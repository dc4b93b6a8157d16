#!/usr/bin/env bash
# Compiles every ```cpp block of a Markdown file as its own translation unit (syntax only),
# so the code a guide shows cannot rot. A block opened with ```cpp fragment is skipped.
# Compiler messages point into the Markdown file itself (a #line directive heads each block).
#
#   compile_cpp_blocks.sh DOC.md OUT_DIR CXX [compiler flags...]
set -u
doc=$1 out=$2 cxx=$3
shift 3
rm -rf "$out" && mkdir -p "$out" || exit 1

# One file per block, named after the line of its opening fence.
awk -v out="$out" -v doc="$doc" '
  /^```cpp[ \t]*$/ { file = sprintf("%s/line%05d.cpp", out, NR); printf "#line %d \"%s\"\n", NR + 1, doc > file; next }
  /^```/ && file   { close(file); file = ""; next }
  file             { print > file }
' "$doc" || exit 1

shopt -s nullglob
blocks=("$out"/line*.cpp)
if [ ${#blocks[@]} -eq 0 ]; then
  echo "$doc: no \`\`\`cpp blocks found" >&2
  exit 1
fi
# Two compilers at a time (a syntax check is ~2-3 s of CPU per block); each writes its own log.
check() {
  local block=$1 line
  line=$(basename "$block" .cpp); line=$((10#${line#line}))
  if ! "$cxx" -std=c++20 -fsyntax-only "${flags[@]}" "$block" > "$block.log" 2>&1; then
    echo "$doc:$line: this block does not compile (extracted to $block)" >> "$block.log"
    return 1
  fi
  rm -f "$block.log"
}
flags=("$@")
for block in "${blocks[@]}"; do
  while [ "$(jobs -pr | wc -l)" -ge 2 ]; do wait -n; done
  check "$block" &
done
wait
failed=0
for log in "$out"/line*.cpp.log; do
  cat "$log" >&2
  failed=$((failed + 1))
done
echo "${#blocks[@]} block(s) compiled, $failed failed"
[ $failed -eq 0 ]
