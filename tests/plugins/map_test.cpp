#include <catch2/catch.hpp>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_map;

namespace {
gt::StageOutput run_map(StringMap set, const BatchPtr& in) {
  return gt::run_stage(describe_map(), {{"set", std::move(set)}}, {in});
}
}  // namespace

TEST_CASE("map sets fields: int op int is an int, / a double, literals their type", "[plugins][map]") {
  auto in = gt::make_batch({{{"id", 3}, {"value", 2.0}}, {{"id", 4}, {"value", 0.25}}});
  auto result = run_map({{"twice", "id * 2"},
                         {"half", "id / 2"},
                         {"scaled", "value * 2"},
                         {"version", "3"},
                         {"ratio", "1.5"},
                         {"big", "id > 3"}},
                        in);
  CHECK(gt::ints(result.out(), "twice") == std::vector<std::int64_t>{6, 8});
  CHECK(gt::doubles(result.out(), "half") == std::vector<double>{1.5, 2.0});  // `/` always gives a double
  CHECK(gt::doubles(result.out(), "scaled") == std::vector<double>{4.0, 0.5});  // double inputs: double
  CHECK(gt::ints(result.out(), "version") == std::vector<std::int64_t>{3, 3});
  CHECK(gt::doubles(result.out(), "ratio") == std::vector<double>{1.5, 1.5});
  CHECK(gt::column(result.out(), "big") == std::vector<Value>{Value::of(false), Value::of(true)});
}

TEST_CASE("map makes a bool of a comparison or logical expression", "[plugins][map]") {
  auto in = gt::make_batch({{{"value", 75.5}, {"id", 1}}, {{"value", 12.0}, {"id", 2}}});
  auto result = run_map({{"high", "value >= 50"},
                         {"both", "value > 10 && id == 2"},
                         {"picked", "id > 1 ? 10 : 20"},        // a ternary: its branches decide
                         {"count", "(value > 50) + (id > 1)"},  // bools in arithmetic count as ints
                         {"twice", "high * 2"}},
                        in);
  CHECK(gt::column(result.out(), "high") == std::vector<Value>{Value::of(true), Value::of(false)});
  CHECK(gt::column(result.out(), "both") == std::vector<Value>{Value::of(false), Value::of(true)});
  CHECK(gt::ints(result.out(), "picked") == std::vector<std::int64_t>{20, 10});
  CHECK(gt::ints(result.out(), "count") == std::vector<std::int64_t>{1, 1});  // bool + bool counts as ints
  CHECK(gt::ints(result.out(), "twice") == std::vector<std::int64_t>{2, 0});
}

TEST_CASE("map evaluates in file order: later expressions see earlier results", "[plugins][map]") {
  auto in = gt::make_batch({{{"id", 1}, {"a", 100}}, {{"id", 2}, {"a", 100}}});
  auto result = run_map({{"b", "a + id"}, {"a", "id + 1"}, {"c", "a * 10 + b"}}, in);
  CHECK(gt::ints(result.out(), "b") == std::vector<std::int64_t>{101, 102});  // the input a
  CHECK(gt::ints(result.out(), "a") == std::vector<std::int64_t>{2, 3});
  CHECK(gt::ints(result.out(), "c") == std::vector<std::int64_t>{121, 132});  // the new a
}

TEST_CASE("map replaces a field in place and shares the columns it does not change", "[plugins][map]") {
  auto in = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"name", "a"}}});
  auto result = run_map({{"value", "value * 2"}}, in);
  REQUIRE(result.out().size() == 1);
  const BatchPtr& out = result.out()[0];
  CHECK(gt::doubles(out, "value") == std::vector<double>{5.0});
  CHECK(field_name(out->columns()[1]->field()) == "value");  // same position
  CHECK(out->find(field("name")) == in->find(field("name")));
  CHECK(gt::doubles(in, "value") == std::vector<double>{2.5});  // the input is not modified
}

TEST_CASE("map rejects a record an expression fails on, writes null for a missing field, keeps the rest", "[plugins][map]") {
  auto in = gt::make_batch({{{"id", 1}, {"value", 1.0}}, {{"id", 2}, {"value", "n/a"}}, {{"id", 3}, {"value", 3.0}}, {{"id", 4}}});
  auto result = run_map({{"value", "value + 1"}}, in);
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{1, 3, 4});
  CHECK(gt::column(result.out(), "value") == std::vector<Value>{Value::of(2.0), Value::of(4.0), Value{}});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].error == "set.value: field \"value\": expected a number (or two strings to join) for \"+\", found string \"n/a\" (record 1 of the batch)");
  CHECK(result.rejected[0].get("value").as_string() == "n/a");  // as it arrived
}

TEST_CASE("map writes strings, bools and nulls, and later expressions see them", "[plugins][map]") {
  auto in = gt::make_batch({{{"name", "Alice"}, {"path", "/api/users/42"}}, {{"name", "a much longer name, Bob"}, {"path", "/web"}}});
  auto result = run_map({{"who", "lower(name)"},
                         {"user_id", "int(extract(path, \"/users/([0-9]+)\") ?? \"0\")"},
                         {"tag", "who + \"#\" + string(user_id)"},
                         {"none", "null"}},
                        in);
  CHECK(gt::strings(result.out(), "who") == std::vector<std::string>{"alice", "a much longer name, bob"});
  CHECK(gt::ints(result.out(), "user_id") == std::vector<std::int64_t>{42, 0});
  CHECK(gt::strings(result.out(), "tag") == std::vector<std::string>{"alice#42", "a much longer name, bob#0"});
  CHECK(gt::column(result.out(), "none") == std::vector<Value>{Value{}, Value{}});
}

TEST_CASE("map on a batch with a selection writes the selected records", "[plugins][map]") {
  auto all = gt::make_batch({{{"id", 1}}, {{"id", 2}}, {{"id", 3}}});
  const std::uint32_t rows[] = {0, 2};
  auto result = run_map({{"twice", "id * 2"}, {"id", "id + 100"}}, all->select(rows));
  CHECK(gt::ints(result.out(), "twice") == std::vector<std::int64_t>{2, 6});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{101, 103});
}

TEST_CASE("map writes a new column under a selection and rejects a failed record there", "[plugins][map]") {
  auto all = gt::make_batch({{{"id", 1}, {"s", "5"}}, {{"id", 2}, {"s", "x"}}, {{"id", 3}, {"s", "7"}}, {{"id", 4}, {"s", "8"}}});
  const std::uint32_t rows[] = {1, 2, 3};
  auto result = run_map({{"c", "int(s) * id"}}, all->select(rows));
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{3, 4});
  CHECK(gt::column(result.out(), "c") == std::vector<Value>{Value::of(std::int64_t{21}), Value::of(std::int64_t{32})});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].get("id").as_int() == 2);
}

TEST_CASE("map over most rows of a selection writes every row, and fails no record on a row none holds", "[plugins][map]") {
  // 7 of 8 rows selected: map computes every physical row in loops over whole columns. Row 0
  // (deselected) has a bad number and a long name: int(s) fails there, where no record is,
  // so the records are evaluated again the usual way, and none is rejected.
  auto all = gt::make_batch({{{"id", 0}, {"s", "x"}, {"name", "a name of more than twelve bytes, deselected"}},
                             {{"id", 1}, {"s", "5"}, {"name", "first record, a long name"}},
                             {{"id", 2}, {"s", "6"}, {"name", "b"}},
                             {{"id", 3}, {"s", "7"}, {"name", "third record, a long name"}},
                             {{"id", 4}, {"s", "8"}, {"name", "d"}},
                             {{"id", 5}, {"s", "9"}, {"name", "e"}},
                             {{"id", 6}, {"s", "10"}, {"name", "f"}},
                             {{"id", 7}, {"s", "11"}, {"name", "g"}}});
  const std::uint32_t rows[] = {1, 2, 3, 4, 5, 6, 7};
  auto result = run_map({{"twice", "id * 2"}, {"next", "twice + 1"}, {"n", "int(s) * 2"}, {"loud", "upper(name)"},
                         {"id", "id + 100"}},
                        all->select(rows));
  CHECK(result.rejected.empty());
  CHECK(gt::ints(result.out(), "twice") == std::vector<std::int64_t>{2, 4, 6, 8, 10, 12, 14});
  CHECK(gt::ints(result.out(), "next") == std::vector<std::int64_t>{3, 5, 7, 9, 11, 13, 15});
  CHECK(gt::ints(result.out(), "n") == std::vector<std::int64_t>{10, 12, 14, 16, 18, 20, 22});
  CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{101, 102, 103, 104, 105, 106, 107});
  CHECK(gt::column(result.out(), "loud")[0] == Value::string_ref("FIRST RECORD, A LONG NAME"));
  CHECK(gt::column(result.out(), "loud")[2] == Value::string_ref("THIRD RECORD, A LONG NAME"));
  // A selected record that fails is rejected, the others kept, as without the selection.
  const std::uint32_t with_bad[] = {0, 1, 2, 3, 4, 5, 6};
  result = run_map({{"n", "int(s) * 2"}}, all->select(with_bad));
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].get("id").as_int() == 0);
  CHECK(gt::ints(result.out(), "n") == std::vector<std::int64_t>{10, 12, 14, 16, 18, 20});
}

TEST_CASE("map keeps non-finite results as doubles", "[plugins][map]") {
  auto result = run_map({{"q", "id / 0"}}, gt::make_batch({{{"id", 1}}}));
  CHECK(std::isinf(gt::doubles(result.out(), "q")[0]));
}

TEST_CASE("map reports a bad expression at 'set', naming the field", "[plugins][map]") {
  auto error = [](StringMap set) -> std::string {
    try {
      gt::StageHarness h(describe_map(), {{"set", std::move(set)}});
    } catch (const ParamError& e) {
      CHECK(e.param() == "set");
      return e.what();
    }
    return "compiled";
  };
  CHECK(error({{"ok", "1"}, {"bad", "id +* 2"}}) == "set.bad: column 4: expected an expression after \"+\", found \"*\" in \"id +* 2\"");
  CHECK_THAT(error({}), Catch::Contains("at least one field"));
}
