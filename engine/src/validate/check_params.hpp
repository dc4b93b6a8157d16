#pragma once
// Private to validate/: a node's parameters against its plugin's declared schema.
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "graph_runner/params.hpp"
#include "graph_runner/plugin.hpp"
#include "parse/graph_spec.hpp"

namespace graph_runner::engine::validate_detail {

// Checks every parameter of `node` (known, right type, in range, an allowed choice) and that
// every required one is given; returns the values with defaults filled in. An int given for a
// number parameter becomes a double, so plugins read it with either getter.
Params check_params(const NodeSpec& node, const PluginDescriptor& plugin, Diagnostics& diags);

// The node's output ports, in port-index order: "out", the plugin's declared ports, the keys
// of the string_map parameter named by ports_from_param, then "errors" when on_error = route.
std::vector<std::string> output_ports(const NodeSpec& node, const PluginDescriptor& plugin, const Params& params);

}  // namespace graph_runner::engine::validate_detail
