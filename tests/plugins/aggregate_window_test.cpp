// The aggregate stage's windows, driven through its engine-free core with a clock the test
// sets (plugins/aggregate/aggregator.hpp).
#include <catch2/catch.hpp>

#include "aggregator.hpp"
#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;
using namespace graph_runner::plugins::agg;

namespace {
Config counting(WindowKind kind) {
  Config c;
  c.group_by = {"k"};
  c.aggregates = {parse_aggregate("n", "count()")};
  c.window = kind;
  return c;
}

// Feeds batches to an Aggregator and keeps what it emits and rejects.
struct Driver {
  explicit Driver(Config c) : agg(std::move(c)) {}
  void add(const BatchPtr& b, std::int64_t now = 0) {
    agg.add(b, now, out, [&](const Batch&, std::size_t record, const std::string& error) {
      rejected.push_back(std::to_string(record) + ": " + error);
    });
  }
  // "k n [window_start, window_end)" per result so far.
  std::vector<std::string> results() const {
    std::vector<std::string> lines;
    for (const auto& b : out)
      for (std::size_t i = 0; i < b->size(); ++i) {
        std::string line = std::string(b->get(i, field("k")).as_string()) + " " +
                           std::to_string(b->get(i, field("n")).as_int());
        const Value start = b->get(i, field("window_start"));
        if (!start.is_null())
          line += " [" + std::to_string(start.as_int()) + ", " + std::to_string(b->get(i, field("window_end")).as_int()) + ")";
        lines.push_back(line);
      }
    return lines;
  }
  Aggregator agg;
  std::vector<BatchPtr> out;
  std::vector<std::string> rejected;
};

BatchPtr keys(std::initializer_list<const char*> ks) {
  std::vector<gt::Row> rows;
  for (const char* k : ks) rows.push_back({{"k", k}});
  return gt::make_batch(rows);
}

BatchPtr timed(std::vector<std::pair<const char*, gt::Cell>> records) {
  std::vector<gt::Row> rows;
  for (auto& [k, ts] : records) rows.push_back({{"k", k}, {"ts", ts}});
  return gt::make_batch(rows);
}
}  // namespace

TEST_CASE("aggregate: a tumbling processing-time window closes when the clock passes its end", "[plugins][aggregate]") {
  Config c = counting(WindowKind::tumbling);
  c.window_ms = 10000;
  Driver d(c);
  d.add(keys({"a", "b"}), 1000);
  d.add(keys({"a"}), 9999);
  CHECK(d.results().empty());
  d.agg.tick(9999, d.out);
  CHECK(d.results().empty());
  d.add(keys({"a"}), 10000);  // the next window: the first one closes before it
  CHECK(d.results() == std::vector<std::string>{"a 2 [0, 10000)", "b 1 [0, 10000)"});
  d.agg.tick(20000, d.out);  // no input needed
  CHECK(d.results().back() == "a 1 [10000, 20000)");
  d.add(keys({"c"}), 25000);
  d.agg.finish(d.out);  // end of stream or graceful stop: the open window too
  CHECK(d.results().back() == "c 1 [20000, 30000)");
  CHECK(d.agg.stats().aggregated == 5);
}

TEST_CASE("aggregate: event-time windows follow the watermark and reject late records", "[plugins][aggregate]") {
  Config c = counting(WindowKind::tumbling);
  c.window_ms = 1000;
  c.event_time = true;
  c.time_field = "ts";
  c.allowed_lateness_ms = 500;
  Driver d(c);
  d.add(timed({{"a", 100}, {"a", "1970-01-01T00:00:00.900Z"}, {"b", 1200}}));
  CHECK(d.results().empty());  // watermark 700: [0, 1000) still open
  d.add(timed({{"a", 950}, {"a", 1600}}));  // 950 is within the lateness; 1600 moves the watermark to 1100
  CHECK(d.results() == std::vector<std::string>{"a 3 [0, 1000)"});
  d.add(timed({{"a", 999}, {"b", 1999}, {"a", "not a time"}, {"b", nullptr}}));
  CHECK(d.rejected == std::vector<std::string>{
                          "2: event time field 'ts' is string \"not a time\", expected epoch milliseconds or an RFC 3339 timestamp",
                          "3: event time field 'ts' is missing, expected epoch milliseconds or an RFC 3339 timestamp",
                          "0: late: event time 999 ms is in window [0, 1000), closed at watermark 1100 ms"});
  CHECK(d.agg.stats().late == 1);
  CHECK(d.agg.stats().rejected == 3);
  d.agg.finish(d.out);
  CHECK(d.results() == std::vector<std::string>{"a 3 [0, 1000)", "b 2 [1000, 2000)", "a 1 [1000, 2000)"});
  CHECK(d.agg.stats().aggregated + d.agg.stats().rejected == 9);  // nothing lost
}

TEST_CASE("aggregate: a count window closes every window_records records, the rest at the end", "[plugins][aggregate]") {
  Config c = counting(WindowKind::count);
  c.window_records = 3;
  Driver d(c);
  d.add(keys({"a", "b"}), 10);
  d.add(keys({"a", "a", "b", "b", "a"}), 20);  // splits across two windows
  CHECK(d.results() == std::vector<std::string>{"a 2 [10, 20)", "b 1 [10, 20)", "a 1 [20, 20)", "b 2 [20, 20)"});
  d.agg.finish(d.out);
  CHECK(d.results().back() == "a 1 [20, 20)");
  CHECK(d.results().size() == 5);
}

TEST_CASE("aggregate: with inputs held, every result batch keeps their tickets", "[plugins][aggregate]") {
  Config c = counting(WindowKind::none);
  c.hold_inputs = true;
  c.output_batch = 2;
  Driver d(c);
  auto ticket = std::make_shared<int>(7);
  std::weak_ptr<int> watch = ticket;
  {
    BatchBuilder b(3);
    for (const char* k : {"a", "b", "c"}) b.set(b.add_record(), field("k"), b.string(k));
    b.attach(std::move(ticket));
    d.add(b.finish());
  }
  CHECK_FALSE(watch.expired());
  CHECK(d.agg.holds_inputs());
  d.agg.flush(d.out);
  REQUIRE(d.out.size() == 2);  // 3 results in batches of 2
  CHECK(d.agg.stats().early_flushes == 1);
  d.out.erase(d.out.begin());
  CHECK_FALSE(watch.expired());
  d.out.clear();
  CHECK(watch.expired());
}
