#pragma once
// `graph-runner validate --instantiate`: step 4 without running. Every node's plugin is
// constructed with its checked parameters through the NodeRuntime path `run` uses, so
// what passes here is what `run` accepts when it starts its nodes.
#include <exception>

#include "diagnostics.hpp"
#include "run/run_graph.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

// Where a plugin's complaint about its own construction belongs in the graph file: at the
// parameter a ParamError names; else at the one parameter the message names (its string
// value quoted, 'data/in.csv', or its name in backquotes, `types`); else at the node's
// table header. The message is "node 'x' (plugin 'y'): WHAT".
Diagnostic construction_error(const CheckedNode& node, const std::exception& error);

// Constructs every node's plugin instances (expressions compile, sources open their
// input), then destroys them without running or closing anything. Sinks are constructed
// but not opened: checking a graph never creates or truncates an output file (nor does a
// sink print its end-of-run line). Every node is tried; one diagnostic per node that
// failed. Plugin log messages go where options.log says (stderr by default).
Diagnostics instantiate_graph(const CheckedGraph& graph, const RunOptions& options = {});

}  // namespace graph_runner::engine
