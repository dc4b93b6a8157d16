#pragma once
// A lock-free latency histogram with log-scale buckets (four per power of two, 1 us to
// ~1 h): recording is one relaxed atomic add, so it stays on for every call.
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "run/per_thread.hpp"

namespace graph_runner::engine {

struct HistogramSnapshot {
  std::vector<double> upper_bounds_s;   // bucket upper bounds, seconds, ascending
  std::vector<std::uint64_t> counts;    // per bucket (not cumulative)
  std::uint64_t total = 0;
  double sum_s = 0;
  // The q-quantile (0..1) as a bucket's upper bound, in seconds; 0 when empty.
  double quantile(double q) const {
    if (total == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts.size(); ++i)
      if ((seen += counts[i]) >= rank && counts[i] > 0) return upper_bounds_s[i];
    return upper_bounds_s.back();
  }
};

class LatencyHistogram {
 public:
  static constexpr std::size_t buckets = 4 * 32;  // 1 us * 2^32 ~ 71 minutes

  void record(std::int64_t ns) noexcept {
    counts_[bucket_of(ns)].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
  }
  // record() on a histogram of PerThread<LatencyHistogram>::local().
  void record_in_slot(std::int64_t ns) noexcept {
    add_in_slot(counts_[bucket_of(ns)], std::uint64_t{1});
    add_in_slot(sum_ns_, ns);
  }

  // Adds this histogram's counts to `s` (per-thread histograms summed): a snapshot of the
  // first, then counts only.
  void add_to(HistogramSnapshot& s) const {
    if (s.counts.empty()) {
      s = snapshot();
      return;
    }
    for (std::size_t i = 0; i < buckets && i < s.counts.size(); ++i) {
      const std::uint64_t n = counts_[i].load(std::memory_order_relaxed);
      s.counts[i] += n;
      s.total += n;
    }
    s.sum_s += static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  }

  HistogramSnapshot snapshot() const {
    HistogramSnapshot s;
    s.upper_bounds_s.reserve(buckets);
    s.counts.reserve(buckets);
    for (std::size_t i = 0; i < buckets; ++i) {
      s.upper_bounds_s.push_back(upper_bound_ns(i) / 1e9);
      s.counts.push_back(counts_[i].load(std::memory_order_relaxed));
      s.total += s.counts.back();
    }
    s.sum_s = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return s;
  }

 private:
  static double upper_bound_ns(std::size_t i) { return 1000.0 * std::exp2(static_cast<double>(i + 1) / 4.0); }
  // Bucket i holds the calls of [first_ns(i), first_ns(i + 1)) (the first from 0): floor(4 *
  // log2(ns / 1 us)), found without a logarithm (which cost more than the rest of recording):
  // the power of two from the integer microseconds, then the quarter by comparison.
  static std::size_t bucket_of(std::int64_t ns) noexcept {
    if (ns <= 1000) return 0;
    const std::size_t octave = std::bit_width(static_cast<std::uint64_t>(ns / 1000)) - 1;
    if (octave >= buckets / 4) return buckets - 1;
    std::size_t b = 4 * octave;
    const auto& first = first_ns();
    while (b + 1 < buckets && (b + 1) % 4 != 0 && ns >= first[b + 1]) ++b;
    return b;
  }
  // first_ns()[i]: the least ns in bucket i, 1 us * 2^(i/4) rounded up (exact at powers of two).
  static const std::array<std::int64_t, buckets>& first_ns() noexcept {
    static const std::array<std::int64_t, buckets> table = [] {
      std::array<std::int64_t, buckets> t{};
      for (std::size_t i = 0; i < buckets; ++i) t[i] = static_cast<std::int64_t>(std::ceil(1000.0 * std::exp2(static_cast<double>(i) / 4.0)));
      return t;
    }();
    return table;
  }

  std::array<std::atomic<std::uint64_t>, buckets> counts_{};
  std::atomic<std::int64_t> sum_ns_{0};
};

}  // namespace graph_runner::engine
