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

StatusLine::StatusLine(StatusMode mode)
    : enabled_(mode == StatusMode::forced || (mode == StatusMode::automatic && stderr_is_own_terminal())),
      in_place_(isatty(STDERR_FILENO) == 1) {}

void StatusLine::update(const engine::RunResult& s) {
  if (!enabled_ || s.wall_seconds < 0.2) return;  // nothing to tell yet
  const double min_gap = in_place_ ? 0.24 : 0.99;  // at most 4 redraws, or 1 plain line, a second
  if (s.wall_seconds - last_drawn_ < min_gap) return;
  last_drawn_ = s.wall_seconds;

  std::uint64_t produced = 0, errors = 0, retries = 0;
  std::string flight, sinks, adaptive;
  const double dt = s.wall_seconds - last_seconds_;
  for (const auto& n : s.nodes) {
    errors += n.errors;
    retries += n.retries;
    if (n.kind == NodeKind::source) {
      produced += n.records_out;
      flight += " " + n.name + " " + std::to_string(n.in_flight) + "/" + std::to_string(n.max_in_flight);
      for (const auto& [gauge, value] : n.gauges) flight += " " + gauge + " " + human(value);  // SDK 1.3 gauges
    } else if (n.kind == NodeKind::sink) {
      // records/s into the sink: the average over the first second, then over the last
      // interval, smoothed a little so the number can be read
      double& rate = rates_[n.name];
      std::uint64_t& last = last_records_[n.name];
      const double now = dt > 0 ? static_cast<double>(n.records_in - last) / dt : 0;
      rate = s.wall_seconds < 1 ? static_cast<double>(n.records_in) / s.wall_seconds : 0.5 * rate + 0.5 * now;
      last = n.records_in;
      sinks += "  " + n.name + " " + human(rate) + "/s";
    }
    // adaptive nodes: where the limit stands now, out of the most it may reach
    if (n.min_concurrency > 0)
      adaptive += " " + n.name + " " + std::to_string(n.concurrency_now) + "/" + std::to_string(n.concurrency);
  }
  last_seconds_ = s.wall_seconds;

  char head[96];
  std::snprintf(head, sizeof head, "%7.1fs  %s records", s.wall_seconds, human(static_cast<double>(produced)).c_str());
  std::string text = head + sinks + "  errors " + human(static_cast<double>(errors)) + "  retries " +
                     human(static_cast<double>(retries)) + "  in flight:" + flight +
                     (adaptive.empty() ? "" : "  concurrency:" + adaptive);

  if (!in_place_) {
    if (line_writer_) return line_writer_(text);
    std::lock_guard lock(mutex_);
    std::cerr << text << '\n' << std::flush;
    return;
  }
  std::lock_guard lock(mutex_);
  const std::size_t width = terminal_width();
  if (text.size() >= width) text.resize(width - 1);  // one line, or \r cannot redraw it
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
