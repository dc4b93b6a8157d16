// graph-runner: the command line. Parsing and exit codes live here; the work is in one
// file per subcommand (run_command.cpp, validate_command.cpp, dot_command.cpp,
// plugins_command.cpp).
#include <malloc.h>

#include <csignal>
#include <exception>
#include <iostream>
#include <new>

#include <oneapi/tbb/global_control.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "signals.hpp"

namespace {

constexpr const char* examples = R"(Examples:
  graph-runner run graphs/quickstart.toml
  graph-runner run graphs/quickstart.toml --set sources.numbers.count=10
  graph-runner run big.toml --threads 2 --timeout 60 --metrics-json metrics.json
  graph-runner validate graphs/fan-out-fan-in.toml
  graph-runner test graphs/quickstart.toml --junit results.xml
  graph-runner dot graphs/fan-out-fan-in.toml -o fan-out.svg
  graph-runner plugins
  graph-runner plugins describe filter
  source <(graph-runner completion bash)
  graph-runner man | man -l -
  graph-runner new-plugin scale --kind stage

Exit codes: 0 done, 1 run (or a test) failed, 2 bad graph or usage, 124 timeout,
130 interrupted (SIGINT), 143 terminated (SIGTERM).)";

// Parses the command line and runs the chosen subcommand; returns the exit code.
int dispatch(int argc, char** argv) {
  using namespace graph_runner::cli;
#ifndef GRAPH_RUNNER_TBBMALLOC
  // Without oneTBB's allocator (sanitizer builds): keep freed heap memory for reuse instead
  // of giving it back to the kernel and faulting it in again (that was half of a run's
  // system time in tools/bench). Peak RSS is the same; it is not trimmed.
  mallopt(M_TRIM_THRESHOLD, 256 * 1024 * 1024);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
#endif
  CLI::App app{"Runs dataflow graphs of source, stage and sink plugins described in a TOML file.",
               "graph-runner"};
  app.set_version_flag("--version", version_line(), "Print the version and exit");
  app.footer(examples);
  // At most one; "none" is reported below. With require_subcommand(1) CLI11 would answer
  // `graph-runner frobnicate` with "A subcommand is required", hiding the typo.
  app.require_subcommand(0, 1);

  std::vector<Subcommand> commands{add_run_command(app), add_validate_command(app), add_test_command(app),
                                   add_dot_command(app)};
  for (auto& c : add_plugins_commands(app)) commands.push_back(std::move(c));
  commands.push_back(add_new_plugin_command(app));
  commands.push_back(add_completion_command(app));  // these two last: they describe the others
  commands.push_back(add_man_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with code 0; every real parse error is a usage
    // error, exit 2 (CLI11's own codes, 105, 106, ..., are not part of our contract).
    return app.exit(e) == 0 ? exit_ok : exit_bad_graph;
  }

  try {
    for (const auto& c : commands)
      if (c.app->parsed()) return c.action();
  } catch (const std::exception& e) {
    std::cerr << "graph-runner: error: " << e.what() << '\n';
    return exit_run_failed;
  }
  std::cerr << "A subcommand is required: run, validate, test, dot, plugins, new-plugin, completion or man\nRun with --help for more information.\n";
  return exit_bad_graph;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace graph_runner::cli;
  // First of all: a signal while the libraries load plugins or the graph is parsed must be
  // a stop request like any other, not death by signal (no summary, no metrics file).
  install_signal_handlers();
  // oneTBB's worker threads end before the process does, so their thread-exit work
  // (thread_local destructors) never overlaps the exit handlers: LeakSanitizer's check at
  // exit scans every thread and crashed on one being torn down.
  tbb::task_scheduler_handle workers{tbb::attach{}};
  const int code = dispatch(argc, argv);
  tbb::finalize(workers, std::nothrow);  // false (workers still busy): exit as before
  // `run` reports a signal itself; a command that ended normally after one exits as stopped.
  if (const int sig = received_signal(); sig && code == exit_ok) {
    std::cerr << "graph-runner: interrupted by " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ", stopped\n";
    return exit_signal_base + sig;
  }
  return code;
}
