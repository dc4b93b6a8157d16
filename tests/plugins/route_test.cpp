#include <catch2/catch.hpp>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_route();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_route;

namespace {
BatchPtr values() {
  return gt::make_batch({{{"id", 0}, {"value", 500.0}},
                         {{"id", 1}, {"value", 150.0}},
                         {{"id", 2}, {"value", -3.0}},
                         {{"id", 3}, {"value", 250.0}},
                         {{"id", 4}, {"value", 50.0}}});
}

ParamError param_error(const StringMap& routes) {
  try {
    gt::StageHarness h(describe_route(), {{"routes", routes}});
  } catch (const ParamError& e) {
    return e;
  }
  return ParamError("", "accepted");
}
}  // namespace

TEST_CASE("route sends each record to the first matching route in file order, else to default", "[plugins][route]") {
  // "big" overlaps "high": file order decides, so "big" gets 500 and "high" only 250.
  const StringMap routes{{"big", "value > 300"}, {"high", "value > 200"}, {"low", "value >= 0 && value <= 200"}};
  auto result = gt::run_stage(describe_route(), {{"routes", routes}}, {values()});
  CHECK(gt::ints(result.out("big"), "id") == std::vector<std::int64_t>{0});
  CHECK(gt::ints(result.out("high"), "id") == std::vector<std::int64_t>{3});
  CHECK(gt::ints(result.out("low"), "id") == std::vector<std::int64_t>{1, 4});
  CHECK(gt::ints(result.out("default"), "id") == std::vector<std::int64_t>{2});
  CHECK(result.out("out").empty());
  CHECK(result.rejected.empty());
}

TEST_CASE("route passes a batch on whole when every record takes the same route", "[plugins][route]") {
  auto in = values();
  auto result = gt::run_stage(describe_route(), {{"routes", StringMap{{"all", "value > -100"}}}}, {in});
  REQUIRE(result.out("all").size() == 1);
  CHECK(result.out("all")[0] == in);
  CHECK(result.out("default").empty());
}

TEST_CASE("route declares its ports: the routes' names and default", "[plugins][route]") {
  const PluginDescriptor d = describe_route();
  CHECK(d.ports == std::vector<std::string>{"default"});
  CHECK(d.ports_from_param == "routes");
  CHECK(d.is_thread_safe);
  gt::StageHarness h(d, {{"routes", StringMap{{"hot", "value > 1"}, {"cold", "value < 0"}}}}, {.on_error = "route"});
  CHECK(h.context().ports() == std::vector<std::string>{"out", "default", "hot", "cold", "errors"});
}

TEST_CASE("route sends a record with a missing field on (null is false) and rejects type errors", "[plugins][route]") {
  auto in = gt::make_batch({{{"id", 0}, {"value", 5.0}}, {{"id", 1}}, {{"id", 2}, {"value", "text"}}});
  auto result = gt::run_stage(describe_route(), {{"routes", StringMap{{"pos", "value > 0"}}}}, {in});
  CHECK(gt::ints(result.out("pos"), "id") == std::vector<std::int64_t>{0});
  CHECK(gt::ints(result.out("default"), "id") == std::vector<std::int64_t>{1});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].error == "routes.pos: field \"value\": expected a number for \">\", found string \"text\" (record 2 of the batch)");
}

TEST_CASE("route on strings: a later route sees only the records earlier ones left", "[plugins][route]") {
  auto in = gt::make_batch({{{"status", 503}, {"path", "/api"}}, {{"status", 404}, {"path", "/x"}}, {{"status", 200}, {"path", "/api/y"}},
                            {{"status", 500}, {"path", "/web"}}});
  const StringMap routes{{"server_error", "status >= 500"}, {"api", "starts_with(path, \"/api\")"}};
  auto result = gt::run_stage(describe_route(), {{"routes", routes}}, {in});
  CHECK(gt::ints(result.out("server_error"), "status") == std::vector<std::int64_t>{503, 500});
  CHECK(gt::ints(result.out("api"), "status") == std::vector<std::int64_t>{200});
  CHECK(gt::ints(result.out("default"), "status") == std::vector<std::int64_t>{404});
}

TEST_CASE("route refuses reserved port names and bad predicates", "[plugins][route]") {
  CHECK_THAT(param_error({{"default", "value > 1"}}).what(), Catch::Contains("'default' is a reserved port name"));
  CHECK(param_error({{"errors", "1"}}).param() == "routes");
  CHECK_THAT(param_error({{"high", "value >"}}).what(), Catch::StartsWith("routes.high: column 7: expected an expression after \">\""));
  CHECK_THAT(param_error({}).what(), Catch::Contains("at least one port"));
}
