#include <catch2/catch.hpp>

#include "reshape_support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugin_tests::json_lines;
using plugin_tests::Lines;

namespace {
gt::StageOutput run_drop(std::vector<std::string> fields, const BatchPtr& in) {
  return gt::run_stage(plugins::describe_drop(), {{"fields", std::move(fields)}}, {in});
}
}  // namespace

TEST_CASE("drop removes fields and the fields nested under a path", "[plugins][drop]") {
  auto in = gt::make_batch({{{"id", 1}, {"email", "a@x.org"}, {"user.email", "u@x.org"}, {"user.name", "ann"}},
                            {{"id", 2}, {"email", "b@x.org"}, {"user.email", "v@x.org"}, {"user.name", "bob"}}});
  CHECK(json_lines(run_drop({"email", "user.email"}, in).out()) ==
        Lines{R"({"id":1,"user":{"name":"ann"}})", R"({"id":2,"user":{"name":"bob"}})"});
  CHECK(json_lines(run_drop({"user"}, in).out()) ==
        Lines{R"({"id":1,"email":"a@x.org"})", R"({"id":2,"email":"b@x.org"})"});
  CHECK(gt::strings(in, "email") == std::vector<std::string>{"a@x.org", "b@x.org"});  // the input is unchanged
}

TEST_CASE("drop passes a batch without the fields on as it is", "[plugins][drop]") {
  auto in = gt::make_batch({{{"id", 1}, {"emails", "x"}}});
  auto result = run_drop({"email"}, in);
  REQUIRE(result.out().size() == 1);
  CHECK(result.out()[0] == in);
  CHECK(json_lines(result.out()) == Lines{R"({"id":1,"emails":"x"})"});
}

TEST_CASE("drop refuses an empty list", "[plugins][drop]") {
  CHECK_THROWS_WITH(run_drop({}, gt::make_batch({{{"id", 1}}})), "drop needs at least one field, e.g. fields = [\"email\"]");
}
