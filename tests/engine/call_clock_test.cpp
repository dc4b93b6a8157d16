// The clock that times plugin calls (engine/src/run/call_clock.hpp): the time-stamp counter
// where it is invariant, converted at a measured rate. A wrong rate would scale every busy
// time and latency the report and the metrics show.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "run/call_clock.hpp"

using graph_runner::engine::CallClock;

TEST_CASE("a call timed by CallClock takes what steady_clock says it took") {
  using namespace std::chrono;
  for (const auto pause : {milliseconds(5), milliseconds(40)}) {
    const auto steady_start = steady_clock::now();
    const std::uint64_t start = CallClock::now();
    std::this_thread::sleep_for(pause);
    const std::int64_t ns = CallClock::ns_since(start);
    const auto steady_ns = duration_cast<nanoseconds>(steady_clock::now() - steady_start).count();
    INFO("CallClock " << ns << " ns, steady_clock " << steady_ns << " ns");
    // Read inside steady_clock's interval: never more, and short of it by the reads only.
    CHECK(ns <= steady_ns + steady_ns / 100);
    CHECK(ns >= duration_cast<nanoseconds>(pause).count() * 99 / 100);
  }
  CHECK(CallClock::ns_since(CallClock::now()) < 1'000'000);  // back to back: far below a millisecond
}
