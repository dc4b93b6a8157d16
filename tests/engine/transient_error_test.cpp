// SDK 1.3: a TransientError is retried under every on_error policy (honouring its
// retry_after), and on_error applies only when the retries are used up; a CallError's
// fields reach the routed records. Any other exception behaves as before.
#include <algorithm>
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

namespace {

// `count` one-record batches through a `flaky` stage (on_error, retries, backoff_ms and
// what it throws as given) into sink `out`; its errors port, when routed, into `rejects`.
std::string graph(const std::string& on_error, std::int64_t count, std::int64_t fail_times, std::int64_t retries,
                  const std::string& throws, std::int64_t retry_after_ms = 0, std::int64_t backoff_ms = 1) {
  std::string g = R"(
[sources.jobs]
plugin = "seq"
count = )" + std::to_string(count) + R"(
batch_size = 1
[stages.flaky]
plugin = "flaky"
inputs = ["jobs"]
fail_times = )" + std::to_string(fail_times) + R"(
throws = ")" + throws + R"("
retry_after_ms = )" + std::to_string(retry_after_ms) + R"(
on_error = ")" + on_error + R"("
retries = )" + std::to_string(retries) + R"(
backoff_ms = )" + std::to_string(backoff_ms) + R"(
[sinks.out]
plugin = "collect"
inputs = ["flaky"]
)";
  if (on_error == "route") g += "[sinks.rejects]\nplugin = \"collect\"\ninputs = [\"flaky.errors\"]\n";
  return g;
}

std::size_t attempts_of_each(std::size_t expected) {
  std::size_t wrong = 0;
  for (const auto& [batch, times] : run_test::probe().attempts) wrong += times.size() != expected;
  return wrong;
}

}  // namespace

TEST_CASE("a transient error is retried under on_error = fail, and the batch then goes through", "[retry][transient]") {
  Run r = run_graph_text(graph("fail", 20, 2, 3, "transient"));
  INFO(r.result.error);
  REQUIRE(r.result.status == RunStatus::completed);
  auto got = run_test::received("out");
  std::sort(got.begin(), got.end());
  REQUIRE(got.size() == 20);
  for (std::int64_t n = 0; n < 20; ++n) CHECK(got[n] == n);  // each once
  CHECK(r.node("flaky").retries == 40);
  CHECK(r.node("flaky").errors == 0);
  CHECK(attempts_of_each(3) == 0);
}

TEST_CASE("a plain exception under on_error = fail is not retried, as before SDK 1.3", "[retry][transient]") {
  Run r = run_graph_text(graph("fail", 1, 1, 3, "plain"));
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("flaky"));
  CHECK(r.node("flaky").retries == 0);
  CHECK(attempts_of_each(1) == 0);
}

TEST_CASE("a transient error that outlasts the retries fails the run under on_error = fail, saying so",
          "[retry][transient]") {
  Run r = run_graph_text(graph("fail", 1, 100, 2, "transient"));
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("node 'flaky' (plugin 'flaky'): busy"));
  CHECK_THAT(r.result.error, Catch::Contains("(still failing after 2 retries)"));
  CHECK(attempts_of_each(3) == 0);
}

TEST_CASE("a transient error that outlasts the retries under on_error = drop drops the batch, counted",
          "[retry][transient]") {
  Run r = run_graph_text(graph("drop", 5, 100, 2, "transient"));
  INFO(r.result.error);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("out").empty());
  CHECK(r.node("flaky").dropped == 5);
  CHECK(r.node("flaky").retries == 10);
  CHECK(attempts_of_each(3) == 0);
  CHECK(r.result.acknowledged_batches == 5);
}

TEST_CASE("routed records of a failed call carry the CallError's fields", "[retry][transient]") {
  SECTION("a transient error, retries used up") {
    Run r = run_graph_text(graph("route", 4, 100, 1, "transient"));
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("flaky").routed == 4);
    CHECK(attempts_of_each(2) == 0);
    CHECK(run_test::received("rejects").size() == 4);
    CHECK(run_test::probe().statuses["rejects"] == std::vector<std::int64_t>(4, 503));
    CHECK(run_test::probe().errors["rejects"] == std::vector<std::string>(4, "busy"));
  }
  SECTION("a permanent CallError is routed at once, not retried") {
    Run r = run_graph_text(graph("route", 3, 1, 5, "call_error"));
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("flaky").retries == 0);
    CHECK(attempts_of_each(1) == 0);
    CHECK(run_test::probe().statuses["rejects"] == std::vector<std::int64_t>(3, 400));
    CHECK(run_test::received("out").empty());
  }
}

TEST_CASE("a transient error's retry_after is the least wait before the retry", "[retry][transient]") {
  // backoff_ms = 1 alone would retry within 2 ms; retry_after asks for 300 ms.
  Run r = run_graph_text(graph("drop", 2, 1, 3, "transient", 300, 1));
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("out").size() == 2);
  for (const auto& [batch, times] : run_test::probe().attempts) {
    REQUIRE(times.size() == 2);
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(times[1] - times[0]).count();
    INFO("batch " << batch << " waited " << waited << " ms");
    CHECK(waited >= 300);
    CHECK(waited < 3000);
  }
}

TEST_CASE("a transient error is retried in a blocking node's I/O arena with concurrency", "[retry][transient]") {
  std::string g = graph("drop", 12, 1, 3, "transient", 0, 50);
  g.replace(g.find("on_error"), 0, "blocking = true\nconcurrency = 3\n");
  Run r = run_graph_text(g, 2);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::received("out").size() == 12);
  CHECK(r.node("flaky").retries == 12);
}
