# Small hostile inputs end in a positioned error and exit 2, never a crash (issue 20). The
# files are written at configure time: 10^5 key parts and 20,000-deep ${...} are too big to keep.
set(hostile ${CMAKE_CURRENT_BINARY_DIR}/hostile)
string(REPEAT ".a" 99999 deep_key)
file(WRITE ${hostile}/deep_header.toml "[sources.n]\nplugin = \"generate\"\n[a${deep_key}]\n")
file(WRITE ${hostile}/deep_dotted_key.toml "[sources.n]\nplugin = \"generate\"\n  a${deep_key} = 1\n")
string(REPEAT "\${GR_UNSET:-" 20000 deep_open)
string(REPEAT "}" 20000 deep_close)
file(WRITE ${hostile}/deep_default.toml "[sources.n]\nplugin = \"generate\"\npath = \"${deep_open}x${deep_close}\"\n")

set(too_deep_key "error: table or key nested deeper than 256 levels\n")
set(one_error "hint: a header or dotted key may have at most 256 parts\n" "\n1 error\\(s\\)\n$")
cli_test(errors.deep_header EXIT 2 STDERR "deep_header\\.toml:3:1: ${too_deep_key}" ${one_error}
  COMMAND validate ${hostile}/deep_header.toml)
cli_test(errors.deep_dotted_key EXIT 2 STDERR "deep_dotted_key\\.toml:3:3: ${too_deep_key}" ${one_error}
  COMMAND validate ${hostile}/deep_dotted_key.toml)
cli_test(errors.deep_default_in_value EXIT 2
  STDERR "deep_default\\.toml:3:8: error: nested \\$\\{\\.\\.\\.\\} deeper than 64\n" "\n1 error\\(s\\)\n$"
  COMMAND validate ${hostile}/deep_default.toml)
# The same in one --set argument is an engine test (parse_test.cpp): 20,000 nested "${" in an
# add_test argument exceed what CTest's own parser of CTestTestfile.cmake accepts.

# --set is typed after ${...}: count=${GR_COUNT} with GR_COUNT=10 is the integer 10.
cli_test(quickstart.set_typed_after_expansion STDOUT "(^|\n)total: 10 records, checksum [0-9a-f]+\n" ENV GR_COUNT=10
  COMMAND run ${graphs}/quickstart.toml --quiet "--set=sources.numbers.count=\${GR_COUNT}")
