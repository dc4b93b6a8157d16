#pragma once
// Checking what a test run captured against its [[tests.outputs]]: the failure text a person
// reads (expected vs got, the first differing record field by field, missing and extra ones).
#include <string>

#include "graph_test/test_graph.hpp"
#include "graph_test/test_plugins.hpp"
#include "graph_test/test_spec.hpp"

namespace graph_runner::cli::graph_test {

// "" when output `o` met every expectation, else what went wrong (lines ending in '\n').
std::string check_output(const TestOutput& o, const OutputCaptures& captures, const TestStore& store);

}  // namespace graph_runner::cli::graph_test
