#pragma once
// `--log-level` and `--log-format`: the engine's and the plugins' messages (RunOptions::log)
// through spdlog, one logger per node so every line names its node. The engine knows
// nothing of spdlog or of these options; this file is the bridge.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <CLI/CLI.hpp>
#include <spdlog/logger.h>

#include "log_format.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::cli {

struct LogArgs {
  std::string level = "info";   // trace | debug | info | warn | error | off
  std::string format = "text";  // text | json
};

// --log-level (also from GRAPH_RUNNER_LOG_LEVEL) and --log-format.
void add_log_options(CLI::App& app, LogArgs& args);

class LogOutput {
 public:
  // write: where a finished line goes, without its newline (the status line's log(), so a
  // message never lands in the middle of the status line).
  LogOutput(const LogArgs& args, std::function<void(const std::string&)> write);

  LogFormat format() const noexcept { return format_; }
  // For RunOptions::log_level: the engine does not even build messages below it.
  LogLevel engine_level() const noexcept;
  // RunOptions::log.
  void log(const engine::LogEvent& event);
  // A line of the command's own (the outcome, the metrics address): shown whatever the
  // level, as "graph-runner: MESSAGE" in text format, as a run-wide event in json format.
  void notice(LogLevel level, const std::string& message);

 private:
  std::shared_ptr<spdlog::logger> logger_for(std::string_view node);

  LogFormat format_;
  spdlog::level::level_enum level_;
  std::function<void(const std::string&)> write_;
  std::shared_ptr<spdlog::sinks::sink> sink_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers_;
};

}  // namespace graph_runner::cli
