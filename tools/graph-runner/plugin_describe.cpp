#include "plugin_describe.hpp"

#include <charconv>
#include <optional>
#include <cmath>
#include <sstream>
#include <variant>

namespace graph_runner::cli {
namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

// Shortest text that reads back as the same double, with ".0" on integral values so a
// number never looks like an integer.
std::string number(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc{} ? end : buf);
  if (std::isfinite(d) && s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

// Range bounds are stored as doubles; an integer parameter shows them as integers.
std::string bound(double d, ParamType type) {
  if (type == ParamType::integer && std::isfinite(d) && d == std::floor(d)) {
    std::ostringstream out;
    out << static_cast<long long>(d);
    return out.str();
  }
  return number(d);
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string param_line(const ParamSpec& p) {
  std::string line(param_type_name(p.type));
  if (p.required) line += ", required";
  if (p.default_value) line += ", default " + format_param_value(*p.default_value);
  if (p.min && p.max) line += ", range " + bound(*p.min, p.type) + ".." + bound(*p.max, p.type);
  else if (p.min) line += ", range >= " + bound(*p.min, p.type);
  else if (p.max) line += ", range <= " + bound(*p.max, p.type);
  if (!p.choices.empty()) {
    line += ", one of ";
    for (std::size_t i = 0; i < p.choices.size(); ++i) line += (i ? ", " : "") + quoted(p.choices[i]);
  }
  return line;
}

std::string concurrency_text(const PluginDescriptor& d) {
  if (d.kind == NodeKind::source) return "a source is read from one thread at a time";
  if (d.is_single_instance)
    return "single instance: one instance takes every call, serially (concurrency is always 1: it keeps one result "
           "for the whole stream)";
  if (d.is_thread_safe) return "thread-safe: one instance takes concurrent calls (default concurrency: unlimited)";
  return "not thread-safe: `concurrency = N` creates N instances, each called serially (default concurrency: 1)";
}

using Json = nlohmann::ordered_json;

// Identifiers, not the prose of param_type_name: a script switches on them.
const char* json_type_name(ParamType t) {
  switch (t) {
    case ParamType::boolean: return "bool";
    case ParamType::integer: return "int";
    case ParamType::number: return "number";
    case ParamType::string: return "string";
    case ParamType::string_list: return "string_list";
    case ParamType::string_map: return "string_map";
  }
  return "?";
}

Json json_value(const ParamValue& value) {
  struct Visitor {
    Json operator()(bool b) const { return b; }
    Json operator()(std::int64_t i) const { return i; }
    Json operator()(double d) const { return d; }
    Json operator()(const std::string& s) const { return s; }
    Json operator()(const std::vector<std::string>& list) const { return list; }
    Json operator()(const StringMap& map) const {
      Json out = Json::object();
      for (const auto& [k, v] : map) out[k] = v;
      return out;
    }
  };
  return std::visit(Visitor{}, value);
}

// An integer parameter's bounds as integers, a number's as numbers.
Json json_bound(const std::optional<double>& d, ParamType type) {
  if (!d) return nullptr;
  if (type == ParamType::integer && std::isfinite(*d) && *d == std::floor(*d)) return static_cast<std::int64_t>(*d);
  return *d;
}

// The names kept for one release that now mean this plugin (`read_csv` for the source `csv`).
std::vector<std::string> old_names(const PluginDescriptor& d) {
  std::vector<std::string> names;
  for (const auto& old : engine::deprecated_names())
    if (old.kind == d.kind && old.replacement == d.name) names.emplace_back(old.name);
  return names;
}

Json port_json(const std::string& name, const std::string& description) {
  return {{"name", name}, {"description", description}};
}

}  // namespace

std::string format_param_value(const ParamValue& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return number(d); }
    std::string operator()(const std::string& s) const { return quoted(s); }
    std::string operator()(const std::vector<std::string>& list) const {
      std::string out = "[";
      for (std::size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quoted(list[i]);
      return out + "]";
    }
    std::string operator()(const StringMap& map) const {
      if (map.empty()) return "{}";
      std::string out = "{ ";
      for (std::size_t i = 0; i < map.size(); ++i) out += (i ? ", " : "") + map[i].first + " = " + quoted(map[i].second);
      return out + " }";
    }
  };
  return std::visit(Visitor{}, value);
}

std::string describe_plugin(const engine::LoadedPlugin& plugin, const std::string& sdk) {
  const PluginDescriptor& d = plugin.descriptor;
  constexpr std::size_t key_width = 15;
  std::ostringstream out;
  out << d.name << " - " << d.summary << "\n\n";

  out << "Details:\n";
  out << "  " << pad("Kind", key_width) << node_kind_name(d.kind) << '\n';
  for (const auto& old : old_names(d))
    out << "  " << pad("Old name", key_width) << old << " (deprecated: still accepted, with a warning, until the next release)\n";
  out << "  " << pad("Library", key_width) << (plugin.library_path.empty() ? "(built in)" : plugin.library_path.string())
      << '\n';
  if (!sdk.empty()) out << "  " << pad("SDK version", key_width) << sdk << '\n';
  out << "  " << pad("Concurrency", key_width) << concurrency_text(d) << "\n\n";

  out << "Output ports:\n";
  if (d.kind == NodeKind::sink) {
    out << "  (none: a sink has no outputs)\n\n";
  } else {
    if (d.ports_from_param.empty()) out << "  " << pad("out", key_width) << "the default port\n";
    for (const auto& port : d.ports) out << "  " << pad(port, key_width) << "declared by the plugin\n";
    if (!d.ports_from_param.empty())
      out << "  " << pad("(keys)", key_width) << "one port per key of parameter '" << d.ports_from_param << "'\n";
    out << "  " << pad("errors", key_width) << "failed records, with on_error = \"route\"\n\n";
  }

  out << "Parameters:\n";
  if (d.params.empty()) out << "  (none)\n";
  std::size_t name_width = key_width;
  for (const auto& p : d.params) name_width = std::max(name_width, p.name.size() + 2);
  for (const auto& p : d.params) {
    out << "  " << pad(p.name, name_width) << param_line(p) << '\n';
    if (!p.doc.empty()) out << "  " << std::string(name_width, ' ') << p.doc << '\n';
  }
  return out.str();
}

Json describe_plugin_json(const engine::LoadedPlugin& plugin, const std::string& sdk) {
  const PluginDescriptor& d = plugin.descriptor;
  Json ports = Json::array();
  if (d.kind != NodeKind::sink) {
    ports.push_back(port_json("out", "the default port"));
    for (const auto& port : d.ports) ports.push_back(port_json(port, "declared by the plugin"));
    ports.push_back(port_json("errors", "failed records, with on_error = \"route\""));
  }
  Json params = Json::array();
  for (const auto& p : d.params)
    params.push_back({
        {"name", p.name},
        {"type", json_type_name(p.type)},
        {"required", p.required},
        {"default", p.default_value ? json_value(*p.default_value) : Json(nullptr)},
        {"min", json_bound(p.min, p.type)},
        {"max", json_bound(p.max, p.type)},
        {"choices", p.choices},
        {"description", p.doc},
    });
  const bool shared = d.is_thread_safe && !d.is_single_instance && d.kind != NodeKind::source;
  return {
      {"name", d.name},
      {"kind", std::string(node_kind_name(d.kind))},
      {"summary", d.summary},
      {"deprecated_names", old_names(d)},
      {"library", plugin.library_path.empty() ? Json(nullptr) : Json(plugin.library_path.string())},
      {"sdk_version", sdk.empty() ? Json(nullptr) : Json(sdk)},
      {"thread_safe", d.is_thread_safe},
      {"single_instance", d.is_single_instance},
      {"default_concurrency", shared ? Json("unlimited") : Json(1)},
      {"concurrency", concurrency_text(d)},
      {"ports", std::move(ports)},
      {"ports_from_param", d.ports_from_param.empty() ? Json(nullptr) : Json(d.ports_from_param)},
      {"parameters", std::move(params)},
  };
}

}  // namespace graph_runner::cli
