#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <thread>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_read_jsonl();
}  // namespace graph_runner::plugins

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::describe_count;

namespace {
// What count prints at the end of the stream for `batches`.
std::string count_line(const std::vector<BatchPtr>& batches, const std::string& name = "totals") {
  return gt::run_sink(describe_count(), {}, batches, {.node_name = name, .capture_output = true}).out;
}

std::vector<gt::Row> rows(std::size_t n) {
  std::vector<gt::Row> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back({{"id", static_cast<std::int64_t>(i)}, {"value", 0.5 * static_cast<double>(i)}, {"tag", i % 3 ? "x" : "y"}});
  return out;
}

// `records` cut into batches of `size` records.
std::vector<BatchPtr> batches_of(const std::vector<gt::Row>& records, std::size_t size) {
  std::vector<BatchPtr> out;
  for (std::size_t i = 0; i < records.size(); i += size)
    out.push_back(gt::make_batch({records.begin() + static_cast<std::ptrdiff_t>(i),
                                  records.begin() + static_cast<std::ptrdiff_t>(std::min(i + size, records.size()))}));
  return out;
}
}  // namespace

TEST_CASE("count prints the node name, the record count and a 16-digit checksum", "[plugins][count]") {
  const std::string line = count_line(batches_of(rows(10), 4));
  CHECK_THAT(line, Catch::Matches("totals: 10 records, checksum [0-9a-f]{16}\n"));
  CHECK(count_line({}, "none") == "none: 0 records, checksum 0000000000000000\n");
}

TEST_CASE("count's checksum ignores record order, batching and column order", "[plugins][count]") {
  auto records = rows(100);
  const std::string expected = count_line(batches_of(records, 10));
  std::mt19937 shuffle(7);
  std::shuffle(records.begin(), records.end(), shuffle);
  CHECK(count_line(batches_of(records, 7)) == expected);
  for (auto& r : records) std::reverse(r.begin(), r.end());  // fields in another order
  CHECK(count_line(batches_of(records, 33)) == expected);
}

TEST_CASE("count's checksum of a selection is that of the selected records alone", "[plugins][count]") {
  // Most rows selected: count sums every physical row and keeps the selected ones' sums; a
  // few selected: it goes through the selection. Either way only the records count. The
  // deselected rows hold other types, nulls and long strings, which must not leak in.
  std::vector<gt::Row> all = rows(64);
  for (std::size_t i = 0; i < all.size(); i += 8)
    all[i] = {{"id", "a string of more than twelve bytes"}, {"value", nullptr}, {"tag", 1.5}};
  const BatchPtr batch = gt::make_batch(all);
  for (std::size_t every : {std::size_t{8}, std::size_t{2}}) {  // 56 of 64 rows, then 8
    std::vector<std::uint32_t> picked;
    std::vector<gt::Row> alone;
    for (std::uint32_t i = 0; i < all.size(); ++i)
      if ((every == 8) == (i % 8 != 0) && (every == 8 || i % 8 == 1)) {
        picked.push_back(i);
        alone.push_back(all[i]);
      }
    INFO("selected " << picked.size() << " of " << all.size() << " rows");
    CHECK(count_line({batch->select(picked)}) == count_line({gt::make_batch(alone)}));
  }
}

TEST_CASE("count's checksum changes when the data changes", "[plugins][count]") {
  auto base = count_line({gt::make_batch({{{"a", 1}, {"b", 2}}, {{"a", 3}, {"b", 4}}})});
  CHECK(count_line({gt::make_batch({{{"a", 1}, {"b", 2}}, {{"a", 3}, {"b", 5}}})}) != base);      // a value
  CHECK(count_line({gt::make_batch({{{"a", 1}, {"b", 2.0}}, {{"a", 3}, {"b", 4}}})}) != base);    // a type
  CHECK(count_line({gt::make_batch({{{"a", 1}, {"b", 4}}, {{"a", 3}, {"b", 2}}})}) != base);      // values swapped between records
  CHECK(count_line({gt::make_batch({{{"a", 1}, {"c", 2}}, {{"a", 3}, {"b", 4}}})}) != base);      // a field name
}

TEST_CASE("count treats a null field like an absent one", "[plugins][count]") {
  auto with_null = gt::make_batch({{{"a", 1}, {"b", nullptr}}});
  auto without = gt::make_batch({{{"a", 1}}});
  CHECK(count_line({with_null}) == count_line({without}));
}

TEST_CASE("count prints its line at the end of the stream only: a failed run prints no partial count", "[plugins][count]") {
  auto printed = [](bool stream_ended) {
    gt::SinkHarness h(describe_count(), {}, {.node_name = "totals", .capture_output = true});
    h.open();
    h.write(gt::make_batch({{{"a", 1}}}));
    if (stream_ended) h.finish();  // the engine calls it only when the stream ended
    h.flush();
    h.close();
    return h.captured().out;
  };
  CHECK(printed(false).empty());
  CHECK_THAT(printed(true), Catch::Matches("totals: 1 records, checksum [0-9a-f]{16}\n"));
}

TEST_CASE("count and stdout run as one instance: their results cover the whole stream", "[plugins][count]") {
  // count is one instance as a thread-safe plugin (one shared instance, concurrent calls);
  // stdout, whose `limit` numbers the records, one called serially.
  CHECK(describe_count().is_thread_safe);
  CHECK_FALSE(describe_count().is_single_instance);
  CHECK(plugins::describe_stdout().is_single_instance);
}

TEST_CASE("count called from many threads at once prints the line of the same records called serially", "[plugins][count]") {
  const auto records = rows(6000);
  const auto batches = batches_of(records, 3);  // 2000 calls: the threads' calls overlap
  const std::string expected = count_line(batches);
  gt::SinkHarness h(describe_count(), {}, {.node_name = "totals", .capture_output = true});
  h.open();
  constexpr std::size_t threads = 8;
  std::vector<std::thread> writers;
  for (std::size_t t = 0; t < threads; ++t)
    writers.emplace_back([&, t] {  // the plugin directly: the harness's capture is per call, not per thread
      for (std::size_t i = t; i < batches.size(); i += threads) h.node().write(*batches[i]);
    });
  for (auto& w : writers) w.join();
  h.finish();
  CHECK(h.captured().out == expected);
  CHECK(expected.starts_with("totals: 6000 records, checksum "));
}

TEST_CASE("count's checksum of known records stays the same (bench.py compares it across builds)", "[plugins][count]") {
  // Short strings from 700 values (more than count's table of short-string hashes holds),
  // the same text as a string and as json (an array), long strings, numbers, booleans,
  // nulls, read by the jsonl source. The checksum was printed by count (and graph-runner
  // run) before count kept short strings' hashes.
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    const std::string small = std::to_string(i % 5);
    text += R"({"s":"k)" + std::to_string(i % 700) + R"(","j":[)" + small + R"(],"q":"[)" + small +
            R"(]","t":"a long string number )" + std::to_string(i % 50) + R"( here","n":)" + std::to_string(i) +
            R"(,"d":)" + std::to_string(i) + R"(.5,"b":)" + (i % 2 ? "true" : "false") + R"(,"z":null})" + "\n";
  }
  plugin_tests::TempDir dir;
  const std::string path = plugin_tests::write_file(dir.path() / "in.jsonl", text);
  const auto batches = gt::run_source(plugins::describe_read_jsonl(), {{"path", path}});
  CHECK(count_line(batches) == "totals: 3000 records, checksum 2fb302838cbbc85a\n");
}
