// A plugin declared single_instance() (SDK 2.0) runs as one instance called serially: the
// validator refuses `concurrency` above 1 on its node, at the key, and the engine never
// splits it or calls it concurrently, even when it is thread-safe too.
#include "graph_test_helpers.hpp"
#include "run_test_plugins.hpp"

using namespace graph_test;

namespace {
const std::string numbers = "[sources.a]\nplugin = \"generate\"\n";  // lines 1-2
}

TEST_CASE("the validator refuses concurrency above 1 on a single-instance node, at the key", "[validate]") {
  graph_should_fail(numbers + "[sinks.total]\nplugin = \"stdout\"\ninputs = [\"a\"]\nconcurrency = 4\n",
                    "6:15: 'concurrency' of sink 'total' must be 1, got 4: plugin 'stdout' runs as a single "
                    "instance, called serially",
                    "remove the key");
  graph_should_fail(numbers + "[stages.best]\nplugin = \"top_k\"\ninputs = [\"a\"]\nconcurrency = \"unlimited\"\n",
                    "6:15: 'concurrency' of stage 'best' must be 1, got \"unlimited\"");
  graph_should_fail(numbers + "[sinks.total]\nplugin = \"stdout\"\ninputs = [\"a\"]\n",
                    "<command line>: 'concurrency' of sink 'total' must be 1, got 2", {},
                    sets({"sinks.total.concurrency=2"}));
}

TEST_CASE("a single-instance node has concurrency 1, even when its plugin is thread-safe", "[validate]") {
  auto g = graph_should_load(numbers + R"([stages.best]
plugin = "top_k"
inputs = ["a"]
[sinks.total]
plugin = "stdout"
inputs = ["best"]
concurrency = 1
)");
  CHECK(node_named(*g, "best").concurrency == 1);  // not "unlimited", as thread_safe() alone gives
  CHECK(node_named(*g, "total").concurrency == 1);
}

TEST_CASE("the engine calls a single-instance plugin serially, one instance for the whole stream", "[single_instance]") {
  const auto shape = GENERATE(as<std::string>{}, "", "blocking = true\n", "partition_by = \"k\"\n");
  INFO(shape);
  run_test::probe().max_running = 0;
  const run_test::Run r = run_test::run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 2000
batch_size = 10
[stages.one]
plugin = "single_pass"
inputs = ["numbers"]
sleep_us = 200
)" + shape + R"(
[sinks.all]
plugin = "collect"
inputs = ["one"]
)",
                                                   4);
  REQUIRE(r.result.status == graph_runner::engine::RunStatus::completed);
  CHECK(run_test::probe().max_running == 1);
  CHECK(r.node("one").concurrency == 1);
  CHECK(r.node("one").max_concurrent == 1);
  CHECK(run_test::received("all").size() == 2000);
}
