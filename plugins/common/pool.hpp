#pragma once
// Per-thread working state for thread-safe stages: each call leases one object, so no two
// threads ever share it, and objects are reused (created on demand, at most one per
// concurrent call). A thread's slot (chosen by its id) holds the object it used last: taking
// and giving it back are an exchange on a cache line other threads seldom touch. Only when
// that slot is empty (the thread's first call, a call nested in another on the same thread,
// or another thread sharing the slot) does a lease go through the shared list and its mutex:
// two lock operations on one line per batch were, at graph.batch_size = 1, a cache line
// moving between the cores on every call.
//
// No thread_local: a plugin is a dlopen()ed library, so its thread-locals are dynamic TLS,
// and LeakSanitizer (GCC 12's) read a stale dynamic-TLS entry of the main thread at exit
// and crashed ("Tracer caught signal 11") in the ASan suite.
#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace graph_runner::plugins {

// This thread's slot among `slots`, from a hash of its id (no thread-local storage). Two
// threads may share a slot.
inline std::size_t pool_slot_of_this_thread(std::size_t slots) noexcept {
  return std::hash<std::thread::id>{}(std::this_thread::get_id()) % slots;
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
    std::size_t slot_;  // the leasing thread's slot
  };

  // Calls f(T&) on every object the pool holds: only while no lease is out (a sink's
  // finish(), after its last call), to sum what each object gathered.
  template <class F>
  void each_idle(F&& f) {
    for (Slot& s : slots_)
      if (T* item = s.item.load(std::memory_order_acquire)) f(*item);
    std::lock_guard lock(mutex_);
    for (auto& item : free_) f(*item);
  }

  Lease acquire() {
    const std::size_t slot = pool_slot_of_this_thread(kSlots);
    // An exchange: a thread sharing the slot may take or give back at the same moment.
    if (T* mine = slots_[slot].item.exchange(nullptr, std::memory_order_acquire))
      return Lease(*this, std::unique_ptr<T>(mine), slot);
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
  // Mostly one thread's (the threads whose ids hash to it); a cache line each.
  struct alignas(64) Slot {
    std::atomic<T*> item{nullptr};
  };

  void give_back(std::unique_ptr<T> item, std::size_t slot) {
    T* empty = nullptr;
    if (slots_[slot].item.compare_exchange_strong(empty, item.get(), std::memory_order_release,
                                                  std::memory_order_relaxed)) {
      item.release();
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
