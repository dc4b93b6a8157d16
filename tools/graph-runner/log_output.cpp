#include "log_output.hpp"

#include <spdlog/sinks/base_sink.h>

namespace graph_runner::cli {
namespace {

const std::vector<std::string> level_names{"trace", "debug", "info", "warn", "error", "off"};

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
  }
  return spdlog::level::err;
}

// spdlog's sink, formatting with format_log_line: the logger's name is the node's.
class LineSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  LineSink(LogFormat format, std::function<void(const std::string&)> write)
      : format_(format), write_(std::move(write)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const LogLine line{msg.time, level_name(msg.level), std::string_view(msg.logger_name.data(), msg.logger_name.size()),
                       std::string_view(msg.payload.data(), msg.payload.size())};
    write_(format_log_line(line, format_));
  }
  void flush_() override {}

 private:
  LogFormat format_;
  std::function<void(const std::string&)> write_;
};

}  // namespace

void add_log_options(CLI::App& app, LogArgs& args) {
  app.add_option("--log-level", args.level,
                 "Show messages of this level and above: trace, debug, info, warn, error, off (default: info)")
      ->type_name("LEVEL")
      ->envname("GRAPH_RUNNER_LOG_LEVEL")
      ->check(CLI::IsMember(level_names));
  app.add_option("--log-format", args.format, "text (default) or json: one JSON object per line")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"text", "json"}));
}

LogOutput::LogOutput(const LogArgs& args, std::function<void(const std::string&)> write)
    : format_(args.format == "json" ? LogFormat::json : LogFormat::text),
      level_(spdlog::level::from_str(args.level == "warn" ? "warning" : args.level)),
      write_(std::move(write)),
      sink_(std::make_shared<LineSink>(format_, write_)) {}

LogLevel LogOutput::engine_level() const noexcept {
  switch (level_) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LogLevel::debug;
    case spdlog::level::info: return LogLevel::info;
    case spdlog::level::warn: return LogLevel::warn;
    default: return LogLevel::error;  // error, off: spdlog filters the rest
  }
}

std::shared_ptr<spdlog::logger> LogOutput::logger_for(std::string_view node) {
  std::lock_guard lock(mutex_);
  auto it = loggers_.find(node);
  if (it == loggers_.end()) {
    auto logger = std::make_shared<spdlog::logger>(std::string(node), sink_);
    logger->set_level(level_);
    it = loggers_.emplace(std::string(node), std::move(logger)).first;
  }
  return it->second;
}

void LogOutput::log(const engine::LogEvent& event) {
  const auto level = to_spdlog(event.level);
  if (level < level_) return;
  logger_for(event.node)->log(level, spdlog::string_view_t(event.message.data(), event.message.size()));
}

void LogOutput::notice(LogLevel level, const std::string& message) {
  if (format_ == LogFormat::text) {
    write_("graph-runner: " + message);
    return;
  }
  write_(format_log_line({std::chrono::system_clock::now(), level_name(to_spdlog(level)), {}, message}, format_));
}

}  // namespace graph_runner::cli
