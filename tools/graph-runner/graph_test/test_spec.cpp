// [[tests]] tables -> GraphTest, with every unknown key, missing or conflicting expectation
// and bad record reported at its position.
#include "graph_test/test_spec.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "graph_test/test_records.hpp"
#include "parse/toml_reader.hpp"

namespace graph_runner::cli::graph_test {
namespace {

using engine::SourcePos;
using engine::parse_detail::in_file_order;
using engine::parse_detail::ValueReader;

// Relative paths stay relative (messages show them as the user wrote them).
std::filesystem::path folder_of(const std::string& path) { return std::filesystem::path(path).parent_path(); }

// Reports keys of `table` not in `known`, with a suggestion.
void check_keys(const toml::table& table, const std::vector<std::string>& known, const std::string& what,
                const ValueReader& r) {
  for (const auto& [key, value] : in_file_order(table)) {
    const std::string k(key->str());
    if (std::find(known.begin(), known.end(), k) != known.end()) continue;
    std::string hint = engine::did_you_mean(k, known);
    std::string keys;
    for (const auto& name : known) keys += (keys.empty() ? "" : ", ") + name;
    r.error(r.pos(*key), "unknown key '" + k + "' in " + what, hint.empty() ? "the keys are " + keys : hint);
  }
}

// The array of tables at `table[key]`, each with its position; an error for anything else.
std::vector<const toml::table*> tables_at(const toml::table& table, std::string_view key, std::string_view header,
                                          const ValueReader& r) {
  std::vector<const toml::table*> out;
  const toml::node* node = table.get(key);
  if (!node) return out;
  const auto* array = node->as_array();
  if (!array) {
    r.error(r.pos(*node), "'" + std::string(key) + "' must be an array of tables: write [[" + std::string(header) + "]]");
    return out;
  }
  for (const auto& item : *array) {
    if (const auto* t = item.as_table()) out.push_back(t);
    else r.error(r.pos(item), "each entry of '" + std::string(key) + "' must be a table");
  }
  return out;
}

// `records = [...]` or `lines = [...]` as JSON objects (kept as text for inputs).
std::optional<std::vector<nlohmann::ordered_json>> records_of(const toml::table& t, const ValueReader& r,
                                                               engine::Diagnostics& diags) {
  std::vector<nlohmann::ordered_json> out;
  bool ok = true;
  if (const toml::node* records = t.get("records")) {
    const auto* array = records->as_array();
    if (!array) {
      r.error(r.pos(*records), "'records' must be an array of tables: records = [ { value = 1 } ]");
      return std::nullopt;
    }
    for (const auto& item : *array) {
      if (!item.is_table()) {
        r.error(r.pos(item), "a record must be a table, like { value = 1 }, got " +
                                 std::string(engine::parse_detail::toml_type_name(item)));
        ok = false;
      } else if (auto j = toml_to_json(item, r.file(), diags)) out.push_back(std::move(*j));
      else ok = false;
    }
  }
  if (const toml::node* lines = t.get("lines")) {
    auto list = r.string_list(*lines, "lines");
    if (!list) return std::nullopt;
    for (const auto& [line, pos] : *list) {
      if (auto j = parse_record_line(line, pos, diags)) out.push_back(std::move(*j));
      else ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

// At most one of `keys` may be present in `t`; reports the second one.
void at_most_one(const toml::table& t, const std::vector<std::string>& keys, const std::string& what,
                 const ValueReader& r) {
  const toml::node* first = nullptr;
  std::string first_key;
  for (const auto& [key, value] : in_file_order(t)) {
    const std::string k(key->str());
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) continue;
    if (!first) {
      first = value;
      first_key = k;
      continue;
    }
    r.error(r.pos(*key), "'" + k + "' and '" + first_key + "' in one " + what, "give one expectation per table");
  }
}

std::optional<std::pair<std::string, SourcePos>> node_name(const toml::table& t, const std::string& what,
                                                          const ValueReader& r) {
  const toml::node* node = t.get("node");
  if (!node) {
    r.error(r.pos(t), what + " needs `node = \"NAME\"`");
    return std::nullopt;
  }
  auto name = r.string(*node, "node");
  if (!name) return std::nullopt;
  return std::make_pair(*name, r.pos(*node));
}

std::optional<TestInput> read_input(const toml::table& t, const std::string& test_file, const ValueReader& r,
                                    engine::Diagnostics& diags) {
  check_keys(t, {"node", "records", "lines", "file"}, "[[tests.inputs]]", r);
  at_most_one(t, {"records", "lines", "file"}, "[[tests.inputs]] table", r);
  auto node = node_name(t, "[[tests.inputs]]", r);
  TestInput in;
  in.pos = r.pos(t);
  if (node) std::tie(in.node, in.node_pos) = *node;
  if (const toml::node* file = t.get("file")) {
    auto path = r.string(*file, "file");
    if (!path) return std::nullopt;
    std::filesystem::path p(*path);
    if (p.is_relative()) p = folder_of(test_file) / p;
    auto lines = read_record_file(p.lexically_normal().string(), r.pos(*file), diags);
    if (!lines) return std::nullopt;
    in.lines = std::move(*lines);
  } else if (t.get("records") || t.get("lines")) {
    auto records = records_of(t, r, diags);
    if (!records) return std::nullopt;
    for (const auto& record : *records) in.lines.push_back(record.dump());
  } else {
    r.error(in.pos, "[[tests.inputs]] needs records = [...], lines = [...] or file = \"PATH\"");
    return std::nullopt;
  }
  if (!node) return std::nullopt;
  if (in.node.find('.') != std::string::npos) {
    r.error(in.node_pos, "inject at a node, not a port: '" + in.node + "'",
            "records go into the stage named here (replacing its inputs), or replace the source named here");
    return std::nullopt;
  }
  return in;
}

std::optional<TestOutput> read_output(const toml::table& t, const ValueReader& r, engine::Diagnostics& diags) {
  check_keys(t, {"node", "records", "lines", "ordered", "count", "conditions", "none"}, "[[tests.outputs]]", r);
  at_most_one(t, {"records", "lines", "count", "none"}, "[[tests.outputs]] table", r);
  at_most_one(t, {"none", "conditions"}, "[[tests.outputs]] table", r);
  TestOutput out;
  out.pos = r.pos(t);
  auto node = node_name(t, "[[tests.outputs]]", r);
  bool ok = node.has_value();
  if (node) {
    out.node_pos = node->second;
    const std::string& name = node->first;
    const auto dot = name.find('.');
    out.node = name.substr(0, dot);
    if (dot != std::string::npos) out.port = name.substr(dot + 1);
  }
  if (t.get("records") || t.get("lines")) {
    if (auto records = records_of(t, r, diags)) {
      out.records.emplace();
      for (auto& record : *records) out.records->push_back(nlohmann::json::parse(record.dump()));
    } else ok = false;
  }
  if (const toml::node* v = t.get("ordered")) {
    if (auto b = r.boolean(*v, "ordered")) out.ordered = *b;
    if (!out.records) r.error(r.pos(*v), "'ordered' goes with records = [...] or lines = [...]");
  }
  if (const toml::node* v = t.get("count")) {
    if (auto n = r.integer(*v, "count", 0)) out.count = *n;
    else ok = false;
  }
  if (const toml::node* v = t.get("conditions")) {
    if (auto list = r.string_list(*v, "conditions")) out.conditions = std::move(*list);
    else ok = false;
  }
  if (const toml::node* v = t.get("none")) {
    auto b = r.boolean(*v, "none");
    if (b && !*b) r.error(r.pos(*v), "write none = true, or leave it out");
    out.none = b.value_or(false);
  }
  if (!out.records && !out.count && out.conditions.empty() && !out.none) {
    r.error(out.pos, "[[tests.outputs]] needs an expectation: records, lines, count, conditions or none = true");
    ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

GraphTest read_test(const toml::table& t, const std::string& test_file, const ValueReader& r,
                    engine::Diagnostics& diags) {
  check_keys(t, {"name", "inputs", "outputs"}, "[[tests]]", r);
  GraphTest test;
  test.pos = r.pos(t);
  if (const toml::node* name = t.get("name")) test.name = r.string(*name, "name").value_or("");
  else r.error(test.pos, "a test needs `name = \"...\"`");
  for (const toml::table* in : tables_at(t, "inputs", "tests.inputs", r))
    if (auto input = read_input(*in, test_file, r, diags)) test.inputs.push_back(std::move(*input));
  for (const toml::table* out : tables_at(t, "outputs", "tests.outputs", r))
    if (auto output = read_output(*out, r, diags)) test.outputs.push_back(std::move(*output));
  if (!t.get("inputs")) r.error(test.pos, "test '" + test.name + "' has no [[tests.inputs]]");
  if (!t.get("outputs")) r.error(test.pos, "test '" + test.name + "' has no [[tests.outputs]]");
  return test;
}

}  // namespace

TestFile read_test_file(const std::string& path, engine::Diagnostics& diags) {
  TestFile file;
  file.path = file.graph_path = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(SourcePos{path, 0, 0}, std::string("cannot read the test file: ") + std::strerror(errno));
    return file;
  }
  std::ostringstream text;
  text << in.rdbuf();
  toml::table root;
  try {
    root = toml::parse(text.str(), std::string_view(path));
  } catch (const toml::parse_error& e) {
    diags.error(SourcePos{path, static_cast<int>(e.source().begin.line), static_cast<int>(e.source().begin.column)},
                std::string(e.description()));
    return file;
  }
  ValueReader r(file.path, diags);
  // A test file names its graph; a graph file carries its own tests.
  if (const toml::node* graph = root.get("graph"); graph && !graph->is_table()) {
    check_keys(root, {"graph", "tests"}, "a test file", r);
    if (auto g = r.string(*graph, "graph")) {
      std::filesystem::path p(*g);
      if (p.is_relative()) p = folder_of(path) / p;
      file.graph_path = p.lexically_normal().string();
    }
  }
  const toml::node* tests = root.get("tests");
  if (!tests) {
    diags.error(SourcePos{path, 1, 1}, "no tests here",
                "write [[tests]] tables in the graph file, or a test file with graph = \"GRAPH.toml\" and [[tests]]");
    return file;
  }
  for (const toml::table* t : tables_at(root, "tests", "tests", r)) file.tests.push_back(read_test(*t, path, r, diags));
  return file;
}

}  // namespace graph_runner::cli::graph_test
