#pragma once
// How one log message looks on stderr (`--log-format text|json`). Pure functions, so the
// exact format is unit-tested; log_output.cpp feeds them from spdlog.
#include <chrono>
#include <string>
#include <string_view>

namespace graph_runner::cli {

enum class LogFormat { text, json };

struct LogLine {
  std::chrono::system_clock::time_point time;
  std::string_view level;    // "trace", "debug", "info", "warn", "error"
  std::string_view node;     // empty: the run as a whole
  std::string_view message;
};

// text: "[2026-11-23 16:45:01.123] [warn] node=valid: message" (local time; no "node=" part
// for a run-wide message).
// json: {"ts":"2026-11-23T16:45:01.123Z","level":"warn","node":"valid","msg":"message"}
// (UTC; "node" is null for a run-wide message; invalid UTF-8 is replaced, never fatal).
// No trailing newline.
std::string format_log_line(const LogLine& line, LogFormat format);

// "2026-11-23T16:45:01.123Z": ISO 8601, UTC, milliseconds.
std::string iso8601_utc(std::chrono::system_clock::time_point time);

}  // namespace graph_runner::cli
