// Emitter::reject is a value, not an exception (SDK 1.2): it returns under every policy, so
// a plugin's own catch cannot hide a rejection, and on_error applies once the call returns.
#include <catch2/catch.hpp>

#include "run_test_plugins.hpp"

using namespace graph_runner::engine;
using run_test::Run;
using run_test::run_graph_text;

namespace {

// 10 records in one batch; the stage rejects n = 0 (every = 10) inside its catch-all loop.
std::string rejecting_graph(const std::string& node_keys) {
  return R"(
[sources.numbers]
plugin = "seq"
count = 10
batch_size = 10
[stages.picky]
plugin = "catching_rejecter"
inputs = ["numbers"]
)" + node_keys + R"(
[sinks.all]
plugin = "collect"
inputs = ["picky"]
)";
}

}  // namespace

TEST_CASE("a rejection under fail fails the run and names the record, whatever the plugin catches",
          "[reject][lifecycle]") {
  Run r = run_graph_text(rejecting_graph("every = 4"));  // rejects n = 0, 4 and 8
  CHECK(r.result.status == RunStatus::failed);
  CHECK(r.result.error == "node 'picky' (plugin 'catching_rejecter'): n = 0 rejected (source 'numbers' batch 0, "
                          "record 0) and 2 more rejected record(s) in the same call");
  CHECK(run_test::received("all").empty());  // the failed call's output is discarded
  CHECK(r.node("picky").errors > 0);
}

TEST_CASE("a rejection under retry repeats the whole call", "[reject][lifecycle]") {
  SECTION("a later attempt that rejects nothing delivers every record") {
    Run r = run_graph_text(rejecting_graph("on_error = \"retry\"\nretries = 3\nbackoff_ms = 1\nfailing_attempts = 2"));
    INFO(r.result.error);
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("picky").retries == 2);
    CHECK(run_test::received("all").size() == 10);  // not 9: the rejected record came through on attempt 2
    CHECK(r.node("picky").records_out == 10);
  }
  SECTION("retries used up fail the run, naming the record") {
    Run r = run_graph_text(rejecting_graph("on_error = \"retry\"\nretries = 2\nbackoff_ms = 1"));
    CHECK(r.result.status == RunStatus::failed);
    CHECK(r.node("picky").retries == 2);
    CHECK(r.result.error ==
          "node 'picky' (plugin 'catching_rejecter'): n = 0 rejected (source 'numbers' batch 0, record 0)");
    CHECK(run_test::received("all").empty());
  }
}

TEST_CASE("a rejection under drop or route lets the call's other records go on", "[reject][lifecycle]") {
  SECTION("drop") {
    Run r = run_graph_text(rejecting_graph("on_error = \"drop\"\nevery = 5"));
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(r.node("picky").dropped == 2);
    CHECK(run_test::received("all") == std::vector<std::int64_t>{1, 2, 3, 4, 6, 7, 8, 9});
  }
  SECTION("route") {
    Run r = run_graph_text(rejecting_graph("on_error = \"route\"\nevery = 5\n[sinks.bad]\nplugin = \"collect\"\n"
                                           "inputs = [\"picky.errors\"]"));
    REQUIRE(r.result.status == RunStatus::completed);
    CHECK(run_test::received("bad") == std::vector<std::int64_t>{0, 5});
    CHECK(run_test::received("all").size() == 8);
  }
}
