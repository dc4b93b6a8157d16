#pragma once
// The live status line of `run` on a terminal (DESIGN.md section 4): elapsed time, records
// and records/s from the sources, batches in flight per source against its bound, errors.
// Redrawn in place on stderr; plugin log lines go through log() so they never land in the
// middle of it. Disabled (every call a no-op but log) unless stderr is a terminal that
// stdout does not share (sinks print records to stdout).
#include <mutex>
#include <string>

#include "run/run_graph.hpp"

namespace graph_runner::cli {

class StatusLine {
 public:
  explicit StatusLine(bool enabled);
  // RunOptions::on_progress (the engine's watchdog thread).
  void update(const engine::RunResult& snapshot);
  // RunOptions::log (any thread): clears the status line, prints the line; the next update
  // redraws the status.
  void log(const std::string& line);
  // Before the summary: removes the status line for good.
  void finish();
  // The same on the way out past a hung plugin: never waits for the lock (a thread stuck
  // writing a log line may hold it); the line stays if it cannot be taken.
  void abandon() noexcept;

 private:
  void erase();  // with mutex_ held

  std::mutex mutex_;
  bool enabled_;
  bool shown_ = false;
  std::uint64_t last_records_ = 0;
  double last_seconds_ = 0, rate_ = 0;
};

}  // namespace graph_runner::cli
