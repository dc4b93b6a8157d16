#pragma once
// `run --metrics-json FILE`: the figures of the summary table, plus snapshots taken while
// the graph ran, for scripts, dashboards and `dot --with-metrics`.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "run/run_graph.hpp"

namespace graph_runner::cli {

// "completed", "failed", "interrupted", "timed_out" or "invalid".
const char* run_status_name(engine::RunStatus status) noexcept;

// The counters of every node every `interval` seconds of the run (RunOptions::on_progress
// feeds it). Memory stays bounded on a run of days: past max_snapshots, every second
// snapshot is dropped and the interval doubles.
class MetricsSnapshots {
 public:
  struct Node {
    std::uint64_t records_in = 0, records_out = 0, errors = 0, dropped = 0, routed = 0, retries = 0;
    std::size_t in_flight = 0, running = 0;
    std::int64_t queued = 0;
    double busy_seconds = 0;
    std::vector<std::pair<std::string, double>> gauges;  // the plugin's own (SDK 1.3)
    std::size_t concurrency_now = 0;  // adaptive nodes: the limit at the time (0 otherwise)
  };
  struct Snapshot {
    double seconds = 0;                          // since the start of the run
    std::chrono::system_clock::time_point time;  // wall clock
    std::uint64_t acknowledged_batches = 0;
    std::vector<Node> nodes;                     // in graph order
  };

  explicit MetricsSnapshots(double interval_s, std::size_t max_snapshots = 3600);
  // Keeps the snapshot if an interval has passed since the last one kept.
  void offer(const engine::RunResult& snapshot);

  double interval() const noexcept { return interval_; }
  const std::vector<Snapshot>& snapshots() const noexcept { return snapshots_; }

 private:
  double interval_;
  std::size_t max_;
  std::vector<Snapshot> snapshots_;
};

// One JSON object: graph, status, error, started_at, wall time and records/s, totals, one
// entry per node (in graph order) with its counters, busy time and %, call latency
// quantiles in seconds, and "snapshots" (see docs/cli.md).
std::string metrics_json(const engine::RunResult& result, const std::string& graph_file,
                         std::chrono::system_clock::time_point started_at, const MetricsSnapshots* snapshots);

}  // namespace graph_runner::cli
