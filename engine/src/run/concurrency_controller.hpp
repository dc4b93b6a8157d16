#pragma once
// Adaptive concurrency (`concurrency = { min, max }`): how many calls of a node may be in
// flight right now. Pure logic with the clock passed in, so tests drive it without timing;
// AdaptiveGate (run/adaptive_gate.hpp) enforces the limit, FlowGraph feeds it.
//
// Two policies (docs/performance.md#adaptive-concurrency):
// - BacklogController, for CPU stages: more calls while batches wait in front of the node,
//   fewer while permits sit idle. Sampled at a fixed interval by the engine's timer thread.
// - RttController, for `blocking` nodes (a remote service): AIMD on the round-trip time, after
//   Vector's adaptive request concurrency. Once per interval (about one RTT long): +1 when
//   the interval used every permit and its RTT did not rise; x0.9 when it rose, or when the
//   service pushed back (a TransientError: HTTP 429, 503, a timeout). Unlike Vector, "rose" is
//   not "above the EWMA of past intervals + 2.5 deviations": that EWMA follows the RTT up while
//   the limit creeps past the service's capacity (13 against a capacity of 4 in our test). The
//   baseline is the lowest interval RTT seen, drifting up slowly (5 % of the gap an interval)
//   so a service that got slower for everyone is accepted in time; the RTT rose when the
//   requests it implies queued at the service (TCP Vegas: limit x (RTT - baseline) / RTT) pass
//   1.5, by more than noise (2.5 standard errors of the interval's mean). An interval lasts
//   the slower of the baseline and its own mean RTT: about one round of calls.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>

namespace graph_runner::engine {

class ConcurrencyController {
 public:
  using Clock = std::chrono::steady_clock;
  ConcurrencyController(std::size_t min, std::size_t max) : min_(min), max_(max), limit_(min) {}
  virtual ~ConcurrencyController() = default;
  ConcurrencyController(const ConcurrencyController&) = delete;
  ConcurrencyController& operator=(const ConcurrencyController&) = delete;

  std::size_t limit() const noexcept { return limit_.load(std::memory_order_relaxed); }
  std::size_t min() const noexcept { return min_; }
  std::size_t max() const noexcept { return max_; }

  // A call starts with `in_flight` calls running (itself included).
  virtual void started(std::size_t in_flight) { (void)in_flight; }
  // One attempt of a call ended (a retried call has several): how long it took, whether it
  // succeeded, whether the service pushed back (TransientError).
  virtual void attempt(Clock::duration rtt, bool ok, bool overload) { (void)rtt, (void)ok, (void)overload; }
  // A call ended (after its retries).
  virtual void finished(Clock::time_point now) { (void)now; }
  // The engine's timer: `waiting` batches queued in front of the node, `running` calls.
  virtual void sample(std::size_t waiting, std::size_t running) { (void)waiting, (void)running; }
  // How often sample() is due; zero: never.
  virtual std::chrono::milliseconds sample_interval() const { return std::chrono::milliseconds(0); }

 protected:
  void set_limit(std::size_t n) noexcept { limit_.store(n < min_ ? min_ : n > max_ ? max_ : n, std::memory_order_relaxed); }

 private:
  const std::size_t min_, max_;
  std::atomic<std::size_t> limit_;
};

class BacklogController final : public ConcurrencyController {
 public:
  // Grows after `grow_after` samples in a row with batches waiting and every permit used;
  // shrinks after `shrink_after` samples in a row with a permit unused and nothing waiting.
  // Growing is quicker than shrinking: a backlog costs latency at once, an idle permit
  // costs nothing but a possible oversubscription when another node gets busy.
  static constexpr std::size_t grow_after = 2, shrink_after = 5;
  static constexpr std::chrono::milliseconds interval{20};

  using ConcurrencyController::ConcurrencyController;
  void sample(std::size_t waiting, std::size_t running) override;
  std::chrono::milliseconds sample_interval() const override { return interval; }

 private:
  std::size_t busy_ = 0, idle_ = 0;  // samples in a row (touched by the timer thread only)
};

class RttController final : public ConcurrencyController {
 public:
  static constexpr double ewma_alpha = 0.4, deviation_scale = 2.5, decrease_ratio = 0.9;
  static constexpr double baseline_drift = 0.05;  // of the gap, per interval, when RTTs are above it
  static constexpr double queue_tolerance = 1.5;  // requests estimated queued at the service: "rising" past it

  using ConcurrencyController::ConcurrencyController;
  void started(std::size_t in_flight) override;
  void attempt(Clock::duration rtt, bool ok, bool overload) override;
  void finished(Clock::time_point now) override;

 private:
  void adjust(double current_rtt, bool have_rtt);

  std::mutex mutex_;
  // The service's RTT when not loaded (seconds), and the spread of RTTs within an interval.
  std::optional<double> baseline_;
  double deviation_ = 0;
  // This interval: the mean and spread of its RTTs, and what it saw.
  double rtt_sum_ = 0, rtt_squares_ = 0;
  std::size_t rtt_count_ = 0;
  bool overload_ = false, reached_limit_ = false;
  Clock::time_point next_update_{};
};

}  // namespace graph_runner::engine
