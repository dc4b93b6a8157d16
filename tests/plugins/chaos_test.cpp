// chaos draws each failure from (seed, source position, attempt): the same records fail
// whatever the order of calls, and a retry draws again.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <set>

#include "support.hpp"

namespace graph_runner::plugins {
PluginDescriptor describe_chaos();
}

namespace gt = graph_runner::testing;
using namespace graph_runner;

namespace {

// `n` records of source 0 starting at record position `first`, as the engine labels them.
BatchPtr records(std::uint64_t first, std::size_t n) {
  std::vector<gt::Row> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = {{"n", static_cast<std::int64_t>(first + i)}};
  return gt::make_batch(rows, Origin{0, first / n, first});
}

// The values of `n` that fail on `attempt` when the batches are processed in `order`.
std::set<std::int64_t> rejected(const gt::ParamMap& params, unsigned attempt, const std::vector<BatchPtr>& order) {
  gt::StageHarness h(plugins::describe_chaos(), params);
  h.set_attempt(attempt);
  for (const auto& b : order) h.process(b);
  std::set<std::int64_t> out;
  for (const auto& r : h.output().rejected) out.insert(r.get("n").as_int());
  return out;
}

std::size_t common(const std::set<std::int64_t>& a, const std::set<std::int64_t>& b) {
  std::vector<std::int64_t> both;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
  return both.size();
}

}  // namespace

TEST_CASE("chaos fails the same records whatever order its calls come in", "[plugins][chaos]") {
  std::vector<BatchPtr> batches;
  for (std::uint64_t b = 0; b < 10; ++b) batches.push_back(records(b * 100, 100));
  std::vector<BatchPtr> reversed(batches.rbegin(), batches.rend());
  const gt::ParamMap params{{"fail", "record"}, {"fail_rate", 0.3}, {"seed", 11}};
  const auto forward = rejected(params, 0, batches);
  CHECK(forward == rejected(params, 0, reversed));
  CHECK(forward.size() > 200);  // about 300 of 1000
  CHECK(forward.size() < 400);
  const gt::ParamMap other_seed{{"fail", "record"}, {"fail_rate", 0.3}, {"seed", 12}};
  CHECK(forward != rejected(other_seed, 0, batches));
}

TEST_CASE("chaos draws again on each attempt of a call", "[plugins][chaos]") {
  const std::vector<BatchPtr> batch{records(0, 1000)};
  const gt::ParamMap params{{"fail", "record"}, {"fail_rate", 0.5}, {"seed", 3}};
  const auto first = rejected(params, 0, batch), second = rejected(params, 1, batch);
  INFO("attempt 0: " << first.size() << " rejected, attempt 1: " << second.size() << ", in both: "
                     << common(first, second));
  CHECK(first != second);
  // Independent draws: about half fail each time, about a quarter both times.
  CHECK(first.size() > 400);
  CHECK(second.size() > 400);
  CHECK(common(first, second) > 150);
  CHECK(common(first, second) < 350);
}

TEST_CASE("chaos with fail = batch throws for the same batches, and for others on a retry", "[plugins][chaos]") {
  auto failing = [](unsigned attempt) {
    gt::StageHarness h(plugins::describe_chaos(), {{"fail_rate", 0.5}, {"seed", 5}});
    h.set_attempt(attempt);
    std::set<std::int64_t> out;
    for (std::uint64_t b = 0; b < 100; ++b) {
      try {
        h.process(records(b * 10, 10));
      } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) == "chaos: injected failure");
        out.insert(static_cast<std::int64_t>(b));
      }
    }
    return out;
  };
  const auto first = failing(0);
  CHECK(first == failing(0));
  CHECK(first != failing(1));
  CHECK(first.size() > 30);
  CHECK(first.size() < 70);
}
