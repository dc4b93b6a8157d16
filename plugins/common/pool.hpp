#pragma once
// Per-thread working state for thread-safe stages: each call leases one object, so no two
// threads ever share it, and objects are reused (created on demand, at most one per
// concurrent call). Two uncontended lock operations per batch, not per record.
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace graph_runner::plugins {

template <class T>
class Pool {
 public:
  explicit Pool(std::function<std::unique_ptr<T>()> make) : make_(std::move(make)) {}

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<T> item) : pool_(pool), item_(std::move(item)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { pool_.give_back(std::move(item_)); }
    T& operator*() const noexcept { return *item_; }
    T* operator->() const noexcept { return item_.get(); }

   private:
    Pool& pool_;
    std::unique_ptr<T> item_;
  };

  Lease acquire() {
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        auto item = std::move(free_.back());
        free_.pop_back();
        return Lease(*this, std::move(item));
      }
    }
    return Lease(*this, make_());
  }

 private:
  void give_back(std::unique_ptr<T> item) {
    std::lock_guard lock(mutex_);
    free_.push_back(std::move(item));
  }

  std::function<std::unique_ptr<T>()> make_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace graph_runner::plugins
