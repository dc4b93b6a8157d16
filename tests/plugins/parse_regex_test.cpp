#include <catch2/catch.hpp>

#include "reshape_support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::json_lines;
using plugin_tests::Lines;

namespace {
const std::string access_pattern =
    R"(^(?P<ip>\S+) \S+ \S+ \[(?P<ts>[^\]]+)\] "(?P<method>\S+) (?P<path>\S+)[^"]*" (?P<status>\d{3}) (?P<bytes>\d+|-))";

gt::StageOutput run_parse_regex(gt::ParamMap params, const BatchPtr& in) {
  params.emplace("field", std::string("line"));
  return gt::run_stage(plugins::describe_parse_regex(), params, {in});
}
BatchPtr lines(std::vector<std::string> texts) {
  std::vector<gt::Row> rows;
  for (auto& t : texts) rows.push_back({{"line", t}});
  return gt::make_batch(rows);
}
std::string param_error(gt::ParamMap params, const std::string& expected_param) {
  try {
    run_parse_regex(std::move(params), lines({"x"}));
  } catch (const ParamError& e) {
    CHECK(e.param() == expected_param);
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("parse_regex makes fields of the named groups, typed as asked", "[plugins][parse_regex]") {
  auto in = lines({R"(10.0.0.1 - - [05/Dec/2026:10:00:00 +0000] "GET /index.html HTTP/1.1" 200 5120)",
                   R"(10.0.0.2 - - [05/Dec/2026:10:00:01 +0000] "POST /api/v1/users/with/a/long/path HTTP/1.1" 201 -)"});
  auto result = run_parse_regex({{"pattern", access_pattern}, {"types", StringMap{{"status", "int"}}}}, in);
  CHECK(result.rejected.empty());
  CHECK(json_lines(result.out()) ==
        Lines{R"({"ip":"10.0.0.1","ts":"05/Dec/2026:10:00:00 +0000","method":"GET","path":"/index.html","status":200,"bytes":"5120"})",
              R"({"ip":"10.0.0.2","ts":"05/Dec/2026:10:00:01 +0000","method":"POST","path":"/api/v1/users/with/a/long/path","status":201,"bytes":"-"})"});
}

TEST_CASE("parse_regex: a line that does not match is rejected, dropped or kept as asked", "[plugins][parse_regex]") {
  auto in = lines({"a=1", "garbage", "a=2"});
  auto rejected = run_parse_regex({{"pattern", std::string(R"(a=(?P<a>\d+))")}}, in);
  CHECK(json_lines(rejected.out()) == Lines{R"({"a":"1"})", R"({"a":"2"})"});
  REQUIRE(rejected.rejected.size() == 1);
  CHECK(rejected.rejected[0].error == "field 'line' does not match the pattern: 'garbage'");
  CHECK(rejected.rejected[0].get("line").as_string() == "garbage");

  auto dropped = run_parse_regex({{"pattern", std::string(R"(a=(?P<a>\d+))")}, {"on_no_match", std::string("drop")}}, in);
  CHECK(json_lines(dropped.out()) == Lines{R"({"a":"1"})", R"({"a":"2"})"});
  CHECK(dropped.rejected.empty());

  auto kept = run_parse_regex(
      {{"pattern", std::string(R"(a=(?P<a>\d+))")}, {"on_no_match", std::string("keep")}, {"keep_field", true}}, in);
  CHECK(json_lines(kept.out()) == Lines{R"({"line":"a=1","a":"1"})", R"({"line":"garbage"})", R"({"line":"a=2","a":"2"})"});
}

TEST_CASE("parse_regex rejects a capture that does not convert, and a missing field", "[plugins][parse_regex]") {
  auto in = gt::make_batch({{{"line", "n=12"}}, {{"line", "n=99999999999999999999"}}, {{"other", 1}}, {{"line", 5}}});
  auto result = run_parse_regex({{"pattern", std::string(R"(n=(?P<n>\d+))")}, {"types", StringMap{{"n", "int"}}}}, in);
  CHECK(gt::ints(result.out(), "n") == std::vector<std::int64_t>{12});
  std::vector<std::string> errors;
  for (const auto& r : result.rejected) errors.push_back(r.error);
  CHECK(errors == std::vector<std::string>{"group 'n': '99999999999999999999' is beyond a 64-bit int",
                                           "field 'line' is missing", "field 'line' is int, not text"});
}

TEST_CASE("parse_regex: an optional group that took no part leaves its field absent", "[plugins][parse_regex]") {
  auto result = run_parse_regex({{"pattern", std::string(R"((?P<k>\w+)(?:=(?P<v>\w+))?)")}}, lines({"a=b", "flag"}));
  CHECK(json_lines(result.out()) == Lines{R"({"k":"a","v":"b"})", R"({"k":"flag"})"});
}

TEST_CASE("parse_regex refuses a bad pattern with RE2's error, and patterns it cannot use", "[plugins][parse_regex]") {
  CHECK(param_error({{"pattern", std::string("(?P<a>x")}}, "pattern") == "RE2 refuses the pattern: missing ): (?P<a>x");
  CHECK(param_error({{"pattern", std::string("a{1000}{1000}")}}, "pattern") ==
        "RE2 refuses the pattern: bad repetition operator: {1000}{1000}");
  CHECK(param_error({{"pattern", std::string("(a+)+$")}}, "pattern") ==
        "the pattern has no named groups: name what to capture, e.g. (?P<ip>\\S+)");
  CHECK(param_error({{"pattern", std::string(5000, 'a')}}, "pattern") ==
        "the pattern is 5000 bytes long; at most 4096 are accepted");
  CHECK(param_error({{"pattern", std::string("(?P<a>.)")}, {"types", StringMap{{"b", "int"}}}}, "types") ==
        "types: the pattern has no group named 'b'");
  CHECK(param_error({{"pattern", std::string("(?P<a>.)")}, {"types", StringMap{{"a", "integer"}}}}, "types") ==
        "types: group 'a' has type 'integer'; expected string, int, double or bool");
}

TEST_CASE("parse_regex: a pattern beyond RE2's memory budget is refused, a hostile one runs in linear time",
          "[plugins][parse_regex]") {
  // A thousand Unicode letters: hundreds of instructions each, beyond the 8 MiB budget.
  CHECK(param_error({{"pattern", std::string(R"((?P<a>\pL{1000}))")}}, "pattern") ==
        "RE2 refuses the pattern: pattern too large - compile failed");
  // RE2 caps nested repetition at 1000 in all.
  CHECK(param_error({{"pattern", std::string("(?P<a>(?:x{1000}){1000})")}}, "pattern") ==
        "RE2 refuses the pattern: invalid repetition size: {1000}");
  // The catastrophic-backtracking classic: RE2 does not backtrack.
  auto result = run_parse_regex({{"pattern", std::string("^(?P<a>(a+)+)$")}}, lines({std::string(100000, 'a') + "b"}));
  CHECK(result.out().empty());
  CHECK(result.rejected.size() == 1);
}

TEST_CASE("parse_regex reads a filtered batch through its selection; long captures stay valid",
          "[plugins][parse_regex]") {
  const std::string long_value(40, 'v');
  auto in = lines({"k=skipped", "k=" + long_value, "nope", "k=short"});
  auto result = run_parse_regex({{"pattern", std::string(R"(k=(?P<k>\w+))")}, {"on_no_match", std::string("drop")}},
                                in->select(std::vector<std::uint32_t>{1, 2, 3}));
  CHECK(gt::strings(result.out(), "k") == std::vector<std::string>{long_value, "short"});
  CHECK(result.rejected.empty());
}
