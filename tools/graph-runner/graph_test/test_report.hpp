#pragma once
// What `graph-runner test` prints (a line per test, the failure under it) and the JUnit XML
// of --junit, which CI systems (GitLab, Jenkins, GitHub actions) show per test.
#include <ostream>
#include <string>
#include <vector>

#include "graph_test/test_run.hpp"

namespace graph_runner::cli::graph_test {

// "  PASS  name (12 ms)" or "  FAIL  name (12 ms)" and the failure, indented.
void print_result(std::ostream& out, const TestResult& result);

// "3 tests, 2 passed, 1 failed, 1 broken file (0.4 s)".
std::string totals_line(const std::vector<FileResult>& files);

// One <testsuite> per file (a broken file: one <testcase> with an <error>), one <testcase>
// per test with a <failure> for a failed one.
std::string junit_xml(const std::vector<FileResult>& files);

}  // namespace graph_runner::cli::graph_test
