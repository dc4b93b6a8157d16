#pragma once
// The clock that times every plugin call (busy time, latency histograms, observers). At
// graph.batch_size = 1 a call is a few hundred nanoseconds, and two steady_clock reads per
// call were 10 % of the run on a VM, where clock_gettime reads a paravirtual clock (about
// 25 ns a read). On x86 with an invariant time-stamp counter (constant and non-stop: every
// core's counts at one rate, the same on all) a call is timed by the counter instead, about
// 10 times cheaper, converted to nanoseconds at a rate measured once against steady_clock.
// Elsewhere it is steady_clock.
#include <chrono>
#include <cstdint>

namespace graph_runner::engine {

class CallClock {
 public:
  /// A point in time, in ticks of the clock in use.
  static std::uint64_t now() noexcept;
  /// Nanoseconds from `start` (a now()) to now; 0 if a thread moved to a core whose counter
  /// reads a little behind.
  static std::int64_t ns_since(std::uint64_t start) noexcept;
};

}  // namespace graph_runner::engine
