#pragma once
/// @file detail/emitter_rules.hpp
/// Not for plugin code: how the engine words a breach of the Emitter contract (node.hpp), in
/// the SDK library so that the test harness (testing.hpp) says the same.

#include <cstddef>
#include <string>
#include <string_view>

#include "graph_runner/export.hpp"

namespace graph_runner::detail {

/// "node 'N' (plugin 'P'): " — how a failure of a node begins.
GRAPH_RUNNER_API std::string node_prefix(std::string_view node, std::string_view plugin);
/// An emit on a port index the node does not have.
GRAPH_RUNNER_API std::string emitted_on_missing_port(std::size_t port, std::string_view node);
/// A reject of row `row` of a batch of `size` records.
GRAPH_RUNNER_API std::string rejected_past_end(std::size_t row, std::size_t size);
/// Emitter::`what` ("emit", "reject") called after its call returned, or from another thread.
GRAPH_RUNNER_API std::string emitter_used_outside_call(std::string_view what);

}  // namespace graph_runner::detail
