// The SDK test harness itself (graph_runner/testing.hpp): what plugin authors rely on.
#include <catch2/catch.hpp>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;

TEST_CASE("make_batch builds records with typed fields, null where a row lacks one", "[plugins][harness]") {
  auto b = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"name", "a"}},
                           {{"id", 2}, {"ok", true}, {"raw", gt::Cell::bytes("\x01\x02")}},
                           {{"id", std::int64_t{3}}, {"name", nullptr}}});
  REQUIRE(b->size() == 3);
  CHECK(gt::ints(b, "id") == std::vector<std::int64_t>{1, 2, 3});
  auto value = gt::column(b, "value");
  CHECK(value[0] == Value::of(2.5));
  CHECK(value[1].is_null());
  CHECK(b->get(1, field("ok")) == Value::of(true));
  CHECK(b->get(1, field("raw")).type() == Type::bytes);
  CHECK(gt::column(b, "name")[0].as_string() == "a");
  CHECK(gt::column(b, "name")[2].is_null());
  CHECK_THROWS_WITH(gt::strings(b, "name"), "record 1: field 'name' is null, not string");
}

TEST_CASE("resolve_params fills defaults and refuses what the engine would refuse", "[plugins][harness]") {
  const PluginDescriptor generate = plugins::describe_generate();
  Params p = gt::resolve_params(generate, {{"seed", 7}});
  CHECK(p.get_int("count") == 1000);
  CHECK(p.get_int("seed") == 7);
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"cuont", 7}}), Catch::Contains("'cuont': unknown parameter"));
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"count", "many"}}), Catch::Contains("expected int"));
  CHECK_THROWS_WITH(gt::resolve_params(generate, {{"count", -1}}), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(gt::resolve_params(plugins::describe_filter(), {}), Catch::Contains("'where': required"));
}

TEST_CASE("a harness refuses a descriptor of the wrong kind", "[plugins][harness]") {
  CHECK_THROWS_WITH(gt::StageHarness(plugins::describe_generate(), {}), "plugin 'generate' is a source, not a stage");
}

TEST_CASE("the test context names ports and keeps the stop flag", "[plugins][harness]") {
  gt::StageHarness h(plugins::describe_filter(), {{"where", "1"}}, {.node_name = "valid"});
  CHECK(h.context().node_name() == "valid");
  CHECK(h.context().port("out").index == 0);
  CHECK(h.context().port("errors").index == 1);
  CHECK_THROWS(h.context().port("nope"));
  CHECK_FALSE(h.context().stop_requested());
  h.context().request_stop();
  CHECK(h.context().stop_requested());
}
