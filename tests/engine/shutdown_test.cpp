// Stopping and failing: a second signal cancels at once and counts what it abandons; an
// abandoned batch is never acknowledged; a source blocked in read() is told to stop; drops
// are logged at most once per second per node; `fail` stops at the first fault.
#include <atomic>
#include <regex>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

namespace {

// Every batch `source` acknowledged (seq batches of `batch_size` records: batch b holds
// n = b*batch_size ...) reached `sink` whole: an acknowledgement is a promise of delivery.
void check_acknowledged_were_delivered(const std::string& source, const std::string& sink, std::int64_t batch_size) {
  const auto got = run_test::received(sink);
  const std::set<std::int64_t> delivered(got.begin(), got.end());
  std::vector<std::uint64_t> acked;
  {
    std::lock_guard lock(run_test::probe().mutex);
    acked = run_test::probe().acknowledged[source];
  }
  for (std::uint64_t b : acked)
    for (std::int64_t n = static_cast<std::int64_t>(b) * batch_size; n < static_cast<std::int64_t>(b + 1) * batch_size; ++n) {
      INFO("batch " << b << " was acknowledged, but record " << n << " never reached sink '" << sink << "'");
      REQUIRE(delivered.count(n) == 1);
    }
}

}  // namespace

TEST_CASE("a second signal cancels at once, says how many batches it abandoned and acknowledges none of them",
          "[lifecycle]") {
  std::atomic<bool> stop{false}, cancel{false};
  RunOptions options;
  options.stop_flag = &stop;
  options.cancel_flag = &cancel;
  run_test::SetLater first(stop, std::chrono::milliseconds(300)), second(cancel, std::chrono::milliseconds(400));
  // Each batch takes 200 ms in the sink: after the first signal, the 60 s grace would be
  // spent draining eight of them; the second signal ends it.
  Run r = run_graph_text(R"(
[graph]
shutdown_grace_ms = 60000
batch_size = 10
max_in_flight = 8
[sources.numbers]
plugin = "seq"
count = 100000000
[sinks.all]
plugin = "collect"
inputs = ["numbers"]
sleep_us = 200000
)",
                         2, options);
  CHECK(r.result.status == RunStatus::interrupted);
  CHECK(r.result.wall_seconds < 30);
  const std::uint64_t abandoned = r.result.source_batches - r.result.acknowledged_batches;
  CHECK(abandoned > 0);
  CHECK_THAT(r.log, Catch::Contains("second signal: cancelled with " + std::to_string(abandoned) +
                                    " batch(es) abandoned in flight"));
  check_acknowledged_were_delivered("numbers", "all", 10);
}

TEST_CASE("a source blocked in read is told to stop", "[lifecycle]") {
  SECTION("by a stop request") {
    std::atomic<bool> stop{false};
    RunOptions options;
    options.stop_flag = &stop;
    run_test::SetLater stopper(stop, std::chrono::milliseconds(200));
    Run r = run_graph_text("[sources.wait]\nplugin = \"blocked\"\n[sinks.all]\nplugin = \"collect\"\ninputs = [\"wait\"]\n", 2,
                           options);
    CHECK(r.result.status == RunStatus::interrupted);
    CHECK(run_test::probe().stop_called);
    CHECK(run_test::received("all") == std::vector<std::int64_t>{0});
    CHECK(r.result.wall_seconds < 30);  // woken by stop(), not by its one-minute safety net
  }
  SECTION("when another node fails the run") {
    // The stage fails 200 ms after the first record: by then the source waits in read().
    Run r = run_graph_text(R"(
[sources.wait]
plugin = "blocked"
[stages.work]
plugin = "slow_pass"
inputs = ["wait"]
sleep_us = 200000
fail_at = 0
[sinks.all]
plugin = "collect"
inputs = ["work"]
)",
                           2);
    CHECK(r.result.status == RunStatus::failed);
    CHECK_THAT(r.result.error, Catch::Contains("boom at 0"));
    CHECK(run_test::probe().stop_called);
    CHECK(r.result.wall_seconds < 30);
  }
}

TEST_CASE("on_error = drop logs the drops at most once per second per node, with the count and the last error",
          "[lifecycle]") {
  Run r = run_graph_text(R"(
[graph]
batch_size = 32
[sources.numbers]
plugin = "seq"
count = 20000
[stages.faulty]
plugin = "chaos"
inputs = ["numbers"]
fail = "record"
fail_rate = 0.3
on_error = "drop"
[sinks.good]
plugin = "collect"
inputs = ["faulty"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  const std::uint64_t dropped = r.node("faulty").dropped;
  REQUIRE(dropped > 1000);
  const std::regex line_re(R"(\[faulty\] warn: dropped (\d+) record\(s\)[^\n]*plugin 'chaos'[^\n]*last error: chaos: injected failure)");
  std::uint64_t logged = 0, lines = 0;
  std::istringstream log(r.log);
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, line_re)) continue;
    ++lines;
    logged += std::stoull(m[1]);
  }
  INFO(r.log);
  CHECK(lines >= 1);
  // One line on the first drop, at most one a second after it, one for the rest at the end.
  CHECK(static_cast<double>(lines) <= 2 + r.result.wall_seconds);
  CHECK(logged == dropped);
}

TEST_CASE("under on_error = fail an injected fault stops the run, and every acknowledged batch was delivered",
          "[lifecycle]") {
  const auto rate = GENERATE(0.01, 0.1, 0.5);
  INFO("rate " << rate);
  Run r = run_graph_text(R"(
[graph]
batch_size = 32
[sources.numbers]
plugin = "seq"
count = 200000
[stages.faulty]
plugin = "chaos"
inputs = ["numbers"]
fail_rate = )" + std::to_string(rate) + R"(
seed = 7
concurrency = 2
[sinks.good]
plugin = "collect"
inputs = ["faulty"]
)");
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("node 'faulty' (plugin 'chaos'): chaos: injected failure (source 'numbers' batch"));
  const auto& faulty = r.node("faulty");
  CHECK(faulty.errors >= 1);
  CHECK(run_test::received("good").size() <= faulty.records_out);  // a cancelled graph may drop what was emitted
  check_acknowledged_were_delivered("numbers", "good", 32);
}
