// `graph-runner run GRAPH`: load, run to the end (or a signal, the timeout, a failure),
// print the per-node summary on stderr and map the outcome to the exit code. stdout is
// left to the sinks (count, stdout, jsonl with path "-").
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "metrics_json.hpp"
#include "run/run_graph.hpp"
#include "signals.hpp"
#include "status_line.hpp"

namespace graph_runner::cli {
namespace {

struct RunArgs {
  GraphArgs graph;
  std::int64_t threads = -1;  // -1: the graph's `threads`
  double timeout_s = -1;      // -1: the graph's `timeout_s`
  bool quiet = false;
  std::string metrics_file;   // --metrics-json
};

std::string seconds(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

const char* signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

int run(const RunArgs& args) {
  engine::PluginRegistry registry;
  auto graph = load_checked_graph(args.graph, registry);
  if (!graph) return exit_bad_graph;

  // Opened before the run: a path that cannot be written is a usage error, found before
  // the run spends its time, not after.
  std::ofstream metrics;
  if (!args.metrics_file.empty()) {
    metrics.open(args.metrics_file, std::ios::trunc);
    if (!metrics) {
      std::cerr << "graph-runner: cannot write --metrics-json file '" << args.metrics_file
                << "': " << std::strerror(errno) << '\n';
      return exit_bad_graph;
    }
  }

  const double timeout_s = args.timeout_s >= 0 ? args.timeout_s : graph->spec.graph.timeout_s;
  const auto started = std::chrono::steady_clock::now();
  SignalGuard signals;
  StatusLine status(!args.quiet);

  engine::RunOptions options;
  options.threads = args.threads;
  options.timeout_s = args.timeout_s;
  options.stop_flag = &signals.stop_flag();
  options.cancel_flag = &signals.cancel_flag();
  // A plugin call that ignores cancellation would keep the process alive forever: report
  // it and leave without running destructors that would wait for it. stdout is not flushed:
  // a sink stuck writing to it may hold its lock, and this path must never block.
  options.on_hung = [&](const std::string& message) {
    int code = exit_run_failed;
    if (int sig = signals.signal()) code = exit_signal_base + sig;
    else if (timeout_s > 0 && std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(timeout_s))
      code = exit_timeout;
    status.abandon();
    std::cerr << "graph-runner: " << message << "\ngraph-runner: exiting without waiting for them\n" << std::flush;
    std::_Exit(code);
  };

  options.on_progress = [&](const engine::RunResult& snapshot) { status.update(snapshot); };
  options.log = [&](const std::string& line) { status.log(line); };

  const engine::RunResult result = engine::run_graph(*graph, options);
  status.finish();
  if (metrics.is_open()) {
    metrics << metrics_json(result, args.graph.graph);
    metrics.close();
    if (!metrics) std::cerr << "graph-runner: could not write '" << args.metrics_file << "'\n";
  }

  // A plugin that refused its parameters is a graph error, reported as one.
  if (result.status == engine::RunStatus::invalid) return print_errors(result.error);
  if (!args.quiet) std::cerr << engine::format_summary(result);

  switch (result.status) {
    case engine::RunStatus::completed:
      return exit_ok;
    case engine::RunStatus::failed:
      std::cerr << "graph-runner: run failed: " << result.error << '\n';
      return exit_run_failed;
    case engine::RunStatus::timed_out:
      std::cerr << "graph-runner: timeout of " << seconds(timeout_s) << " s reached, stopped\n";
      return exit_timeout;
    case engine::RunStatus::interrupted: {
      const int sig = signals.signal() ? signals.signal() : SIGINT;
      std::cerr << "graph-runner: interrupted by " << signal_name(sig) << ", stopped\n";
      return exit_signal_base + sig;
    }
    case engine::RunStatus::invalid:
      break;
  }
  return exit_run_failed;
}

}  // namespace

Subcommand add_run_command(CLI::App& parent) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* app = parent.add_subcommand("run", "Run a graph until its sources end, a signal or the timeout");
  add_graph_args(*app, args->graph);
  app->add_option("--threads", args->threads, "Worker threads; 0 = all cores (default: the graph's `threads`)")
      ->type_name("N")
      ->check(non_negative_integer);
  app->add_option("--timeout", args->timeout_s,
                  "Stop gracefully after SECONDS and exit 124; 0 = never (default: the graph's `timeout_s`)")
      ->type_name("SECONDS")
      ->check(non_negative_seconds);
  app->add_option("--metrics-json", args->metrics_file,
                  "Write the summary's figures (and the outcome) as JSON to FILE at the end")
      ->type_name("FILE");
  app->add_flag("-q,--quiet", args->quiet, "No live status line, no per-node summary table");
  app->footer(
      "The summary table and messages go to stderr; stdout belongs to the sinks.\n"
      "Ctrl-C (SIGINT) or SIGTERM stops the sources and drains what is in flight; a second one cancels at once.");
  return {app, [args] { return run(*args); }};
}

}  // namespace graph_runner::cli
