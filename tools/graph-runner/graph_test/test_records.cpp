#include "graph_test/test_records.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "parse/toml_reader.hpp"

namespace graph_runner::cli::graph_test {

using nlohmann::json;
using nlohmann::ordered_json;

std::optional<ordered_json> toml_to_json(const toml::node& node, const std::string& file, engine::Diagnostics& diags) {
  using engine::parse_detail::in_file_order;
  using engine::parse_detail::position;
  if (const auto* t = node.as_table()) {
    ordered_json out = ordered_json::object();
    for (const auto& [key, value] : in_file_order(*t)) {
      auto v = toml_to_json(*value, file, diags);
      if (!v) return std::nullopt;
      out[std::string(key->str())] = std::move(*v);
    }
    return out;
  }
  if (const auto* a = node.as_array()) {
    ordered_json out = ordered_json::array();
    for (const auto& item : *a) {
      auto v = toml_to_json(item, file, diags);
      if (!v) return std::nullopt;
      out.push_back(std::move(*v));
    }
    return out;
  }
  if (const auto* s = node.as_string()) return ordered_json(s->get());
  if (const auto* i = node.as_integer()) return ordered_json(i->get());
  if (const auto* b = node.as_boolean()) return ordered_json(b->get());
  if (const auto* f = node.as_floating_point()) {
    if (!std::isfinite(f->get())) {
      diags.error(position(node, file), "a record value must be finite: JSON has no nan or inf");
      return std::nullopt;
    }
    return ordered_json(f->get());
  }
  // Dates and times: their TOML text, as a string (records have no date type).
  std::ostringstream text;
  node.visit([&text](const auto& v) {
    if constexpr (toml::is_date<decltype(v)> || toml::is_time<decltype(v)> || toml::is_date_time<decltype(v)>) text << v;
  });
  return ordered_json(text.str());
}

std::optional<ordered_json> parse_record_line(const std::string& line, engine::SourcePos pos,
                                              engine::Diagnostics& diags) {
  try {
    ordered_json record = ordered_json::parse(line);
    if (record.is_object()) return record;
    diags.error(std::move(pos), "a record must be a JSON object, got " + std::string(record.type_name()));
  } catch (const json::parse_error& e) {
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at ...": the part after "] "
    diags.error(std::move(pos), "not a JSON record: " + what.substr(what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2));
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> read_record_file(const std::string& path, const engine::SourcePos& at,
                                                         engine::Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(at, "cannot read '" + path + "': " + std::strerror(errno));
    return std::nullopt;
  }
  std::vector<std::string> lines;
  bool ok = true;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (parse_record_line(line, engine::SourcePos{path, number, 1}, diags)) lines.push_back(line);
    else ok = false;
  }
  if (!ok) return std::nullopt;
  return lines;
}

namespace {
void flatten_into(const json& value, const std::string& prefix, std::vector<std::pair<std::string, json>>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, item] : value.items()) flatten_into(item, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  out.emplace_back(prefix, value);
}
}  // namespace

std::vector<std::pair<std::string, json>> flatten(const json& record) {
  std::vector<std::pair<std::string, json>> out;
  flatten_into(record, "", out);
  return out;
}

std::string field_diff(const json& expected, const json& got, const std::string& indent) {
  const auto want = flatten(expected), have = flatten(got);
  std::map<std::string, const json*> have_by_path, want_by_path;
  for (const auto& [path, value] : have) have_by_path[path] = &value;
  for (const auto& [path, value] : want) want_by_path[path] = &value;
  std::string out;
  for (const auto& [path, value] : want) {
    auto it = have_by_path.find(path);
    if (it == have_by_path.end()) out += indent + path + ": expected " + value.dump() + ", got nothing\n";
    else if (*it->second != value)
      out += indent + path + ": expected " + value.dump() + ", got " + it->second->dump() + "\n";
  }
  for (const auto& [path, value] : have)
    if (!want_by_path.count(path)) out += indent + path + ": expected nothing, got " + value.dump() + "\n";
  return out;
}

std::size_t shared_fields(const json& a, const json& b) {
  std::map<std::string, json> in_b;
  for (auto& [path, value] : flatten(b)) in_b.emplace(std::move(path), std::move(value));
  std::size_t n = 0;
  for (const auto& [path, value] : flatten(a)) {
    auto it = in_b.find(path);
    if (it != in_b.end() && it->second == value) ++n;
  }
  return n;
}

}  // namespace graph_runner::cli::graph_test
