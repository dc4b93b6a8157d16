#pragma once
// The checked graph as Graphviz DOT text, optionally annotated with a run's figures
// (`graph-runner dot --with-metrics`). Deterministic: nodes in file order, edges by
// consumer in file order and then in `inputs` order, so the text can be an approved file.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "validate/validate_graph.hpp"

namespace graph_runner::cli {

// A node's totals at the end of a run, as `run --metrics-json` wrote them.
struct NodeFigures {
  std::uint64_t records_in = 0, records_out = 0, routed = 0, errors = 0;
  double busy_seconds = 0;
  std::optional<double> busy_percent;  // when the file has it; else busy_seconds / wall
};

struct RunFigures {
  std::string status;  // "completed", "failed", ...
  double wall_seconds = 0;
  std::uint64_t records_produced = 0;
  std::map<std::string, NodeFigures> nodes;  // by node name
};

// Which node's counter tells the records that passed along an edge, when one does: the
// producer's output when the edge leaves its only data port (every consumer of a port sees
// every batch), its routed count for the errors port, else the consumer's input when this
// is its only input. nullopt for a named port of a node with several, feeding a fan-in.
struct EdgeCounter {
  enum Which { records_out, routed, records_in };
  std::size_t node;  // index into CheckedGraph::nodes
  Which which;
};
std::optional<EdgeCounter> edge_counter(const engine::CheckedGraph& graph, const engine::CheckedEdge& edge);

// The edges in the order the picture declares them: by consumer in file order, then in
// `inputs` order (Graphviz's SVG keeps this order).
std::vector<engine::CheckedEdge> edges_in_drawing_order(const engine::CheckedGraph& graph);

// Reads the final per-node totals of a `run --metrics-json` file (snapshots are ignored).
// nullopt with `error` set when the file cannot be read or is not such a file.
std::optional<RunFigures> read_run_figures(const std::string& path, std::string& error);

// Sources, stages and sinks are drawn in different shapes and colours; each label has the
// node's name, plugin, concurrency and anything unusual (ordered, partition_by, on_error,
// blocking, a source's rate). Edges from a named port carry the port's name; the
// `errors` port is dashed red. With `figures`, edges also carry the records that passed
// and nodes their busy % (time inside the plugin over the run's wall time; above 100%
// when calls ran in parallel).
std::string graph_to_dot(const engine::CheckedGraph& graph, const RunFigures* figures = nullptr);

}  // namespace graph_runner::cli
