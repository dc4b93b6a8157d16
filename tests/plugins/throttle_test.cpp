#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_throttle();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_throttle;
using Clock = std::chrono::steady_clock;

namespace {
BatchPtr records(std::int64_t first, std::size_t n) {
  BatchBuilder b(n);
  auto& col = b.column(field("id"));
  for (std::size_t i = 0; i < n; ++i) col.append(Value::of(first + static_cast<std::int64_t>(i)));
  return b.finish();
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
}  // namespace

// Bounds are generous on purpose: a loaded machine may sleep longer, never shorter.
TEST_CASE("throttle holds records to `per_second` after a first burst", "[plugins][throttle]") {
  gt::StageHarness h(describe_throttle(), {{"per_second", 2000.0}, {"burst", 100}});
  const auto start = Clock::now();
  for (int i = 0; i < 6; ++i) h.process(records(i * 100, 100));
  const double elapsed = seconds_since(start);
  // The full bucket lets 100 through at once; the other 500 take 500 / 2000 = 0.25 s.
  CHECK(elapsed >= 0.2);
  CHECK(elapsed < 2.0);
  CHECK(gt::count_records(h.output().out()) == 600);
}

TEST_CASE("throttle sends a batch larger than `burst` in slices, in order", "[plugins][throttle]") {
  gt::StageHarness h(describe_throttle(), {{"per_second", 100000.0}, {"burst", 40}});
  h.process(records(0, 100));
  std::vector<std::size_t> sizes;
  for (const auto& b : h.output().out()) sizes.push_back(b->size());
  CHECK(sizes == std::vector<std::size_t>{40, 40, 20});
  std::vector<std::int64_t> expected(100);
  for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = static_cast<std::int64_t>(i);
  CHECK(gt::ints(h.output().out(), "id") == expected);
}

TEST_CASE("throttle stops waiting once the run is stopping, and loses nothing", "[plugins][throttle]") {
  gt::StageHarness h(describe_throttle(), {{"per_second", 1.0}, {"burst", 1}});  // 1 record per second
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.context().request_stop();
  });
  const auto start = Clock::now();
  h.process(records(0, 50));  // would take 49 s
  stopper.join();
  CHECK(seconds_since(start) < 5.0);
  CHECK(gt::count_records(h.output().out()) == 50);
}

TEST_CASE("throttle's default burst is a tenth of a second's worth", "[plugins][throttle]") {
  gt::StageHarness h(describe_throttle(), {{"per_second", 1000.0}});
  h.process(records(0, 250));
  std::vector<std::size_t> sizes;
  for (const auto& b : h.output().out()) sizes.push_back(b->size());
  CHECK(sizes == std::vector<std::size_t>{100, 100, 50});
  CHECK_THROWS(gt::StageHarness(describe_throttle(), {}));  // per_second is required
}
