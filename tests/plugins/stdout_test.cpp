#include <catch2/catch.hpp>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_stdout;

namespace {
std::string printed(const gt::ParamMap& params, const std::vector<BatchPtr>& batches) {
  return gt::run_sink(describe_stdout(), params, batches, {.capture_output = true}).out;
}
}  // namespace

TEST_CASE("stdout prints one readable line per record", "[plugins][stdout]") {
  auto batch = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"source", "a"}},
                               {{"id", 2}, {"value", 3.0}, {"source", "say \"hi\"\n"}, {"ok", false}}});
  CHECK(printed({}, {batch}) ==
        "{id: 1, value: 2.5, source: \"a\"}\n"  // `ok` is absent from this record: left out
        "{id: 2, value: 3.0, source: \"say \\\"hi\\\"\\n\", ok: false}\n");
}

TEST_CASE("stdout prints at most `limit` records, then how many it left out", "[plugins][stdout]") {
  auto batch = gt::make_batch({{{"n", 1}}, {{"n", 2}}, {{"n", 3}}});
  CHECK(printed({{"limit", 2}}, {batch, batch}) == "{n: 1}\n{n: 2}\n... (4 more records)\n");
  CHECK(printed({{"limit", 6}}, {batch, batch}) == "{n: 1}\n{n: 2}\n{n: 3}\n{n: 1}\n{n: 2}\n{n: 3}\n");
}

TEST_CASE("stdout shows non-finite doubles as nan and inf", "[plugins][stdout]") {
  auto batch = gt::make_batch({{{"a", std::nan("")}, {"b", -std::numeric_limits<double>::infinity()}}});
  CHECK(printed({}, {batch}) == "{a: nan, b: -inf}\n");
}
