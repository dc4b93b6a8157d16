#pragma once
// One test's graph, made from the graph under test: injected sources and stage inputs fed by
// test inputs, every other source removed (a test never reads real input), only the nodes
// between the inputs and the expected outputs kept, every sink left a capture (a test never
// writes real output), a capture on each expected node, and for each condition a real
// `filter` node keeping the records that violate it.
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "graph_test/test_spec.hpp"
#include "parse/graph_spec.hpp"

namespace graph_runner::cli::graph_test {

// Where to read an output's records after the run.
struct OutputCaptures {
  std::string records;                  // capture node of what the node emits ("" when unreached)
  std::vector<std::string> violations;  // per condition: records that violate it
  std::vector<std::string> unevaluated;  // per condition: records it could not be evaluated on
};

struct TestGraph {
  engine::GraphSpec spec;
  std::vector<std::pair<std::string, std::vector<std::string>>> inputs;  // input node -> its lines
  std::vector<OutputCaptures> outputs;  // in test.outputs order
  std::vector<std::pair<std::string, std::string>> checks;  // condition filter node -> its condition
};

// Node names the test names must exist (reported at the test's positions in `diags`).
TestGraph build_test_graph(const engine::GraphSpec& graph, const GraphTest& test, engine::Diagnostics& diags);

}  // namespace graph_runner::cli::graph_test
