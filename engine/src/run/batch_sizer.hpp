#pragma once
// Memory bounded in bytes as well as in batches: a source's batches are cut to about
// max_in_flight_bytes / max_in_flight bytes, so its max_in_flight batches in flight stay
// near max_in_flight_bytes whatever the size of its records. The size of the next batch
// (in records) is learned from the bytes per record of the batches so far. The first batch
// assumes records of up to 64 KiB; a batch read just as records suddenly grow beyond what
// was learned may exceed its share (by at most batch_size records).
#include <algorithm>
#include <cstddef>

#include "graph_runner/batch.hpp"

namespace graph_runner::engine {

class BatchSizer {
 public:
  BatchSizer(std::size_t batch_size, std::size_t batch_bytes)
      : batch_size_(batch_size), batch_bytes_(std::max<std::size_t>(batch_bytes, 1)),
        capacity_(std::clamp<std::size_t>(batch_bytes_ / first_guess_record_bytes, 1, batch_size_)) {}

  // Records the next batch may hold: batch_size, fewer when records are large.
  std::size_t capacity() const noexcept { return capacity_; }

  void learn(std::size_t bytes, std::size_t records) noexcept {
    if (records == 0) return;
    // Smoothed, but a batch of larger records counts at once: the bound must hold.
    const double per_record = static_cast<double>(bytes) / static_cast<double>(records);
    bytes_per_record_ = std::max(per_record, bytes_per_record_ * 0.75 + per_record * 0.25);
    const double fit = static_cast<double>(batch_bytes_) / std::max(bytes_per_record_, 1.0);
    capacity_ = std::clamp<std::size_t>(static_cast<std::size_t>(fit), 1, batch_size_);
  }

 private:
  static constexpr std::size_t first_guess_record_bytes = 64 * 1024;
  std::size_t batch_size_, batch_bytes_;
  std::size_t capacity_;
  double bytes_per_record_ = 0;
};

// What a batch's records take: its columns' cells (8 or 16 bytes, 1 for bool) and the
// strings too long to sit in their StringViews.
inline std::size_t batch_bytes(const Batch& batch) noexcept {
  std::size_t bytes = 0;
  for (const auto& column : batch.columns()) {
    switch (column->type()) {
      case ColumnType::int64:
      case ColumnType::float64: bytes += column->size() * 8; break;
      case ColumnType::boolean: bytes += column->size(); break;
      case ColumnType::mixed: bytes += column->size() * 16; break;
      default:
        bytes += column->size() * sizeof(StringView);
        for (const StringView& s : column->strings())
          if (!s.is_inline()) bytes += s.size();
    }
  }
  return bytes;
}

}  // namespace graph_runner::engine
