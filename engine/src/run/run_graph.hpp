#pragma once
// Steps 4-5: build the oneTBB flow graph from a CheckedGraph and run it to the end,
// a failure, a stop request or the timeout.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "graph_runner/context.hpp"
#include "run/latency_histogram.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

struct NodeStats {
  std::string name;
  std::string plugin;
  NodeKind kind = NodeKind::stage;
  std::size_t concurrency = 1;  // 0 = unlimited; the max of an adaptive range
  std::size_t min_concurrency = 0;  // > 0: adaptive, between this and `concurrency`
  std::size_t concurrency_now = 1;  // calls allowed in flight now (= concurrency unless adaptive)
  std::uint64_t batches_in = 0, records_in = 0;
  std::uint64_t batches_out = 0, records_out = 0;
  std::uint64_t errors = 0;      // failed calls or rejected records (whatever the policy)
  std::uint64_t dropped = 0;     // records dropped by on_error = "drop"
  std::uint64_t routed = 0;      // records sent to the "errors" port by on_error = "route"
  std::uint64_t retries = 0;     // repeated calls under on_error = "retry"
  double busy_seconds = 0;       // summed time inside plugin calls
  std::size_t max_concurrent = 0;  // most calls seen running at once
  std::size_t running = 0;         // calls running now
  std::int64_t queued = 0;         // batches waiting for this node now
  HistogramSnapshot latency;       // per call (a batch for stages and sinks, a read for sources)
  // Sources: batches in flight now, and the bound (backpressure made visible).
  std::size_t in_flight = 0, max_in_flight = 0;
  // The plugin's own gauges (Context::set_gauge, SDK 1.3) by name; a pool's instances summed.
  std::vector<std::pair<std::string, double>> gauges;
};

// Hooks on every plugin call, for tracing and custom views. Called on the calling thread:
// keep them cheap. With no observer the engine pays nothing.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void on_call_begin(std::size_t node, const Batch* input) { (void)node, (void)input; }
  virtual void on_call_end(std::size_t node, const Batch* input, std::int64_t duration_ns) {
    (void)node, (void)input, (void)duration_ns;
  }
};

// One message from the engine or a plugin (Context::log), for RunOptions::log. The views
// are valid during the call only.
struct LogEvent {
  LogLevel level = LogLevel::info;
  std::string_view node;     // the node it concerns; empty for the run as a whole
  std::string_view message;
};

// "[node] warn: message" (or "warn: message"): the default line on stderr, and a plain
// rendering for tests and embedders that want no logging library.
std::string format_log_line(const LogEvent& event);

// invalid: a plugin refused its parameters when constructed (reported like a graph error).
enum class RunStatus { completed, failed, interrupted, timed_out, invalid };

struct RunResult {
  RunStatus status = RunStatus::completed;
  std::string error;  // for failed: "node 'x' (plugin 'y'): what (source 'z' batch N, records A..B)"
  std::vector<NodeStats> nodes;  // in CheckedGraph::nodes order
  double wall_seconds = 0;
  std::uint64_t source_batches = 0, acknowledged_batches = 0;
  std::uint64_t ack_failures = 0;  // acknowledged batches whose Source::acknowledge threw
  std::size_t max_in_flight_seen = 0;  // the most batches of any one source in flight at once
  std::size_t max_in_flight_bytes_seen = 0;  // the most bytes of any one source's batches in flight at once
};

struct RunOptions {
  std::int64_t threads = -1;   // -1: the graph's setting; 0: all cores
  double timeout_s = -1;       // -1: the graph's setting; 0: none
  // Set to true (e.g. from a signal handler) to stop gracefully: sources stop reading,
  // in-flight batches drain for up to shutdown_grace_ms, then the graph is cancelled.
  const std::atomic<bool>* stop_flag = nullptr;
  // Set to true (a second signal) to cancel at once, without waiting for the grace period.
  const std::atomic<bool>* cancel_flag = nullptr;
  // Called (from a watchdog thread) when the graph was cancelled but a plugin call has not
  // returned for a further grace period: a plugin is hung. The CLI prints the message and
  // exits; without it run_graph keeps waiting.
  std::function<void(const std::string& message)> on_hung;
  // Called about every progress_interval_s from a watchdog thread with the figures so far
  // (status line, metrics snapshots, /metrics). Never called when empty.
  std::function<void(const RunResult& snapshot)> on_progress;
  double progress_interval_s = 0.25;
  std::vector<std::shared_ptr<CallObserver>> observers;
  // Where plugin messages and the engine's own warnings go (any thread, one call at a
  // time); defaults to format_log_line on stderr. Messages below log_level are dropped
  // before they reach it.
  std::function<void(const LogEvent& event)> log;
  LogLevel log_level = LogLevel::info;
  // Internal, for tests only (no CLI flag): false makes every Emitter::take() return a copy
  // sharing the columns, as if each batch had another consumer, so no stage ever changes
  // its input in place. tests/engine/ownership_diff_test.cpp runs the same graph both ways
  // and requires the same records at every sink.
  bool hand_over_inputs = true;
};

RunResult run_graph(const CheckedGraph& graph, const RunOptions& options);

// The per-node summary table printed at the end of `graph-runner run`.
std::string format_summary(const RunResult& result);

}  // namespace graph_runner::engine
