#pragma once
// The run checks its own books at the end (docs/architecture.md#the-run-lifecycle): per edge, what a node
// sent equals what its consumers received; per source, every batch it emitted was
// acknowledged or abandoned. A mismatch means records vanished (or were invented) inside
// the engine or a plugin: the run fails rather than report a success.
#include <memory>
#include <string>
#include <vector>

#include "run/flow_graph.hpp"
#include "run/node_runtime.hpp"

namespace graph_runner::engine {

// One line per mismatch, "accounting: ...". Only for a run that drained everything in
// flight (completed, or a graceful stop): after a cancel, batches are abandoned in flight.
std::vector<std::string> check_accounting(const CheckedGraph& graph,
                                          const std::vector<std::unique_ptr<NodeRuntime>>& nodes,
                                          const FlowGraph& flow);

}  // namespace graph_runner::engine
