#include "log_format.hpp"

#include <ctime>

#include <nlohmann/json.hpp>

namespace graph_runner::cli {
namespace {

// "2026-11-23 16:45:01.123" (local) or "2026-11-23T16:45:01.123Z" (UTC).
std::string timestamp(std::chrono::system_clock::time_point time, bool utc) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  if (utc) gmtime_r(&seconds, &tm);
  else localtime_r(&seconds, &tm);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, utc ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03d%s", static_cast<int>(ms % 1000), utc ? "Z" : "");
  return buf;
}

// A JSON string literal; bytes that are not UTF-8 (a plugin quoting binary input) become
// U+FFFD instead of failing the log call.
std::string json_string(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point time) { return timestamp(time, true); }

std::string format_log_line(const LogLine& line, LogFormat format) {
  std::string out;
  if (format == LogFormat::json) {
    out = "{\"ts\":\"" + iso8601_utc(line.time) + "\",\"level\":" + json_string(line.level) + ",\"node\":";
    out += line.node.empty() ? std::string("null") : json_string(line.node);
    out += ",\"msg\":" + json_string(line.message) + "}";
    return out;
  }
  out = "[" + timestamp(line.time, false) + "] [" + std::string(line.level) + "] ";
  if (!line.node.empty()) out.append("node=").append(line.node).append(": ");
  out.append(line.message);
  return out;
}

}  // namespace graph_runner::cli
