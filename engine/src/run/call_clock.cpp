#include "run/call_clock.hpp"

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
// steady_clock, kept only when they are close (the thread was not preempted between them).
struct Pair {
  std::uint64_t ns = 0, ticks = 0;
};
bool read_pair(Pair& p) noexcept {
  const std::uint64_t before = __rdtsc();
  p.ns = steady_ns();
  const std::uint64_t after = __rdtsc();
  p.ticks = before + (after - before) / 2;
  return after - before < 20'000;  // a few microseconds at any rate a counter runs at
}

// Nanoseconds per tick, 0 when the counter is not usable. Measured over 200 us of
// steady_clock: a rate good to a few parts in 10,000 (the reads at both ends are the only
// error), short enough not to show in a run's start.
double measure_ns_per_tick() noexcept {
  if (!invariant_tsc()) return 0;
  Pair first, last;
  for (int i = 0; i < 100 && !read_pair(first); ++i) {
  }
  do {
    while (!read_pair(last)) {
    }
  } while (last.ns - first.ns < 200'000);
  if (last.ticks <= first.ticks) return 0;
  return static_cast<double>(last.ns - first.ns) / static_cast<double>(last.ticks - first.ticks);
}

const double ns_per_tick = measure_ns_per_tick();  // once, at load
#endif

}  // namespace

std::uint64_t CallClock::now() noexcept {
#ifdef GRAPH_RUNNER_TSC
  if (ns_per_tick > 0) return __rdtsc();
#endif
  return steady_ns();
}

std::int64_t CallClock::ns_since(std::uint64_t start) noexcept {
  const std::uint64_t end = now();
  if (end <= start) return 0;
#ifdef GRAPH_RUNNER_TSC
  if (ns_per_tick > 0) return static_cast<std::int64_t>(static_cast<double>(end - start) * ns_per_tick);
#endif
  return static_cast<std::int64_t>(end - start);
}

}  // namespace graph_runner::engine
