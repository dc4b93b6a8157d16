#pragma once
// One file per subcommand; each registers its options on the app and returns what to
// run when the command line chose it.
#include <vector>

#include "cli_common.hpp"

namespace graph_runner::cli {

Subcommand add_run_command(CLI::App& app);
Subcommand add_validate_command(CLI::App& app);
Subcommand add_dot_command(CLI::App& app);
// `test FILE...`: the [[tests]] of graph files (graph_test/).
Subcommand add_test_command(CLI::App& app);
Subcommand add_new_plugin_command(CLI::App& app);
// `plugins` and its `describe` child, deepest first: main runs the first one parsed.
std::vector<Subcommand> add_plugins_commands(CLI::App& app);
// `completion bash`: generated from `app`, so register it after every other subcommand.
Subcommand add_completion_command(CLI::App& app);
// `man`: the manual page, generated from `app` like the completion script.
Subcommand add_man_command(CLI::App& app);

}  // namespace graph_runner::cli
