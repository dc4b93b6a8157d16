#pragma once
// The live status line of `run` (docs/cli.md#run): elapsed time, records from the
// sources, records/s into each sink, errors, retries, and batches in flight per source
// against its bound (backpressure made visible). On a terminal it is redrawn in place at
// most four times a second and erased at the end; plugin log lines go through log() so they
// never land in the middle of it. Shown when stderr is a terminal that stdout does not share
// (sinks print records to stdout), or always with --progress: into a file or pipe as plain
// lines, at most one a second.
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "run/run_graph.hpp"

namespace graph_runner::cli {

enum class StatusMode { automatic, forced, off };  // default, --progress, --quiet

class StatusLine {
 public:
  explicit StatusLine(StatusMode mode);
  // Where plain lines (not a terminal, --progress) go instead of stderr: with
  // --log-format json they become log events, so every line of stderr stays JSON.
  void set_line_writer(std::function<void(const std::string&)> writer) { line_writer_ = std::move(writer); }
  // RunOptions::on_progress (the engine's watchdog thread); rate-limited here.
  void update(const engine::RunResult& snapshot);
  // A log line (any thread): clears the status line, prints the line; the next update
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
  std::function<void(const std::string&)> line_writer_;
  bool enabled_;
  bool in_place_;  // a terminal: redraw with \r; otherwise one line per update
  bool shown_ = false;
  double last_drawn_ = -1e9, last_seconds_ = 0;
  std::map<std::string, std::uint64_t> last_records_;  // per sink
  std::map<std::string, double> rates_;                // per sink, records/s
};

}  // namespace graph_runner::cli
