// The test harness (graph_runner/testing.hpp) holds a plugin to the engine's rules: a plugin
// that breaks one fails in the harness as it fails in a graph, with the same message.
#include <thread>

#include <catch2/catch.hpp>

#include "graph_runner/testing.hpp"
#include "parse/parse_graph.hpp"
#include "run/run_graph.hpp"
#include "run_test_plugins.hpp"
#include "validate/validate_graph.hpp"

namespace {

using namespace graph_runner;
using namespace graph_runner::engine;
namespace gt = graph_runner::testing;

// Emits its input, then fails: nothing of the call may be sent.
class EmitsThenThrows : public Stage {
 public:
  explicit EmitsThenThrows(Context&) {}
  void process(BatchPtr in, Emitter& out) override {
    out.emit(in);
    throw std::runtime_error("failed after emitting");
  }
};

// Emits from a thread of its own, during the call.
class EmitsFromThread : public Stage {
 public:
  explicit EmitsFromThread(Context&) {}
  void process(BatchPtr in, Emitter& out) override { std::thread([&] { out.emit(in); }).join(); }
};

// Emits on a port index it never declared.
class EmitsOnPortSeven : public Stage {
 public:
  explicit EmitsOnPortSeven(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(Port{7}, in); }
};

// Assumes a port `errors`, which only `on_error = "route"` gives.
class WantsErrorsPort : public Stage {
 public:
  explicit WantsErrorsPort(Context& c) { (void)c.port("errors"); }
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};

PluginDescriptor describe(const std::string& name) {
  if (name == "emits_then_throws") return PluginDescriptor::stage<EmitsThenThrows>(name, "");
  if (name == "emits_from_thread") return PluginDescriptor::stage<EmitsFromThread>(name, "");
  if (name == "emits_on_port_seven") return PluginDescriptor::stage<EmitsOnPortSeven>(name, "");
  if (name == "wants_errors_port") return PluginDescriptor::stage<WantsErrorsPort>(name, "");
  return PluginDescriptor::stage<EmitsThenThrows>("limited", "")
      .with_params({ParamSpec::integer("count", "").with_default(std::int64_t{1}).at_least(0),
                    ParamSpec::string("mode", "").with_default(std::string("fast")).one_of({"fast", "slow"})});
}

// seq -> bad -> collect, in a graph: the run's error (validation errors included). `keys`
// go to node `bad`, `more` after the sink.
std::string graph_error(const std::string& plugin, const std::string& keys = "", const std::string& more = "") {
  {
    std::lock_guard lock(run_test::probe().mutex);
    run_test::probe().received.clear();
  }
  const std::string toml = R"([sources.numbers]
plugin = "seq"
count = 20
[stages.bad]
plugin = ")" + plugin + "\"\ninputs = [\"numbers\"]\n" +
                           keys + R"(
[sinks.all]
plugin = "collect"
inputs = ["bad"]
)" + more;
  Diagnostics diags;
  GraphSpec spec = parse_graph_text(toml, "parity.toml", {}, diags);
  PluginRegistry registry;
  run_test::register_all(registry);
  registry.add_static(describe(plugin));
  auto checked = validate_graph(std::move(spec), registry, diags);
  if (!checked) return diags.all().front().message;
  RunOptions options;
  options.log = [](const LogEvent&) {};
  return run_graph(*checked, options).error;
}

// The same plugin in the harness, node named as in the graph: what its calls throw.
std::string harness_error(const std::string& plugin, const gt::ParamMap& params = {}) {
  try {
    gt::run_stage(describe(plugin), params, {gt::make_batch({{{"n", 1}}})}, {.node_name = "bad"});
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("the harness refuses a broken Emitter contract as a graph does, with the engine's message", "[harness]") {
  const auto plugin = GENERATE(as<std::string>{}, "emits_from_thread", "emits_on_port_seven");
  INFO(plugin);
  const std::string in_harness = harness_error(plugin);
  CHECK_THAT(in_harness, Catch::StartsWith("node 'bad' (plugin '" + plugin + "'): "));
  CHECK_THAT(graph_error(plugin), Catch::StartsWith(in_harness));
  CHECK_THROWS_AS(gt::run_stage(describe(plugin), {}, {gt::make_batch({{{"n", 1}}})}), gt::ContractViolation);
}

TEST_CASE("a call that throws sends nothing, in the harness as in a graph", "[harness]") {
  gt::StageHarness h(describe("emits_then_throws"));
  CHECK_THROWS_WITH(h.process(gt::make_batch({{{"n", 1}}})), "failed after emitting");
  CHECK(h.output().out().empty());
  CHECK_THAT(graph_error("emits_then_throws"), Catch::Contains("failed after emitting"));
  CHECK(run_test::received("all").empty());
}

TEST_CASE("the port errors exists only under on_error = route, in the harness as in a graph", "[harness]") {
  CHECK_THAT(graph_error("wants_errors_port"), Catch::EndsWith(harness_error("wants_errors_port")));
  CHECK(harness_error("wants_errors_port") == "node 'bad' has no port 'errors' (ports: out)");
  CHECK(graph_error("wants_errors_port", "on_error = \"route\"",
                    "[sinks.errors]\nplugin = \"collect\"\ninputs = [\"bad.errors\"]\n") == "");
  auto passed = gt::run_stage(describe("wants_errors_port"), {}, {gt::make_batch({{{"n", 1}}})}, {.on_error = "route"});
  CHECK(gt::count_records(passed.out()) == 1);
}

TEST_CASE("the harness checks parameters with the engine's own checks and words", "[harness]") {
  struct Case {
    std::string key;  // as the graph file writes it
    std::string name;
    ParamValue value;  // as a test gives it
  };
  for (const Case& c : std::vector<Case>{{"count = -1", "count", std::int64_t{-1}},
                                         {"count = \"many\"", "count", std::string("many")},
                                         {"mode = \"fats\"", "mode", std::string("fats")},
                                         {"cuont = 1", "cuont", std::int64_t{1}}}) {
    INFO(c.key);
    const std::string in_graph = graph_error("limited", c.key);
    REQUIRE_FALSE(in_graph.empty());
    CHECK_THAT(harness_error("limited", {{c.name, c.value}}), Catch::StartsWith("plugin 'limited': " + in_graph));
  }
}
