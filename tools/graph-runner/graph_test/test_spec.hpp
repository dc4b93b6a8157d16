#pragma once
// `graph-runner test`: the [[tests]] of a graph file or of a test file (`graph = "PATH"`), read
// with the position of every key and value so that a broken test is reported at
// FILE:LINE:COL like a broken graph (docs/testing-graphs.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnostics.hpp"

namespace graph_runner::cli::graph_test {

// Records fed into the graph at a source (replacing it) or at a stage (replacing its inputs).
struct TestInput {
  std::string node;
  engine::SourcePos pos, node_pos;  // the [[tests.inputs]] table, its `node` value
  std::vector<std::string> lines;   // one JSON object per record, as a jsonl source would read them
};

// What one node (or port) must emit during the test.
struct TestOutput {
  std::string node, port = "out";   // "NODE" or "NODE.PORT"
  engine::SourcePos pos, node_pos;
  std::optional<std::vector<nlohmann::json>> records;  // exact (records or lines)
  bool ordered = false;                                // with records: in this order
  std::optional<std::int64_t> count;
  std::vector<std::pair<std::string, engine::SourcePos>> conditions;  // every record satisfies each
  bool none = false;                                   // no record arrives

  // "keep_big" or "keep_big.errors", as written.
  std::string label() const { return port == "out" ? node : node + "." + port; }
};

struct GraphTest {
  std::string name;
  engine::SourcePos pos;
  std::vector<TestInput> inputs;
  std::vector<TestOutput> outputs;
};

struct TestFile {
  std::string path;        // as given
  std::string graph_path;  // the graph under test: `path` itself, or its `graph` key resolved
  std::vector<GraphTest> tests;
};

// Reads the tests of `path`. Problems go to `diags`, all of them (a file without tests is one).
// Node names are checked against the graph later (build_test_graph), when it is known.
TestFile read_test_file(const std::string& path, engine::Diagnostics& diags);

}  // namespace graph_runner::cli::graph_test
