#pragma once
// Recycled memory for the small objects every batch makes: the Batch, its Columns, its
// arena, the engine's ticket and source box. At graph.batch_size = 1 each of them is made
// and freed once per record, and malloc (free from another thread, mostly) was the largest
// single cost after the flow graph's own. make_recycled<T>() is make_shared<T>() whose
// control block (with T inside) comes from a per-thread free list of blocks of its size:
// a block goes back to the list only when the last shared_ptr and weak_ptr are gone, so
// nothing is reused while anything refers to it. Under AddressSanitizer it is make_shared
// (and RecyclingAllocator plain new/delete), so that a use after free is still caught.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <thread>
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

// Per-thread stacks of free blocks, one per size class: `Tag` names the set (each has its
// own thread_locals), `Classes` how many stacks, `Policy{}(p, c)` how a block goes back to
// the allocator. A block freed on another thread than it was made on joins this thread's stack
// (a sink's thread frees what a source's made; oneTBB runs both on the same few workers).
// The stacks are linked through the free blocks themselves and their heads are trivially
// destructible and constant-initialized: one TLS access, no guard, on the hot path, and still
// usable while the thread's other thread_locals are destroyed. A reaper, constructed when a
// stack first gets a block, frees them at thread exit; a block freed after that (a
// thread_local or static destroyed later still holding batches) goes straight back.
//
// Where one thread mostly frees (a serial sink's) and another mostly makes (a source's), the
// first's stacks fill while the second's stay empty, and the second went to the allocator for
// every block (8-10 % of the seed pipeline in tbbmalloc, much of it page faults on fresh
// memory). So a full stack moves whole to a shared depot and an empty one takes a stack from
// it: a lock once per `keep` blocks, and at most Policy::depot_stacks(c) stacks held there.
template <class Tag, std::size_t Classes, class Policy>
class FreeStacks {
 public:
  static void* pop(std::size_t c) noexcept {
    Head& h = head();
    Stack& s = h.stacks[c];
    if (!s.first) {
      if (h.gone || !depot(c).take(s)) return nullptr;
      if (!h.armed) arm();  // this thread now holds blocks its reaper must free
    }
    Free* f = s.first;
    s.first = f->next;
    --s.count;
    return f;
  }
  /// Keeps `p` (at least a pointer's size) on stack `c`; when that holds `keep`, the stack
  /// moves to the depot, or (the depot full) `p` is released.
  static void push(std::size_t c, void* p, std::size_t keep) noexcept {
    Head& h = head();
    Stack& s = h.stacks[c];
    if (h.gone) return Policy{}(p, c);
    if (s.count >= keep && !depot(c).give(s, Policy::depot_stacks(c))) return Policy{}(p, c);
    if (!h.armed) arm();
    s.first = new (p) Free{s.first};
    ++s.count;
  }

 private:
  struct Free {
    Free* next;
  };
  struct Stack {
    Free* first = nullptr;
    std::size_t count = 0;
  };
  static constexpr std::size_t kDepotStacks = 4;  // the most a Policy asks for
  // Constant-initialized and trivially destructible, as the heads: blocks still here at exit
  // stay reachable from it (not a leak to LeakSanitizer).
  struct Depot {
    std::atomic_flag busy;
    std::size_t n = 0;
    Stack stacks[kDepotStacks];

    bool take(Stack& s) noexcept {
      lock();
      const bool ok = n > 0;
      if (ok) s = stacks[--n];
      busy.clear(std::memory_order_release);
      return ok;
    }
    bool give(Stack& s, std::size_t max) noexcept {
      lock();
      const bool ok = n < std::min(max, kDepotStacks);
      if (ok) {
        stacks[n++] = s;
        s = Stack{};
      }
      busy.clear(std::memory_order_release);
      return ok;
    }
    void lock() noexcept {
      while (busy.test_and_set(std::memory_order_acquire))
        while (busy.test(std::memory_order_relaxed)) std::this_thread::yield();
    }
  };
  static Depot& depot(std::size_t c) noexcept {
    static Depot d[Classes];
    return d[c];
  }
  struct Head {
    Stack stacks[Classes];
    bool armed = false, gone = false;  // gone: this thread is exiting
  };
  struct Reaper {
    ~Reaper() {
      Head& h = head();
      h.gone = true;
      for (std::size_t c = 0; c < Classes; ++c) {
        Stack& s = h.stacks[c];
        while (Free* f = s.first) {
          s.first = f->next;
          Policy{}(f, c);
        }
        s.count = 0;
      }
    }
  };
  static Head& head() noexcept {
    // initial-exec: libgraph_runner is loaded with the program, so its thread-locals sit in
    // the static TLS block, read at a fixed offset from the thread pointer; the default model
    // in a shared library calls __tls_get_addr on every access (6 % of a run at batch_size 1).
    static thread_local Head h __attribute__((tls_model("initial-exec")));
    return h;
  }
  static void arm() noexcept {
    static thread_local Reaper reaper;
    (void)reaper;
    head().armed = true;
  }
};

// Free blocks of `Size` bytes, per thread, at most `keep` held back from the allocator.
template <std::size_t Size>
class BlockPool {
 public:
  static constexpr std::size_t keep = 256;
  static void* allocate() {
    if (void* p = Stacks::pop(0)) return p;
    return ::operator new(Size);
  }
  static void deallocate(void* p) noexcept { Stacks::push(0, p, keep); }

 private:
  struct Release {
    void operator()(void* p, std::size_t) const noexcept { ::operator delete(p); }
    static constexpr std::size_t depot_stacks(std::size_t) { return 4; }
  };
  using Stacks = FreeStacks<BlockPool<Size>, 1, Release>;
};

// Live objects of type T, per thread (reuse.cpp): an object in the pool keeps its memory
// (its vectors' capacity, its buffers), so taking one back costs a reset, not an allocation.
// The free list is linked through a word after each object, which therefore stays alive;
// destroy(p) ends an object the pool does not keep. Blocks come from allocate().
template <class T, class Tag, std::size_t Keep = 64>
class LivePool {
 public:
  static void* allocate() { return ::operator new(kBlock); }
  static T* pop() noexcept {
    void* link = Stacks::pop(0);
    return link ? object(link) : nullptr;
  }
  static void push(T* p) noexcept { Stacks::push(0, reinterpret_cast<std::byte*>(p) + kLink, Keep); }
  static void destroy(T* p) noexcept {
    p->~T();
    ::operator delete(p);
  }

 private:
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  static constexpr std::size_t kLink = (sizeof(T) + alignof(void*) - 1) / alignof(void*) * alignof(void*);
  static constexpr std::size_t kBlock = kLink + sizeof(void*);
  static T* object(void* link) noexcept {
    return std::launder(reinterpret_cast<T*>(static_cast<std::byte*>(link) - kLink));
  }
  struct Release {
    void operator()(void* link, std::size_t) const noexcept { destroy(object(link)); }
    static constexpr std::size_t depot_stacks(std::size_t) { return 4; }
  };
  using Stacks = FreeStacks<LivePool, 1, Release>;
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
