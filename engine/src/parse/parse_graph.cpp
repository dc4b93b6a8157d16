// Graph file -> GraphSpec, in four passes over one toml::table:
//   toml++ parse -> --set overrides -> ${VAR} expansion -> conversion (with type checks).
// Overrides and expansion work on the parsed document, never on the text, so neither a
// command-line value nor an environment variable can change the TOML structure.
#include "parse/parse_graph.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "parse/apply_overrides.hpp"
#include "parse/convert.hpp"
#include "parse/expand_env.hpp"
#include "parse/key_depth.hpp"
#include "parse/toml_reader.hpp"

namespace graph_runner::engine {
namespace {

using namespace parse_detail;

const std::vector<std::string> top_level_tables = {"graph", "sources", "stages", "sinks", "tests"};

struct NodeTable {
  NodeKind kind;
  const toml::key* name;
  const toml::table* table;
};

std::optional<NodeKind> kind_of_table(const std::string& key) {
  if (key == "sources") return NodeKind::source;
  if (key == "stages") return NodeKind::stage;
  if (key == "sinks") return NodeKind::sink;
  return std::nullopt;
}

// Collects the node tables of [sources], [stages] and [sinks], reporting anything else.
std::vector<NodeTable> node_tables(const toml::table& root, const ValueReader& r) {
  std::vector<NodeTable> nodes;
  for (const auto& [key, value] : in_file_order(root)) {
    const std::string k(key->str());
    if (k == "graph") {
      if (!value->is_table()) r.error(r.pos(*key), "'graph' must be a table: write [graph]");
      continue;
    }
    if (k == "tests") continue;  // [[tests]]: read by `graph-runner test` (tools/graph-runner/graph_test/)
    auto kind = kind_of_table(k);
    if (!kind) {
      std::string hint = did_you_mean(k, top_level_tables);
      r.error(r.pos(*key), (value->is_table() ? "unknown table '" : "unknown top-level key '") + k + "'",
              hint.empty() ? "a graph file has [graph], [sources.NAME], [stages.NAME], [sinks.NAME] and [[tests]] tables"
                           : hint);
      continue;
    }
    const auto* group = value->as_table();
    if (!group) {
      r.error(r.pos(*key), "'" + k + "' must hold node tables: write [" + k + ".NAME]");
      continue;
    }
    for (const auto& [name, node] : in_file_order(*group)) {
      if (const auto* t = node->as_table()) nodes.push_back({*kind, name, t});
      else {
        const std::string full = k + "." + std::string(name->str());
        r.error(r.pos(*name), "'" + full + "' must be a table: write [" + full + "]");
      }
    }
  }
  // File order across kinds: a [stages.x] may come before a [sources.y].
  auto order = [](const NodeTable& n) {
    const auto& b = n.table->source().begin;
    return std::make_tuple(b.line == 0, b.line, b.column);
  };
  std::stable_sort(nodes.begin(), nodes.end(),
                   [&](const NodeTable& a, const NodeTable& b) { return order(a) < order(b); });
  return nodes;
}

std::filesystem::path folder_of(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(std::filesystem::path(path), ec);
  return ec ? std::filesystem::path(path).parent_path() : absolute.parent_path();
}

}  // namespace

GraphSpec parse_graph_text(std::string_view text, const std::string& path, const std::vector<Override>& overrides,
                           Diagnostics& diags) {
  GraphSpec spec;
  spec.file = path;
  toml::table root;
  if (auto deep = check_key_depth(text)) {  // before toml++, whose tables nest without a cap
    diags.error(SourcePos{path, deep->line, deep->column}, std::move(deep->message),
                "a header or dotted key may have at most " + std::to_string(max_key_depth) + " parts");
    return spec;
  }
  try {
    root = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    diags.error(SourcePos{path, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)},
                std::string(e.description()));
    return spec;
  }
  apply_overrides(root, overrides, diags);
  // ${GRAPH_DIR}: the graph file's folder, so a graph names its data relative to itself.
  expand_env_in_document(root, path, diags, {{"GRAPH_DIR", folder_of(path).string()}});

  ValueReader reader(spec.file, diags);
  if (const auto* graph = root["graph"].as_table()) spec.graph = convert_settings(*graph, folder_of(path), reader);
  for (const auto& n : node_tables(root, reader)) spec.nodes.push_back(convert_node(n.kind, *n.name, *n.table, reader));
  return spec;
}

GraphSpec parse_graph_file(const std::string& path, const std::vector<Override>& overrides, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(SourcePos{path, 0, 0}, std::string("cannot read the graph file: ") + std::strerror(errno));
    GraphSpec spec;
    spec.file = path;
    return spec;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_graph_text(text.str(), path, overrides, diags);
}

}  // namespace graph_runner::engine
