#pragma once
// Private to validate/: the shape of the graph — names, inputs, edges, cycles and order.
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "parse/graph_spec.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine::validate_detail {

struct GraphShape {
  std::vector<std::size_t> order;  // indexes into the node list: every node after its inputs
  std::vector<CheckedEdge> edges;  // in node-list indexes; by consumer, then in `inputs` order
};

// Checks duplicate names, every input (known node, not a sink, a port that node has), that
// sources have no inputs and stages and sinks have some, that a node with on_error = "route"
// has its errors port read, that every other port of a source or stage is read unless the
// node has unread = "drop", and that there is no cycle.
// `ports[i]` are node i's output ports, or nullopt when its plugin could not be loaded (its
// ports are then not checked); silent_default_port in place of "out" marks a node that
// emits only on named ports, whose default port must not be read. Ties in the order keep
// file order.
inline const std::string silent_default_port;  // "": no input can name it

GraphShape check_graph_shape(const std::vector<NodeSpec>& nodes,
                             const std::vector<std::optional<std::vector<std::string>>>& ports, Diagnostics& diags);

}  // namespace graph_runner::engine::validate_detail
