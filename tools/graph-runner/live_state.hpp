#pragma once
// What the live page of `run --ui` shows, as one JSON document (GET /state.json): the run's
// state and totals, every node's counters with its recent rates and busy %, and every edge
// of the picture with the records that passed along it. Fed by the same progress snapshots
// as the status line and /metrics (RunOptions::on_progress), then by the final figures.
// The format is documented in docs/cli.md ("Live page").
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dot_text.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::cli {

class LiveState {
 public:
  // Rates and busy % while running are measured over the last `window_s` seconds.
  LiveState(const engine::CheckedGraph& graph, std::string graph_file, double window_s = 1.0);

  // RunOptions::on_progress (any thread).
  void update(const engine::RunResult& snapshot);
  // The final figures: from now on rates and busy % are averages over the whole run.
  void finish(const engine::RunResult& result);
  // Why the page has no picture ("" when it has one).
  void set_drawing_error(std::string error);

  std::string json() const;

 private:
  struct Sample {
    double seconds = 0;
    std::vector<std::uint64_t> records_in, records_out, routed;
    std::vector<double> busy_seconds;
  };
  struct Edge {
    std::string from, port, to;
    std::optional<EdgeCounter> counter;
  };
  static Sample sample_of(const engine::RunResult& r);

  std::string graph_name_, graph_file_;
  double window_s_;
  std::vector<Edge> edges_;  // in drawing order, as the SVG's edges
  mutable std::mutex mutex_;
  engine::RunResult latest_;
  bool started_ = false, finished_ = false;
  std::deque<Sample> window_;  // oldest first; the front is the base of the rates
  std::string drawing_error_;
};

}  // namespace graph_runner::cli
