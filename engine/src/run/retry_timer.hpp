#pragma once
// Waiting between retries without holding a thread (on_error = "retry"). A TBB task that
// must wait suspends itself (oneTBB resumable tasks): its worker goes on with other tasks
// while one timer thread per run resumes it when the backoff has passed. A run that is
// cancelled ends every wait at once. Threads outside TBB (and builds of oneTBB without
// resumable tasks) wait on a condition variable instead.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <thread>

#include <oneapi/tbb/task.h>

namespace graph_runner::engine {

class RetryTimer {
 public:
  using Clock = std::chrono::steady_clock;

  RetryTimer() = default;
  ~RetryTimer();
  RetryTimer(const RetryTimer&) = delete;
  RetryTimer& operator=(const RetryTimer&) = delete;

  // Waits `delay`, or less when the run is cancelled meanwhile. False when cancelled.
  // may_suspend = false blocks the thread instead: for a caller whose stack must stay on
  // its thread (it holds a mutex, or an outer call on this thread keeps thread-local state).
  bool wait(Clock::duration delay, bool may_suspend = true);
  // Ends every wait now and makes later ones return at once.
  void cancel();
  // Waits in progress now (the stall detector does not count them as a stall).
  std::size_t waiting() const;

 private:
  void resume_due();

#if __TBB_RESUMABLE_TASKS
  using Waiter = tbb::task::suspend_point;
#else
  using Waiter = void*;
#endif
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // the timer thread, and waits outside TBB
  std::multimap<Clock::time_point, Waiter> suspended_;
  std::size_t blocked_ = 0;  // condition-variable waits
  bool cancelled_ = false, done_ = false;
  std::thread thread_;  // started by the first suspended wait
};

}  // namespace graph_runner::engine
