// `graph-runner validate GRAPH [--instantiate]`: everything `run` checks before it starts.
// Plain validate runs no plugin code beyond the registrations that describe the plugins;
// --instantiate also constructs every node (engine::instantiate_graph), as `run` would.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "log_output.hpp"
#include "run/instantiate_graph.hpp"

namespace graph_runner::cli {
namespace {

struct ValidateArgs {
  GraphArgs graph;
  bool instantiate = false;
  LogArgs log;  // what plugins say while --instantiate constructs them
};

int validate(const ValidateArgs& args) {
  engine::PluginRegistry registry;
  auto graph = load_checked_graph(args.graph, registry);
  if (!graph) return exit_bad_graph;
  if (args.instantiate) {
    LogOutput log(args.log, [](const std::string& line) { std::cerr << line << '\n'; });
    engine::RunOptions options;
    options.log = [&log](const engine::LogEvent& event) { log.log(event); };
    options.log_level = log.engine_level();
    engine::Diagnostics diags = engine::instantiate_graph(*graph, options);
    if (!diags.empty()) return print_errors(diags);
    std::cout << args.graph.graph << ": ok (" << graph->nodes.size() << " nodes, all instantiated)\n";
    return exit_ok;
  }
  std::cout << args.graph.graph << ": ok (" << graph->nodes.size() << " nodes)\n";
  return exit_ok;
}

}  // namespace

Subcommand add_validate_command(CLI::App& parent) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* app = parent.add_subcommand(
      "validate", "Check a graph file (syntax, plugins, parameters, edges) without running it");
  add_graph_args(*app, args->graph);
  app->add_flag("--instantiate", args->instantiate,
                "Also construct every plugin with its parameters (compiles expressions, opens input files; "
                "sinks are not opened)");
  add_log_options(*app, args->log);
  app->footer(
      "Prints \"GRAPH: ok (N nodes)\" and exits 0, or lists every error as FILE:LINE:COL and exits 2.\n\n"
      "Examples:\n"
      "  graph-runner validate graphs/quickstart.toml\n"
      "  graph-runner validate --instantiate graphs/csv-to-jsonl.toml\n"
      "  graph-runner validate big.toml --set stages.valid.where='value > 0'");
  return {app, [args] { return validate(*args); }};
}

}  // namespace graph_runner::cli
