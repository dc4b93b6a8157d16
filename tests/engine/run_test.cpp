// The engine, end to end on in-process plugins: backpressure, acknowledgement,
// concurrency, order, failures and error routing, measured inside the run.
#include <algorithm>
#include <numeric>

#include <catch2/catch.hpp>

#include "parse/parse_graph.hpp"
#include "run/run_graph.hpp"
#include "run_test_plugins.hpp"
#include "validate/validate_graph.hpp"

namespace run_test {

Probe& probe() {
  static Probe p;
  return p;
}

void register_all(graph_runner::engine::PluginRegistry& registry) {
  using graph_runner::ParamSpec;
  using graph_runner::PluginDescriptor;
  registry.add_static(PluginDescriptor::source<SeqSource>("seq", "0, 1, 2, ...")
                          .with_params({ParamSpec::integer("count", "records").with_default(std::int64_t{1000})}));
  registry.add_static(PluginDescriptor::stage<KeepEven>("keep_even", "even n only").thread_safe());
  auto pass_params = [] {
    return std::vector<ParamSpec>{ParamSpec::integer("sleep_us", "").with_default(std::int64_t{0}),
                                  ParamSpec::boolean("jitter", "").with_default(false),
                                  ParamSpec::integer("reject", "").with_default(std::int64_t{-1}),
                                  ParamSpec::integer("fail_at", "").with_default(std::int64_t{-1})};
  };
  registry.add_static(PluginDescriptor::stage<SlowPass>("slow_pass", "pass-through").with_params(pass_params()));
  registry.add_static(
      PluginDescriptor::stage<SlowPass>("shared_pass", "thread-safe pass-through").with_params(pass_params()).thread_safe());
  registry.add_static(PluginDescriptor::stage<SlowPass>("single_pass", "thread-safe, yet one instance called serially")
                          .with_params(pass_params())
                          .thread_safe()
                          .single_instance());
  registry.add_static(PluginDescriptor::stage<LaneProbe>("lane_probe", "records instance per key"));
  registry.add_static(PluginDescriptor::stage<Flaky>("flaky", "fails the first attempts")
                          .with_params({ParamSpec::integer("fail_times", "").with_default(std::int64_t{1}),
                                        ParamSpec::string("throws", "").with_default("plain"),
                                        ParamSpec::integer("retry_after_ms", "").with_default(std::int64_t{0})})
                          .thread_safe());
  registry.add_static(PluginDescriptor::stage<CatchingRejecter>("catching_rejecter", "rejects multiples of `every`")
                          .with_params({ParamSpec::integer("every", "").with_default(std::int64_t{10}),
                                        ParamSpec::integer("failing_attempts", "").with_default(std::int64_t{1000})}));
  registry.add_static(PluginDescriptor::source<BlockedSource>("blocked", "one record, then blocks until stop()"));
  registry.add_static(PluginDescriptor::source<BigSource>("big", "large records")
                          .with_params({ParamSpec::integer("count", "records").with_default(std::int64_t{100}),
                                        ParamSpec::integer("record_bytes", "bytes of `s`").with_default(std::int64_t{1000})}));
  registry.add_static(PluginDescriptor::stage<Hoarder>("hoard", "holds every batch until finish()"));
  registry.add_static(PluginDescriptor::stage<KeepOne>("keep_one", "keeps its first batch for ever"));
  registry.add_static(PluginDescriptor::stage<GaugeStage>("gauges", "publishes gauges")
                          .with_params({ParamSpec::boolean("bad_name", "").with_default(false)}));
  registry.add_static(PluginDescriptor::sink<Collect>("collect", "records n")
                          .with_params({ParamSpec::integer("sleep_us", "").with_default(std::int64_t{0}),
                                        ParamSpec::integer("fail_at", "").with_default(std::int64_t{-1})}));
}

}  // namespace run_test

namespace run_test {

using namespace graph_runner::engine;

Run run_graph_text(const std::string& toml, std::int64_t threads, RunOptions options,
                   const std::function<void(PluginRegistry&)>& more_plugins) {
  auto& p = probe();
  {
    std::lock_guard lock(p.mutex);
    p.acknowledged.clear();
    p.received.clear();
    p.errors.clear();
    p.statuses.clear();
    p.lanes.clear();
    p.attempts.clear();
    p.last_write.clear();
  }
  p.stop_called = false;
  p.max_running = 0;
  p.max_unacknowledged = 0;
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "test.toml", {}, diags);
  PluginRegistry registry;
  register_all(registry);
  if (more_plugins) more_plugins(registry);
  registry.add_search_dir(GRAPH_RUNNER_TEST_PLUGIN_DIR);  // the built-in plugins (chaos, ...)
  Run r;
  if (diags.empty()) r.graph = validate_graph(std::move(spec), registry, diags);
  INFO(diags.format());
  REQUIRE(r.graph);
  options.threads = threads;
  if (!options.log) options.log = [&r](const LogEvent& event) { r.log += format_log_line(event) + "\n"; };
  r.result = run_graph(*r.graph, options);
  return r;
}

const NodeStats& Run::node(const std::string& name) const {
  for (const auto& n : result.nodes)
    if (n.name == name) return n;
  FAIL("no node " << name);
  throw;
}

}  // namespace run_test

namespace {

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

std::vector<std::int64_t> iota(std::int64_t from, std::int64_t to, std::int64_t step = 1) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = from; i < to; i += step) v.push_back(i);
  return v;
}

std::vector<std::int64_t> sorted(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

void check_each_batch_acknowledged_once(const std::string& source, std::uint64_t batches) {
  auto acks = run_test::probe().acknowledged[source];
  std::sort(acks.begin(), acks.end());
  std::vector<std::uint64_t> expected(batches);
  std::iota(expected.begin(), expected.end(), 0);
  INFO("source " << source);
  CHECK(acks == expected);
}

}  // namespace

TEST_CASE("a fast source never has more than max_in_flight batches in flight", "[run]") {
  Run r = run_graph_text(R"(
[graph]
batch_size = 10
max_in_flight = 4
[sources.numbers]
plugin = "seq"
count = 3000
[sinks.slow]
plugin = "collect"
inputs = ["numbers"]
sleep_us = 200
)");
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.result.max_in_flight_seen <= 4);
  CHECK(r.result.max_in_flight_seen >= 2);  // the bound was actually reached for
  // The source itself sees at most max_in_flight + 1 unacknowledged (the one input_node holds).
  CHECK(run_test::probe().max_unacknowledged <= 5);
  CHECK(r.result.source_batches == 300);
  CHECK(r.result.acknowledged_batches == 300);
  check_each_batch_acknowledged_once("numbers", 300);
  CHECK(sorted(run_test::probe().received["slow"]) == iota(0, 3000));
}

TEST_CASE("max_in_flight = 1 still makes progress", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 100
batch_size = 7
max_in_flight = 1
[sinks.all]
plugin = "collect"
inputs = ["numbers"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.result.max_in_flight_seen == 1);
  CHECK(run_test::probe().received["all"] == iota(0, 100));
}

TEST_CASE("every source batch is acknowledged exactly once with filters, fan-out and fan-in", "[run]") {
  Run r = run_graph_text(R"(
[graph]
batch_size = 16
max_in_flight = 3
[sources.left]
plugin = "seq"
count = 1000
[sources.right]
plugin = "seq"
count = 500
[stages.even]
plugin = "keep_even"
inputs = ["left", "right"]
[sinks.first]
plugin = "collect"
inputs = ["even"]
[sinks.second]
plugin = "collect"
inputs = ["even"]
sleep_us = 100
)");
  REQUIRE(r.result.status == RunStatus::completed);
  check_each_batch_acknowledged_once("left", (1000 + 15) / 16);
  check_each_batch_acknowledged_once("right", (500 + 15) / 16);
  std::vector<std::int64_t> expected = iota(0, 1000, 2);
  for (auto v : iota(0, 500, 2)) expected.push_back(v);
  CHECK(sorted(run_test::probe().received["first"]) == sorted(expected));
  CHECK(sorted(run_test::probe().received["second"]) == sorted(expected));
  CHECK(r.node("even").records_in == 1500);
  CHECK(r.node("even").records_out == 750);
  CHECK(r.result.max_in_flight_seen <= 3);
}

// Stages of unlimited concurrency with one consumer call it directly (FlowGraph chains): a
// chain longer than the nesting limit (8) goes on through the flow graph; every record and
// every count must come out as without chaining.
TEST_CASE("a long chain of thread-safe stages delivers every record and counts each node", "[run]") {
  std::string toml = R"(
[graph]
batch_size = 1
max_in_flight = 4
[sources.src]
plugin = "seq"
count = 2000
[stages.s0]
plugin = "keep_even"
inputs = ["src"]
)";
  const int stages = 20;
  for (int i = 1; i < stages; ++i)
    toml += "[stages.s" + std::to_string(i) + "]\nplugin = \"shared_pass\"\njitter = true\ninputs = [\"s" +
            std::to_string(i - 1) + "\"]\n";
  toml += "[sinks.out]\nplugin = \"collect\"\ninputs = [\"s" + std::to_string(stages - 1) + "\"]\n";
  Run r = run_graph_text(toml);
  REQUIRE(r.result.status == RunStatus::completed);
  check_each_batch_acknowledged_once("src", 2000);
  CHECK(sorted(run_test::probe().received["out"]) == iota(0, 2000, 2));
  for (int i = 1; i < stages; ++i) {
    INFO("stage s" << i);
    CHECK(r.node("s" + std::to_string(i)).records_in == 1000);
    CHECK(r.node("s" + std::to_string(i)).records_out == 1000);
    CHECK(r.node("s" + std::to_string(i)).batches_in == 1000);
  }
}

TEST_CASE("a node runs at most `concurrency` calls at once, and reaches it", "[run]") {
  auto graph = [](const std::string& plugin, int concurrency) {
    return R"(
[graph]
batch_size = 1
max_in_flight = 32
[sources.numbers]
plugin = "seq"
count = 60
[stages.work]
plugin = ")" + plugin + R"("
inputs = ["numbers"]
sleep_us = 3000
concurrency = )" + std::to_string(concurrency) + R"(
[sinks.all]
plugin = "collect"
inputs = ["work"]
)";
  };
  SECTION("a plugin that is not thread-safe gets a pool of instances") {
    Run r = run_graph_text(graph("slow_pass", 3), 6);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("work").max_concurrent == 3);
    CHECK(run_test::probe().max_running == 3);
  }
  SECTION("a thread-safe plugin shares one instance") {
    Run r = run_graph_text(graph("shared_pass", 2), 6);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("work").max_concurrent == 2);
  }
  SECTION("concurrency 1 is serial") {
    Run r = run_graph_text(graph("shared_pass", 1), 6);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("work").max_concurrent == 1);
  }
}

TEST_CASE("ordered = true restores input order after a parallel stage", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 400
batch_size = 4
[stages.work]
plugin = "shared_pass"
inputs = ["numbers"]
jitter = true
concurrency = "unlimited"
ordered = true
[sinks.all]
plugin = "collect"
inputs = ["work"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.node("work").max_concurrent >= 2);
  CHECK(run_test::probe().received["all"] == iota(0, 400));
}

TEST_CASE("a failing stage stops the run and names node, plugin and source position", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 100000
batch_size = 10
[stages.work]
plugin = "slow_pass"
inputs = ["numbers"]
fail_at = 25
[sinks.all]
plugin = "collect"
inputs = ["work"]
)");
  CHECK(r.result.status == RunStatus::failed);
  CHECK_THAT(r.result.error, Catch::Contains("node 'work' (plugin 'slow_pass'): boom at 25") &&
                                 Catch::Contains("source 'numbers' batch 2, records 20..29"));
  CHECK(run_test::probe().received["all"].size() < 100000);
}

TEST_CASE("on_error = route sends only the failing record to NODE.errors", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 100
batch_size = 10
[stages.work]
plugin = "slow_pass"
inputs = ["numbers"]
reject = 42
on_error = "route"
[sinks.good]
plugin = "collect"
inputs = ["work"]
[sinks.bad]
plugin = "collect"
inputs = ["work.errors"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(run_test::probe().received["bad"] == std::vector<std::int64_t>{42});
  CHECK(run_test::probe().errors["bad"] == std::vector<std::string>{"rejected 42"});
  CHECK(r.node("work").routed == 1);
  check_each_batch_acknowledged_once("numbers", 10);
}

TEST_CASE("on_error = drop counts the failed batch and goes on", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 100
batch_size = 10
[stages.work]
plugin = "slow_pass"
inputs = ["numbers"]
fail_at = 55
on_error = "drop"
[sinks.good]
plugin = "collect"
inputs = ["work"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.node("work").dropped == 10);
  CHECK(run_test::probe().received["good"].size() == 90);
  check_each_batch_acknowledged_once("numbers", 10);
}

TEST_CASE("a blocking stage keeps many calls waiting without holding the CPU workers", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 64
batch_size = 1
[stages.sleepy]
plugin = "shared_pass"
inputs = ["numbers"]
sleep_us = 50000
blocking = true
concurrency = 16
[sinks.slow_out]
plugin = "collect"
inputs = ["sleepy"]
[sinks.fast_out]
plugin = "collect"
inputs = ["numbers"]
)",
                         2);
  REQUIRE(r.result.status == RunStatus::completed);
  CHECK(r.node("sleepy").max_concurrent >= 10);
  CHECK(r.node("sleepy").max_concurrent <= 16);
  CHECK(sorted(run_test::probe().received["slow_out"]) == iota(0, 64));
  CHECK(sorted(run_test::probe().received["fast_out"]) == iota(0, 64));
  // The CPU branch beside it was not held up behind the sleeping calls.
  CHECK(run_test::probe().last_write.at("fast_out") < run_test::probe().last_write.at("slow_out"));
}

TEST_CASE("partition_by sends each key to one instance, in arrival order", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 2000
batch_size = 16
[stages.lanes]
plugin = "lane_probe"
inputs = ["numbers"]
partition_by = "k"
concurrency = 3
[sinks.all]
plugin = "collect"
inputs = ["lanes"]
)");
  REQUIRE(r.result.status == RunStatus::completed);
  auto lanes = run_test::probe().lanes;
  REQUIRE(lanes.size() == 5);
  std::set<std::size_t> instances_used;
  for (const auto& [key, seen] : lanes) {
    INFO("key " << key);
    CHECK(seen.size() == 400);
    std::set<std::size_t> instances;
    std::vector<std::int64_t> order;
    for (const auto& [instance, n] : seen) {
      instances.insert(instance);
      order.push_back(n);
    }
    CHECK(instances.size() == 1);
    CHECK(std::is_sorted(order.begin(), order.end()));
    instances_used.insert(*instances.begin());
  }
  CHECK(instances_used.size() >= 2);
  CHECK(sorted(run_test::probe().received["all"]) == iota(0, 2000));
}

TEST_CASE("priority serves the highest-priority batches first when a node is backed up", "[run]") {
  Run r = run_graph_text(R"(
[sources.numbers]
plugin = "seq"
count = 400
batch_size = 10
max_in_flight = 64
[sinks.slow]
plugin = "collect"
inputs = ["numbers"]
sleep_us = 30000
priority = "n"
)");
  REQUIRE(r.result.status == RunStatus::completed);
  const auto& got = run_test::probe().received["slow"];
  REQUIRE(got.size() == 400);
  // While the first batch is written (30 ms: long enough for the source to queue the rest even
  // in a sanitizer build on a loaded machine) the rest queue up; the newest (highest n) goes next.
  CHECK(got[10] >= 300);
}
