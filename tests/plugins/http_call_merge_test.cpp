// http_call without a network: request bodies from records, response items, and their
// merge into records (by position, by key, filter mode).
#include <catch2/catch.hpp>

#include "merge.hpp"
#include "request_body.hpp"
#include "response_items.hpp"
#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using namespace graph_runner::plugins;

namespace {

std::string batch_body(const BatchPtr& in, std::vector<std::string> fields, BodyFormat f) {
  RequestEncoder e(fields);
  e.use(*in);
  std::string out;
  e.batch_body(f, out);
  return out;
}

struct Call {
  ResponseSpec spec;
  MergeOptions merge;
  Field key;
  MergeResult apply(const BatchPtr& in, std::string_view body) {
    ResponseParser parser(spec);
    ResponseItems items;
    parser.parse_batch(body, items);
    ResponseMerger merger(merge);
    return key.valid() ? merger.by_key(in, key, items, parser.slot_names())
                       : merger.by_position(in, items, parser.slot_names());
  }
};

std::vector<std::string> errors(const MergeResult& r) {
  std::vector<std::string> out;
  for (const auto& [row, why] : r.rejected) out.push_back(std::to_string(row) + ": " + why);
  return out;
}

}  // namespace

TEST_CASE("http_call sends the chosen fields of each record, a missing one as null", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}, {"name", "a\"b"}, {"score", 0.5}}, {{"id", 2}, {"ok", true}}});
  // SDK 2.0: with every field sent, a field a record lacks (absent) is left out.
  CHECK(batch_body(in, {}, BodyFormat::json_array) == R"([{"id":1,"name":"a\"b","score":0.5},{"id":2,"ok":true}])");
  CHECK(batch_body(in, {"ok", "id", "absent"}, BodyFormat::ndjson) ==
        "{\"ok\":null,\"id\":1,\"absent\":null}\n{\"ok\":true,\"id\":2,\"absent\":null}\n");
  RequestEncoder e({"name"});
  e.use(*in);
  std::string one;
  e.record_body(0, one);
  CHECK(one == R"({"name":"a\"b"})");
}

TEST_CASE("http_call merges answer items by position, with their JSON types", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}, {"name", "ann"}}, {{"id", 2}, {"name", "bob"}}, {{"id", 3}, {"name", "cy"}}});
  Call call;
  call.spec.take_all = true;
  auto r = call.apply(in, R"([{"score": 7, "tier": "gold", "ratio": 0.25, "vip": true, "tags": ["x", 1]},
                              {"score": 9007199254740993, "tier": null},
                              {"name": "CY"}])");
  CHECK(errors(r).empty());
  REQUIRE(r.out);
  REQUIRE(r.out->size() == 3);
  CHECK(gt::column(r.out, "score") == std::vector<Value>{Value::of(std::int64_t{7}), Value::of(std::int64_t{9007199254740993}), Value{}});
  CHECK(gt::column(r.out, "tier")[0].as_string() == "gold");
  CHECK(gt::column(r.out, "tier")[1].is_null());  // an explicit null
  CHECK(gt::column(r.out, "ratio")[0] == Value::of(0.25));
  CHECK(gt::column(r.out, "vip")[0] == Value::of(true));
  CHECK(gt::column(r.out, "tags")[0].as_string() == R"(["x", 1])");  // nested: its JSON text
  CHECK(gt::strings({&r.out, 1}, "name") == std::vector<std::string>{"ann", "bob", "CY"});  // replaced where answered
  CHECK(gt::ints({&r.out, 1}, "id") == std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("http_call takes only the listed fields, with a prefix or a new name", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}, {{"id", 2}}});
  Call call;
  call.spec.take = {"score", "tier"};
  call.merge.prefix = "svc_";
  call.merge.rename = {{"tier", "level"}};
  auto r = call.apply(in, R"([{"score": 1, "tier": "a", "secret": "x"}, {"score": 2}])");
  REQUIRE(r.out);
  CHECK(gt::ints({&r.out, 1}, "svc_score") == std::vector<std::int64_t>{1, 2});
  CHECK(gt::column(r.out, "level") == std::vector<Value>{gt::column(r.out, "level")[0], Value{}});
  CHECK(gt::column(r.out, "level")[0].as_string() == "a");
  CHECK(r.out->find(field("secret")) == nullptr);
  CHECK(r.out->find(field("svc_secret")) == nullptr);
  CHECK(r.out->find(field("svc_tier")) == nullptr);
}

TEST_CASE("http_call fails the call when the answer has a different count of items", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}, {{"id", 2}}});
  Call call;
  call.spec.take_all = true;
  CHECK_THROWS_WITH(call.apply(in, R"([{"a": 1}])"),
                    "the response has 1 item(s) for 2 record(s); matched by position, they must be as many");
  CHECK_THROWS_WITH(call.apply(in, R"([{"a": 1}, {"a": 2}, {"a": 3}])"), Catch::Contains("3 item(s) for 2 record(s)"));
  CHECK_THROWS_WITH(call.apply(in, R"([{"a": 1}, {"a": )"), Catch::StartsWith("the response is not valid JSON"));
  CHECK_THROWS_WITH(call.apply(in, "<html>busy</html>"), Catch::StartsWith("the response is not"));
  CHECK_THROWS_WITH(call.apply(in, R"({"a": 1})" "\n" R"({"a": )"), Catch::Contains("JSON"));
}

TEST_CASE("http_call reads NDJSON answers and items under a member of an object", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}, {{"id", 2}}});
  Call call;
  call.spec.take_all = true;
  auto r = call.apply(in, "{\"v\": 10}\n{\"v\": 20}\n");
  REQUIRE(r.out);
  CHECK(gt::ints({&r.out, 1}, "v") == std::vector<std::int64_t>{10, 20});
  call.spec.results = "data";
  r = call.apply(in, R"({"count": 2, "data": [{"v": 3}, {"v": 4}]})");
  REQUIRE(r.out);
  CHECK(gt::ints({&r.out, 1}, "v") == std::vector<std::int64_t>{3, 4});
  CHECK_THROWS_WITH(call.apply(in, R"({"count": 2})"), "the response has no member 'data'");
}

TEST_CASE("http_call matches answer items by key, whatever their order", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"user", "u1"}}, {{"user", "u2"}}, {{"user", "u3"}}, {{"id", 9}}});
  Call call;
  call.spec.take_all = true;
  call.spec.key = "user";
  call.key = field("user");
  const std::string answer = R"([{"user": "u3", "score": 3}, {"user": "u1", "score": 1}, {"user": "u9", "score": 9}])";

  SECTION("unmatched records go on unchanged") {
    auto r = call.apply(in, answer);
    REQUIRE(r.out);
    CHECK(gt::column(r.out, "score") == std::vector<Value>{Value::of(std::int64_t{1}), Value{}, Value::of(std::int64_t{3}), Value{}});
    CHECK(gt::column(r.out, "user")[2].as_string() == "u3");
  }
  SECTION("unmatched records are dropped") {
    call.merge.unmatched = Unmatched::drop;
    auto r = call.apply(in, answer);
    REQUIRE(r.out);
    CHECK(gt::strings({&r.out, 1}, "user") == std::vector<std::string>{"u1", "u3"});
    CHECK(gt::ints({&r.out, 1}, "score") == std::vector<std::int64_t>{1, 3});
    CHECK(r.rejected.empty());
  }
  SECTION("unmatched records are rejected, saying which key") {
    call.merge.unmatched = Unmatched::reject;
    auto r = call.apply(in, answer);
    CHECK(errors(r) == std::vector<std::string>{"1: the response has no item for this record (user = u2)",
                                                "3: the response has no item for this record (it has no user)"});
    REQUIRE(r.out);
    CHECK(r.out->size() == 2);
  }
}

TEST_CASE("http_call compares keys as text: 7, 7.0 and \"7\" are one key", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 7}}, {{"id", "8"}}, {{"id", 9.5}}});
  Call call;
  call.spec.take = {"v"};
  call.spec.key = "uid";  // the answer's key field has another name
  call.key = field("id");
  auto r = call.apply(in, R"([{"uid": "7", "v": 1}, {"uid": 8.0, "v": 2}, {"uid": 9.5, "v": 3}])");
  REQUIRE(r.out);
  CHECK(gt::ints({&r.out, 1}, "v") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(r.out->find(field("uid")) == nullptr);
}

TEST_CASE("http_call in filter mode keeps exactly the records the answer approves", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}, {{"id", 2}}, {{"id", 3}}, {{"id", 4}}, {{"id", 5}}});
  Call call;
  call.spec.keep = "keep";
  call.merge.filter = true;
  SECTION("bare bools") {
    auto r = call.apply(in, "[true, false, true, false, true]");
    REQUIRE(r.out);
    CHECK(gt::ints({&r.out, 1}, "id") == std::vector<std::int64_t>{1, 3, 5});
    CHECK(r.out->columns().size() == 1);  // nothing merged
  }
  SECTION("objects; an item without a bool is the record's error") {
    call.spec.take = {"reason"};
    auto r = call.apply(in, R"([{"keep": true, "reason": "ok"}, {"keep": false}, {"keep": "yes"}, {}, null])");
    CHECK(errors(r) == std::vector<std::string>{"2: field 'keep' of the response is string, expected a bool",
                                                "3: the response has no field 'keep'"});
    REQUIRE(r.out);
    CHECK(gt::ints({&r.out, 1}, "id") == std::vector<std::int64_t>{1, 5});  // null: unmatched, kept
    CHECK(gt::column(r.out, "reason")[0].as_string() == "ok");
  }
  SECTION("by key, none approved") {
    call.spec.key = "id";
    call.key = field("id");
    call.merge.unmatched = Unmatched::drop;
    auto r = call.apply(in, R"([{"id": 2, "keep": false}])");
    CHECK(r.out == nullptr);
    CHECK(r.rejected.empty());
  }
}

TEST_CASE("http_call rejects a record whose answer item is not an object when enriching", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}, {{"id", 2}}});
  Call call;
  call.spec.take_all = true;
  auto r = call.apply(in, R"([{"v": 1}, 42])");
  CHECK(errors(r) == std::vector<std::string>{"1: the response item for this record is a string or a number, expected an object"});
  REQUIRE(r.out);
  CHECK(r.out->size() == 1);
}

TEST_CASE("http_call refuses an answer with more than one JSON value", "[plugins][http_call]") {
  auto in = gt::make_batch({{{"id", 1}}});
  Call call;
  call.spec.take_all = true;
  CHECK(call.apply(in, "[{\"v\": 1}]  \n").out);
  CHECK_THROWS_WITH(call.apply(in, "[{\"v\": 1}] [{\"v\": 2}]"), Catch::StartsWith("the response is not one JSON array"));
  ResponseParser parser(call.spec);
  ResponseItems items;
  parser.parse_record(" {\"v\": 1} ", items);
  parser.parse_record("true", items);
  CHECK(items.items.size() == 2);
  CHECK(items.items[1].keep == std::optional<bool>(true));
  CHECK_THROWS_WITH(parser.parse_record("{\"v\": 1} {}", items), "the response is not one JSON value");
}
