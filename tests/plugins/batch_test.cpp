#include <catch2/catch.hpp>

#include <numeric>
#include <thread>

#include "batcher.hpp"
#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_batch();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;
using plugins::Batcher;
using plugins::describe_batch;

namespace {
// `n` records with ids first, first+1, ...; `keepalive`, if given, lives as long as the batch
// (as a source's acknowledgement ticket does).
BatchPtr ids(std::int64_t first, std::size_t n, std::shared_ptr<const void> keepalive = nullptr) {
  BatchBuilder b(n);
  auto& col = b.column(field("id"));
  for (std::size_t i = 0; i < n; ++i) col.append(Value::of(first + static_cast<std::int64_t>(i)));
  if (keepalive) b.attach(std::move(keepalive));
  return b.finish();
}

std::vector<std::size_t> sizes(const std::vector<BatchPtr>& batches) {
  std::vector<std::size_t> out;
  for (const auto& b : batches) out.push_back(b->size());
  return out;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
}  // namespace

TEST_CASE("batch regroups records into batches of `size`, in order, and flushes the rest at the end", "[plugins][batch]") {
  std::vector<BatchPtr> in;
  for (int i = 0; i < 7; ++i) in.push_back(ids(i * 30, 30));  // 210 records
  auto result = gt::run_stage(describe_batch(), {{"size", 100}}, in);
  CHECK(sizes(result.out()) == std::vector<std::size_t>{100, 100, 10});
  CHECK(gt::ints(result.out(), "id") == iota(210));
}

TEST_CASE("batch passes an input of exactly `size` on as it is, and splits a larger one", "[plugins][batch]") {
  auto exact = ids(0, 50);
  auto result = gt::run_stage(describe_batch(), {{"size", 50}}, {exact, ids(50, 120)});
  REQUIRE(sizes(result.out()) == std::vector<std::size_t>{50, 50, 50, 20});
  CHECK(result.out()[0] == exact);  // no copy
  CHECK(gt::ints(result.out(), "id") == iota(170));
}

TEST_CASE("batch combines batches with different fields, null where a record lacks one", "[plugins][batch]") {
  auto a = gt::make_batch({{{"id", 1}, {"name", "a"}}});
  auto b = gt::make_batch({{{"id", 2}, {"value", 2.5}}});
  auto result = gt::run_stage(describe_batch(), {{"size", 2}}, {a, b});
  REQUIRE(result.out().size() == 1);
  const BatchPtr& out = result.out()[0];
  CHECK(gt::ints(out, "id") == std::vector<std::int64_t>{1, 2});
  CHECK(out->get(0, field("name")).as_string() == "a");
  CHECK(out->get(1, field("name")).is_null());
  CHECK(out->get(1, field("value")) == Value::of(2.5));
}

TEST_CASE("a combined batch keeps its inputs' tickets and arenas alive until it is consumed", "[plugins][batch]") {
  auto ticket1 = std::make_shared<int>(1), ticket2 = std::make_shared<int>(2);
  std::weak_ptr<int> watch1 = ticket1, watch2 = ticket2;
  gt::StageHarness h(describe_batch(), {{"size", 3}});
  h.process(ids(0, 2, std::move(ticket1)));
  h.process(ids(2, 2, std::move(ticket2)));  // 4 records: one batch of 3 (both inputs), one pending
  CHECK_FALSE(watch1.expired());
  CHECK_FALSE(watch2.expired());
  h.finish();
  REQUIRE(sizes(h.output().out()) == std::vector<std::size_t>{3, 1});
  CHECK(h.output().out()[0]->keepalive().size() >= 2);
}

TEST_CASE("Batcher sends a partial batch once its oldest record has waited the timeout", "[plugins][batch]") {
  using ms = std::chrono::milliseconds;
  const Batcher::Clock::time_point t0{};
  Batcher b(100, ms(2000));
  std::vector<BatchPtr> out;
  b.add(ids(0, 30), t0, out);
  b.add(ids(30, 30), t0 + ms(1500), out);  // the deadline stays that of the oldest record
  b.expire(t0 + ms(1999), out);
  CHECK(out.empty());
  b.expire(t0 + ms(2000), out);  // what a timer tick does, with no new input
  REQUIRE(sizes(out) == std::vector<std::size_t>{60});
  CHECK(b.pending() == 0);

  out.clear();
  b.add(ids(60, 130), t0 + ms(3000), out);  // 100 go at once; 30 wait from t0+3000
  CHECK(sizes(out) == std::vector<std::size_t>{100});
  CHECK(b.deadline() == t0 + ms(5000));
  b.add(ids(190, 10), t0 + ms(6000), out);  // late input: the expired 30 go first, alone
  CHECK(sizes(out) == std::vector<std::size_t>{100, 30});
  b.flush(out);
  CHECK(sizes(out) == std::vector<std::size_t>{100, 30, 10});
  const auto all = iota(200);
  CHECK(gt::ints(out, "id") == std::vector<std::int64_t>(all.begin() + 60, all.end()));
}

TEST_CASE("batch with timeout_ms sends a partial batch when the next input comes late", "[plugins][batch]") {
  gt::StageHarness h(describe_batch(), {{"size", 100}, {"timeout_ms", 20}});
  h.process(ids(0, 10));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // well past the timeout
  h.process(ids(10, 10));
  CHECK(sizes(h.output().out()) == std::vector<std::size_t>{10});
  h.finish();
  CHECK(sizes(h.output().out()) == std::vector<std::size_t>{10, 10});
  CHECK_THROWS(gt::StageHarness(describe_batch(), {{"size", 0}}));
}

TEST_CASE("batch with timeout_ms sends a partial batch on a timer tick, with no new input", "[plugins][batch]") {
  gt::StageHarness h(describe_batch(), {{"size", 100}, {"timeout_ms", 20}});
  CHECK(h.node().tick_interval() == std::chrono::milliseconds(2));  // a tenth of the timeout
  h.process(ids(0, 10));
  h.tick();  // not yet due
  CHECK(h.output().out().empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // well past the timeout
  h.tick();
  CHECK(sizes(h.output().out()) == std::vector<std::size_t>{10});
  h.finish();  // nothing left
  CHECK(sizes(h.output().out()) == std::vector<std::size_t>{10});
  gt::StageHarness never(describe_batch(), {{"size", 100}});
  CHECK(never.node().tick_interval() == std::chrono::milliseconds(0));  // no timeout: no timer
}
