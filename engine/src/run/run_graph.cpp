#include "run/run_graph.hpp"

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/task_arena.h>

#include "run/accounting.hpp"
#include "run/flow_graph.hpp"
#include "run/instantiate_graph.hpp"
#include "validate/check_fields.hpp"
#include "run/node_runtime.hpp"
#include "run/run_state.hpp"

namespace graph_runner::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Placed and worded as `validate --instantiate` reports it.
std::string param_error_message(const CheckedNode& node, const ParamError& e) {
  Diagnostic error = construction_error(node, e);
  Diagnostics d;
  d.error(std::move(error.pos), std::move(error.message));
  return d.format();
}

// The figures so far: every node's counters, and each source's batches in flight.
RunResult snapshot(const CheckedGraph& graph, const std::vector<std::unique_ptr<NodeRuntime>>& nodes,
                   const FlowGraph* flow, Clock::time_point started) {
  RunResult r;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    NodeStats s = nodes[i]->stats();
    if (const SourceGate* g = flow ? flow->gate_of(i) : nullptr) {
      s.in_flight = g->in_flight();
      s.max_in_flight = graph.nodes[i].max_in_flight;
      r.source_batches += g->issued_count();
      r.acknowledged_batches += g->acknowledged();
      r.ack_failures += g->ack_failures();
      r.max_in_flight_seen = std::max(r.max_in_flight_seen, g->max_in_flight());
      r.max_in_flight_bytes_seen = std::max(r.max_in_flight_bytes_seen, g->max_in_flight_bytes());
    }
    r.nodes.push_back(std::move(s));
  }
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return r;
}

// Watches the run from its own thread: the stop flag and the time limit start a graceful
// stop (sources stop, batches drain for up to shutdown_grace_ms, then the graph's
// task_group_context is cancelled); a second signal cancels at once; no progress for
// stall_timeout_s with batches in flight fails the run; a call that still has not returned
// a grace period after cancellation is reported through on_hung.
class Watchdog {
 public:
  Watchdog(RunState& run, FlowGraph& flow, const RunOptions& options, const GraphSettings& settings,
           double timeout_s, std::function<RunResult()> snapshot)
      : run_(run), flow_(flow), options_(options), snapshot_(std::move(snapshot)),
        grace_(std::chrono::milliseconds(settings.shutdown_grace_ms)), grace_ms_(settings.shutdown_grace_ms),
        stall_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings.stall_timeout_s))) {
    if (timeout_s > 0)
      deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    thread_ = std::thread([this] { watch(); });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  bool interrupted() const noexcept { return interrupted_; }
  bool timed_out() const noexcept { return timed_out_; }
  bool cancelled() const noexcept { return cancelled_; }
  // Why the watchdog cancelled the run: "grace period of 5000 ms expired", "second signal".
  std::string cancel_reason() const {
    std::lock_guard lock(mutex_);
    return cancel_reason_;
  }

 private:
  std::size_t in_flight() const {
    std::size_t n = 0;
    for (const auto& g : flow_.gates()) n += g->in_flight();
    return n;
  }

  void cancel(std::string reason) {  // with mutex_ held
    if (cancelled_) return;
    cancel_reason_ = std::move(reason);
    cancelled_ = true;
    run_.cancel();
  }

  void check(Clock::time_point now) {
    if (!grace_end_) {
      const bool signalled = options_.stop_flag && options_.stop_flag->load();
      const bool expired = deadline_ && now >= *deadline_;
      if (signalled || expired) {
        interrupted_ = signalled;
        timed_out_ = !signalled;
        grace_end_ = now + grace_;
        run_.request_stop();
      }
    } else if (now >= *grace_end_) {
      cancel("grace period of " + std::to_string(grace_ms_) + " ms expired");
    }
    if (options_.cancel_flag && options_.cancel_flag->load()) {
      interrupted_ = interrupted_ || !timed_out_;
      cancel("second signal");
    }
    // Whatever stops the run (also a failure or a stall), a source blocked in read() is told.
    if (run_.stopping() && !sources_stopped_) {
      sources_stopped_ = true;
      flow_.stop_sources();
    }
    if (stall_.count() > 0 && !run_.failed()) {
      // A retry waiting out its backoff is not a stall: the node calls again when it ends.
      if (std::uint64_t p = run_.progress();
          p != last_progress_ || in_flight() == 0 || run_.retry_timer().waiting() > 0) {
        last_progress_ = p;
        last_change_ = now;
      } else if (now - last_change_ >= stall_) {
        run_.fail("no progress for " + std::to_string(std::chrono::duration<double>(stall_).count()) + " s with " +
                  std::to_string(in_flight()) + " batch(es) in flight; holding batches: " + flow_.describe_holders());
      }
    }
    if ((cancelled_ || run_.failed()) && !hung_reported_) {
      if (!cancel_seen_) cancel_seen_ = now;
      if (now - *cancel_seen_ >= std::max<Clock::duration>(grace_, std::chrono::seconds(1)) && options_.on_hung) {
        hung_reported_ = true;
        options_.on_hung("cancelled, but plugin calls have not returned: " + flow_.describe_holders());
      }
    }
  }

  void watch() {
    std::unique_lock lock(mutex_);
    last_change_ = Clock::now();
    auto next_progress = last_change_;
    const auto interval = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(0.01, options_.progress_interval_s)));
    while (!done_) {
      wake_.wait_for(lock, std::chrono::milliseconds(5));
      if (done_) break;
      const auto now = Clock::now();
      check(now);
      if (options_.on_progress && now >= next_progress) {
        next_progress = now + interval;
        options_.on_progress(snapshot_());
      }
    }
  }

  RunState& run_;
  FlowGraph& flow_;
  const RunOptions& options_;
  std::function<RunResult()> snapshot_;
  Clock::duration grace_;
  std::int64_t grace_ms_;
  Clock::duration stall_;
  bool sources_stopped_ = false;
  std::string cancel_reason_;
  std::optional<Clock::time_point> deadline_, grace_end_, cancel_seen_;
  Clock::time_point last_change_;
  std::uint64_t last_progress_ = 0;
  bool hung_reported_ = false;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::atomic<bool> interrupted_{false}, timed_out_{false}, cancelled_{false};
  std::thread thread_;
};

void run_in_arena(const CheckedGraph& graph, const RunOptions& options, RunState& run, std::size_t workers,
                  Clock::time_point started, RunResult& result);

}  // namespace

RunResult run_graph(const CheckedGraph& graph, const RunOptions& options) {
  const auto started = Clock::now();
  RunResult result;
  auto log = options.log ? options.log : [](const LogEvent& event) { std::cerr << format_log_line(event) << '\n'; };
  RunState run(log, options.log_level, options.observers, options.hand_over_inputs);

  const std::int64_t threads = options.threads >= 0 ? options.threads : graph.spec.graph.threads;
  const std::size_t workers = threads > 0 ? static_cast<std::size_t>(threads)
                                          : static_cast<std::size_t>(tbb::info::default_concurrency());
  // The graph runs in an arena of `workers` threads (more than the cores is allowed: a
  // graph of sleeping or blocking plugins wants that); global_control lets TBB create them.
  tbb::global_control parallelism(
      tbb::global_control::max_allowed_parallelism,
      std::max<std::size_t>(workers, static_cast<std::size_t>(tbb::info::default_concurrency())) +
          blocking_threads(graph) + waiting_sources(graph));
  // A source pacing its `rate` sleeps between batches, a blocking one waits for input: each
  // gets a thread of its own.
  tbb::task_arena arena(static_cast<int>(workers + waiting_sources(graph)));
  arena.execute([&] { run_in_arena(graph, options, run, workers, started, result); });
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

namespace {
void run_in_arena(const CheckedGraph& graph, const RunOptions& options, RunState& run, std::size_t workers,
                  Clock::time_point started, RunResult& result) {
  std::vector<std::unique_ptr<NodeRuntime>> nodes;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    nodes.push_back(std::make_unique<NodeRuntime>(graph, i, run, workers));
    try {
      nodes.back()->create_instances();
      run.log(LogLevel::debug, graph.nodes[i].spec->name, "created (plugin '" + graph.nodes[i].spec->plugin + "')");
    } catch (const ParamError& e) {
      result.status = RunStatus::invalid;
      result.error = param_error_message(graph.nodes[i], e);
    } catch (const std::exception& e) {
      result.status = RunStatus::failed;
      result.error = "node '" + graph.nodes[i].spec->name + "' (plugin '" + graph.nodes[i].spec->plugin +
                     "'): cannot start: " + e.what();
    } catch (...) {  // a plugin may throw anything; it must still be a clear error
      result.status = RunStatus::failed;
      result.error = "node '" + graph.nodes[i].spec->name + "' (plugin '" + graph.nodes[i].spec->plugin +
                     "'): cannot start: an exception not derived from std::exception";
    }
    if (!result.error.empty()) break;
  }
  if (result.error.empty()) {  // a misspelled field: an error now, not nulls during the run
    std::vector<std::optional<FieldSchema>> declared;
    for (const auto& node : nodes) declared.push_back(node->declared_fields());
    if (Diagnostics d = check_fields(graph, declared); !d.empty()) {
      result.status = RunStatus::invalid;
      result.error = d.format();
    }
  }

  if (result.error.empty()) {
    FlowGraph flow(graph, nodes, run);
    const double timeout_s = options.timeout_s >= 0 ? options.timeout_s : graph.spec.graph.timeout_s;
    std::string cancel_reason;  // set when the watchdog cancelled the run
    {
      Watchdog watch(run, flow, options, graph.spec.graph, timeout_s,
                     [&] { return snapshot(graph, nodes, &flow, started); });
      try {
        flow.start();
        flow.drain();
        if (run.enter(RunPhase::finishing)) {
          run.log(LogLevel::debug, "", "every source ended and nothing is in flight: finishing");
          flow.finish_stream();
        }
      } catch (const std::exception& e) {
        run.fail(std::string("internal error: ") + e.what());
      }
      // A stopped run tells its sources here too, not only from the watchdog's next round:
      // a source blocked in read() must return before settle() can.
      if (run.stopping()) flow.stop_sources();
      // Also after a cancel: calls still running (a hung plugin is reported by the watchdog)
      // end before anything is torn down.
      flow.settle();
      run.enter(RunPhase::closing);
      if (run.failed()) result.status = RunStatus::failed;
      else if (watch.timed_out()) result.status = RunStatus::timed_out;
      else if (watch.interrupted()) result.status = RunStatus::interrupted;
      if (watch.cancelled()) cancel_reason = watch.cancel_reason();
    }
    RunResult figures = snapshot(graph, nodes, &flow, started);
    result.source_batches = figures.source_batches;
    result.acknowledged_batches = figures.acknowledged_batches;
    result.ack_failures = figures.ack_failures;
    result.max_in_flight_seen = figures.max_in_flight_seen;
    result.max_in_flight_bytes_seen = figures.max_in_flight_bytes_seen;
    // After a cancellation no batch is acknowledged any more: what was read and not
    // acknowledged by then was abandoned in flight (an at-least-once source re-delivers it).
    if (!cancel_reason.empty())
      run.log(LogLevel::warn, "", cancel_reason + ": cancelled with " +
                                      std::to_string(result.source_batches - result.acknowledged_batches) +
                                      " batch(es) abandoned in flight");
    flow.close_gates();
    if (!run.cancelled())
      for (const std::string& problem : check_accounting(graph, nodes, flow)) {
        if (result.error.empty()) result.error = problem;
        else result.error += "\n" + problem;
        result.status = RunStatus::failed;
      }
  }
  // Sinks flush and close even after a failure: what they were given is kept.
  for (auto& n : nodes) {
    n->close();
    if (run.logs(LogLevel::debug)) {
      const NodeStats s = n->stats();
      run.log(LogLevel::debug, s.name, "closed: " + std::to_string(s.records_in) + " records in, " +
                                          std::to_string(s.records_out) + " out, " + std::to_string(s.errors) + " errors");
    }
  }
  if (run.failed() && result.error.empty()) {
    result.status = RunStatus::failed;
    result.error = run.error();
  }
  result.nodes = snapshot(graph, nodes, nullptr, started).nodes;
}
}  // namespace

}  // namespace graph_runner::engine
