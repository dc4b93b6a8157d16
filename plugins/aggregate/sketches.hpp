#pragma once
// The two summaries whose exact form would grow with the data.
//
// QuantileSketch is a DDSketch (Masson, Rim, Lee, VLDB 2019): values go to logarithmic
// buckets of ratio gamma = (1 + a) / (1 - a); a quantile is answered from its bucket with a
// relative error of at most a = 1% (|answer - true| <= 1% of |true|), whatever the
// distribution. Memory: one counter per occupied bucket, at most 2048 buckets per sign (a
// range of 1e-9 .. 1e9 needs ~2100 at 1%: beyond 2048 the smallest buckets are merged, which
// only coarsens the smallest values).
//
// DistinctCounter counts exactly (a set of 64-bit value hashes) up to 1024 distinct values,
// then switches to HyperLogLog with 2^12 registers (4 KiB): standard error 1.04 / sqrt(4096)
// = 1.6%.
#include <cstdint>
#include <memory>
#include <unordered_set>
#include <vector>

namespace graph_runner::plugins::agg {

class QuantileSketch {
 public:
  static constexpr double relative_accuracy = 0.01;
  static constexpr std::size_t max_buckets = 2048;
  void add(double v);
  std::uint64_t count() const noexcept { return count_; }
  // The q-quantile (0..1) of the values added: the value of rank floor(q * (count - 1)).
  double quantile(double q) const;

 private:
  struct Store {  // counts of buckets offset_ .. offset_ + counts.size() - 1
    std::vector<std::uint64_t> counts;
    int offset = 0;
    void add(int index);
  };
  Store positive_, negative_;  // negative_ holds -v
  std::uint64_t zeros_ = 0, count_ = 0;
};

class DistinctCounter {
 public:
  static constexpr std::size_t exact_limit = 1024;
  static constexpr int precision = 12;
  void add(std::uint64_t hash);
  std::uint64_t estimate() const;
  bool exact() const noexcept { return registers_.empty(); }

 private:
  void add_to_registers(std::uint64_t hash);
  std::unordered_set<std::uint64_t> exact_;
  std::vector<std::uint8_t> registers_;
};

}  // namespace graph_runner::plugins::agg
