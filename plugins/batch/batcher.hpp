#pragma once
// The batch stage's logic without the engine: regrouping records into batches of `size`,
// by a clock the caller passes in (tests use a fake one).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

class Batcher {
 public:
  using Clock = std::chrono::steady_clock;

  /// `timeout` zero: a partial batch waits for more records (or the end of the stream).
  Batcher(std::size_t size, std::chrono::milliseconds timeout) : size_(size), timeout_(timeout) {}

  /// Adds `in`'s records; appends to `out` every batch of `size` records now complete.
  /// A partial batch older than the timeout is sent first, before `in`'s records join.
  void add(const BatchPtr& in, Clock::time_point now, std::vector<BatchPtr>& out);
  /// Appends the partial batch to `out` if its oldest record has waited the timeout.
  void expire(Clock::time_point now, std::vector<BatchPtr>& out);
  /// Appends the partial batch to `out`, if any (end of stream).
  void flush(std::vector<BatchPtr>& out);

  std::size_t pending() const noexcept { return pending_; }
  /// When the partial batch is due (meaningful while pending() > 0 and the timeout is set).
  Clock::time_point deadline() const noexcept { return oldest_ + timeout_; }

 private:
  // Records [begin, end) of a received batch, not yet sent.
  struct Piece {
    BatchPtr batch;
    std::size_t begin, end;
  };
  BatchPtr take(std::size_t n);
  static BatchPtr combine(const std::vector<Piece>& pieces, std::size_t n);

  const std::size_t size_;
  const std::chrono::milliseconds timeout_;
  std::deque<Piece> pieces_;
  std::size_t pending_ = 0;
  Clock::time_point oldest_{};  // arrival of the oldest pending record
};

}  // namespace graph_runner::plugins
