#include "run/call_clock.hpp"

#include <atomic>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#define GRAPH_RUNNER_TSC 1
#endif

namespace graph_runner::engine {
namespace {

using Steady = std::chrono::steady_clock;

std::uint64_t steady_ns() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Steady::now().time_since_epoch()).count());
}

#ifdef GRAPH_RUNNER_TSC
// CPUID 0x80000007, EDX bit 8: the counter runs at a constant rate in every power state.
bool invariant_tsc() noexcept {
  unsigned a, b, c, d;
  if (__get_cpuid_max(0x80000000, nullptr) < 0x80000007) return false;
  __cpuid(0x80000007, a, b, c, d);
  return (d >> 8) & 1;
}

// A (steady_clock, counter) pair read together: the counter read just before and just after
// steady_clock, the tightest of 16 tries (a thread preempted between the reads, or the
// first call binding the symbol, widens the gap and the rate's error with it).
struct Pair {
  std::uint64_t ns = 0, ticks = 0;
};
Pair tightest_pair() noexcept {
  Pair best;
  std::uint64_t best_gap = ~std::uint64_t{0};
  for (int i = 0; i < 16; ++i) {
    const std::uint64_t before = __rdtsc();
    const std::uint64_t ns = steady_ns();
    const std::uint64_t after = __rdtsc();
    if (after - before < best_gap) {
      best_gap = after - before;
      best = {ns, before + (after - before) / 2};
    }
  }
  return best;
}

// Nanoseconds per tick, 0 when the counter is not usable. Measured over 500 us of
// steady_clock: the pairs at both ends are good to some tens of nanoseconds, so the rate is
// to a few parts in 10,000, and the wait does not show in a run.
double measure_ns_per_tick() noexcept {
  if (!invariant_tsc()) return 0;
  (void)tightest_pair();  // binds steady_clock's symbol and warms the caches
  const Pair first = tightest_pair();
  Pair last;
  do last = tightest_pair();
  while (last.ns - first.ns < 500'000);
  if (last.ticks <= first.ticks) return 0;
  return static_cast<double>(last.ns - first.ns) / static_cast<double>(last.ticks - first.ticks);
}

// Measured at the first read of the clock, not at load: commands that run no graph
// (validate, --help) and test programs do not wait for it. Later reads test the rate known
// (a relaxed load: a plain load) as a constant was tested; the first read is out of line
// (inlined, its frame made every read save six registers).
std::atomic<double> known_rate{-1};  // -1: not measured yet
[[gnu::noinline, gnu::cold]] double first_ns_per_tick() noexcept {
  static const double measured = measure_ns_per_tick();  // once, whichever thread comes first
  known_rate.store(measured, std::memory_order_relaxed);
  return measured;
}
#endif

}  // namespace

std::uint64_t CallClock::now() noexcept {
#ifdef GRAPH_RUNNER_TSC
  if (known_rate.load(std::memory_order_relaxed) > 0) [[likely]] return __rdtsc();
  if (known_rate.load(std::memory_order_relaxed) < 0 && first_ns_per_tick() > 0) return __rdtsc();
#endif
  return steady_ns();
}

std::int64_t CallClock::ns_since(std::uint64_t start) noexcept {
  const std::uint64_t end = now();  // the rate is known from here on
  if (end <= start) return 0;
#ifdef GRAPH_RUNNER_TSC
  if (const double rate = known_rate.load(std::memory_order_relaxed); rate > 0)
    return static_cast<std::int64_t>(static_cast<double>(end - start) * rate);
#endif
  return static_cast<std::int64_t>(end - start);
}

}  // namespace graph_runner::engine
