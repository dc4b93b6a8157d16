#pragma once
// Admission in front of an adaptive node: at most controller.limit() calls in flight, the
// other batches wait here.
//
// Why a queue in front rather than something inside the flow node: oneTBB fixes a
// function_node's concurrency at construction, so the node is built for `max` and entry is
// gated. A permit counter checked inside the body would have to park the TBB worker until
// another call ends: that blocks a worker on a condition that needs other tasks to progress,
// which deadlocks a 2-thread arena (FACTS.md: "bodies that block waiting on each other").
// A limiter_node's threshold is fixed too, and lowering it by withholding decrements breaks
// on its continue_msg edge counting (FACTS.md). Here nothing waits on a thread: a batch over
// the limit sits in a concurrent queue, and the call that ends (or the timer raising the
// limit) starts the next. A batch is only ever parked while `limit` calls are in flight,
// and each of those starts the next one from inside its own task before it ends, so
// wait_for_all() never returns over a parked batch.
#include <atomic>
#include <functional>
#include <utility>

#include <oneapi/tbb/concurrent_queue.h>

#include "graph_runner/batch.hpp"
#include "run/concurrency_controller.hpp"

namespace graph_runner::engine {

class AdaptiveGate {
 public:
  using Start = std::function<void(BatchPtr)>;
  AdaptiveGate(ConcurrencyController& controller, Start start) : controller_(controller), start_(std::move(start)) {}

  // A batch arrives: it starts now if a permit is free, else waits.
  void push(BatchPtr batch) {
    queue_.push(std::move(batch));
    waiting_.fetch_add(1);
    pump();
  }
  // A call ended: its permit goes to the next batch waiting. Call it before the task (or
  // the I/O call's reserve_wait) that ran the call ends.
  void done() {
    in_flight_.fetch_sub(1);
    controller_.finished(ConcurrencyController::Clock::now());
    pump();
  }
  // The engine's timer: lets the controller see the backlog, and starts what a raised limit
  // allows.
  void sample() {
    controller_.sample(waiting_.load(), in_flight_.load());
    pump();
  }
  std::size_t waiting() const noexcept { return waiting_.load(); }
  std::size_t in_flight() const noexcept { return in_flight_.load(); }

 private:
  // Starts waiting batches while permits are free. A permit is claimed before a batch is
  // taken; when the queue turned out empty the permit goes back and the queue is looked at
  // again, so a batch pushed meanwhile is never left behind with no one to start it.
  void pump() {
    for (;;) {
      std::size_t n = in_flight_.load();
      if (n >= controller_.limit() || waiting_.load() == 0) return;
      if (!in_flight_.compare_exchange_weak(n, n + 1)) continue;
      BatchPtr batch;
      if (!queue_.try_pop(batch)) {
        in_flight_.fetch_sub(1);
        continue;
      }
      waiting_.fetch_sub(1);
      controller_.started(n + 1);
      start_(std::move(batch));
    }
  }

  ConcurrencyController& controller_;
  Start start_;
  tbb::concurrent_queue<BatchPtr> queue_;
  std::atomic<std::size_t> waiting_{0}, in_flight_{0};
};

}  // namespace graph_runner::engine
