#include <catch2/catch.hpp>

#include "reshape_support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::json_lines;
using plugin_tests::Lines;

namespace {
gt::StageOutput run_rename(StringMap fields, const BatchPtr& in) {
  return gt::run_stage(plugins::describe_rename(), {{"fields", std::move(fields)}}, {in});
}
}  // namespace

TEST_CASE("rename renames fields in place, and the fields nested under a path", "[plugins][rename]") {
  auto in = gt::make_batch({{{"id", 1}, {"user.name", "ann"}, {"user.id", 7}, {"n", nullptr}}});
  CHECK(json_lines(run_rename({{"id", "key"}, {"user", "account"}, {"n", "m"}}, in).out()) ==
        Lines{R"({"key":1,"account":{"name":"ann","id":7},"m":null})"});
  // The longest path decides: user.name leaves the object.
  CHECK(json_lines(run_rename({{"user", "account"}, {"user.name", "name"}}, in).out()) ==
        Lines{R"({"id":1,"name":"ann","account":{"id":7},"n":null})"});
}

TEST_CASE("rename applies all renames at once: a swap works", "[plugins][rename]") {
  auto in = gt::make_batch({{{"a", 1}, {"b", "two"}}});
  CHECK(json_lines(run_rename({{"a", "b"}, {"b", "a"}}, in).out()) == Lines{R"({"b":1,"a":"two"})"});
}

TEST_CASE("rename onto an existing field: the renamed value wins where the record has it", "[plugins][rename]") {
  BatchBuilder b;  // the second record has no login at all (make_batch would make it null)
  b.set(b.add_record(), field("name"), b.string("old1"));
  b.set(0, field("login"), b.string("new1"));
  b.set(b.add_record(), field("name"), b.string("old2"));
  b.set(b.add_record(), field("login"), Value{});
  CHECK(json_lines(run_rename({{"login", "name"}}, b.finish()).out()) ==
        Lines{R"({"name":"new1"})", R"({"name":"old2"})", R"({"name":null})"});
}

TEST_CASE("rename shares the columns it does not rename and keeps the selection", "[plugins][rename]") {
  auto in = gt::make_batch({{{"id", 1}, {"a", 10}}, {{"id", 2}, {"a", 20}}});
  auto result = run_rename({{"a", "b"}}, in->select(std::vector<std::uint32_t>{1}));
  REQUIRE(result.out().size() == 1);
  CHECK(result.out()[0]->find(field("id")) == in->find(field("id")));
  CHECK(json_lines(result.out()) == Lines{R"({"id":2,"b":20})"});
  CHECK(gt::ints(in, "a") == std::vector<std::int64_t>{10, 20});
}

TEST_CASE("rename refuses two fields renamed to one, a rename to itself, a bad name", "[plugins][rename]") {
  auto error = [](StringMap fields) -> std::string {
    try {
      run_rename(std::move(fields), gt::make_batch({{{"a", 1}}}));
    } catch (const ParamError& e) {
      return e.what();
    }
    return "accepted";
  };
  CHECK(error({{"a", "x"}, {"b", "x"}}) == "'a' and 'b' both rename to 'x'");
  CHECK(error({{"a", "a"}}) == "'a' renames to itself");
  CHECK(error({{"a", ""}}) == "'a' renames to an empty field name");
  CHECK(error({}) == "rename needs at least one field, e.g. fields = { old = \"new\" }");
}
