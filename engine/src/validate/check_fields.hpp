#pragma once
// The field check (SDK 2.1, Context::declare_fields): after every node is constructed, the
// fields each node declared are followed from the sources down the graph. Where everything
// upstream of a node declared its fields, a field that the node reads and nothing upstream
// produces is an error at the parameter that reads it, with "did you mean". A node that
// declared nothing makes everything downstream of it unknown, hence unchecked: the check
// never guesses.
#include <optional>
#include <vector>

#include "diagnostics.hpp"
#include "graph_runner/field_schema.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

// `declared[i]`: what graph.nodes[i] declared (nullopt: nothing, or not constructed).
Diagnostics check_fields(const CheckedGraph& graph, const std::vector<std::optional<FieldSchema>>& declared);

}  // namespace graph_runner::engine
