// Cost of the aggregate stage's count() by one string key, against a plain
// std::unordered_map<std::string, uint64_t> loop over the same column. Hidden (tag [.]):
// run it on purpose, in a Release build: plugins_tests "[aggregate_bench]"
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <unordered_map>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_aggregate();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;

namespace {
class DiscardingEmitter final : public Emitter {
 public:
  using Emitter::emit;
  void emit(Port, BatchPtr batch) override { records += batch->size(); }
  void reject(const Batch&, std::size_t, std::string_view) override { ++rejected; }
  std::size_t records = 0, rejected = 0;
};

// 256-record batches whose string column `key` draws from `keys` at random.
std::vector<BatchPtr> batches_of(const std::vector<std::string>& keys, std::size_t records) {
  std::mt19937_64 rng(1);
  std::vector<BatchPtr> out;
  for (std::size_t done = 0; done < records; done += 256) {
    BatchBuilder b(256);
    Column& c = b.column(field("key"), ColumnType::string);
    for (std::size_t i = 0; i < 256; ++i) c.append(b.string(keys[rng() % keys.size()]));
    out.push_back(b.finish());
  }
  return out;
}

// Best of 5 rounds, in million records per second.
template <class F>
double mrecords_per_s(std::size_t records, F&& round) {
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    const auto start = std::chrono::steady_clock::now();
    round();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::max(best, static_cast<double>(records) / took.count() / 1e6);
  }
  return best;
}
}  // namespace

TEST_CASE("aggregate count() by one string key, against std::unordered_map<std::string, uint64_t>",
          "[.][bench][aggregate_bench]") {
  const std::size_t records = 256 * 4000;
  struct Case {
    const char* name;
    std::vector<std::string> keys;
  };
  std::vector<Case> cases = {{"10 countries (2 bytes, inline)", {"US", "DE", "IN", "BR", "GB", "FR", "JP", "NG", "SE", "CN"}},
                             {"10,000 user ids (5 bytes)", {}},
                             {"1,000 paths (20+ bytes, in the arena)", {}}};
  for (int i = 0; i < 10000; ++i) cases[1].keys.push_back("u" + std::to_string(10000 + i).substr(1));
  for (int i = 0; i < 1000; ++i) cases[2].keys.push_back("/api/v1/orders/" + std::to_string(100000 + i));
  const char* only = std::getenv("AGGREGATE_BENCH_CASE");  // a case's number, to profile it alone
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    if (only && std::to_string(i) != only) continue;
    const auto batches = batches_of(c.keys, records);
    const auto d = plugins::describe_aggregate();
    const double stage = mrecords_per_s(records, [&] {
      gt::TestContext context(d, gt::resolve_params(d, {{"group_by", std::vector<std::string>{"key"}},
                                                         {"aggregates", StringMap{{"n", "count()"}}}}), {});
      auto s = d.create_stage(context);
      DiscardingEmitter out;
      for (const auto& b : batches) s->process(b, out);
      s->finish(out);
      REQUIRE(out.records == c.keys.size());
    });
    std::size_t groups = 0;
    const double map = mrecords_per_s(records, [&] {
      std::unordered_map<std::string, std::uint64_t> counts;
      for (const auto& b : batches) {
        const Column& col = *b->find(field("key"));
        for (const StringView& s : col.strings()) ++counts[std::string(s.view())];
      }
      groups = counts.size();
    });
    REQUIRE(groups == c.keys.size());
    std::printf("%-40s aggregate stage %6.1f M records/s   unordered_map<std::string> loop %6.1f M records/s\n", c.name,
                stage, map);
  }
}
