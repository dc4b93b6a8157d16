#include <catch2/catch.hpp>

#include "reshape_support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::json_lines;
using plugin_tests::Lines;

namespace {
gt::StageOutput run_parse_json(gt::ParamMap params, const BatchPtr& in) {
  return gt::run_stage(plugins::describe_parse_json(), params, {in});
}
BatchPtr payloads(std::vector<std::string> texts) {
  BatchBuilder b;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::size_t r = b.add_record();
    b.set(r, field("id"), Value::of(static_cast<std::int64_t>(i + 1)));
    b.set(r, field("payload"), b.string(texts[i]));
  }
  return b.finish();
}
}  // namespace

TEST_CASE("parse_json replaces the field by the nested value it holds", "[plugins][parse_json]") {
  auto in = payloads({R"({"user":{"id":7,"tags":["a","b"]},"ok":true,"e":{}})", R"([1,2])", R"("just text")", "42"});
  auto result = run_parse_json({{"field", "payload"}}, in);
  CHECK(result.rejected.empty());
  CHECK(json_lines(result.out()) == Lines{R"({"id":1,"payload":{"user":{"id":7,"tags":["a","b"]},"ok":true,"e":{}}})",
                                          R"({"id":2,"payload":[1,2]})", R"({"id":3,"payload":"just text"})",
                                          R"({"id":4,"payload":42})"});
  auto ids = gt::column(result.out(), "payload.user.id");
  CHECK(ids[0] == Value::of(std::int64_t{7}));  // typed, as read_jsonl types it
}

TEST_CASE("parse_json puts the value under a target, or merges it into the record", "[plugins][parse_json]") {
  auto in = payloads({R"({"a":1,"long":"a string longer than twelve bytes"})"});
  CHECK(json_lines(run_parse_json({{"field", "payload"}, {"target", "body"}}, in).out()) ==
        Lines{R"({"id":1,"body":{"a":1,"long":"a string longer than twelve bytes"}})"});
  CHECK(json_lines(run_parse_json({{"field", "payload"}, {"target", "body"}, {"keep_field", true}}, in).out()) ==
        Lines{R"({"id":1,"payload":"{\"a\":1,\"long\":\"a string longer than twelve bytes\"}","body":{"a":1,"long":"a string longer than twelve bytes"}})"});
  // target = "": the keys become top-level fields; one the record has is replaced.
  CHECK(json_lines(run_parse_json({{"field", "payload"}, {"target", ""}}, payloads({R"({"id":99,"x":"y"})"})).out()) ==
        Lines{R"({"id":99,"x":"y"})"});
}

TEST_CASE("parse_json rejects text that is not JSON, naming the field and the position", "[plugins][parse_json]") {
  auto in = payloads({R"({"a":1})", R"({"a":})", R"({"a":1} x)", "", R"({"a":1)", "1 2", R"("open)"});
  auto result = run_parse_json({{"field", "payload"}}, in);
  CHECK(json_lines(result.out()) == Lines{R"({"id":1,"payload":{"a":1}})"});
  std::vector<std::string> errors;
  for (const auto& r : result.rejected) errors.push_back(r.error);
  const std::string structure = "(The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc.)";
  CHECK(errors == std::vector<std::string>{
                      "field 'payload': invalid value for key 'payload.a' at character 6 " + structure,
                      "field 'payload': invalid JSON at character 9 " + structure,  // the x
                      "field 'payload': no JSON value at character 1 (Empty: no JSON found)",
                      "field 'payload': invalid JSON at character 7 " + structure,  // the end: not closed
                      "field 'payload': invalid JSON at character 3 " + structure,  // the 2
                      "field 'payload': invalid JSON at character 6 (A string is opened, but never closed.)"});
  CHECK(result.rejected[0].get("payload").as_string() == R"({"a":})");  // the record as it came
}

TEST_CASE("parse_json: a record without the field, or null, goes on unchanged; a number is refused", "[plugins][parse_json]") {
  BatchBuilder b;
  b.set(b.add_record(), field("id"), Value::of(std::int64_t{1}));
  const std::size_t r = b.add_record();
  b.set(r, field("id"), Value::of(std::int64_t{2}));
  b.set(r, field("payload"), Value{});
  const std::size_t r3 = b.add_record();
  b.set(r3, field("id"), Value::of(std::int64_t{3}));
  b.set(r3, field("payload"), Value::of(std::int64_t{5}));
  auto result = run_parse_json({{"field", "payload"}}, b.finish());
  CHECK(json_lines(result.out()) == Lines{R"({"id":1})", R"({"id":2,"payload":null})"});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].error == "field 'payload' is int, not JSON text");
}

TEST_CASE("parse_json with target = \"\" rejects a value that is not an object", "[plugins][parse_json]") {
  auto result = run_parse_json({{"field", "payload"}, {"target", ""}}, payloads({"[1]"}));
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].error ==
        "field 'payload': holds an array, not an object: nothing to merge into the record (target = \"\")");
}

TEST_CASE("parse_json reads a filtered batch through its selection", "[plugins][parse_json]") {
  auto in = payloads({R"({"a":1})", R"({"a":2})", "not json", R"({"b":"x"})"});
  auto result = run_parse_json({{"field", "payload"}}, in->select(std::vector<std::uint32_t>{1, 2, 3}));
  CHECK(json_lines(result.out()) == Lines{R"({"id":2,"payload":{"a":2}})", R"({"id":4,"payload":{"b":"x"}})"});
  REQUIRE(result.rejected.size() == 1);
  CHECK(result.rejected[0].get("id") == Value::of(std::int64_t{3}));
}
