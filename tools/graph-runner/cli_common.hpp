#pragma once
// What the subcommands share: exit codes (docs/cli.md#exit-codes), the options every
// graph-reading command takes, and how graph errors are printed.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "diagnostics.hpp"
#include "load_graph.hpp"

namespace graph_runner::cli {

// Exit codes: the contract scripts rely on. 124 follows timeout(1); 128+N is the shell's
// convention for "killed by signal N".
enum ExitCode : int {
  exit_ok = 0,
  exit_run_failed = 1,
  exit_bad_graph = 2,  // also bad usage
  exit_timeout = 124,
  exit_signal_base = 128,
};

// A registered subcommand and what to do when the command line chose it.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> action;
};

// GRAPH, --set and --plugin-path: what `run` and `validate` share.
struct GraphArgs {
  std::string graph;
  std::vector<std::string> sets;
  std::vector<std::string> plugin_dirs;
};

void add_graph_args(CLI::App& app, GraphArgs& args);
void add_plugin_path_option(CLI::App& app, std::vector<std::string>& dirs);

// Option checks with messages a person can read (CLI11's NonNegativeNumber prints the range
// up to DBL_MAX in full).
extern const CLI::Validator non_negative_integer;
extern const CLI::Validator non_negative_seconds;

// Parses, resolves and validates the graph. On errors prints them (see print_errors)
// and returns nullptr.
std::unique_ptr<engine::CheckedGraph> load_checked_graph(const GraphArgs& args, engine::PluginRegistry& registry);

// Diagnostics::format() then "N error(s)" on stderr; returns exit_bad_graph.
int print_errors(const engine::Diagnostics& diags);
// The same for errors that arrive already formatted (one "error:" line each).
int print_errors(const std::string& formatted);

// "graph-runner 0.1.0 (SDK 1.0)".
std::string version_line();

}  // namespace graph_runner::cli
