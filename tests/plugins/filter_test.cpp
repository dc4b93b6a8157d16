#include <catch2/catch.hpp>

#include <thread>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_filter;

namespace {
BatchPtr readings() {
  return gt::make_batch({{{"id", 0}, {"value", -5.0}},
                         {{"id", 1}, {"value", 10.5}},
                         {{"id", 2}, {"value", 0.0}},
                         {{"id", 3}, {"value", 999.0}},
                         {{"id", 4}, {"value", 42.0}}});
}

// The ParamError a `where` expression raises ("compiled" when it raises none).
ParamError compile_error(const std::string& where) {
  try {
    gt::StageHarness h(describe_filter(), {{"where", where}});
  } catch (const ParamError& e) {
    return e;
  }
  return ParamError("", "compiled");
}
}  // namespace

TEST_CASE("filter keeps exactly the records where the expression is true", "[plugins][filter]") {
  auto result = gt::run_stage(describe_filter(), {{"where", "value >= 0 && id < 4"}}, {readings()});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(gt::doubles(result.out(), "value") == std::vector<double>{10.5, 0.0, 999.0});
  CHECK(result.rejected.empty());
}

TEST_CASE("filter passes a batch on unchanged when every record matches, and emits nothing when none does", "[plugins][filter]") {
  auto in = readings();
  auto all = gt::run_stage(describe_filter(), {{"where", "value > -100"}}, {in});
  REQUIRE(all.out().size() == 1);
  CHECK(all.out()[0] == in);  // the same shared batch, not a copy
  auto none = gt::run_stage(describe_filter(), {{"where", "value > 5000"}}, {in});
  CHECK(none.out().empty());
}

TEST_CASE("filter accepts ints, bools, functions and constants", "[plugins][filter]") {
  auto in = gt::make_batch({{{"n", 1}, {"ok", true}}, {{"n", 4}, {"ok", false}}, {{"n", 9}, {"ok", true}}});
  auto result = gt::run_stage(describe_filter(), {{"where", "ok && sqrt(n) >= 2 || n == 1"}}, {in});
  CHECK(gt::ints(result.out(), "n") == std::vector<std::int64_t>{1, 9});
  CHECK(gt::count_records(gt::run_stage(describe_filter(), {{"where", "_pi > 3"}}, {in}).out()) == 3);
}

TEST_CASE("filter drops records where a field is missing (null compares false) and rejects type errors", "[plugins][filter]") {
  auto in = gt::make_batch({{{"id", 0}, {"value", 5.0}},
                            {{"id", 1}},
                            {{"id", 2}, {"value", "high"}},
                            {{"id", 3}, {"value", -1.0}}});
  auto result = gt::run_stage(describe_filter(), {{"where", "value > 0"}}, {in});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{0});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].get("id") == Value::of(std::int64_t{2}));
  CHECK(result.rejected[0].error == "field \"value\": expected a number for \">\", found string \"high\" (record 2 of the batch)");
}

TEST_CASE("filter drops every record of a batch that lacks the field, rejecting none", "[plugins][filter]") {
  auto result = gt::run_stage(describe_filter(), {{"where", "temperature > 0"}}, {readings()});
  CHECK(result.out().empty());
  CHECK(result.rejected.empty());
}

TEST_CASE("filter reports a bad expression at the 'where' parameter with its column", "[plugins][filter]") {
  ParamError e = compile_error("value >>= 0");
  CHECK(e.param() == "where");
  CHECK(std::string(e.what()) == "where: column 7: expected an expression after \">\", found \">=\" in \"value >>= 0\"");
  CHECK_THAT(compile_error("lenght(path) > 3").what(), Catch::StartsWith("where: column 0: unknown function \"lenght\" (did you mean \"len\"?)"));
  CHECK_THAT(compile_error("value + ").what(), Catch::Contains("column 8: expected an expression after \"+\""));
}

TEST_CASE("filter refuses '=' where '==' was meant", "[plugins][filter]") {
  CHECK_THAT(compile_error("id = 3").what(), Catch::StartsWith("where: column 3: '=' would assign; use '==' to compare"));
  CHECK_NOTHROW(gt::StageHarness(describe_filter(), {{"where", "id == 3 || id <= 1 || id >= 7 || id != 5"}}));
}

TEST_CASE("filter on strings, functions and regex", "[plugins][filter]") {
  auto in = gt::make_batch({{{"method", "POST"}, {"path", "/api/v1/users"}},
                            {{"method", "GET"}, {"path", "/api/v1/users"}},
                            {{"method", "POST"}, {"path", "/static/a-long-file-name.css"}},
                            {{"method", "PUT"}, {"path", "/api/v2/orders/7"}}});
  auto result = gt::run_stage(describe_filter(), {{"where", "method in [\"POST\", \"PUT\"] && matches(path, \"^/api/v[0-9]+/\")"}}, {in});
  CHECK(gt::strings(result.out(), "path") == std::vector<std::string>{"/api/v1/users", "/api/v2/orders/7"});
}

TEST_CASE("filter on a batch with a selection keeps indexes into that batch", "[plugins][filter]") {
  const std::uint32_t rows[] = {1, 3, 4};
  auto in = readings()->select(rows);
  auto result = gt::run_stage(describe_filter(), {{"where", "value > 40"}}, {in});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{3, 4});
}

TEST_CASE("filter gives the same answers when one instance is called from several threads", "[plugins][filter]") {
  gt::StageHarness h(describe_filter(), {{"where", "value >= 500"}});
  auto batches = gt::run_source(plugins::describe_generate(), {{"count", 40000}});
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (std::size_t i = t; i < batches.size(); i += 4) h.process(batches[i]);
    });
  for (auto& th : threads) th.join();
  std::size_t expected = 0;
  for (double v : gt::doubles(batches, "value")) expected += v >= 500;
  CHECK(gt::count_records(h.output().out()) == expected);
  for (double v : gt::doubles(h.output().out(), "value")) REQUIRE(v >= 500);
}
