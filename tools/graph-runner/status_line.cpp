#include "status_line.hpp"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace graph_runner::cli {
namespace {

std::string human(double n) {
  char buf[32];
  if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
  else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
  else if (n >= 1e4) std::snprintf(buf, sizeof buf, "%.0fk", n / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

std::size_t terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// Sinks may print records to stdout; on the terminal the status line is redrawn on, those
// lines would be broken up by it. So it is drawn only when stdout goes elsewhere.
bool stderr_is_own_terminal() {
  if (isatty(STDERR_FILENO) != 1) return false;
  if (isatty(STDOUT_FILENO) != 1) return true;
  struct stat out{}, err{};
  if (fstat(STDOUT_FILENO, &out) != 0 || fstat(STDERR_FILENO, &err) != 0) return false;
  return out.st_rdev != err.st_rdev;
}

}  // namespace

StatusLine::StatusLine(bool enabled) : enabled_(enabled && stderr_is_own_terminal()) {}

void StatusLine::update(const engine::RunResult& s) {
  if (!enabled_) return;
  std::uint64_t records = 0, errors = 0;
  std::string flight;
  for (const auto& n : s.nodes) {
    errors += n.errors;
    if (n.kind != NodeKind::source) continue;
    records += n.records_out;
    flight += " " + n.name + " " + std::to_string(n.in_flight) + "/" + std::to_string(n.max_in_flight);
  }
  // records/s: the average over the first second, then over the last interval, smoothed a
  // little so the number can be read.
  const double dt = s.wall_seconds - last_seconds_;
  if (s.wall_seconds < 1 && s.wall_seconds > 0) rate_ = static_cast<double>(records) / s.wall_seconds;
  else if (dt > 0) rate_ = 0.7 * rate_ + 0.3 * static_cast<double>(records - last_records_) / dt;
  last_records_ = records;
  last_seconds_ = s.wall_seconds;

  char head[96];
  std::snprintf(head, sizeof head, "%7.1fs  %s records  %s/s  errors %s  in flight:", s.wall_seconds,
                human(static_cast<double>(records)).c_str(), human(rate_).c_str(),
                human(static_cast<double>(errors)).c_str());
  std::string text = head + flight;
  const std::size_t width = terminal_width();
  if (text.size() >= width) text.resize(width - 1);  // one line, or \r cannot redraw it

  std::lock_guard lock(mutex_);
  std::cerr << "\r\033[K" << text << std::flush;
  shown_ = true;
}

void StatusLine::log(const std::string& line) {
  std::lock_guard lock(mutex_);
  erase();
  std::cerr << line << '\n';
}

void StatusLine::finish() {
  std::lock_guard lock(mutex_);
  erase();
  enabled_ = false;
}

void StatusLine::abandon() noexcept {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  erase();
  enabled_ = false;
}

void StatusLine::erase() {
  if (!shown_) return;
  std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace graph_runner::cli
