// plugins/common/pool.hpp: the per-call working state of thread-safe stages (map, filter,
// route, ...). A lease is never shared: not between threads, not between a call and one
// nested in it on the same thread.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "pool.hpp"

using graph_runner::plugins::Pool;

namespace {

struct Work {
  std::atomic<int> users{0};
};

}  // namespace

TEST_CASE("a pool's lease is never shared and a thread gets its own object back") {
  std::atomic<int> made{0};
  Pool<Work> pool([&] {
    ++made;
    return std::make_unique<Work>();
  });
  SECTION("nested on one thread") {
    auto outer = pool.acquire();
    Work* first = &*outer;
    {
      auto inner = pool.acquire();
      CHECK(&*inner != first);
    }
    auto again = pool.acquire();  // the inner one, given back
    CHECK(&*again != first);
    CHECK(made == 2);
  }
  SECTION("a thread's next lease is the object it gave back") {
    Work* first = nullptr;
    { first = &*pool.acquire(); }
    CHECK(&*pool.acquire() == first);
    CHECK(made == 1);
  }
  SECTION("many threads") {
    std::atomic<int> shared{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 24; ++t)  // more threads than the pool has slots
      threads.emplace_back([&] {
        for (int i = 0; i < 2000; ++i) {
          auto lease = pool.acquire();
          if (lease->users.fetch_add(1) != 0) ++shared;
          auto nested = pool.acquire();
          if (nested->users.fetch_add(1) != 0) ++shared;
          nested->users.fetch_sub(1);
          lease->users.fetch_sub(1);
        }
      });
    for (auto& t : threads) t.join();
    CHECK(shared == 0);
    CHECK(made <= 48);  // at most two per thread (a call and one nested)
  }
}
