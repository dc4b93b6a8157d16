#pragma once
// Counters that every call adds to, split by thread. One atomic shared by the workers moves
// its cache line between cores on every add: at graph.batch_size = 1 the few relaxed adds
// per call on a node's counters (and on the run's progress count) cost more than the call's
// own work. Each thread adds to its own slot, on its own cache line; readers (stats, the
// watchdog) sum the slots. Threads beyond the first few share the last slot.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace graph_runner::engine {

class PerThreadSlot {
 public:
  static constexpr std::size_t slots = 8;
  // The first slots - 1 threads to ask get a slot of their own; later ones share the last.
  static constexpr std::size_t shared = slots - 1;
  [[gnu::always_inline]] static std::size_t of_this_thread() noexcept {
    thread_local std::size_t slot = SIZE_MAX;  // constant-initialized: no guard on the hot path
    if (slot == SIZE_MAX) [[unlikely]] slot = assign();
    return slot;
  }

 private:
  static std::size_t assign() noexcept {
    static std::atomic<std::size_t> next{0};
    const std::size_t n = next.fetch_add(1, std::memory_order_relaxed);
    return n < shared ? n : shared;
  }
};

// Adds `n` to a counter of this thread's slot. A slot of its own is written by this thread
// only: a plain load and store, no locked instruction (readers still load atomically). The
// shared slot needs the atomic add. Always inlined: a few instructions, called about 30
// times per record at batch_size 1, where the call itself cost more than the add.
template <class V>
[[gnu::always_inline]] inline void add_in_slot(std::atomic<V>& counter, V n) noexcept {
  if (PerThreadSlot::of_this_thread() != PerThreadSlot::shared)
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  else
    counter.fetch_add(n, std::memory_order_relaxed);
}

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
  void add(V n) noexcept { add_in_slot(counts_.local(), n); }
  V load() const noexcept {
    V sum = 0;
    counts_.each([&](const std::atomic<V>& c) { sum += c.load(std::memory_order_relaxed); });
    return sum;
  }

 private:
  PerThread<std::atomic<V>> counts_;
};

}  // namespace graph_runner::engine
