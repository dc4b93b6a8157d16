#include "validate/check_params.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace graph_runner::engine::validate_detail {
namespace {

ParamType type_of(const ParamValue& v) {
  switch (v.index()) {
    case 0: return ParamType::boolean;
    case 1: return ParamType::integer;
    case 2: return ParamType::number;
    case 3: return ParamType::string;
    case 4: return ParamType::string_list;
    default: return ParamType::string_map;
  }
}

// 0 -> "0", 2.5 -> "2.5": limits are doubles in the schema but usually whole numbers.
std::string format_number(double d) {
  if (std::floor(d) == d && std::abs(d) < 1e15) return std::to_string(static_cast<std::int64_t>(d));
  std::ostringstream out;
  out << d;
  return out.str();
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

class ParamChecker {
 public:
  ParamChecker(const NodeSpec& node, const PluginDescriptor& plugin, Diagnostics& diags)
      : node_(node), plugin_(plugin), diags_(diags) {}

  Params run() {
    std::map<std::string, ParamValue, std::less<>> values;
    for (const auto& [name, value] : node_.params) {
      const ParamSpec* spec = find_spec(name);
      if (!spec) {
        unknown(name);
        continue;
      }
      if (auto checked = check(*spec, value)) values.emplace(name, std::move(*checked));
    }
    for (const auto& spec : plugin_.params) {
      if (node_.params.count(spec.name)) continue;
      if (spec.default_value) {
        values.emplace(spec.name, *spec.default_value);
      } else if (spec.required) {
        diags_.error(node_.pos, "missing required parameter '" + spec.name + "' of plugin '" + plugin_.name + "'",
                     spec.name + " (" + std::string(param_type_name(spec.type)) + "): " + spec.doc);
      }
    }
    return Params(std::move(values));
  }

 private:
  const ParamSpec* find_spec(const std::string& name) const {
    for (const auto& p : plugin_.params)
      if (p.name == name) return &p;
    return nullptr;
  }

  SourcePos pos_of(const std::string& name) const {
    auto it = node_.param_pos.find(name);
    return it != node_.param_pos.end() ? it->second : node_.pos;
  }

  void unknown(const std::string& name) {
    std::vector<std::string> names;
    for (const auto& p : plugin_.params) names.push_back(p.name);
    std::string hint = did_you_mean(name, names);
    if (hint.empty())
      hint = names.empty() ? "plugin '" + plugin_.name + "' takes no parameters"
                           : "parameters of plugin '" + plugin_.name + "': " + join(names);
    diags_.error(pos_of(name), "unknown parameter '" + name + "' for plugin '" + plugin_.name + "'", hint);
  }

  std::optional<ParamValue> check(const ParamSpec& spec, const ParamValue& value) {
    const SourcePos pos = pos_of(spec.name);
    const std::string what = "parameter '" + spec.name + "'";
    ParamValue v = value;
    if (spec.type == ParamType::number && type_of(v) == ParamType::integer)
      v = static_cast<double>(std::get<std::int64_t>(v));
    if (type_of(v) != spec.type) {
      diags_.error(pos, what + ": expected " + std::string(param_type_name(spec.type)) + ", got " +
                            std::string(param_type_name(type_of(value))));
      return std::nullopt;
    }
    if (spec.type == ParamType::integer || spec.type == ParamType::number) {
      double d = spec.type == ParamType::integer ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
      std::string shown = spec.type == ParamType::integer ? std::to_string(std::get<std::int64_t>(v)) : format_number(d);
      if (spec.min && d < *spec.min) {
        diags_.error(pos, what + " must be >= " + format_number(*spec.min) + ", got " + shown);
        return std::nullopt;
      }
      if (spec.max && d > *spec.max) {
        diags_.error(pos, what + " must be <= " + format_number(*spec.max) + ", got " + shown);
        return std::nullopt;
      }
    }
    if (spec.type == ParamType::string && !spec.choices.empty()) {
      const auto& s = std::get<std::string>(v);
      if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end()) {
        diags_.error(pos, what + " must be one of " + join(spec.choices) + ", got '" + s + "'",
                     did_you_mean(s, spec.choices));
        return std::nullopt;
      }
    }
    return v;
  }

  const NodeSpec& node_;
  const PluginDescriptor& plugin_;
  Diagnostics& diags_;
};

}  // namespace

Params check_params(const NodeSpec& node, const PluginDescriptor& plugin, Diagnostics& diags) {
  return ParamChecker(node, plugin, diags).run();
}

std::vector<std::string> output_ports(const NodeSpec& node, const PluginDescriptor& plugin, const Params& params) {
  std::vector<std::string> ports{"out"};
  auto add = [&](const std::string& p) {
    if (std::find(ports.begin(), ports.end(), p) == ports.end()) ports.push_back(p);
  };
  for (const auto& p : plugin.ports) add(p);
  if (!plugin.ports_from_param.empty())
    if (const auto* v = params.find(plugin.ports_from_param); v && std::holds_alternative<StringMap>(*v))
      for (const auto& [key, value] : std::get<StringMap>(*v)) add(key);
  if (node.on_error == ErrorPolicy::route) add("errors");
  return ports;
}

}  // namespace graph_runner::engine::validate_detail
