// `graph-runner run GRAPH`: load, run to the end (or a signal, the timeout, a failure),
// print the per-node summary on stderr and map the outcome to the exit code. stdout is
// left to the sinks (count, stdout, jsonl with path "-").
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "live_server.hpp"
#include "log_output.hpp"
#include "metrics_json.hpp"
#include "metrics_server.hpp"
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
  bool progress = false;
  std::string metrics_file;   // --metrics-json
  double metrics_interval_s = 1;
  std::optional<ListenAddress> listen;  // --metrics-listen
  std::optional<ListenAddress> ui;      // --ui
  double ui_linger_s = 0;               // --ui-linger
  std::optional<std::string> state_dir;  // --state-dir: the graph's `state_dir` replaced
  bool from_start = false;               // --from-start: saved source positions ignored
  LogArgs log;
};

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

// The summary's totals line, without its newline.
std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);  // npos + 1 == 0: the whole text
}

const char* signal_name(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

// --ui-linger: keeps the live page up with the final figures for `seconds`, or until a
// signal: the first one if the run ended by itself, the second if a first one stopped it.
// That signal ends only the wait: the exit code stays the run's.
void linger(double seconds, LogOutput& log, const std::string& url) {
  if (seconds <= 0) return;
  const bool stopped = stop_flag().load();
  const std::atomic<bool>& leave = stopped ? cancel_flag() : stop_flag();
  if (leave.load()) return;
  log.notice(LogLevel::info, "the live page shows the final figures at " + url + " for " + seconds_text(seconds) +
                                 " s (Ctrl-C leaves now)");
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!leave.load() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (leave.load() && !stopped) forget_signals();
}

int exit_code(const engine::RunResult& result, LogOutput& log, double timeout_s);

int run(const RunArgs& args) {
  engine::PluginRegistry registry;
  auto graph = load_checked_graph(args.graph, registry);
  if (!graph) return exit_bad_graph;
  if (args.state_dir) graph->spec.graph.state_dir = *args.state_dir;
  graph->spec.graph.from_start = args.from_start;

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
  const auto started_at = std::chrono::system_clock::now();
  StatusLine status(args.quiet ? StatusMode::off : args.progress ? StatusMode::forced : StatusMode::automatic);
  LogOutput log(args.log, [&status](const std::string& line) { status.log(line); });
  if (log.format() == LogFormat::json)
    status.set_line_writer([&log](const std::string& line) { log.notice(LogLevel::info, line); });

  std::unique_ptr<MetricsServer> server;
  if (args.listen) {
    try {
      server = std::make_unique<MetricsServer>(*args.listen, graph->spec.graph.name);
    } catch (const std::exception& e) {
      std::cerr << "graph-runner: --metrics-listen: " << e.what() << '\n';
      return exit_bad_graph;
    }
    log.notice(LogLevel::info, "serving metrics on " + server->url());
  }
  std::unique_ptr<LiveServer> ui;
  if (args.ui) {
    try {
      ui = std::make_unique<LiveServer>(*args.ui, *graph, args.graph.graph);
    } catch (const std::exception& e) {
      std::cerr << "graph-runner: --ui: " << e.what() << '\n';
      return exit_bad_graph;
    }
    if (!ui->drawing_error().empty())
      log.notice(LogLevel::warn, "the live page cannot draw the graph: " + ui->drawing_error() + "; it shows the figures only");
    if (!is_loopback_host(args.ui->host))
      log.notice(LogLevel::warn, "the live page is open to the network on " + args.ui->host +
                                     " (no authentication; bind 127.0.0.1 to keep it on this machine)");
    log.notice(LogLevel::info, "serving the live page on " + ui->url());
  }
  MetricsSnapshots snapshots(args.metrics_interval_s);

  engine::RunOptions options;
  options.threads = args.threads;
  options.timeout_s = args.timeout_s;
  options.stop_flag = &stop_flag();  // set already if a signal came while the graph loaded
  options.cancel_flag = &cancel_flag();
  // A plugin call that ignores cancellation would keep the process alive forever: report
  // it and leave without running destructors that would wait for it. stdout is not flushed:
  // a sink stuck writing to it may hold its lock, and this path must never block.
  options.on_hung = [&](const std::string& message) {
    int code = exit_run_failed;
    if (int sig = received_signal()) code = exit_signal_base + sig;
    else if (timeout_s > 0 && std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(timeout_s))
      code = exit_timeout;
    status.abandon();
    std::cerr << "graph-runner: " << message << "\ngraph-runner: exiting without waiting for them\n" << std::flush;
    std::_Exit(code);
  };

  // Four times a second at most (the status line's pace); snapshots keep their own interval.
  options.progress_interval_s = std::min(0.25, args.metrics_interval_s);
  options.on_progress = [&](const engine::RunResult& snapshot) {
    status.update(snapshot);
    if (metrics.is_open()) snapshots.offer(snapshot);
    if (server) server->publish(snapshot);
    if (ui) ui->update(snapshot);
  };
  options.log = [&log](const engine::LogEvent& event) { log.log(event); };
  options.log_level = log.engine_level();

  const engine::RunResult result = engine::run_graph(*graph, options);
  server.reset();  // the run is over: close the listener, drop open connections (never waits on a client)
  if (ui) ui->finish(result);
  status.finish();
  if (metrics.is_open()) {
    metrics << metrics_json(result, args.graph.graph, started_at, &snapshots);
    metrics.close();
    if (!metrics) std::cerr << "graph-runner: could not write '" << args.metrics_file << "'\n";
  }

  // A plugin that refused its parameters is a graph error, reported as one.
  if (result.status == engine::RunStatus::invalid) return print_errors(result.error);
  if (!args.quiet) {
    const std::string summary = engine::format_summary(result);
    // json: every line of stderr is an object; the per-node figures are in --metrics-json
    if (log.format() == LogFormat::text) std::cerr << summary;
    else log.notice(LogLevel::info, last_line(summary));
  }

  const int code = exit_code(result, log, timeout_s);
  if (ui) linger(args.ui_linger_s, log, ui->url());
  return code;
}

// Reports the outcome and maps it to the exit code.
int exit_code(const engine::RunResult& result, LogOutput& log, double timeout_s) {
  // A signal the run ended too soon to see (a small graph, or one sent while it loaded) is
  // still the user's stop, and exits as one.
  const auto outcome = result.status == engine::RunStatus::completed && received_signal()
                          ? engine::RunStatus::interrupted
                          : result.status;
  switch (outcome) {
    case engine::RunStatus::completed:
      return exit_ok;
    case engine::RunStatus::failed:
      log.notice(LogLevel::error, "run failed: " + result.error);
      return exit_run_failed;
    case engine::RunStatus::timed_out:
      log.notice(LogLevel::warn, "timeout of " + seconds_text(timeout_s) + " s reached, stopped");
      return exit_timeout;
    case engine::RunStatus::interrupted: {
      const int sig = received_signal() ? received_signal() : SIGINT;
      log.notice(LogLevel::warn, std::string("interrupted by ") + signal_name(sig) + ", stopped");
      return exit_signal_base + sig;
    }
    case engine::RunStatus::invalid:
      break;
  }
  return exit_run_failed;
}

// An option taking a listening address ([HOST]:PORT, see parse_listen_address).
CLI::Option* add_address_option(CLI::App& app, const std::string& name, const std::shared_ptr<RunArgs>& args,
                                std::optional<ListenAddress> RunArgs::*target, const std::string& help) {
  return app
      .add_option_function<std::string>(
          name,
          [args, target, name](const std::string& text) {
            std::string error;
            (*args).*target = parse_listen_address(text, error);
            if (!((*args).*target)) throw CLI::ValidationError(name, error);
          },
          help)
      ->type_name("[HOST]:PORT");
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
  app->add_option("--state-dir", args->state_dir,
                  "Folder for the sources' checkpoints (default: the graph's `state_dir`); a restart resumes there");
  app->add_flag("--from-start", args->from_start,
                "Read the sources from the start, ignoring (and then overwriting) their saved checkpoints");
  app->add_option("--metrics-json", args->metrics_file,
                  "Write the summary's figures, the outcome and snapshots taken during the run as JSON to FILE at the end")
      ->type_name("FILE");
  app->add_option("--metrics-interval", args->metrics_interval_s,
                  "Seconds between the snapshots of --metrics-json (default 1)")
      ->type_name("SECONDS")
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(s.c_str(), &end);
            if (s.empty() || *end != '\0' || !(v > 0) || !std::isfinite(v))
              return "expected a number of seconds > 0, got '" + s + "'";
            return {};
          },
          ""));
  add_address_option(*app, "--metrics-listen", args, &RunArgs::listen,
                     "Serve Prometheus metrics at http://HOST:PORT/metrics while the graph runs; HOST defaults to "
                     "127.0.0.1, port 0 picks a free one (printed on stderr)");
  auto* ui = add_address_option(
      *app, "--ui", args, &RunArgs::ui,
      "Serve a live page of the running graph at http://HOST:PORT/: the picture of `dot` with busy % per "
      "node and records/s per edge; HOST defaults to 127.0.0.1, port 0 picks a free one (printed on stderr)");
  app->add_option("--ui-linger", args->ui_linger_s,
                  "Keep the live page of --ui up with the final figures for SECONDS after the run ends "
                  "(default 0; Ctrl-C leaves early)")
      ->type_name("SECONDS")
      ->check(non_negative_seconds)
      ->needs(ui);
  add_log_options(*app, args->log);
  auto* quiet = app->add_flag("-q,--quiet", args->quiet, "No live status line, no per-node summary table");
  app->add_flag("--progress", args->progress,
                "Show the live status line even when stderr is not a terminal (plain lines, one a second)")
      ->excludes(quiet);
  app->footer(
      "The summary table and messages go to stderr; stdout belongs to the sinks.\n"
      "Ctrl-C (SIGINT) or SIGTERM stops the sources and drains what is in flight; a second one cancels at once.\n\n"
      "Examples:\n"
      "  graph-runner run graphs/quickstart.toml\n"
      "  graph-runner run graphs/quickstart.toml --set sources.numbers.count=10 --quiet\n"
      "  graph-runner run big.toml --threads 2 --timeout 60 --metrics-json metrics.json\n"
      "  graph-runner run big.toml --metrics-listen :9100       # Prometheus at http://127.0.0.1:9100/metrics\n"
      "  graph-runner run big.toml --ui :8080 --ui-linger 60    # live page at http://127.0.0.1:8080/\n"
      "  graph-runner run big.toml --log-level debug --log-format json 2>log.jsonl");
  return {app, [args] { return run(*args); }};
}

}  // namespace graph_runner::cli
