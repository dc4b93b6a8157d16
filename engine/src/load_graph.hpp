#pragma once
// parse -> registry -> validate in one call, with the plugin search order of
// docs/architecture.md#plugins-and-the-registry: --plugin-path folders, the graph's plugin_path, GRAPH_RUNNER_PLUGIN_PATH, the
// built-in folder.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "diagnostics.hpp"
#include "parse/parse_graph.hpp"
#include "registry/plugin_registry.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

struct LoadOptions {
  std::vector<Override> overrides;                      // --set
  std::vector<std::filesystem::path> plugin_dirs;       // --plugin-path
};

// nullptr when the graph has errors (all of them in `diags`).
std::unique_ptr<CheckedGraph> load_graph(const std::string& path, const LoadOptions& options,
                                         PluginRegistry& registry, Diagnostics& diags);

}  // namespace graph_runner::engine
