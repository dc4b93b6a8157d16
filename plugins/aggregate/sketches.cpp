#include "sketches.hpp"

#include <algorithm>
#include <cmath>

namespace graph_runner::plugins::agg {
namespace {
const double gamma_ = (1 + QuantileSketch::relative_accuracy) / (1 - QuantileSketch::relative_accuracy);
const double log_gamma = std::log(gamma_);
constexpr double min_indexable = 1e-9;  // smaller magnitudes count as zero

int bucket_of(double magnitude) { return static_cast<int>(std::ceil(std::log(magnitude) / log_gamma)); }
// The value a bucket stands for: within relative_accuracy of every value in it.
double bucket_value(int index) { return 2 * std::pow(gamma_, index) / (gamma_ + 1); }
}  // namespace

void QuantileSketch::Store::add(int index) {
  if (counts.empty()) {
    offset = index;
    counts.assign(1, 0);
  } else if (index < offset) {
    counts.insert(counts.begin(), static_cast<std::size_t>(offset - index), 0);
    offset = index;
  } else if (index >= offset + static_cast<int>(counts.size())) {
    counts.resize(static_cast<std::size_t>(index - offset + 1), 0);
  }
  counts[static_cast<std::size_t>(index - offset)]++;
  if (counts.size() > max_buckets) {  // merge the smallest magnitudes into one bucket
    const std::size_t extra = counts.size() - max_buckets;
    std::uint64_t merged = 0;
    for (std::size_t i = 0; i <= extra; ++i) merged += counts[i];
    counts.erase(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(extra));
    counts[0] = merged;
    offset += static_cast<int>(extra);
  }
}

void QuantileSketch::add(double v) {
  if (std::isnan(v)) return;
  ++count_;
  if (v > min_indexable) positive_.add(bucket_of(v));
  else if (v < -min_indexable) negative_.add(bucket_of(-v));
  else ++zeros_;
}

double QuantileSketch::quantile(double q) const {
  if (count_ == 0) return std::nan("");
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
  std::uint64_t seen = 0;
  // Ascending order: the most negative first (largest bucket of negative_), zeros, positives.
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.counts[i];
    if (seen > rank) return -bucket_value(negative_.offset + static_cast<int>(i));
  }
  seen += zeros_;
  if (seen > rank) return 0;
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
    if (seen > rank) return bucket_value(positive_.offset + static_cast<int>(i));
  }
  return bucket_value(positive_.offset + static_cast<int>(positive_.counts.size()) - 1);
}

void DistinctCounter::add(std::uint64_t hash) {
  if (!registers_.empty()) return add_to_registers(hash);
  exact_.insert(hash);
  if (exact_.size() <= exact_limit) return;
  registers_.assign(std::size_t{1} << precision, 0);
  for (std::uint64_t h : exact_) add_to_registers(h);
  exact_ = {};
}

void DistinctCounter::add_to_registers(std::uint64_t hash) {
  const std::size_t index = hash >> (64 - precision);
  const std::uint64_t rest = (hash << precision) | (std::uint64_t{1} << (precision - 1));  // never zero
  const auto rank = static_cast<std::uint8_t>(__builtin_clzll(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

std::uint64_t DistinctCounter::estimate() const {
  if (registers_.empty()) return exact_.size();
  const double m = static_cast<double>(registers_.size());
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double e = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));  // small range: linear counting
  return static_cast<std::uint64_t>(std::llround(e));
}

}  // namespace graph_runner::plugins::agg
