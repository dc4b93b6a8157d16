// chaos in a running graph (docs/lifecycle.md): the same records fail in every run however
// the calls overlap, and under retry each attempt draws again, so transient failures pass.
#include <algorithm>
#include <numeric>

#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

namespace {

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// seq -> jitter (calls overlap and finish out of order) -> chaos (4 calls at once) -> sinks.
std::string overlapping_graph(const std::string& fail) {
  return R"(
[graph]
batch_size = 16
[sources.numbers]
plugin = "seq"
count = 4000
[stages.shuffle]
plugin = "shared_pass"
inputs = ["numbers"]
jitter = true
concurrency = 4
[stages.faulty]
plugin = "chaos"
inputs = ["shuffle"]
fail = ")" + fail + R"("
fail_rate = 0.2
seed = 9
on_error = "route"
concurrency = 4
[sinks.good]
plugin = "collect"
inputs = ["faulty"]
[sinks.bad]
plugin = "collect"
inputs = ["faulty.errors"]
)";
}

}  // namespace

TEST_CASE("chaos fails the same records in every run when its calls overlap", "[chaos][lifecycle]") {
  const auto fail = GENERATE(as<std::string>{}, "batch", "record");
  INFO("fail = " << fail);
  std::vector<std::int64_t> first;
  for (int run = 0; run < 2; ++run) {
    Run r = run_graph_text(overlapping_graph(fail), 4);
    REQUIRE(r.result.status == RunStatus::completed);
    const auto bad = sorted(run_test::received("bad"));
    CHECK(bad.size() + run_test::received("good").size() == 4000);
    CHECK(bad.size() > 400);  // about 800 of 4000
    if (run == 0) first = bad;
    else CHECK(bad == first);
  }
}

TEST_CASE("chaos under retry draws again on each attempt: transient failures pass", "[chaos][lifecycle]") {
  // One record per call, each failing with p = 0.5 per attempt: about one retry per record,
  // and 21 failed attempts in a row (1 in 2 million) for none of them.
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 300
batch_size = 1
[stages.faulty]
plugin = "chaos"
inputs = ["numbers"]
fail = "record"
fail_rate = 0.5
seed = 4
on_error = "retry"
retries = 20
backoff_ms = 0
concurrency = 4
[sinks.good]
plugin = "collect"
inputs = ["faulty"]
)");
  INFO(r.result.error);
  REQUIRE(r.result.status == RunStatus::completed);
  std::vector<std::int64_t> all(300);
  std::iota(all.begin(), all.end(), 0);
  CHECK(sorted(run_test::received("good")) == all);  // each record once: a failed attempt emitted nothing
  CHECK(r.node("faulty").retries > 200);
  CHECK(r.node("faulty").retries < 450);
}
