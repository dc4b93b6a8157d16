// Cost of filter and map per record on 256-record batches, and of the record language against
// hand-written loops. Hidden (tag [.]): run it on
// purpose, in a Release build: plugins_tests "[bench]"
#include <catch2/catch.hpp>

#include <re2/re2.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "expr/expr.hpp"
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

namespace {
// 1 M parsed web events (method, path, status) in 256-record batches: the lead's make bench
// target for the record language, against hand-written loops over the same columns.
std::vector<BatchPtr> events(std::size_t records) {
  const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
  const char* paths[] = {"/api/v1/users/42", "/static/app.js", "/api/v2/orders/7/items", "/", "/api/health", "/images/logo-large.png"};
  std::vector<BatchPtr> out;
  for (std::size_t done = 0; done < records;) {
    BatchBuilder b(256);
    for (std::size_t k = 0; k < 256 && done < records; ++k, ++done) {
      const std::size_t r = b.add_record();
      b.set(r, field("method"), b.string(methods[done % 4]));
      b.set(r, field("path"), b.string(paths[(done / 4 + done / 7) % 6]));
      b.set(r, field("status"), Value::of(static_cast<std::int64_t>(200 + 100 * ((done * 3) % 4))));
    }
    out.push_back(b.finish());
  }
  return out;
}

std::size_t last_kept = 0;  // records the last round kept: the two sides must agree

template <class F>
double best_ns(const std::vector<BatchPtr>& batches, F&& body) {
  double best = 1e300;
  for (int round = 0; round < 5; ++round) {
    auto start = std::chrono::steady_clock::now();
    std::size_t kept = 0;
    for (const auto& b : batches) kept += body(*b);
    std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(gt::count_records(batches)));
    last_kept = kept;
  }
  return best;
}
}  // namespace

TEST_CASE("record language filters against hand-written loops over 1 M parsed events", "[.][bench][expr]") {
  // EXPR_BENCH_RECORDS=N: fewer records, e.g. for counting instructions under callgrind.
  const char* records = std::getenv("EXPR_BENCH_RECORDS");
  const auto batches = events(records ? std::strtoull(records, nullptr, 10) : 1'000'000);
  const Field method = field("method"), path = field("path");
  std::vector<std::uint32_t> kept;
  auto hand_string = [&](const Batch& b) {
    kept.clear();
    const StringView* m = b.find(method)->strings().data();
    const StringView* p = b.find(path)->strings().data();
    for (std::size_t i = 0; i < b.size(); ++i)
      if (m[i] == std::string_view("POST") && p[i].view().starts_with("/api")) kept.push_back(static_cast<std::uint32_t>(i));
    return kept.size();
  };
  const re2::RE2 re("^/api/v[0-9]+/(users|orders)");
  auto hand_regex = [&](const Batch& b) {
    kept.clear();
    const StringView* p = b.find(path)->strings().data();
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::string_view s = p[i].view();
      if (re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re)) kept.push_back(static_cast<std::uint32_t>(i));
    }
    return kept.size();
  };
  auto language = [&](const char* text) {
    auto program = std::make_shared<expr::Program>(expr::compile(text));
    auto scratch = std::shared_ptr<expr::Scratch>(program->make_scratch());
    return [&kept, program, scratch](const Batch& b) {
      kept.clear();
      program->filter(b, *scratch, kept);
      return kept.size();
    };
  };
  const double hs = best_ns(batches, hand_string);
  const std::size_t hs_kept = last_kept;
  const double ls = best_ns(batches, language("method == \"POST\" && starts_with(path, \"/api\")"));
  CHECK(last_kept == hs_kept);
  const double hr = best_ns(batches, hand_regex);
  const std::size_t hr_kept = last_kept;
  const double lr = best_ns(batches, language("matches(path, \"^/api/v[0-9]+/(users|orders)\")"));
  CHECK(last_kept == hr_kept);
  std::printf("kept: %zu (string), %zu (regex) of %zu\n", hs_kept, hr_kept, gt::count_records(batches));
  std::printf("%-64s %6.2f ns/record\n", "hand-written: method == POST && path starts with /api", hs);
  std::printf("%-64s %6.2f ns/record (%.2fx of hand-written)\n", "language: method == \"POST\" && starts_with(path, \"/api\")", ls, hs / ls);
  std::printf("%-64s %6.2f ns/record\n", "hand-written: RE2::PartialMatch", hr);
  std::printf("%-64s %6.2f ns/record (%.2fx of hand-written)\n", "language: matches(path, ...)", lr, hr / lr);
}
