#pragma once
// Steps 4-5: build the oneTBB flow graph from a CheckedGraph and run it to the end,
// a failure, a stop request or the timeout.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

struct NodeStats {
  std::string name;
  std::string plugin;
  NodeKind kind = NodeKind::stage;
  std::size_t concurrency = 1;  // 0 = unlimited
  std::uint64_t batches_in = 0, records_in = 0;
  std::uint64_t batches_out = 0, records_out = 0;
  std::uint64_t errors = 0;      // failed calls or rejected records
  double busy_seconds = 0;       // summed time inside plugin calls
  std::size_t max_concurrent = 0;  // most calls seen running at once
};

enum class RunStatus { completed, failed, interrupted, timed_out };

struct RunResult {
  RunStatus status = RunStatus::completed;
  std::string error;  // for failed: "node 'x' (plugin 'y'): what (source 'z' batch N, records A..B)"
  std::vector<NodeStats> nodes;  // in CheckedGraph::nodes order
  double wall_seconds = 0;
  std::uint64_t source_batches = 0, acknowledged_batches = 0;
  std::size_t max_in_flight_seen = 0;  // the most batches of any one source in flight at once
};

struct RunOptions {
  std::int64_t threads = -1;   // -1: the graph's setting; 0: all cores
  double timeout_s = -1;       // -1: the graph's setting; 0: none
  // Set to true (e.g. from a signal handler) to stop gracefully.
  const std::atomic<bool>* stop_flag = nullptr;
  // Log sink for plugin messages and warnings; defaults to stderr.
  std::function<void(const std::string&)> log;
};

RunResult run_graph(const CheckedGraph& graph, const RunOptions& options);

// The per-node summary table printed at the end of `graph-runner run`.
std::string format_summary(const RunResult& result);

}  // namespace graph_runner::engine
