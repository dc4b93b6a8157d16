#pragma once
// Recycled memory for the small objects every batch makes: the Batch, its Columns, its
// arena, the engine's ticket and source box. At graph.batch_size = 1 each of them is made
// and freed once per record, and malloc (free from another thread, mostly) was the largest
// single cost after the flow graph's own. make_recycled<T>() is make_shared<T>() whose
// control block (with T inside) comes from a per-thread free list of blocks of its size:
// a block goes back to the list only when the last shared_ptr and weak_ptr are gone, so
// nothing is reused while anything refers to it. Under AddressSanitizer it is make_shared
// (and RecyclingAllocator plain new/delete), so that a use after free is still caught.
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define GRAPH_RUNNER_RECYCLE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GRAPH_RUNNER_RECYCLE 0
#endif
#endif
#ifndef GRAPH_RUNNER_RECYCLE
#define GRAPH_RUNNER_RECYCLE 1
#endif

namespace graph_runner::detail {

// Free blocks of `Size` bytes, per thread, at most `keep` held back from the allocator. A
// block freed on another thread than it was made on joins that thread's list (the sink's
// thread frees what the source's made; oneTBB runs both on the same few workers).
template <std::size_t Size>
class BlockPool {
 public:
  static constexpr std::size_t keep = 256;
  static void* allocate() {
    Head& h = head();
    if (Free* f = h.first) {
      h.first = f->next;
      --h.count;
      return f;
    }
    return ::operator new(Size);
  }
  static void deallocate(void* p) noexcept {
    Head& h = head();
    if (h.gone || h.count >= keep) return ::operator delete(p);  // gone: this thread is exiting
    if (h.count == 0) arm();
    h.first = new (p) Free{h.first};
    ++h.count;
  }

 private:
  struct Free {
    Free* next;
  };
  // Trivially destructible and constant-initialized: one TLS access, no guard, on the hot
  // path, and still readable while the thread's other thread_locals are destroyed.
  struct Head {
    Free* first = nullptr;
    std::size_t count = 0;
    bool gone = false;
  };
  // Frees the list when the thread exits (constructed when the list first gets a block).
  struct Reaper {
    ~Reaper() {
      Head& h = head();
      h.gone = true;
      while (Free* f = h.first) {
        h.first = f->next;
        ::operator delete(f);
      }
      h.count = 0;
    }
  };
  static Head& head() noexcept {
    static thread_local Head h;
    return h;
  }
  static void arm() noexcept {
    static thread_local Reaper reaper;
    (void)reaper;
  }
};

template <class T>
struct RecyclingAllocator {
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  RecyclingAllocator() = default;
  template <class U>
  RecyclingAllocator(const RecyclingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n != 1 || !GRAPH_RUNNER_RECYCLE) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(BlockPool<sizeof(T)>::allocate());
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n != 1 || !GRAPH_RUNNER_RECYCLE) return ::operator delete(p);
    BlockPool<sizeof(T)>::deallocate(p);
  }
  template <class U>
  bool operator==(const RecyclingAllocator<U>&) const noexcept { return true; }
};

template <class T, class... Args>
std::shared_ptr<T> make_recycled(Args&&... args) {
#if GRAPH_RUNNER_RECYCLE
  return std::allocate_shared<T>(RecyclingAllocator<T>{}, std::forward<Args>(args)...);
#else
  return std::make_shared<T>(std::forward<Args>(args)...);
#endif
}

}  // namespace graph_runner::detail
