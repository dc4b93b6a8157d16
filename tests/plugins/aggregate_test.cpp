// The aggregate stage: its functions, keys, type errors, parameters and acknowledgement.
// Windows are in aggregate_window_test.cpp.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <random>

#include "aggregate_spec.hpp"
#include "event_time.hpp"
#include "group_keys.hpp"
#include "sketches.hpp"
#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_aggregate();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_aggregate;

namespace {
// The value of field `name` of the result whose `key` field is `key` (a string key).
Value result_of(const gt::StageOutput& out, std::string_view key_field, std::string_view key, std::string_view name) {
  for (const auto& b : out.out())
    for (std::size_t i = 0; i < b->size(); ++i) {
      const Value k = b->get(i, field(key_field));
      if (k.type() == Type::string && k.as_string() == key) return b->get(i, field(name));
    }
  FAIL("no result for " << key_field << " = " << key);
  return {};
}

gt::ParamMap params(gt::ParamMap extra, StringMap aggregates) {
  extra["aggregates"] = std::move(aggregates);
  return extra;
}
}  // namespace

TEST_CASE("aggregate parses fn(field[, arg]) and names what is wrong, with its column", "[plugins][aggregate]") {
  using plugins::agg::parse_aggregate, plugins::agg::Function;
  CHECK(parse_aggregate("n", "count()").function == Function::count);
  CHECK(parse_aggregate("n", " count( user.id ) ").field == "user.id");
  const auto q = parse_aggregate("p", "quantile(latency_ms, 0.99)");
  CHECK(q.function == Function::quantile);
  CHECK(q.argument == 0.99);
  CHECK_THROWS_WITH(parse_aggregate("x", "median(x)"), Catch::Contains("column 1: unknown function 'median'"));
  CHECK_THROWS_WITH(parse_aggregate("x", "sum()"), Catch::Contains("sum takes 1 argument, got 0"));
  CHECK_THROWS_WITH(parse_aggregate("x", "sum(a, b)"), Catch::Contains("sum takes 1 argument, got 2"));
  CHECK_THROWS_WITH(parse_aggregate("x", "quantile(a, 1.5)"), Catch::Contains("column 13: quantile's second argument"));
  CHECK_THROWS_WITH(parse_aggregate("x", "count(a"), Catch::Contains("expected ')'"));
  CHECK_THROWS_WITH(parse_aggregate("x", "count() + 1"), Catch::Contains("column 9: unexpected text"));
}

TEST_CASE("aggregate refuses bad parameters when the graph is built", "[plugins][aggregate]") {
  auto build = [](gt::ParamMap p) { gt::StageHarness h(describe_aggregate(), p); };
  CHECK_THROWS_WITH(build(params({}, {{"n", "avg(x)"}})), Catch::Contains("'n': \"avg(x)\" column 1: unknown function 'avg'"));
  CHECK_THROWS_WITH(build(params({{"group_by", std::vector<std::string>{"n"}}}, {{"n", "count()"}})),
                    Catch::Contains("'n' is also a group_by field"));
  CHECK_THROWS_WITH(build(params({{"window", "tumbling"}}, {{"n", "count()"}})), Catch::Contains("needs window_ms"));
  CHECK_THROWS_WITH(build(params({{"window", "count"}}, {{"n", "count()"}})), Catch::Contains("needs window_records"));
  CHECK_THROWS_WITH(build(params({{"time", "event"}}, {{"n", "count()"}})),
                    Catch::Contains("applies to window = \"tumbling\" only"));
  CHECK_THROWS_WITH(build(params({{"window_ms", 5}}, {{"n", "count()"}})), Catch::Contains("window_ms applies to"));
  CHECK_THROWS_WITH(build(params({}, {})), Catch::Contains("at least one aggregate"));
}

TEST_CASE("aggregate computes every function per group", "[plugins][aggregate]") {
  auto a = gt::make_batch({{{"k", "a"}, {"x", 1}, {"s", "first-a"}},
                           {{"k", "b"}, {"x", 2.5}, {"s", "only-b"}},
                           {{"k", "a"}, {"x", 4}, {"s", "middle-a"}}});
  auto b = gt::make_batch({{{"k", "a"}, {"x", nullptr}, {"s", "last-a, longer than twelve bytes"}},
                           {{"k", "a"}, {"x", 3}}});
  const StringMap aggregates = {{"n", "count()"},        {"nx", "count(x)"},   {"total", "sum(x)"},
                                {"lo", "min(x)"},        {"hi", "max(x)"},     {"avg", "mean(x)"},
                                {"first_s", "first(s)"}, {"last_s", "last(s)"}, {"distinct_s", "count_distinct(s)"},
                                {"median", "quantile(x, 0.5)"}};
  auto out = gt::run_stage(describe_aggregate(), params({{"group_by", std::vector<std::string>{"k"}}}, aggregates), {a, b});
  a.reset();
  b.reset();  // results own their strings
  CHECK(out.rejected.empty());
  CHECK(gt::strings(out.out(), "k") == std::vector<std::string>{"a", "b"});  // in order of first appearance
  CHECK(result_of(out, "k", "a", "n") == Value::of(std::int64_t{4}));
  CHECK(result_of(out, "k", "a", "nx") == Value::of(std::int64_t{3}));
  CHECK(result_of(out, "k", "a", "total") == Value::of(std::int64_t{8}));  // ints stay ints
  CHECK(result_of(out, "k", "b", "total") == Value::of(2.5));
  CHECK(result_of(out, "k", "a", "lo") == Value::of(std::int64_t{1}));
  CHECK(result_of(out, "k", "a", "hi") == Value::of(std::int64_t{4}));
  CHECK(result_of(out, "k", "a", "avg").as_double() == Approx(8.0 / 3));
  CHECK(result_of(out, "k", "a", "first_s").as_string() == "first-a");
  CHECK(result_of(out, "k", "a", "last_s").as_string() == "last-a, longer than twelve bytes");
  CHECK(result_of(out, "k", "a", "distinct_s") == Value::of(std::int64_t{3}));
  CHECK(result_of(out, "k", "a", "median").as_double() == Approx(3).epsilon(0.01));
  CHECK(result_of(out, "k", "b", "median").as_double() == Approx(2.5).epsilon(0.01));
}

TEST_CASE("aggregate groups by nested fields and several keys; a missing key groups as null", "[plugins][aggregate]") {
  auto in = gt::make_batch({{{"user.country", "DE"}, {"status", 200}},
                            {{"user.country", "DE"}, {"status", "200"}},  // a string: its own group
                            {{"status", 200}},
                            {{"user.country", "DE"}, {"status", 200}}});
  auto out = gt::run_stage(describe_aggregate(),
                           params({{"group_by", std::vector<std::string>{"user.country", "status"}}}, {{"n", "count()"}}), {in});
  REQUIRE(gt::count_records(out.out()) == 3);
  const auto countries = gt::column(out.out(), "user.country");
  const auto statuses = gt::column(out.out(), "status");
  CHECK(countries[0].as_string() == "DE");
  CHECK(statuses[0] == Value::of(std::int64_t{200}));
  CHECK(gt::ints(out.out(), "n") == std::vector<std::int64_t>{2, 1, 1});
  CHECK(statuses[1].as_string() == "200");
  CHECK(countries[2].is_null());
}

TEST_CASE("aggregate groups by expressions: NAME = EXPRESSION; a key that fails rejects the record", "[plugins][aggregate]") {
  auto in = gt::make_batch({{{"user.country", "de"}, {"status", 200}},
                            {{"user.country", "DE"}, {"status", "503"}},
                            {{"user.country", "FR"}, {"status", 404}},
                            {{"user.country", "DE"}, {"status", "abc"}},  // int("abc") fails: rejected
                            {{"user.country", "de"}, {"status", 500}}});
  auto out = gt::run_stage(
      describe_aggregate(),
      params({{"group_by", std::vector<std::string>{"country = upper(user.country)", "class = int(status) / 100 >= 5"}}},
             {{"n", "count()"}}),
      {in}, {.on_error = "drop"});
  REQUIRE(out.rejected.size() == 1);
  CHECK(out.rejected[0].row == 3);
  CHECK_THAT(out.rejected[0].error, Catch::StartsWith("group_by class: "));
  REQUIRE(gt::count_records(out.out()) == 3);
  const auto countries = gt::column(out.out(), "country");
  const auto classes = gt::column(out.out(), "class");
  CHECK(countries[0].as_string() == "DE");  // de, DE, de: one group
  CHECK(classes[0] == Value::of(false));
  CHECK(countries[1].as_string() == "DE");
  CHECK(classes[1] == Value::of(true));
  CHECK(countries[2].as_string() == "FR");
  CHECK(gt::ints(out.out(), "n") == std::vector<std::int64_t>{1, 2, 1});
}

TEST_CASE("aggregate refuses a group_by expression that does not compile, with its column", "[plugins][aggregate]") {
  try {
    gt::run_stage(describe_aggregate(), params({{"group_by", std::vector<std::string>{"country = lowr(user.country)"}}},
                                               {{"n", "count()"}}),
                  {});
    FAIL("no error");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Catch::Contains("group_by.country: column 0: unknown function \"lowr\""));
  }
}

TEST_CASE("aggregate rejects a record whose value has the wrong type, and aggregates none of it", "[plugins][aggregate]") {
  auto in = gt::make_batch({{{"k", "a"}, {"bytes", 10}}, {{"k", "a"}, {"bytes", "12kB"}}, {{"k", "a"}, {"bytes", 5}}});
  auto out = gt::run_stage(describe_aggregate(),
                           params({{"group_by", std::vector<std::string>{"k"}}}, {{"n", "count()"}, {"total", "sum(bytes)"}}),
                           {in}, {.on_error = "drop"});
  REQUIRE(out.rejected.size() == 1);
  CHECK(out.rejected[0].row == 1);
  CHECK(out.rejected[0].error == "aggregate 'total' = sum(bytes): field 'bytes' is string \"12kB\", expected a number");
  CHECK(gt::ints(out.out(), "n") == std::vector<std::int64_t>{2});  // not counted either
  CHECK(gt::ints(out.out(), "total") == std::vector<std::int64_t>{15});
}

TEST_CASE("aggregate with no group_by makes one group of everything; results go out at the end", "[plugins][aggregate]") {
  gt::StageHarness h(describe_aggregate(), params({}, {{"n", "count()"}}));
  h.process(gt::make_batch({{{"x", 1}}, {{"x", 2}}}));
  h.flush();  // nothing held (acknowledge = "absorbed"): nothing to emit early
  CHECK(h.output().out().empty());
  h.process(gt::make_batch({{{"x", 3}}}));
  h.finish();
  CHECK(gt::ints(h.output().out(), "n") == std::vector<std::int64_t>{3});
  CHECK(h.captured().logs.back() == "info: 3 records aggregated into 1 results; 0 rejected (0 late, 0 past max_groups); 0 early flushes");
}

TEST_CASE("aggregate acknowledges its inputs as absorbed by default, or when results are consumed", "[plugins][aggregate]") {
  auto batch_with_ticket = [](std::shared_ptr<int> ticket) {
    BatchBuilder b(1);
    b.set(b.add_record(), field("k"), b.string("a"));
    b.attach(std::move(ticket));
    return b.finish();
  };
  SECTION("absorbed: the ticket goes with the input batch") {
    auto ticket = std::make_shared<int>(1);
    std::weak_ptr<int> watch = ticket;
    gt::StageHarness h(describe_aggregate(), params({}, {{"n", "count()"}}));
    h.process(batch_with_ticket(std::move(ticket)));
    CHECK(watch.expired());
  }
  SECTION("emitted: held until the results are dropped; flush() emits early when the sources wait") {
    auto ticket = std::make_shared<int>(1);
    std::weak_ptr<int> watch = ticket;
    gt::StageHarness h(describe_aggregate(), params({{"acknowledge", "emitted"}}, {{"n", "count()"}}));
    h.process(batch_with_ticket(std::move(ticket)));
    CHECK_FALSE(watch.expired());
    h.flush();
    REQUIRE(h.output().out().size() == 1);
    CHECK_FALSE(watch.expired());  // the result carries it
    CHECK(gt::ints(h.output().out(), "n") == std::vector<std::int64_t>{1});
  }
}

TEST_CASE("aggregate's max_groups: flush emits partial results early, reject refuses the new group", "[plugins][aggregate]") {
  auto in = gt::make_batch({{{"k", "a"}}, {{"k", "b"}}, {{"k", "c"}}, {{"k", "a"}}});
  const auto by_k = gt::ParamMap{{"group_by", std::vector<std::string>{"k"}}, {"max_groups", 2}};
  SECTION("flush") {
    gt::StageHarness h(describe_aggregate(), params(by_k, {{"n", "count()"}}));
    h.process(in);
    h.finish();
    CHECK(gt::strings(h.output().out(), "k") == std::vector<std::string>{"a", "b", "c", "a"});
    CHECK(gt::ints(h.output().out(), "n") == std::vector<std::int64_t>{1, 1, 1, 1});
    CHECK_THAT(h.captured().logs.back(), Catch::Contains("1 early flushes"));
  }
  SECTION("reject") {
    auto p = by_k;
    p["on_max_groups"] = "reject";
    auto out = gt::run_stage(describe_aggregate(), params(p, {{"n", "count()"}}), {in}, {.on_error = "drop"});
    REQUIRE(out.rejected.size() == 1);
    CHECK(out.rejected[0].row == 2);
    CHECK(out.rejected[0].error == "a new group past max_groups = 2 (on_max_groups = \"reject\")");
    CHECK(gt::ints(out.out(), "n") == std::vector<std::int64_t>{2, 1});
  }
}

TEST_CASE("aggregate's quantile sketch stays within 1% relative error", "[plugins][aggregate]") {
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> latency(3, 1.2);
  std::vector<double> values;
  plugins::agg::QuantileSketch sketch;
  for (int i = 0; i < 20000; ++i) {
    values.push_back(i % 10 == 0 ? -latency(rng) : latency(rng));
    sketch.add(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double exact = values[static_cast<std::size_t>(q * static_cast<double>(values.size() - 1))];
    INFO("q = " << q << ", exact " << exact << ", sketch " << sketch.quantile(q));
    CHECK(std::fabs(sketch.quantile(q) - exact) <= 0.01 * std::fabs(exact) + 1e-12);
  }
}

TEST_CASE("aggregate's distinct count is exact up to 1024 values, then HyperLogLog within a few percent", "[plugins][aggregate]") {
  plugins::agg::DistinctCounter small, large;
  for (std::uint64_t i = 0; i < 3000; ++i) small.add(plugins::agg::mix64(i % 1000));
  CHECK(small.exact());
  CHECK(small.estimate() == 1000);
  for (std::uint64_t i = 0; i < 100000; ++i) large.add(plugins::agg::mix64(i));
  CHECK_FALSE(large.exact());
  CHECK(static_cast<double>(large.estimate()) == Approx(100000).epsilon(0.05));  // 3 standard errors
}

TEST_CASE("aggregate reads event times as epoch ms or RFC 3339", "[plugins][aggregate]") {
  using plugins::agg::parse_rfc3339_ms, plugins::agg::event_time_ms;
  CHECK(parse_rfc3339_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_rfc3339_ms("2026-03-02T10:00:00.237Z") == 1772445600237);
  CHECK(parse_rfc3339_ms("2026-03-02T11:00:00.237+01:00") == 1772445600237);
  CHECK(parse_rfc3339_ms("2024-02-29 23:59:59.5z") == 1709251199500);
  CHECK(parse_rfc3339_ms("1969-12-31T23:59:59.999Z") == -1);
  CHECK_FALSE(parse_rfc3339_ms("2023-02-29T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339_ms("2026-03-02T10:00:00"));  // no offset
  CHECK_FALSE(parse_rfc3339_ms("2026-03-02"));
  CHECK(event_time_ms(Value::of(std::int64_t{42})) == 42);
  CHECK(event_time_ms(Value::of(42.9)) == 42);
  CHECK_FALSE(event_time_ms(Value{}));
  CHECK_FALSE(event_time_ms(Value::of(true)));
}

TEST_CASE("aggregate counts match a plain map for random keys, short and long, through selections", "[plugins][aggregate]") {
  std::mt19937_64 rng(11);
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back(i % 3 == 0 ? "a long key, kept in the arena #" + std::to_string(i) : "k" + std::to_string(i));
  std::map<std::string, std::int64_t> expected;
  gt::StageHarness h(describe_aggregate(), params({{"group_by", std::vector<std::string>{"key"}}, {"max_groups", 250}},
                                                  {{"n", "count()"}}));
  for (int round = 0; round < 40; ++round) {
    BatchBuilder b(64);
    Column& c = b.column(field("key"), ColumnType::string);
    std::vector<std::string> drawn;
    for (int i = 0; i < 64; ++i) {
      drawn.push_back(keys[rng() % (round < 20 ? 20 : keys.size())]);  // few keys first, then many (early flushes)
      c.append(b.string(drawn.back()));
    }
    BatchPtr batch = b.finish();
    std::vector<std::uint32_t> kept;
    for (std::uint32_t i = 0; i < 64; ++i)
      if (rng() % 4 != 0) {
        kept.push_back(i);
        ++expected[drawn[i]];
      }
    h.process(batch->select(kept));
  }
  h.finish();
  std::map<std::string, std::int64_t> got;
  const auto names = gt::strings(h.output().out(), "key");
  const auto counts = gt::ints(h.output().out(), "n");
  for (std::size_t i = 0; i < names.size(); ++i) got[names[i]] += counts[i];  // partial results add up
  CHECK(got == expected);
  CHECK_THAT(h.captured().logs.back(), !Catch::Contains(" 0 early flushes"));
}

TEST_CASE("aggregate counts many groups (past the prefetching threshold) like a plain map", "[plugins][aggregate]") {
  std::mt19937_64 rng(5);
  std::map<std::string, std::int64_t> expected;
  gt::StageHarness h(describe_aggregate(), params({{"group_by", std::vector<std::string>{"key"}}}, {{"n", "count()"}}));
  for (int round = 0; round < 200; ++round) {
    BatchBuilder b(256);
    Column& c = b.column(field("key"), ColumnType::string);
    for (int i = 0; i < 256; ++i) {
      const std::uint64_t k = rng() % 9000;
      const std::string key = (k % 2 ? "user-with-a-long-name-" : "u") + std::to_string(k);
      ++expected[key];
      if (k % 97 == 0) c.append(Value{});  // a null key: its own group
      else c.append(b.string(key));
      if (k % 97 == 0) --expected[key], ++expected["(null)"];
    }
    h.process(b.finish());
  }
  h.finish();
  std::map<std::string, std::int64_t> got;
  const auto keys = gt::column(h.output().out(), "key");
  const auto counts = gt::ints(h.output().out(), "n");
  for (std::size_t i = 0; i < keys.size(); ++i) got[keys[i].is_null() ? "(null)" : std::string(keys[i].as_string())] += counts[i];
  std::erase_if(expected, [](const auto& e) { return e.second == 0; });
  CHECK(keys.size() == got.size());  // one result per key: no group made twice
  CHECK(got.size() == expected.size());
  CHECK(got == expected);
}
