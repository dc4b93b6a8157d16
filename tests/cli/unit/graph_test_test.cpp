// `graph-runner test`: how a test's graph is made from the graph under test (what is
// injected, removed, pruned, captured, checked) and how captured records are compared.
// End to end: tests/cli/graph_test.cmake.
#include <catch2/catch.hpp>

#include <algorithm>

#include "graph_test/test_expect.hpp"
#include "graph_test/test_graph.hpp"
#include "graph_test/test_plugins.hpp"
#include "graph_test/test_report.hpp"
#include "parse/parse_graph.hpp"

using namespace graph_runner;
using namespace graph_runner::cli::graph_test;
using engine::NodeSpec;
using nlohmann::json;

namespace {

// events -> keep (filter, errors routed to rejects) -> scaled -> store
const char* pipeline = R"(
[sources.events]
plugin = "jsonl"
path = "in.jsonl"
rate = 10
[stages.keep]
plugin = "filter"
inputs = ["events"]
where = "value >= 100"
on_error = "route"
[stages.scaled]
plugin = "map"
inputs = ["keep"]
set = { double = "value * 2" }
[sinks.store]
plugin = "jsonl"
inputs = ["scaled"]
path = "out.jsonl"
[sinks.rejects]
plugin = "jsonl"
inputs = ["keep.errors"]
path = "rejects.jsonl"
)";

engine::GraphSpec graph() {
  engine::Diagnostics diags;
  engine::GraphSpec spec = engine::parse_graph_text(pipeline, "g.toml", {}, diags);
  REQUIRE(diags.empty());
  return spec;
}

TestInput input(std::string node, std::vector<std::string> lines) {
  TestInput in;
  in.node = std::move(node);
  in.pos = in.node_pos = {"t.toml", 3, 1};
  in.lines = std::move(lines);
  return in;
}

TestOutput output(std::string node, std::string port = "out") {
  TestOutput out;
  out.node = std::move(node);
  out.port = std::move(port);
  out.pos = out.node_pos = {"t.toml", 7, 8};
  return out;
}

const NodeSpec* node(const TestGraph& g, const std::string& name) {
  auto it = std::find_if(g.spec.nodes.begin(), g.spec.nodes.end(), [&](const NodeSpec& n) { return n.name == name; });
  return it == g.spec.nodes.end() ? nullptr : &*it;
}

std::vector<std::string> names(const TestGraph& g) {
  std::vector<std::string> out;
  for (const auto& n : g.spec.nodes) out.push_back(n.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("a source injected is replaced; the sink checked becomes a capture", "[graph_test]") {
  GraphTest test;
  test.inputs.push_back(input("events", {R"({"value": 1})"}));
  test.outputs.push_back(output("store"));
  engine::Diagnostics diags;
  TestGraph g = build_test_graph(graph(), test, diags);
  REQUIRE(diags.empty());
  // rejects checks nothing the test asks: pruned.
  CHECK(names(g) == std::vector<std::string>{"events", "keep", "scaled", "store"});
  CHECK(node(g, "events")->plugin == input_plugin);
  CHECK(node(g, "events")->params.empty());
  CHECK_FALSE(node(g, "events")->rate.has_value());  // test records go at once
  CHECK(node(g, "store")->plugin == capture_plugin);
  CHECK(node(g, "store")->params.empty());
  // keep lost the reader of its errors port: what it would route is dropped on purpose.
  CHECK(node(g, "keep")->on_error == engine::ErrorPolicy::drop);
  CHECK(node(g, "keep")->drop_unread);
  REQUIRE(g.outputs.size() == 1);
  CHECK(g.outputs[0].records == "store");
  REQUIRE(g.inputs.size() == 1);
  CHECK(g.inputs[0].first == "events");
}

TEST_CASE("records injected at a stage replace what feeds it; the rest upstream is gone", "[graph_test]") {
  GraphTest test;
  test.inputs.push_back(input("scaled", {R"({"value": 1})"}));
  test.outputs.push_back(output("keep", "errors"));  // not reached from the input: nothing arrives
  test.outputs.push_back(output("scaled"));
  engine::Diagnostics diags;
  TestGraph g = build_test_graph(graph(), test, diags);
  REQUIRE(diags.empty());
  CHECK(names(g) == std::vector<std::string>{"scaled", "~input_1", "~output_2"});
  REQUIRE(node(g, "scaled")->inputs.size() == 1);
  CHECK(node(g, "scaled")->inputs[0].node == "~input_1");
  CHECK(g.outputs[0].records.empty());  // unreached: nothing to capture
  CHECK(g.outputs[1].records == "~output_2");
  CHECK(node(g, "~output_2")->inputs[0].node == "scaled");
}

TEST_CASE("a condition is a filter keeping the records that violate it", "[graph_test]") {
  GraphTest test;
  test.inputs.push_back(input("events", {}));
  TestOutput out = output("keep");
  out.conditions = {{"value > 1", {"t.toml", 9, 15}}};
  test.outputs.push_back(out);
  {
    engine::Diagnostics diags;
    TestGraph g = build_test_graph(graph(), test, diags);
    REQUIRE(diags.empty());
    const NodeSpec* check = node(g, "~check_1_1");
    REQUIRE(check);
    CHECK(check->plugin == "filter");
    CHECK(std::get<std::string>(check->params.at("where")) == "!(value > 1)");
    CHECK(check->param_pos.at("where").line == 9);  // its errors point at the condition
    CHECK(check->on_error == engine::ErrorPolicy::route);
    CHECK(node(g, "~violation_1_1")->inputs[0].node == "~check_1_1");
    CHECK(node(g, "~unevaluated_1_1")->inputs[0].port == "errors");
  }
}

TEST_CASE("unknown nodes and injecting at a sink are errors at the test's position", "[graph_test]") {
  GraphTest test;
  test.inputs.push_back(input("evnets", {}));
  test.inputs.push_back(input("store", {}));
  test.outputs.push_back(output("scaledd"));
  engine::Diagnostics diags;
  build_test_graph(graph(), test, diags);
  const std::string text = diags.format();
  CHECK_THAT(text, Catch::Contains("t.toml:3:1: error: unknown node 'evnets'"));
  CHECK_THAT(text, Catch::Contains("did you mean 'events'?"));
  CHECK_THAT(text, Catch::Contains("t.toml:3:1: error: 'store' is a sink"));
  CHECK_THAT(text, Catch::Contains("t.toml:7:8: error: unknown node 'scaledd'"));
}

TEST_CASE("records compare in any order, numbers by value; the diff pairs the closest record", "[graph_test]") {
  TestStore store;
  store.capture("cap", {R"({"id":2,"f":95.0})", R"({"id":1,"user":{"country":"DE"}})"});
  OutputCaptures caps;
  caps.records = "cap";
  TestOutput o = output("keep");
  o.records = std::vector<json>{json::parse(R"({"id":1,"user":{"country":"DE"}})"), json::parse(R"({"id":2,"f":95})")};
  CHECK(check_output(o, caps, store).empty());

  o.records = std::vector<json>{json::parse(R"({"id":1,"user":{"country":"FR"}})"), json::parse(R"({"id":2,"f":95})")};
  const std::string failure = check_output(o, caps, store);
  CHECK_THAT(failure, Catch::Contains("expected 2 records, got 2: 1 missing, 1 extra"));
  CHECK_THAT(failure, Catch::Contains("user.country: expected \"FR\", got \"DE\""));

  o.ordered = true;
  o.records = std::vector<json>{json::parse(R"({"id":1,"user":{"country":"DE"}})"), json::parse(R"({"id":2,"f":95})")};
  CHECK_THAT(check_output(o, caps, store), Catch::Contains("record 1 differs"));
}

TEST_CASE("count, none and conditions report what arrived", "[graph_test]") {
  TestStore store;
  store.capture("cap", {R"({"v":1})", R"({"v":2})"});
  store.capture("bad", {R"({"v":1})"});
  store.capture("err", {R"({"w":3,"error":"unknown field v","error_node":"~check_1_1"})"});
  OutputCaptures caps{"cap", {"bad"}, {"err"}};
  TestOutput o = output("keep");
  o.count = 2;
  o.conditions = {{"v > 1", {}}};
  const std::string failure = check_output(o, caps, store);
  CHECK_THAT(failure, !Catch::Contains("expected 2 records"));
  CHECK_THAT(failure, Catch::Contains("condition 'v > 1' is false for 1 record; the first: {\"v\":1}"));
  CHECK_THAT(failure, Catch::Contains("could not be evaluated on 1 record; the first: \"unknown field v\" on {\"w\":3}"));

  TestOutput none = output("keep");
  none.none = true;
  CHECK_THAT(check_output(none, caps, store), Catch::Contains("expected no record, got 2"));
  CHECK(check_output(none, OutputCaptures{}, store).empty());  // an unreached node: nothing arrives
}

TEST_CASE("JUnit XML escapes names and failure text", "[graph_test]") {
  FileResult f;
  f.path = "a&b.toml";
  f.tests.push_back({"<quoted> \"name\"", false, 0.5, "output 'x':\n  expected 1 < 2\n"});
  const std::string xml = junit_xml({f});
  CHECK_THAT(xml, Catch::Contains("name=\"&lt;quoted&gt; &quot;name&quot;\""));
  CHECK_THAT(xml, Catch::Contains("classname=\"a&amp;b.toml\""));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"output &apos;x&apos;:\""));
  CHECK_THAT(xml, Catch::Contains("expected 1 &lt; 2"));
  CHECK_THAT(xml, Catch::Contains("tests=\"1\" failures=\"1\" errors=\"0\""));
}
