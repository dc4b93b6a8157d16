#include "parse/apply_overrides.hpp"

#include <string_view>

#include "parse/expand_env.hpp"
#include "parse/key_depth.hpp"
#include "parse/toml_reader.hpp"

namespace graph_runner::engine::parse_detail {
namespace {

const std::vector<std::string> top_level_tables = {"graph", "sources", "stages", "sinks"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    parts.emplace_back(trim(path.substr(start, dot == std::string_view::npos ? dot : dot - start)));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// `text` as exactly one TOML value in a table under "v", or nullopt.
std::optional<toml::table> parse_one_value(std::string_view text) {
  const std::string line = "v = " + std::string(text);
  if (check_key_depth(line)) return std::nullopt;  // a deep key would overflow toml++'s stack
  try {
    toml::table parsed = toml::parse(line, command_line_file);
    if (parsed.size() == 1 && parsed.contains("v")) return parsed;
  } catch (const toml::parse_error&) {
    // not TOML
  }
  return std::nullopt;
}

// The value as TOML when the whole text is exactly one TOML value, else as a plain string.
// Parsed values carry the path "<command line>", which is how their positions say so.
// ${...} is expanded before typing (count=${N} with N=3 is the integer 3), but only a number or
// boolean is taken from the expansion: a string keeps its ${...} for the document's expansion,
// which reports errors and never expands a variable's value a second time.
toml::table parse_value(std::string_view text) {
  if (auto parsed = parse_one_value(text)) return std::move(*parsed);
  if (text.find("${") != std::string_view::npos) {
    std::optional<ExpandError> error;
    const std::string expanded = expand_env(text, error);
    if (!error)
      if (auto parsed = parse_one_value(expanded)) {
        const toml::node& v = *parsed->get("v");
        if (v.is_integer() || v.is_floating_point() || v.is_boolean()) return std::move(*parsed);
      }
  }
  toml::table holder;
  holder.insert_or_assign("v", std::string(text));
  return holder;
}

class OverrideApplier {
 public:
  OverrideApplier(toml::table& root, Diagnostics& diags) : root_(root), diags_(diags) {}

  void apply(const std::string& assignment) {
    std::size_t eq = assignment.find('=');
    if (eq == std::string::npos) {
      error("--set: expected PATH=VALUE, got '" + assignment + "'", "e.g. --set stages.valid.concurrency=8");
      return;
    }
    std::vector<std::string> path = split_path(std::string_view(assignment).substr(0, eq));
    if (path.size() > max_key_depth) {  // it would make tables that deep, walked recursively later
      error("--set: path of " + std::to_string(path.size()) + " parts, deeper than " +
            std::to_string(max_key_depth) + " levels");
      return;
    }
    for (const auto& part : path)
      if (part.empty()) {
        error("--set: invalid path '" + std::string(trim(std::string_view(assignment).substr(0, eq))) + "'",
              "e.g. graph.batch_size=64 or sources.readings.count=10");
        return;
      }
    toml::table* target = locate(path);
    if (!target) return;
    toml::table value = parse_value(trim(std::string_view(assignment).substr(eq + 1)));
    target->insert_or_assign(path.back(), std::move(*value.get("v")));  // moved: keeps its source
  }

 private:
  void error(std::string message, std::string hint = {}) {
    diags_.error(SourcePos{std::string(command_line_file), 0, 0}, std::move(message), std::move(hint));
  }

  // The table that receives the last path element, or nullptr after reporting why not.
  toml::table* locate(const std::vector<std::string>& path) {
    const std::string& top = path.front();
    if (top == "graph") {
      if (path.size() != 2) {
        error("--set: graph settings are written graph.KEY, got '" + join(path) + "'");
        return nullptr;
      }
      return child_table(root_, "graph", "graph");
    }
    if (top != "sources" && top != "stages" && top != "sinks") {
      std::string hint = did_you_mean(top, top_level_tables);
      error("--set: unknown table '" + top + "'",
            hint.empty() ? "paths start with graph, sources, stages or sinks" : hint);
      return nullptr;
    }
    if (path.size() < 3) {
      error("--set: expected " + top + ".NODE.KEY, got '" + join(path) + "'");
      return nullptr;
    }
    toml::table* nodes = root_[top].as_table();
    toml::table* node = nodes ? (*nodes)[path[1]].as_table() : nullptr;
    if (!node) {
      std::vector<std::string> names;
      if (nodes)
        for (auto&& [key, value] : *nodes) names.emplace_back(key.str());
      error("--set: no node '" + path[1] + "' in [" + top + "]", did_you_mean(path[1], names));
      return nullptr;
    }
    toml::table* table = node;
    for (std::size_t i = 2; i + 1 < path.size() && table; ++i)
      table = child_table(*table, path[i], join(path, i + 1));
    return table;
  }

  // table[key] as a table, created when missing; nullptr (reported) when it is something else.
  toml::table* child_table(toml::table& table, const std::string& key, const std::string& shown) {
    if (!table.contains(key)) table.insert(key, toml::table{});
    if (auto* t = table[key].as_table()) return t;
    error("--set: '" + shown + "' is a " + std::string(toml_type_name(*table.get(key))) + ", not a table");
    return nullptr;
  }

  static std::string join(const std::vector<std::string>& path, std::size_t count = SIZE_MAX) {
    std::string out;
    for (std::size_t i = 0; i < path.size() && i < count; ++i) out += (i ? "." : "") + path[i];
    return out;
  }

  toml::table& root_;
  Diagnostics& diags_;
};

}  // namespace

void apply_overrides(toml::table& root, const std::vector<Override>& overrides, Diagnostics& diags) {
  OverrideApplier applier(root, diags);
  for (const auto& o : overrides) applier.apply(o.assignment);
}

}  // namespace graph_runner::engine::parse_detail
