#include "run/drop_log.hpp"

namespace graph_runner::engine {

void DropLog::dropped(std::uint64_t records, std::string_view error) {
  if (records == 0) return;
  std::lock_guard lock(mutex_);
  unreported_ += records;
  total_ += records;
  last_error_.assign(error);
  const auto now = Clock::now();
  if (!last_line_ || now - *last_line_ >= interval_) report(now);
}

void DropLog::flush() {
  std::lock_guard lock(mutex_);
  if (unreported_ > 0) report(Clock::now());
}

void DropLog::report(Clock::time_point now) {
  last_line_ = now;
  std::string line = std::string(wording_.what) + " " + std::to_string(unreported_) + " " + std::string(wording_.unit);
  if (unreported_ != total_) line += " since the last report (" + std::to_string(total_) + " in all)";
  line += std::string(wording_.why) + " (plugin '" + plugin_ + "'); last error: " + last_error_;
  unreported_ = 0;
  run_.log(LogLevel::warn, node_, line);
}

}  // namespace graph_runner::engine
