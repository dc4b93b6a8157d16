#include "load_graph.hpp"

namespace graph_runner::engine {

std::unique_ptr<CheckedGraph> load_graph(const std::string& path, const LoadOptions& options,
                                         PluginRegistry& registry, Diagnostics& diags) {
  GraphSpec spec = parse_graph_file(path, options.overrides, diags);
  if (!diags.empty()) return nullptr;
  for (const auto& dir : options.plugin_dirs) registry.add_search_dir(dir);
  for (const auto& dir : spec.graph.plugin_path) registry.add_search_dir(dir);
  for (const auto& dir : default_plugin_dirs()) registry.add_search_dir(dir);
  return validate_graph(std::move(spec), registry, diags);
}

}  // namespace graph_runner::engine
