// The parameter checks of a node against its plugin's schema: used by the engine's validator
// and by the test harness, so the two cannot drift apart.
#include "graph_runner/detail/param_rules.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace graph_runner::detail {
namespace {

// ParamType and ParamValue list the types in the same order.
ParamType type_of(const ParamValue& v) { return static_cast<ParamType>(v.index()); }

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

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

ParamProblem unknown(const PluginDescriptor& plugin, const std::string& name) {
  std::vector<std::string> names;
  for (const auto& p : plugin.params) names.push_back(p.name);
  std::string hint = did_you_mean(name, names);
  if (hint.empty())
    hint = names.empty() ? "plugin '" + plugin.name + "' takes no parameters"
                         : "parameters of plugin '" + plugin.name + "': " + join(names);
  return {name, false, "unknown parameter '" + name + "' for plugin '" + plugin.name + "'", std::move(hint)};
}

// The value as the plugin reads it, or a problem.
std::variant<ParamValue, ParamProblem> check(const ParamSpec& spec, const ParamValue& value) {
  const std::string what = "parameter '" + spec.name + "'";
  auto problem = [&](std::string message, std::string hint = {}) {
    return ParamProblem{spec.name, false, std::move(message), std::move(hint)};
  };
  ParamValue v = value;
  if (spec.type == ParamType::number && type_of(v) == ParamType::integer)
    v = static_cast<double>(std::get<std::int64_t>(v));
  if (type_of(v) != spec.type)
    return problem(what + ": expected " + std::string(param_type_name(spec.type)) + ", got " +
                   std::string(param_type_name(type_of(value))));
  if (spec.type == ParamType::integer || spec.type == ParamType::number) {
    const bool integer = spec.type == ParamType::integer;
    const double d = integer ? static_cast<double>(std::get<std::int64_t>(v)) : std::get<double>(v);
    const std::string shown = integer ? std::to_string(std::get<std::int64_t>(v)) : format_number(d);
    if (spec.min && d < *spec.min) return problem(what + " must be >= " + format_number(*spec.min) + ", got " + shown);
    if (spec.max && d > *spec.max) return problem(what + " must be <= " + format_number(*spec.max) + ", got " + shown);
  }
  if (spec.type == ParamType::string && !spec.choices.empty()) {
    const auto& s = std::get<std::string>(v);
    if (std::find(spec.choices.begin(), spec.choices.end(), s) == spec.choices.end())
      return problem(what + " must be one of " + join(spec.choices) + ", got '" + s + "'",
                     did_you_mean(s, spec.choices));
  }
  return v;
}

}  // namespace

Params check_params(const PluginDescriptor& plugin, const std::map<std::string, ParamValue, std::less<>>& given,
                    std::vector<ParamProblem>& problems) {
  std::map<std::string, ParamValue, std::less<>> values;
  for (const auto& entry : given) {
    const std::string& name = entry.first;  // not a structured binding: clang 14 cannot capture one
    const ParamValue& value = entry.second;
    auto spec = std::find_if(plugin.params.begin(), plugin.params.end(), [&](const ParamSpec& p) { return p.name == name; });
    if (spec == plugin.params.end()) {
      problems.push_back(unknown(plugin, name));
      continue;
    }
    auto checked = check(*spec, value);
    if (auto* p = std::get_if<ParamProblem>(&checked)) problems.push_back(std::move(*p));
    else values.emplace(name, std::move(std::get<ParamValue>(checked)));
  }
  for (const auto& spec : plugin.params) {
    if (given.count(spec.name)) continue;
    if (spec.default_value)
      values.emplace(spec.name, *spec.default_value);
    else if (spec.required)
      problems.push_back({spec.name, true, "missing required parameter '" + spec.name + "' of plugin '" + plugin.name + "'",
                          spec.name + " (" + std::string(param_type_name(spec.type)) + "): " + spec.doc});
  }
  return Params(std::move(values));
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    if (c == word) continue;  // the word itself was refused (e.g. an untrusted plugin): no hint
    const std::size_t length_gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (length_gap >= best_d) continue;  // cannot be close enough: skip the O(n*m) distance
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best.empty() ? std::string{} : "did you mean '" + best + "'?";
}

}  // namespace graph_runner::detail
