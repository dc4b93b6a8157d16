// Cost of filter and map per record on 256-record batches. Hidden (tag [.]): run it on
// purpose, in a Release build: plugins_tests "[bench]"
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include "support.hpp"

namespace gt = graph_runner::testing;
using namespace graph_runner;

namespace {
// Counts what a stage emits and drops it, so the measure is the stage's own work.
class CountingEmitter final : public Emitter {
 public:
  using Emitter::emit;
  void emit(Port, BatchPtr batch) override { records += batch->size(); }
  void reject(const Batch&, std::size_t, std::string_view) override { ++rejected; }
  std::size_t records = 0, rejected = 0;
};

// Nanoseconds per input record for the stage over `batches`, best of 5 rounds.
double ns_per_record(const PluginDescriptor& d, const gt::ParamMap& params, const std::vector<BatchPtr>& batches) {
  gt::TestContext context(d, gt::resolve_params(d, params), {});
  auto stage = d.create_stage(context);
  CountingEmitter out;
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    auto start = std::chrono::steady_clock::now();
    for (const auto& b : batches) stage->process(b, out);
    std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(gt::count_records(batches)));
  }
  return best;
}
}  // namespace

TEST_CASE("filter and map cost per record on 256-record batches", "[.][bench][plugins]") {
  auto batches = gt::run_source(plugins::describe_generate(), {{"count", 256 * 400}}, 0, {.batch_size = 256});
  struct Case {
    const char* name;
    PluginDescriptor descriptor;
    gt::ParamMap params;
  };
  const Case cases[] = {
      {"filter value >= 0 (91% kept: select)", plugins::describe_filter(), {{"where", "value >= 0"}}},
      {"filter value >= -100 (all kept: batch passed on)", plugins::describe_filter(), {{"where", "value >= -100"}}},
      {"filter value >= 0 && value < 500 && id > 10", plugins::describe_filter(),
       {{"where", "value >= 0 && value < 500 && id > 10"}}},
      {"map value = value * 2", plugins::describe_map(), {{"set", StringMap{{"value", "value * 2"}}}}},
      {"map value = value * 2, high = value >= 50, n = id + 1", plugins::describe_map(),
       {{"set", StringMap{{"value", "value * 2"}, {"high", "value >= 50"}, {"n", "id + 1"}}}}},
  };
  for (const auto& c : cases) {
    std::printf("%-60s %6.1f ns/record\n", c.name, ns_per_record(c.descriptor, c.params, batches));
  }
}
