#include "parse/toml_reader.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace graph_runner::engine::parse_detail {

SourcePos position(const toml::source_region& region, const std::string& file) {
  if (!region.path || *region.path != file || region.begin.line == 0)
    return SourcePos{std::string(command_line_file), 0, 0};
  return SourcePos{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

std::string_view toml_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table) {
  std::vector<std::pair<const toml::key*, const toml::node*>> entries;
  for (auto&& [key, value] : table) entries.emplace_back(&key, &value);
  // Keys carry their own position even when the value was replaced by --set.
  auto order = [](const toml::key* k) {
    const auto& b = k->source().begin;
    return std::make_tuple(b.line == 0, b.line, b.column);
  };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const auto& a, const auto& b) { return order(a.first) < order(b.first); });
  return entries;
}

void ValueReader::type_error(const toml::node& v, std::string_view key, std::string_view expected) const {
  error(pos(v), "'" + std::string(key) + "' must be " + std::string(expected) + ", got " +
                    std::string(toml_type_name(v)));
}

std::optional<std::int64_t> ValueReader::integer(const toml::node& v, std::string_view key, std::int64_t min) const {
  const auto* i = v.as_integer();
  if (!i) {
    type_error(v, key, "an integer");
    return std::nullopt;
  }
  if (i->get() < min) {
    error(pos(v), "'" + std::string(key) + "' must be >= " + std::to_string(min) + ", got " + std::to_string(i->get()));
    return std::nullopt;
  }
  return i->get();
}

std::optional<double> ValueReader::number(const toml::node& v, std::string_view key, double min) const {
  std::optional<double> d;
  if (const auto* i = v.as_integer()) d = static_cast<double>(i->get());
  if (const auto* f = v.as_floating_point()) d = f->get();
  if (!d) {
    type_error(v, key, "a number");
    return std::nullopt;
  }
  if (!std::isfinite(*d)) {  // inf/nan would overflow the durations made from it
    error(pos(v), "'" + std::string(key) + "' must be a finite number");
    return std::nullopt;
  }
  if (*d < min) {
    error(pos(v), "'" + std::string(key) + "' must be >= " + std::to_string(static_cast<std::int64_t>(min)));
    return std::nullopt;
  }
  return d;
}

std::optional<bool> ValueReader::boolean(const toml::node& v, std::string_view key) const {
  if (const auto* b = v.as_boolean()) return b->get();
  type_error(v, key, "true or false");
  return std::nullopt;
}

std::optional<std::string> ValueReader::string(const toml::node& v, std::string_view key) const {
  if (const auto* s = v.as_string()) return s->get();
  type_error(v, key, "a string");
  return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, SourcePos>>> ValueReader::string_list(const toml::node& v,
                                                                                        std::string_view key) const {
  const auto* array = v.as_array();
  if (!array) {
    type_error(v, key, "a list of strings");
    return std::nullopt;
  }
  std::vector<std::pair<std::string, SourcePos>> out;
  bool ok = true;
  for (const auto& item : *array) {
    if (const auto* s = item.as_string()) {
      out.emplace_back(s->get(), pos(item));
    } else {
      error(pos(item), "'" + std::string(key) + "' must be a list of strings, but this is " +
                           std::string(toml_type_name(item)));
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace graph_runner::engine::parse_detail
