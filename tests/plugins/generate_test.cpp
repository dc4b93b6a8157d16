#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "support.hpp"

namespace gt = graph_runner::testing;
using graph_runner::plugins::describe_generate;

TEST_CASE("generate makes count records in batches of at most batch_size", "[plugins][generate]") {
  auto batches = gt::run_source(describe_generate(), {{"count", 1000}}, 0, {.batch_size = 256});
  REQUIRE(batches.size() == 4);
  CHECK(batches[0]->size() == 256);
  CHECK(batches[3]->size() == 1000 - 3 * 256);
  std::vector<std::int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(gt::ints(batches, "id") == expected);
}

TEST_CASE("generate's fields: int id, double value from -100 up to 1000, the node's name, event time", "[plugins][generate]") {
  auto batches = gt::run_source(describe_generate(), {{"count", 20000}}, 0, {.node_name = "readings"});
  auto ids = gt::ints(batches, "id");
  auto values = gt::doubles(batches, "value");
  auto sources = gt::strings(batches, "source");
  auto ts = gt::ints(batches, "ts");
  REQUIRE(values.size() == 20000);
  CHECK(*std::min_element(values.begin(), values.end()) >= -100.0);
  CHECK(*std::max_element(values.begin(), values.end()) < 1000.0);
  // Roughly uniform: mean near 450, about 1/11 of the values below zero.
  double mean = std::accumulate(values.begin(), values.end(), 0.0) / 20000;
  CHECK(mean == Approx(450).margin(15));
  auto negative = std::count_if(values.begin(), values.end(), [](double v) { return v < 0; });
  CHECK(static_cast<double>(negative) / 20000 == Approx(100.0 / 1100).margin(0.01));
  CHECK(std::all_of(sources.begin(), sources.end(), [](const std::string& s) { return s == "readings"; }));
  CHECK(ts[0] == 1'700'000'000'000'000'000);
  CHECK(ts[5] - ts[4] == 1000);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
}

TEST_CASE("generate is deterministic for a seed and differs for another seed", "[plugins][generate]") {
  auto values = [](std::int64_t seed, std::size_t batch_size) {
    return gt::doubles(gt::run_source(describe_generate(), {{"count", 500}, {"seed", seed}}, 0, {.batch_size = batch_size}),
                       "value");
  };
  CHECK(values(42, 256) == values(42, 256));
  CHECK(values(42, 256) == values(42, 7));  // the batch size does not change the data
  auto a = values(42, 256), b = values(43, 256);
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  CHECK(same == 0);
}

TEST_CASE("generate with count = 0 runs until the run stops", "[plugins][generate]") {
  gt::SourceHarness h(describe_generate(), {{"count", 0}}, {.batch_size = 100});
  h.open();
  auto first = h.read(50);
  CHECK(gt::count_records(first) == 5000);
  CHECK(gt::ints(first.back(), "id").back() == 4999);
  h.context().request_stop();
  CHECK(h.next() == nullptr);
  h.close();
}

TEST_CASE("generate stops when the engine calls stop()", "[plugins][generate]") {
  gt::SourceHarness h(describe_generate(), {{"count", 0}});
  h.open();
  CHECK(h.next() != nullptr);
  h.node().stop();
  CHECK(h.next() == nullptr);
}

TEST_CASE("generate with count 0 in the schema range, negative refused", "[plugins][generate]") {
  CHECK_THROWS_WITH(gt::run_source(describe_generate(), {{"count", -5}}),
                    "plugin 'generate': parameter 'count' must be >= 0, got -5");
}

// duration_s ends the stream by itself (exit 0), unlike the time limit of the run (124).
TEST_CASE("generate with duration_s ends the stream after that long, even when count is endless", "[plugins][generate]") {
  gt::SourceHarness h(describe_generate(), {{"count", 0}, {"duration_s", 0.2}}, {.batch_size = 100});
  h.open();
  std::size_t records = 0;
  while (graph_runner::BatchPtr b = h.next()) records += b->size();
  CHECK(records > 0);
  h.close();
}

TEST_CASE("generate with duration_s and count stops at whichever comes first", "[plugins][generate]") {
  // The count first: a minute would never pass.
  auto batches = gt::run_source(describe_generate(), {{"count", 500}, {"duration_s", 60.0}}, 0, {.batch_size = 100});
  CHECK(gt::count_records(batches) == 500);
  // The time first: this count would take hours.
  auto timed = gt::run_source(describe_generate(), {{"count", std::int64_t{1} << 50}, {"duration_s", 0.2}}, 0,
                              {.batch_size = 1000});
  CHECK(gt::count_records(timed) > 0);
  CHECK(gt::count_records(timed) < (std::size_t{1} << 50));
}

TEST_CASE("generate refuses a negative duration_s", "[plugins][generate]") {
  CHECK_THROWS_WITH(gt::run_source(describe_generate(), {{"count", 5}, {"duration_s", -1.0}}),
                    "plugin 'generate': parameter 'duration_s' must be >= 0, got -1");
}
