// `graph-runner validate GRAPH`: everything `run` checks before it starts, nothing more.
#include <iostream>
#include <memory>

#include "commands.hpp"

namespace graph_runner::cli {

Subcommand add_validate_command(CLI::App& parent) {
  auto args = std::make_shared<GraphArgs>();
  CLI::App* app = parent.add_subcommand(
      "validate", "Check a graph file (syntax, plugins, parameters, edges) without running it");
  add_graph_args(*app, *args);
  app->footer("Prints \"GRAPH: ok (N nodes)\" and exits 0, or lists every error and exits 2.");
  return {app, [args] {
            engine::PluginRegistry registry;
            auto graph = load_checked_graph(*args, registry);
            if (!graph) return static_cast<int>(exit_bad_graph);
            std::cout << args->graph << ": ok (" << graph->nodes.size() << " nodes)\n";
            return static_cast<int>(exit_ok);
          }};
}

}  // namespace graph_runner::cli
