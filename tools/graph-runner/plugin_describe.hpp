#pragma once
// The text of `graph-runner plugins describe NAME`, built from the plugin's descriptor
// (the schema is the single source: the CLI and the docs print it, nobody rewrites it).
#include <string>

#include <nlohmann/json.hpp>

#include "graph_runner/params.hpp"
#include "registry/plugin_registry.hpp"

namespace graph_runner::cli {

// A value as a graph file would write it: 1000, 0.5, true, "text", ["a", "b"], { k = "v" }.
std::string format_param_value(const ParamValue& value);

// gst-inspect style: details, concurrency, output ports, then one block per parameter.
// `sdk` is the SDK version the library was built with ("1.0"), empty when unknown.
std::string describe_plugin(const engine::LoadedPlugin& plugin, const std::string& sdk);

// The same facts as JSON (`plugins describe NAME --json`, and one per plugin in
// `plugins --json`): the machine-readable form for scripts and generated documentation.
// Every key is always present (null or [] when it does not apply); see docs/cli.md.
nlohmann::ordered_json describe_plugin_json(const engine::LoadedPlugin& plugin, const std::string& sdk);

}  // namespace graph_runner::cli
