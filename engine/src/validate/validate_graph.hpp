#pragma once
// Step 3: check a GraphSpec against the plugins' schemas and the graph rules, and resolve
// it into a CheckedGraph ready to build. All problems are reported at once.
#include <memory>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "graph_runner/params.hpp"
#include "parse/graph_spec.hpp"
#include "registry/plugin_registry.hpp"

namespace graph_runner::engine {

struct CheckedEdge {
  std::size_t from;   // index into CheckedGraph::nodes
  std::size_t port;   // index into nodes[from].ports
  std::size_t to;
};

struct CheckedNode {
  const NodeSpec* spec = nullptr;  // points into CheckedGraph::spec
  std::shared_ptr<const LoadedPlugin> plugin;
  Params params;                   // checked, defaults filled in
  std::vector<std::string> ports;  // output ports: "out", declared ports..., "errors"
  std::size_t concurrency = 1;     // 0 = unlimited; the max of an adaptive range
  // > 0: adaptive (concurrency = { min, max }): the engine keeps between this many and
  // `concurrency` calls in flight (run/concurrency_controller.hpp).
  std::size_t min_concurrency = 0;
  // Sources only: effective settings (node override or graph default).
  std::size_t batch_size = 256, linger_ms = 5, max_in_flight = 64;
  std::size_t max_in_flight_bytes = 0;  // the bound on the bytes of its batches in flight
  double rate = 0;
  std::size_t burst = 0;  // with rate: token bucket size in records (0 = one batch)
};

// max_in_flight_bytes when neither the source nor [graph] sets it: a sixteenth of the
// machine's memory, between 64 MiB and 1 GiB (1 GiB on a 24 GiB machine).
std::int64_t default_max_in_flight_bytes();

struct CheckedGraph {
  GraphSpec spec;
  std::vector<CheckedNode> nodes;  // topological order: every node after its inputs
  std::vector<CheckedEdge> edges;
};

// Resolves plugins through `registry`, whose search dirs the caller has set (see load_graph).
// Returns nullptr when anything is wrong; every problem is in `diags`.
std::unique_ptr<CheckedGraph> validate_graph(GraphSpec spec, PluginRegistry& registry, Diagnostics& diags);

}  // namespace graph_runner::engine
