#include "run/retry_timer.hpp"

#include <vector>

#include <oneapi/tbb/task_arena.h>

// AddressSanitizer cannot follow oneTBB's resumable tasks (a swapcontext onto another stack,
// without the fiber annotations ASan needs) and reports false stack errors after a resume
// (docs/reliability.md). Sanitizer builds wait by blocking: other timing, same results.
#if defined(__SANITIZE_ADDRESS__)
#define GRAPH_RUNNER_SUSPEND_WAITS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRAPH_RUNNER_SUSPEND_WAITS 0
#endif
#endif
#ifndef GRAPH_RUNNER_SUSPEND_WAITS
#define GRAPH_RUNNER_SUSPEND_WAITS 1
#endif

namespace graph_runner::engine {

RetryTimer::~RetryTimer() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
    cancelled_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();  // it resumes whatever still waits before it ends
}

bool RetryTimer::wait(Clock::duration delay, bool may_suspend) {
  const auto deadline = Clock::now() + delay;
#if __TBB_RESUMABLE_TASKS && GRAPH_RUNNER_SUSPEND_WAITS
  if (may_suspend && tbb::this_task_arena::current_thread_index() != tbb::task_arena::not_initialized) {
    {
      std::lock_guard lock(mutex_);
      if (cancelled_) return false;
      if (!thread_.joinable()) thread_ = std::thread([this] { resume_due(); });
    }
    // The callback runs once this task is off its thread; from then on the timer may
    // resume it at any moment, even before the callback returns.
    tbb::task::suspend([&](tbb::task::suspend_point tag) {
      {
        std::lock_guard lock(mutex_);
        suspended_.emplace(deadline, tag);
      }
      wake_.notify_all();
    });
    std::lock_guard lock(mutex_);
    return !cancelled_;
  }
#else
  (void)may_suspend;
#endif
  std::unique_lock lock(mutex_);
  ++blocked_;
  wake_.wait_until(lock, deadline, [&] { return cancelled_; });
  --blocked_;
  return !cancelled_;
}

void RetryTimer::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  wake_.notify_all();
}

std::size_t RetryTimer::waiting() const {
  std::lock_guard lock(mutex_);
  return suspended_.size() + blocked_;
}

// The timer thread: resumes each suspended wait at its deadline, or all of them on cancel.
void RetryTimer::resume_due() {
  std::unique_lock lock(mutex_);
  for (;;) {
    std::vector<Waiter> due;
    const auto now = Clock::now();
    while (!suspended_.empty() && (cancelled_ || suspended_.begin()->first <= now)) {
      due.push_back(suspended_.begin()->second);
      suspended_.erase(suspended_.begin());
    }
    if (!due.empty()) {
      lock.unlock();
#if __TBB_RESUMABLE_TASKS
      for (Waiter w : due) tbb::task::resume(w);
#endif
      lock.lock();
      continue;
    }
    if (done_ && suspended_.empty()) return;
    if (suspended_.empty()) wake_.wait(lock);
    else wake_.wait_until(lock, suspended_.begin()->first);
  }
}

}  // namespace graph_runner::engine
