#pragma once
// State shared by every node of one run: the stop flag plugins see, the first failure,
// and the task_group_context that cancels the whole graph.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <memory>
#include <vector>

#include <oneapi/tbb/task_group.h>

#include "run/retry_timer.hpp"
#include "run/run_graph.hpp"

namespace graph_runner::engine {

class RunState {
 public:
  RunState(std::function<void(const LogEvent&)> log, LogLevel log_level,
           const std::vector<std::shared_ptr<CallObserver>>& observers)
      : observers_(observers), log_(std::move(log)), log_level_(log_level) {}

  const std::vector<std::shared_ptr<CallObserver>>& observers() const noexcept { return observers_; }

  tbb::task_group_context& context() noexcept { return context_; }

  bool stopping() const noexcept { return stopping_.load(std::memory_order_relaxed); }
  void request_stop() noexcept { stopping_.store(true, std::memory_order_relaxed); }

  // The first failure wins; the graph is cancelled at once (on_error = "fail").
  void fail(std::string message) {
    {
      std::lock_guard lock(mutex_);
      if (!failed_) { failed_ = true; error_ = std::move(message); }
    }
    cancel();
  }
  // Hard stop (a failure, a second signal, the grace period over): batches still in flight
  // are abandoned, so they are no longer acknowledged to their sources (they were not
  // delivered), and waiting retries give up at once.
  void cancel() noexcept {
    request_stop();
    cancelled_.store(true, std::memory_order_release);
    retry_timer_.cancel();
    context_.cancel_group_execution();
  }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_acquire); }
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
  void progressed() noexcept { progress_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t progress() const noexcept { return progress_.load(std::memory_order_relaxed); }

  // Whether a message of this level would be delivered: check before building a costly one.
  bool logs(LogLevel level) const noexcept { return level >= log_level_; }
  // node: the node the message concerns ("" for the run as a whole).
  void log(LogLevel level, std::string_view node, std::string_view message) const {
    if (!logs(level)) return;
    std::lock_guard lock(log_mutex_);
    log_(LogEvent{level, node, message});
  }

 private:
  tbb::task_group_context context_;
  std::atomic<bool> stopping_{false}, cancelled_{false};
  RetryTimer retry_timer_;
  std::atomic<std::uint64_t> progress_{0};
  mutable std::mutex mutex_, log_mutex_;
  bool failed_ = false;
  std::string error_;
  const std::vector<std::shared_ptr<CallObserver>>& observers_;
  std::function<void(const LogEvent&)> log_;
  LogLevel log_level_;
};

}  // namespace graph_runner::engine
