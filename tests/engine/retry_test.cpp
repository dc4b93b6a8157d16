// on_error = "retry": a waiting retry holds no CPU worker, gives up at once when the run is
// cancelled, and does not count as a stall. (The backoff schedule: lifecycle_test.cpp.)
#include <algorithm>
#include <atomic>
#include <string>

#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

namespace {

// A `seq` source of `count` one-record batches, a `flaky` stage that fails every batch
// `fail_times` times with on_error = "retry", and a `collect` sink.
struct FlakyGraph {
  std::string graph{};  // keys of a [graph] table, if any
  std::string source = "jobs";
  std::int64_t count = 1, fail_times = 1, retries = 1, backoff_ms = 0;
  std::string stage_keys{};  // more keys for the flaky stage
  std::string sink = "retried";
  std::string more{};  // more tables, such as another branch
};

// The graph's text, laid out as the tests used to write it inline.
std::string flaky_graph(const FlakyGraph& g) {
  return "\n" + (g.graph.empty() ? "" : "[graph]\n" + g.graph + "\n") + "[sources." + g.source + R"(]
plugin = "seq"
count = )" + std::to_string(g.count) + R"(
batch_size = 1
[stages.flaky]
plugin = "flaky"
inputs = [")" + g.source + R"("]
fail_times = )" + std::to_string(g.fail_times) + R"(
on_error = "retry"
retries = )" + std::to_string(g.retries) + R"(
backoff_ms = )" + std::to_string(g.backoff_ms) + "\n" + g.stage_keys + "[sinks." + g.sink + R"(]
plugin = "collect"
inputs = ["flaky"]
)" + g.more;
}

}  // namespace

TEST_CASE("a retry waiting out its backoff holds no worker: other nodes run meanwhile", "[lifecycle][retry]") {
  // Two threads. Eight batches fail once and wait 1-2 s each before their retry; were each
  // wait to hold a thread, the second and later batches would not even start until the
  // first retries ended, and the CPU branch would stall behind them.
  Run r = run_graph_text(flaky_graph({.count = 8, .backoff_ms = 2000, .more = R"([sources.numbers]
plugin = "seq"
count = 20000
batch_size = 100
[stages.cpu]
plugin = "keep_even"
inputs = ["numbers"]
[sinks.cpu_out]
plugin = "collect"
inputs = ["cpu"]
)"}), 2);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("retried").size() == 8);
  CHECK(run_test::received("cpu_out").size() == 10000);
  CHECK(r.node("flaky").retries == 8);
  const auto attempts = run_test::probe().attempts;
  REQUIRE(attempts.size() == 8);
  auto last_first = attempts.begin()->second.at(0), first_retry = attempts.begin()->second.at(1);
  for (const auto& [batch, times] : attempts) {
    REQUIRE(times.size() == 2);
    last_first = std::max(last_first, times[0]);
    first_retry = std::min(first_retry, times[1]);
  }
  INFO("all eight batches wait for their retry at the same time, on two threads");
  CHECK(last_first < first_retry);
  INFO("the CPU branch finished while the retries waited");
  CHECK(run_test::probe().last_write.at("cpu_out") < first_retry);
}

// The waits also suspend inside the I/O arena of a blocking node (its `concurrency` still
// bounds the calls in progress, waiting ones included).
TEST_CASE("retries wait and succeed inside a blocking node's I/O arena too", "[lifecycle][retry]") {
  const auto text = flaky_graph({.count = 6, .backoff_ms = 1000, .stage_keys = "blocking = true\nconcurrency = 2\n"});
  Run r = run_graph_text(text, 2);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("retried").size() == 6);
  CHECK(r.node("flaky").retries == 6);
}

TEST_CASE("cancelling the run ends a retry's backoff at once; the batch is abandoned, not failed", "[lifecycle][retry]") {
  std::atomic<bool> stop{false};
  RunOptions options;
  options.stop_flag = &stop;
  run_test::SetLater stopper(stop, std::chrono::milliseconds(300));
  // The backoff is capped at 30 s and jittered to 15-30 s: the run may only end this soon
  // because the cancellation at the end of the 200 ms grace period wakes the wait.
  Run r = run_graph_text(flaky_graph({.graph = "shutdown_grace_ms = 200",
                                      .source = "numbers",
                                      .count = 1,
                                      .fail_times = 100,
                                      .retries = 5,
                                      .backoff_ms = 60000,
                                      .sink = "all"}),
                         2, options);
  CHECK(r.result.status == RunStatus::interrupted);
  CHECK(r.result.wall_seconds < 10);
  CHECK(r.node("flaky").retries == 1);
  CHECK(run_test::received("all").empty());
  CHECK(r.result.acknowledged_batches == 0);  // not delivered, so not acknowledged
  CHECK_THAT(r.log, Catch::Contains("grace period of 200 ms expired: cancelled with 1 batch(es) abandoned in flight"));
}

TEST_CASE("a retry waiting out a backoff longer than stall_timeout_s is not a stall", "[lifecycle][retry]") {
  Run r = run_graph_text(flaky_graph(
      {.graph = "stall_timeout_s = 0.3", .source = "numbers", .count = 2, .backoff_ms = 1500, .sink = "all"}));
  INFO(r.result.error);
  CHECK(r.result.status == RunStatus::completed);
  CHECK(run_test::received("all").size() == 2);
}

// On one thread the only thread is the one that started the run (not a TBB worker): its
// waits suspend and resume as well.
TEST_CASE("retries wait and succeed on a single thread", "[lifecycle][retry]") {
  Run r = run_graph_text(flaky_graph({.count = 8, .fail_times = 2, .retries = 3, .backoff_ms = 20}), 1);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("retried").size() == 8);
  CHECK(r.node("flaky").retries == 16);
}
