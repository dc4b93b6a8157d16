#include <catch2/catch.hpp>

#include "reshape_support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::json_lines;
using plugin_tests::Lines;

namespace {
gt::StageOutput run_select(std::vector<std::string> fields, const BatchPtr& in) {
  return gt::run_stage(plugins::describe_select(), {{"fields", std::move(fields)}}, {in});
}
BatchPtr users() {
  return gt::make_batch({{{"id", 1}, {"email", "a@x.org"}, {"user.name", "ann"}, {"user.country", "DE"}, {"age", 31}},
                         {{"id", 2}, {"email", "b@x.org"}, {"user.name", "bob"}, {"user.country", "FR"}, {"age", 42}}});
}
}  // namespace

TEST_CASE("select keeps the listed fields in the order listed, nested ones under a path", "[plugins][select]") {
  auto result = run_select({"user", "id"}, users());
  CHECK(json_lines(result.out()) == Lines{R"({"user":{"name":"ann","country":"DE"},"id":1})",
                                          R"({"user":{"name":"bob","country":"FR"},"id":2})"});
  auto one = run_select({"user.country", "age"}, users());
  CHECK(json_lines(one.out()) == Lines{R"({"user":{"country":"DE"},"age":31})", R"({"user":{"country":"FR"},"age":42})"});
}

TEST_CASE("select shares the kept columns and keeps the selection", "[plugins][select]") {
  BatchPtr in = users();
  BatchPtr filtered = in->select(std::vector<std::uint32_t>{1});
  auto result = run_select({"id", "user.name"}, filtered);
  REQUIRE(result.out().size() == 1);
  const BatchPtr& out = result.out()[0];
  CHECK(out->find(field("id")) == in->find(field("id")));  // the same column, not a copy
  CHECK(out->find(field("email")) == nullptr);
  CHECK(json_lines(result.out()) == Lines{R"({"id":2,"user":{"name":"bob"}})"});
}

TEST_CASE("select: a path is a whole key, not a text prefix; missing fields leave empty records", "[plugins][select]") {
  auto in = gt::make_batch({{{"user", "plain"}, {"username", "u"}, {"user\\.x", 1}}});
  CHECK(json_lines(run_select({"user"}, in).out()) == Lines{R"({"user":"plain"})"});
  CHECK(json_lines(run_select({"nothing"}, in).out()) == Lines{"{}"});  // the record is still delivered
}

TEST_CASE("select refuses an empty list, a repeated or malformed path", "[plugins][select]") {
  auto error = [](std::vector<std::string> fields) -> std::string {
    try {
      run_select(std::move(fields), users());
    } catch (const ParamError& e) {
      CHECK(e.param() == "fields");
      return e.what();
    }
    return "accepted";
  };
  CHECK(error({}) == "select needs at least one field, e.g. fields = [\"id\", \"user\"]");
  CHECK(error({"id", "id"}) == "'id' is listed twice");
  CHECK(error({"a..b"}) == "'a..b' has an empty key (write a dot inside a key as \\.)");
  CHECK(error({"a\\"}) == "'a\\' ends with a lone backslash (write a backslash as \\\\)");
  CHECK(error({""}) == "an empty field name");
}
