#include "dot_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

namespace graph_runner::cli {
namespace {

// A DOT string literal; "\n" in `s` becomes a DOT line break.
std::string dot_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '"' || c == '\\') out += std::string("\\") + c;
    else out += c;
  }
  return out + '"';
}

// 1234567 -> "1,234,567": counts a person reads at a glance.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

const char* policy_name(engine::ErrorPolicy p) {
  switch (p) {
    case engine::ErrorPolicy::fail: return "fail";
    case engine::ErrorPolicy::drop: return "drop";
    case engine::ErrorPolicy::retry: return "retry";
    case engine::ErrorPolicy::route: return "route";
  }
  return "?";
}

std::string node_label(const engine::CheckedNode& n, const RunFigures* figures) {
  const engine::NodeSpec& s = *n.spec;
  // The plugin's own name: a deprecated name (read_csv) shows as what it now is (csv).
  std::string label = s.name + "\n" + (n.plugin ? n.plugin->descriptor.name : s.plugin);
  if (s.kind == NodeKind::source) {
    if (n.rate > 0) {
      std::ostringstream rate;
      rate << n.rate;
      label += ", " + rate.str() + " records/s";
    }
  } else {
    label += ", concurrency " + (n.concurrency == 0       ? std::string("unlimited")
                                 : n.min_concurrency > 0 ? std::to_string(n.min_concurrency) + ".." +
                                                               std::to_string(n.concurrency) + " adaptive"
                                                         : std::to_string(n.concurrency));
    if (s.ordered) label += ", ordered";
    if (s.partition_by) label += "\npartition_by " + *s.partition_by;
  }
  std::vector<std::string> notes;
  if (s.on_error == engine::ErrorPolicy::retry)
    notes.push_back("on_error retry x" + std::to_string(s.retries));
  else if (s.on_error != engine::ErrorPolicy::fail)
    notes.push_back(std::string("on_error ") + policy_name(s.on_error));
  if (s.blocking) notes.push_back("blocking");
  if (!notes.empty()) label += "\n" + notes[0] + (notes.size() > 1 ? ", " + notes[1] : "");

  if (figures) {
    auto it = figures->nodes.find(s.name);
    if (it == figures->nodes.end()) {
      label += "\n(no figures)";
    } else {
      const NodeFigures& f = it->second;
      double busy = f.busy_percent ? *f.busy_percent
                                   : (figures->wall_seconds > 0 ? 100.0 * f.busy_seconds / figures->wall_seconds : 0.0);
      label += "\nbusy " + fixed(busy, busy < 10 ? 1 : 0) + "%";
      if (f.errors > 0) label += ", " + grouped(f.errors) + " errors";
    }
  }
  return label;
}

const char* node_style(NodeKind kind) {
  switch (kind) {
    case NodeKind::source: return "shape=cds, margin=\"0.3,0.055\", style=filled, fillcolor=\"#dbeafe\", color=\"#1d4ed8\"";
    case NodeKind::stage: return "shape=box, style=\"rounded,filled\", fillcolor=\"#f5f5f5\", color=\"#525252\"";
    case NodeKind::sink: return "shape=cylinder, style=filled, fillcolor=\"#dcfce7\", color=\"#15803d\"";
  }
  return "";
}

// Records that passed along an edge, when the figures tell (edge_counter).
std::optional<std::uint64_t> edge_records(const engine::CheckedGraph& g, const engine::CheckedEdge& e,
                                          const RunFigures& figures) {
  const auto counter = edge_counter(g, e);
  if (!counter) return std::nullopt;
  auto f = figures.nodes.find(g.nodes[counter->node].spec->name);
  if (f == figures.nodes.end()) return std::nullopt;
  switch (counter->which) {
    case EdgeCounter::records_out: return f->second.records_out;
    case EdgeCounter::routed: return f->second.routed;
    case EdgeCounter::records_in: return f->second.records_in;
  }
  return std::nullopt;
}

}  // namespace

std::optional<RunFigures> read_run_figures(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = "cannot read '" + path + "'";
    return std::nullopt;
  }
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = "'" + path + "' is not JSON";
    return std::nullopt;
  }
  if (!doc.is_object() || !doc.contains("nodes") || !doc["nodes"].is_array()) {
    error = "'" + path + "' is not a file written by `graph-runner run --metrics-json` (no \"nodes\" list)";
    return std::nullopt;
  }
  try {
    RunFigures r;
    r.status = doc.value("status", "");
    r.wall_seconds = doc.value("wall_seconds", 0.0);
    r.records_produced = doc.value("records_produced", std::uint64_t{0});
    for (const auto& n : doc["nodes"]) {
      NodeFigures f;
      f.records_in = n.value("records_in", std::uint64_t{0});
      f.records_out = n.value("records_out", std::uint64_t{0});
      f.routed = n.value("routed", std::uint64_t{0});
      f.errors = n.value("errors", std::uint64_t{0});
      f.busy_seconds = n.value("busy_seconds", 0.0);
      if (n.contains("busy_percent") && n["busy_percent"].is_number()) f.busy_percent = n["busy_percent"].get<double>();
      r.nodes[n.at("name").get<std::string>()] = f;
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    error = "'" + path + "': unexpected content: " + e.what();
    return std::nullopt;
  }
}

std::optional<EdgeCounter> edge_counter(const engine::CheckedGraph& g, const engine::CheckedEdge& e) {
  const auto& from = g.nodes[e.from];
  if (from.ports[e.port] == "errors") return EdgeCounter{e.from, EdgeCounter::routed};
  const auto data_ports = std::count_if(from.ports.begin(), from.ports.end(), [](const std::string& p) { return p != "errors"; });
  if (data_ports == 1) return EdgeCounter{e.from, EdgeCounter::records_out};
  const auto inputs = std::count_if(g.edges.begin(), g.edges.end(), [&](const engine::CheckedEdge& x) { return x.to == e.to; });
  if (inputs == 1) return EdgeCounter{e.to, EdgeCounter::records_in};
  return std::nullopt;
}

namespace {
std::size_t file_index(const engine::CheckedGraph& g, std::size_t node) {
  return static_cast<std::size_t>(g.nodes[node].spec - g.spec.nodes.data());
}
}  // namespace

std::vector<engine::CheckedEdge> edges_in_drawing_order(const engine::CheckedGraph& g) {
  std::vector<engine::CheckedEdge> edges = g.edges;  // already in `inputs` order per consumer
  std::stable_sort(edges.begin(), edges.end(),
                   [&](const auto& a, const auto& b) { return file_index(g, a.to) < file_index(g, b.to); });
  return edges;
}

std::string graph_to_dot(const engine::CheckedGraph& g, const RunFigures* figures) {
  // CheckedGraph::nodes is in topological order; the picture follows the file.
  std::vector<std::size_t> nodes(g.nodes.size());
  std::iota(nodes.begin(), nodes.end(), std::size_t{0});
  std::sort(nodes.begin(), nodes.end(), [&](std::size_t a, std::size_t b) { return file_index(g, a) < file_index(g, b); });
  const std::vector<engine::CheckedEdge> edges = edges_in_drawing_order(g);

  std::vector<std::optional<std::uint64_t>> passed(edges.size());
  std::uint64_t most = 0;
  if (figures)
    for (std::size_t i = 0; i < edges.size(); ++i)
      if ((passed[i] = edge_records(g, edges[i], *figures))) most = std::max(most, *passed[i]);

  std::ostringstream out;
  const std::string name = g.spec.graph.name.empty() ? std::filesystem::path(g.spec.file).stem().string() : g.spec.graph.name;
  std::string title = name;
  if (figures)
    title += "\n" + figures->status + ": " + grouped(figures->records_produced) + " records in " +
             fixed(figures->wall_seconds, 3) + " s";
  out << "digraph " << dot_string(name) << " {\n"
      << "  rankdir=LR;\n"
      << "  label=" << dot_string(title) << ";\n"
      << "  labelloc=t;\n"
      << "  fontname=\"Helvetica\";\n"
      << "  node [fontname=\"Helvetica\", fontsize=11];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#404040\"];\n";
  for (std::size_t i : nodes)
    out << "  " << dot_string(g.nodes[i].spec->name) << " [label=" << dot_string(node_label(g.nodes[i], figures)) << ", "
        << node_style(g.nodes[i].spec->kind) << "];\n";
  for (std::size_t i = 0; i < edges.size(); ++i) {
    const auto& e = edges[i];
    const std::string& port = g.nodes[e.from].ports[e.port];
    std::vector<std::string> attrs;
    std::string label = port == "out" ? "" : port;
    if (passed[i]) label += (label.empty() ? "" : "\n") + grouped(*passed[i]) + " records";
    if (!label.empty()) attrs.push_back("label=" + dot_string(label));
    if (port == "errors") attrs.push_back("style=dashed, color=\"#b91c1c\", fontcolor=\"#b91c1c\"");
    if (passed[i] && most > 0) {
      // Thicker where more records flowed (log scale: 1 to 4 points).
      const double width = 1.0 + 3.0 * std::log1p(static_cast<double>(*passed[i])) / std::log1p(static_cast<double>(most));
      attrs.push_back("penwidth=" + fixed(width, 1));
    }
    out << "  " << dot_string(g.nodes[e.from].spec->name) << " -> " << dot_string(g.nodes[e.to].spec->name);
    for (std::size_t a = 0; a < attrs.size(); ++a) out << (a ? ", " : " [") << attrs[a];
    out << (attrs.empty() ? "" : "]") << ";\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace graph_runner::cli
