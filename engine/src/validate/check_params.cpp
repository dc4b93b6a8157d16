#include "validate/check_params.hpp"

#include <algorithm>

#include "graph_runner/detail/param_rules.hpp"

namespace graph_runner::engine::validate_detail {

// The checks themselves are the SDK's (the test harness makes the same); here they get positions.
Params check_params(const NodeSpec& node, const PluginDescriptor& plugin, Diagnostics& diags) {
  std::vector<graph_runner::detail::ParamProblem> problems;
  Params params = graph_runner::detail::check_params(plugin, {node.params.begin(), node.params.end()}, problems);
  for (auto& p : problems) {
    auto at = node.param_pos.find(p.param);
    diags.error(p.missing || at == node.param_pos.end() ? node.pos : at->second, std::move(p.message),
                std::move(p.hint));
  }
  return params;
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
