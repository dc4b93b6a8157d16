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

#include "run/run_graph.hpp"

namespace graph_runner::engine {

class RunState {
 public:
  RunState(std::function<void(const std::string&)> log, const std::vector<std::shared_ptr<CallObserver>>& observers)
      : observers_(observers), log_(std::move(log)) {}

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
    request_stop();
    context_.cancel_group_execution();
  }
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

  void log(const std::string& line) const {
    std::lock_guard lock(log_mutex_);
    log_(line);
  }

 private:
  tbb::task_group_context context_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> progress_{0};
  mutable std::mutex mutex_, log_mutex_;
  bool failed_ = false;
  std::string error_;
  const std::vector<std::shared_ptr<CallObserver>>& observers_;
  std::function<void(const std::string&)> log_;
};

}  // namespace graph_runner::engine
