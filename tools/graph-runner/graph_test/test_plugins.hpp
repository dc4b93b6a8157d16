#pragma once
// The two nodes a test puts into a graph, compiled into graph-runner and registered with
// PluginRegistry::add_static: a source that sends the test's records, and a sink that keeps
// what reaches it. Both talk to a TestStore, shared by every node of one test run.
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "registry/plugin_registry.hpp"

namespace graph_runner::cli::graph_test {

// Plugin names no graph file can write (not identifiers): a test never shadows a real plugin.
inline constexpr const char* input_plugin = "~test_input";
inline constexpr const char* capture_plugin = "~test_capture";

class TestStore {
 public:
  // Before a run: the JSON lines the input node `node` sends.
  void set_input(const std::string& node, std::vector<std::string> lines);
  std::vector<std::string> input(const std::string& node) const;
  // During a run (any thread): a record (JSON text) arrived at capture node `node`.
  void capture(const std::string& node, std::vector<std::string> records);
  // After a run: what arrived at `node` (nothing when no record did).
  std::vector<std::string> captured(const std::string& node) const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::vector<std::string>> inputs_, captured_;
};

// Registers the input source and the capture sink, bound to `store` (which must outlive
// every graph built through `registry`).
void register_test_plugins(engine::PluginRegistry& registry, TestStore& store);

}  // namespace graph_runner::cli::graph_test
