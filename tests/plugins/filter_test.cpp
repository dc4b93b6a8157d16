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

TEST_CASE("filter keeps exactly the records where the expression is nonzero", "[plugins][filter]") {
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

TEST_CASE("filter rejects a record whose field is missing or not a number, and filters the rest", "[plugins][filter]") {
  auto in = gt::make_batch({{{"id", 0}, {"value", 5.0}},
                            {{"id", 1}},
                            {{"id", 2}, {"value", "high"}},
                            {{"id", 3}, {"value", -1.0}}});
  auto result = gt::run_stage(describe_filter(), {{"where", "value > 0"}}, {in});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{0});
  REQUIRE(result.rejected.size() == 2);
  CHECK(result.rejected[0].row == 1);
  CHECK(result.rejected[0].error == "field 'value' is missing or not a number (it is null)");
  CHECK(result.rejected[1].get("id") == Value::of(std::int64_t{2}));
  CHECK(result.rejected[1].error == "field 'value' is missing or not a number (it is string)");
}

TEST_CASE("filter rejects every record of a batch that lacks the field", "[plugins][filter]") {
  auto result = gt::run_stage(describe_filter(), {{"where", "temperature > 0"}}, {readings()});
  CHECK(result.out().empty());
  CHECK(result.rejected.size() == 5);
  CHECK(result.rejected[0].error == "field 'temperature' is missing or not a number (it is null)");
}

TEST_CASE("filter reports a bad expression at the 'where' parameter with position and token", "[plugins][filter]") {
  ParamError e = compile_error("value >>= 0");
  CHECK(e.param() == "where");
  CHECK(std::string(e.what()) == "Unexpected operator \">=\" at character 8 of \"value >>= 0\"");
  CHECK_THAT(compile_error("(value + 1").what(), Catch::Contains("Missing parenthesis"));
  CHECK_THAT(compile_error("value + ").what(), Catch::Contains("at character"));
}

TEST_CASE("filter refuses '=' where '==' was meant", "[plugins][filter]") {
  CHECK(std::string(compile_error("id = 3").what()) == "'=' would assign; use '==' to compare, at character 4 of \"id = 3\"");
  CHECK_NOTHROW(gt::StageHarness(describe_filter(), {{"where", "id == 3 || id <= 1 || id >= 7 || id != 5"}}));
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
