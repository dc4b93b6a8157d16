#pragma once
// Per-thread working state for thread-safe stages: each call leases one object, so no two
// threads ever share it, and objects are reused (created on demand, at most one per
// concurrent call). A thread's own slot holds the object it used last: taking and giving it
// back are a load and a store on memory no other thread touches. Only when that slot is
// empty (the thread's first call, a call nested in another on the same thread, or past
// the first kSlots threads) does a lease go through the shared list and its mutex: two
// lock operations per batch were, at graph.batch_size = 1, a cache line moving between the
// cores on every call.
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace graph_runner::plugins {

// This thread's index among the threads that leased from any Pool (in this library).
inline std::size_t pool_thread_index() noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
  return index;
}

template <class T>
class Pool {
 public:
  explicit Pool(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {}
  ~Pool() {
    for (Slot& s : slots_) delete s.item.load(std::memory_order_relaxed);
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<T> item, std::size_t slot) : pool_(pool), item_(std::move(item)), slot_(slot) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.give_back(std::move(item_), slot_); }
    T& operator*() const noexcept { return *item_; }
    T* operator->() const noexcept { return item_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<T> item_;
    std::size_t slot_;  // the leasing thread's slot, or kSlots
  };

  Lease acquire() {
    const std::size_t slot = std::min(pool_thread_index(), kSlots);
    if (slot < kSlots)
      if (T* mine = slots_[slot].item.load(std::memory_order_relaxed)) {
        slots_[slot].item.store(nullptr, std::memory_order_relaxed);
        return Lease(*this, std::unique_ptr<T>(mine), slot);
      }
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto item = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(item), slot);
      }
    }
    return Lease(*this, make_(), slot);
  }

 private:
  static constexpr std::size_t kSlots = 16;
  // Read and written by one thread only (relaxed atomics: the objects never cross threads
  // through a slot); a cache line each.
  struct alignas(64) Slot {
    std::atomic<T*> item{nullptr};
  };

  void give_back(std::unique_ptr<T> item, std::size_t slot) {
    if (slot < kSlots && slots_[slot].item.load(std::memory_order_relaxed) == nullptr) {
      slots_[slot].item.store(item.release(), std::memory_order_relaxed);
      return;
    }
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(item));
  }

  std::function<std::unique_ptr<T>()> make_;
  std::array<Slot, kSlots> slots_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace graph_runner::plugins
