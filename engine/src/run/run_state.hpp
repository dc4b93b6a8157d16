#pragma once
// State shared by every node of one run: the run's phase (the one truth that the flow
// graph, the watchdog, the stage timer and the sources consult), the stop flag plugins see,
// the first failure, and the task_group_context that cancels the whole graph.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <memory>
#include <vector>

#include <oneapi/tbb/task_group.h>

#include "run/per_thread.hpp"
#include "run/retry_timer.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::engine {

// The run's lifecycle: running -> draining (a stop was requested: sources stop reading, what
// is in flight drains) -> finishing (every source ended and nothing is in flight: stages' and
// sinks' finish() in order) -> closing (sinks flush and close). cancelled and failed are final:
// once entered, no later step undoes them (a cancel sticks).
enum class RunPhase : std::uint8_t { running, draining, finishing, closing, cancelled, failed };

class RunState {
 public:
  RunState(std::function<void(const LogEvent&)> log, LogLevel log_level,
           const std::vector<std::shared_ptr<CallObserver>>& observers, bool hand_over_inputs = true)
      : observers_(observers), log_(std::move(log)), log_level_(log_level), hand_over_inputs_(hand_over_inputs) {}

  // RunOptions::hand_over_inputs: whether a stage may take its input to change it in place.
  bool hand_over_inputs() const noexcept { return hand_over_inputs_; }

  const std::vector<std::shared_ptr<CallObserver>>& observers() const noexcept { return observers_; }

  tbb::task_group_context& context() noexcept { return context_; }

  RunPhase phase() const noexcept { return phase_.load(std::memory_order_acquire); }
  // Moves forward to `next` (running -> draining -> finishing -> closing); never out of
  // cancelled or failed, never back. Returns whether the phase changed.
  bool enter(RunPhase next) noexcept {
    RunPhase now = phase_.load(std::memory_order_acquire);
    while (now < next && now < RunPhase::cancelled)
      if (phase_.compare_exchange_weak(now, next, std::memory_order_acq_rel)) return true;
    return false;
  }

  // What plugins see as Context::stop_requested(): a stop was requested, or the run was
  // cancelled or failed. Not set by the normal end of the stream.
  bool stopping() const noexcept { return stopping_.load(std::memory_order_acquire); }
  void request_stop() noexcept {
    stopping_.store(true, std::memory_order_release);
    enter(RunPhase::draining);
  }

  // The first failure wins; the graph is cancelled at once (on_error = "fail").
  void fail(std::string message) {
    {
      std::lock_guard lock(mutex_);
      if (!failed_) { failed_ = true; error_ = std::move(message); }
    }
    stopping_.store(true, std::memory_order_release);
    phase_.store(RunPhase::failed, std::memory_order_release);
    cancel_tasks();
  }
  // Hard stop (a failure, a second signal, the grace period over): batches still in flight
  // are abandoned, so they are no longer acknowledged to their sources (they were not
  // delivered), and waiting retries give up at once.
  void cancel() noexcept {
    stopping_.store(true, std::memory_order_release);
    enter(RunPhase::cancelled);
    cancel_tasks();
  }
  // Cancelled or failed: sticks for the rest of the run (the graph's context is made with
  // concurrent_wait, so wait_for_all() does not reset it either).
  bool cancelled() const noexcept { return phase() >= RunPhase::cancelled; }
  RetryTimer& retry_timer() noexcept { return retry_timer_; }
  bool failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  std::string error() const {
    std::lock_guard lock(mutex_);
    return error_;
  }

  // Bumped whenever a plugin call returns: the stall detector watches it.
  void progressed() noexcept { progress_.add(1); }
  std::uint64_t progress() const noexcept { return progress_.load(); }

  // Whether a message of this level would be delivered: check before building a costly one.
  bool logs(LogLevel level) const noexcept { return level >= log_level_; }
  // node: the node the message concerns ("" for the run as a whole).
  void log(LogLevel level, std::string_view node, std::string_view message) const {
    if (!logs(level)) return;
    std::lock_guard lock(log_mutex_);
    log_(LogEvent{level, node, message});
  }

 private:
  void cancel_tasks() noexcept {
    retry_timer_.cancel();
    context_.cancel_group_execution();
  }

  // concurrent_wait: graph::wait_for_all() would otherwise reset the context, and a cancel
  // seen by one wait would be gone for the next
  // (docs/architecture.md#wait_for_all-returns-when-no-task-runs).
  tbb::task_group_context context_{tbb::task_group_context::bound,
                                   tbb::task_group_context::default_traits | tbb::task_group_context::concurrent_wait};
  std::atomic<bool> stopping_{false};
  std::atomic<RunPhase> phase_{RunPhase::running};
  RetryTimer retry_timer_;
  ShardedCounter<> progress_;  // every call of every node adds to it
  mutable std::mutex mutex_, log_mutex_;
  bool failed_ = false;
  std::string error_;
  const std::vector<std::shared_ptr<CallObserver>>& observers_;
  std::function<void(const LogEvent&)> log_;
  LogLevel log_level_;
  const bool hand_over_inputs_;
};

}  // namespace graph_runner::engine
