#pragma once
// Counters that every call adds to, split by thread. One atomic shared by the workers moves
// its cache line between cores on every add: at graph.batch_size = 1 the few relaxed adds
// per call on a node's counters (and on the run's progress count) cost more than the call's
// own work. Each thread adds to its own slot, on its own cache line; readers (stats, the
// watchdog) sum the slots. Threads beyond `slots` share one: still correct, adds are atomic.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace graph_runner::engine {

class PerThreadSlot {
 public:
  static constexpr std::size_t slots = 8;
  // This thread's slot: threads are numbered in the order they first ask.
  static std::size_t of_this_thread() noexcept {
    static std::atomic<std::size_t> next{0};
    thread_local const std::size_t slot = next.fetch_add(1, std::memory_order_relaxed) % slots;
    return slot;
  }
};

// `slots` copies of T, each on cache lines of its own.
template <class T>
class PerThread {
 public:
  T& local() noexcept { return slots_[PerThreadSlot::of_this_thread()].value; }
  template <class F>
  void each(F&& f) const {
    for (const auto& s : slots_) f(s.value);
  }

 private:
  struct alignas(64) Slot {
    T value{};
  };
  std::array<Slot, PerThreadSlot::slots> slots_{};
};

// A relaxed counter split by thread: add() touches this thread's cache line only.
template <class V = std::uint64_t>
class ShardedCounter {
 public:
  void add(V n) noexcept { counts_.local().fetch_add(n, std::memory_order_relaxed); }
  V load() const noexcept {
    V sum = 0;
    counts_.each([&](const std::atomic<V>& c) { sum += c.load(std::memory_order_relaxed); });
    return sum;
  }

 private:
  PerThread<std::atomic<V>> counts_;
};

}  // namespace graph_runner::engine
