// SDK 1.3: Context::set_gauge. A plugin's gauges reach the run's figures (NodeStats::gauges,
// which /metrics, --metrics-json and the status line show), a pool's instances summed.
#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::run_graph_text;

namespace {
double gauge(const NodeStats& n, const std::string& name) {
  for (const auto& [g, v] : n.gauges)
    if (g == name) return v;
  FAIL("no gauge '" << name << "' on node " << n.name);
  return 0;
}
}  // namespace

TEST_CASE("a plugin's gauges show in the node's figures, summed over its instances", "[run][gauge]") {
  auto r = run_graph_text(R"(
[graph]
batch_size = 10
[sources.numbers]
plugin = "seq"
count = 1000
[stages.watch]
plugin = "gauges"
inputs = ["numbers"]
concurrency = 3
[sinks.out]
plugin = "collect"
inputs = ["watch"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  const NodeStats& watch = r.node("watch");
  REQUIRE(watch.gauges.size() == 2);
  CHECK(gauge(watch, "seen") == 1000);  // every record, whichever instance saw it
  const double instances_used = gauge(watch, "one");
  CHECK(instances_used >= 1);
  CHECK(instances_used <= 3);
  CHECK(r.node("numbers").gauges.empty());
}

TEST_CASE("a gauge name that is not an identifier fails the call, naming node and name", "[run][gauge]") {
  auto r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 10
[stages.watch]
plugin = "gauges"
inputs = ["numbers"]
bad_name = true
[sinks.out]
plugin = "collect"
inputs = ["watch"]
)");
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("gauge name 'Bad Name' is not [a-z][a-z0-9_]*"));
  CHECK_THAT(r.result.error, Catch::Contains("watch"));
}
