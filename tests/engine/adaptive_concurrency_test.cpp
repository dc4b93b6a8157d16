// Adaptive concurrency (concurrency = { min, max }): the syntax, the two controllers driven
// by hand (no clock), and whole runs where the limit must move with the load. The run tests
// assert directions and bounds, never timings: they must pass on a loaded 2-core machine.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <catch2/catch.hpp>

#include "graph_test_helpers.hpp"
#include "run/concurrency_controller.hpp"
#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using graph_test::graph_should_fail;
using graph_test::graph_should_load;
using Clock = ConcurrencyController::Clock;

namespace {

const std::string source_and_sink = R"([sources.a]
plugin = "generate"
[sinks.b]
plugin = "jsonl"
inputs = ["a"]
path = "out.jsonl"
)";

}  // namespace

TEST_CASE("concurrency = { min, max } is an adaptive range; the integer form still works", "[adaptive][parse]") {
  auto g = graph_should_load(source_and_sink + "concurrency = { min = 1, max = 16 }\n");
  const auto& b = g->nodes.back();
  CHECK(b.concurrency == 16);
  CHECK(b.min_concurrency == 1);
  auto fixed = graph_should_load(source_and_sink + "concurrency = 4\n");
  CHECK(fixed->nodes.back().concurrency == 4);
  CHECK(fixed->nodes.back().min_concurrency == 0);
  // min == max is simply a fixed concurrency
  auto same = graph_should_load(source_and_sink + "concurrency = { min = 3, max = 3 }\n");
  CHECK(same->nodes.back().concurrency == 3);
  CHECK(same->nodes.back().min_concurrency == 0);
}

TEST_CASE("a bad concurrency range is reported at its position", "[adaptive][parse]") {
  graph_should_fail(source_and_sink + "concurrency = { min = 4, max = 2 }\n",
                    "7:23: 'concurrency.min' (4) is above 'concurrency.max' (2)");
  graph_should_fail(source_and_sink + "concurrency = { min = 0, max = 2 }\n", "7:23: 'concurrency.min' must be >= 1, got 0");
  graph_should_fail(source_and_sink + "concurrency = { max = 2 }\n",
                    "7:15: 'concurrency' needs both 'min' and 'max', got only 'max'");
  graph_should_fail(source_and_sink + "concurrency = { min = 1, max = 2, start = 1 }\n",
                    "7:35: unknown key 'start' in 'concurrency'");
  graph_should_fail(source_and_sink + "concurrency = { min = 1, max = \"lots\" }\n", "7:32: 'concurrency.max'");
}

TEST_CASE("an adaptive range is refused where calls are spread over lanes or reordered", "[adaptive][validate]") {
  graph_should_fail(source_and_sink + "partition_by = \"id\"\nconcurrency = { min = 1, max = 4 }\n",
                    "8:15: adaptive 'concurrency' (a { min, max } range) is not available with 'partition_by'");
}

TEST_CASE("the backlog controller grows while batches wait and shrinks while permits idle", "[adaptive][controller]") {
  BacklogController c(1, 3);
  CHECK(c.limit() == 1);
  for (int i = 0; i < 20; ++i) c.sample(/*waiting=*/5, /*running=*/c.limit());
  CHECK(c.limit() == 3);  // capped at max
  c.sample(5, 3);
  CHECK(c.limit() == 3);
  // A backlog while permits are still free is not a reason to grow (they are being taken).
  BacklogController d(1, 3);
  for (int i = 0; i < 20; ++i) d.sample(5, 0);
  CHECK(d.limit() == 1);
  // Idle: nothing waits and a permit is unused.
  for (int i = 0; i < 100; ++i) c.sample(0, 0);
  CHECK(c.limit() == 1);  // floored at min
  // Busy with nothing waiting: the limit is right, it stays.
  BacklogController e(1, 4);
  for (int i = 0; i < 10; ++i) e.sample(3, e.limit());
  const std::size_t reached = e.limit();
  for (int i = 0; i < 50; ++i) e.sample(0, reached);
  CHECK(e.limit() == reached);
}

namespace {
// Drives an RttController through `rounds` intervals of `calls` calls each, every call
// taking rtt(limit) (the service's answer at that concurrency) and pushing back when
// overloaded(limit). Returns the limit after each round.
template <class Rtt, class Overloaded>
std::vector<std::size_t> drive(RttController& c, int rounds, Rtt rtt, Overloaded overloaded) {
  std::vector<std::size_t> trace;
  auto now = Clock::time_point{} + std::chrono::seconds(1);
  for (int round = 0; round < rounds; ++round) {
    const std::size_t limit = c.limit();
    const auto took = rtt(limit);
    for (std::size_t call = 0; call < limit; ++call) c.started(call + 1);
    for (std::size_t call = 0; call < limit; ++call) c.attempt(took, !overloaded(limit), overloaded(limit));
    for (std::size_t call = 0; call < limit; ++call) c.finished(now);  // the first one ends the interval
    now += took + std::chrono::seconds(1);  // each round is one whole interval of the controller
    trace.push_back(c.limit());
  }
  return trace;
}
}  // namespace

TEST_CASE("the RTT controller settles near the service's capacity and never leaves its range", "[adaptive][controller]") {
  using std::chrono::milliseconds;
  constexpr std::size_t capacity = 8;
  // Latency flat up to `capacity` concurrent calls, then rising with each call beyond.
  const auto rtt = [](std::size_t n) { return milliseconds(n <= capacity ? 20 : 20 + 15 * static_cast<int>(n - capacity)); };
  RttController c(1, 32);
  auto trace = drive(c, 300, rtt, [](std::size_t) { return false; });
  INFO("limit after each interval: " << Catch::Detail::stringify(trace));
  CHECK(*std::max_element(trace.begin(), trace.end()) <= capacity + 2);
  const std::vector<std::size_t> tail(trace.end() - 100, trace.end());
  CHECK(*std::min_element(tail.begin(), tail.end()) >= capacity / 2);
  CHECK(*std::max_element(tail.begin(), tail.end()) <= capacity + 1);
}

TEST_CASE("the RTT controller backs off on overload signals (429, 503, timeouts)", "[adaptive][controller]") {
  using std::chrono::milliseconds;
  // A service that answers fast but refuses (TransientError) above 5 calls.
  RttController c(1, 32);
  auto trace = drive(c, 300, [](std::size_t) { return milliseconds(10); }, [](std::size_t n) { return n > 5; });
  INFO("limit after each interval: " << Catch::Detail::stringify(trace));
  CHECK(*std::max_element(trace.begin(), trace.end()) <= 6);
  const std::vector<std::size_t> tail(trace.end() - 100, trace.end());
  CHECK(*std::min_element(tail.begin(), tail.end()) >= 3);
  // Overloaded at any concurrency: down to min, never below.
  RttController d(2, 32);
  auto floor = drive(d, 50, [](std::size_t) { return milliseconds(10); }, [](std::size_t) { return true; });
  CHECK(floor.back() == 2);
}

// ---- whole runs -------------------------------------------------------------------------

namespace {

struct Trace {
  std::mutex mutex;
  std::vector<std::size_t> limits;  // the node's limit at each progress callback
  std::size_t of(const RunResult& r, const std::string& node) {
    for (const auto& n : r.nodes)
      if (n.name == node) return n.concurrency_now;
    return 0;
  }
};

RunOptions tracing(Trace& trace, const std::string& node) {
  RunOptions o;
  o.progress_interval_s = 0.01;
  o.on_progress = [&trace, node](const RunResult& r) {
    std::lock_guard lock(trace.mutex);
    trace.limits.push_back(trace.of(r, node));
  };
  return o;
}

}  // namespace

TEST_CASE("a CPU stage with { min = 1, max = 2 } grows under a backlog and shrinks when idle", "[adaptive][run]") {
  Trace trace;
  // A burst of 100 batches (2 ms of work each) arrives at once, then a trickle (a batch every
  // 100 ms, for over a second) that leaves the stage idle most of the time.
  auto r = run_test::run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 12000
batch_size = 100
rate = 1000
burst = 10000
[stages.work]
plugin = "slow_pass"
inputs = ["numbers"]
sleep_us = 2000
concurrency = { min = 1, max = 2 }
[sinks.adaptive_out]
plugin = "collect"
inputs = ["work"]
)",
                                    2, tracing(trace, "work"));
  REQUIRE(r.result.status == RunStatus::completed);
  const NodeStats& work = r.node("work");
  INFO("limit trace: " << Catch::Detail::stringify(trace.limits));
  CHECK(std::count(trace.limits.begin(), trace.limits.end(), 2) > 0);  // grew under the burst
  CHECK(work.concurrency_now == 1);                                    // and came back in the trickle
  CHECK(work.max_concurrent <= 2);
  CHECK(*std::max_element(trace.limits.begin(), trace.limits.end()) <= 2);
  // Nothing lost: every record reached the sink, every source batch was acknowledged.
  CHECK(r.node("adaptive_out").records_in == 12000);
  CHECK(r.result.acknowledged_batches == r.result.source_batches);
}

TEST_CASE("an adaptive CPU stage never gets more calls than the run has threads", "[adaptive][run]") {
  auto r = run_test::run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 3000
batch_size = 10
[stages.work]
plugin = "shared_pass"
inputs = ["numbers"]
sleep_us = 1000
concurrency = { min = 1, max = 8 }
[sinks.capped_out]
plugin = "collect"
inputs = ["work"]
)",
                                    2);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.node("work").max_concurrent <= 2);
  CHECK(r.node("work").concurrency_now <= 2);
  CHECK(r.node("capped_out").records_in == 3000);
}

namespace {
// A remote service as a blocking sink sees it: answers in 5 ms up to `capacity` calls at
// once, slower with every call beyond, and refuses (HTTP 429, a TransientError) far beyond.
class Service : public graph_runner::Sink {
 public:
  static constexpr int capacity = 4;
  static inline std::atomic<int> in_flight{0}, most{0};
  explicit Service(graph_runner::Context&) {}
  void write(const graph_runner::Batch&) override {
    const int now = ++in_flight;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    struct Leave {
      ~Leave() { --in_flight; }
    } leave;
    if (now > 3 * capacity) throw graph_runner::TransientError("HTTP 429 Too Many Requests");
    std::this_thread::sleep_for(std::chrono::milliseconds(now <= capacity ? 5 : 5 + 10 * (now - capacity)));
  }
};
}  // namespace

TEST_CASE("a blocking sink's adaptive limit settles near the service's capacity", "[adaptive][run]") {
  Trace trace;
  Service::most = 0;
  auto r = run_test::run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 4000
batch_size = 4
max_in_flight = 64
[sinks.service]
plugin = "service"
inputs = ["numbers"]
blocking = true
concurrency = { min = 1, max = 16 }
backoff_ms = 1
retries = 10
)",
                                    2, tracing(trace, "service"), [](PluginRegistry& registry) {
                                      registry.add_static(graph_runner::PluginDescriptor::sink<Service>("service", "a service").thread_safe());
                                    });
  INFO("limit trace: " << Catch::Detail::stringify(trace.limits));
  INFO(r.result.error);
  REQUIRE(r.result.status == RunStatus::completed);
  REQUIRE(trace.limits.size() >= 10);
  CHECK(*std::max_element(trace.limits.begin(), trace.limits.end()) <= 16);
  CHECK(Service::most.load() <= 16);
  // The second half of the run: near the capacity, neither stuck at 1 nor at max.
  std::vector<std::size_t> tail(trace.limits.begin() + trace.limits.size() / 2, trace.limits.end());
  std::sort(tail.begin(), tail.end());
  const std::size_t median = tail[tail.size() / 2];
  CHECK(median >= 2);
  CHECK(median <= 2 * Service::capacity);
  CHECK(r.node("service").records_in == 4000);
  CHECK(r.result.acknowledged_batches == r.result.source_batches);
}
