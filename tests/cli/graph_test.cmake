# `graph-runner test` (docs/testing-graphs.md): every example graph's own [[tests]] pass, and
# the runner itself on data/graph_test/ — passing, failing (exit 1, the differences printed),
# broken (exit 2 at FILE:LINE:COL) and --junit.
set(gt ${data}/graph_test)

foreach(graph ${example_graphs})
  get_filename_component(stem ${graph} NAME_WE)
  cli_test(example.${stem}.tests_pass STDOUT "\n[1-9][0-9]* tests?, [0-9]+ passed, 0 failed" COMMAND test ${graph})
endforeach()

# Injected at a source and at a stage, "no record arrives here", conditions, the errors port,
# a file of JSON lines; the graph's real source and sinks (in /nonexistent) are never touched.
cli_test(test.passing
  STDOUT "PASS  injected at the source: keeps only big values" "PASS  injected at a stage: records replace"
         "PASS  no record arrives here" "PASS  conditions hold for every record"
         "PASS  the errors port gets records the filter cannot judge" "\n5 tests, 5 passed, 0 failed"
  COMMAND test ${gt}/pipeline.toml)
cli_test(test.separate_file_and_filter STDOUT "PASS  a separate test file" "\n1 test, 1 passed, 0 failed"
  COMMAND test ${gt}/passing.test.toml ${gt}/pipeline.toml --filter "separate")

# Each failure explained: the first differing record field by field, missing and extra
# records, a record where none should arrive, the record that violates a condition, a count,
# a record out of order.
cli_test(test.failing EXIT 1
  STDOUT "FAIL  wrong record" "expected 2 records, got 1: 2 missing, 1 extra"
         "user.country: expected \"FR\", got \"DE\"" "missing: {\"value\":700}"
         "extra:   {\"user\":{\"country\":\"DE\"},\"value\":500}"
         "FAIL  something arrives where nothing should" "expected no record, got 1; the first: {\"double\":200,\"value\":100}"
         "FAIL  a condition is false" "condition 'double > 50' is false for 1 record; the first: {\"double\":10,\"value\":5}"
         "FAIL  wrong count, wrong order" "expected 3 records, got 2" "record 2 differs" "double: expected 999, got 400"
         "FAIL  nothing injected reaches the node" "expected 1 record, got 0\n *\\(no input of this test reaches 'keep_big'\\)"
         "\n5 tests, 0 passed, 5 failed"
  COMMAND test ${gt}/failing.test.toml)

# A broken test file: every mistake at its FILE:LINE:COL, all at once, nothing run.
cli_test(test.broken EXIT 2
  STDERR "broken\\.test\\.toml:7:8: error: unknown node 'kep_big'" "did you mean 'keep_big'"
         "broken\\.test\\.toml:12:1: error: 'count' and 'records' in one" "broken\\.test\\.toml:15:1: error: unknown key 'recrods'"
         "broken\\.test\\.toml:18:10: error: not a JSON record" "broken\\.test\\.toml:18:25: error: a record must be a JSON object"
         "6 error\\(s\\)"
  COMMAND test ${gt}/broken.test.toml)
cli_test(test.no_tests EXIT 2 STDERR "no_tests\\.toml:1:1: error: no tests here" COMMAND test ${gt}/no_tests.toml)
cli_test(test.bad_condition EXIT 2 STDERR "bad_condition\\.test\\.toml:11:15: error: condition 'value >>= 1': "
  COMMAND test ${gt}/bad_condition.test.toml)

add_test(NAME cli.test.junit
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/graph_test_junit.py ${gr} ${gt}
    ${CMAKE_CURRENT_BINARY_DIR}/work/test.junit)
set_tests_properties(cli.test.junit PROPERTIES TIMEOUT 120)
