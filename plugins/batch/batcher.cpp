#include "batcher.hpp"

#include <algorithm>
#include <numeric>

namespace graph_runner::plugins {

void Batcher::add(const BatchPtr& in, Clock::time_point now, std::vector<BatchPtr>& out) {
  expire(now, out);
  if (!in || in->empty()) return;
  if (pending_ == 0) oldest_ = now;
  pieces_.push_back(Piece{in, 0, in->size()});
  pending_ += in->size();
  if (pending_ < size_) return;
  while (pending_ >= size_) out.push_back(take(size_));
  // What is left came from `in` (fewer than `size` records were pending before it): it
  // arrived now.
  oldest_ = now;
}

void Batcher::expire(Clock::time_point now, std::vector<BatchPtr>& out) {
  if (pending_ > 0 && timeout_.count() > 0 && now >= deadline()) out.push_back(take(pending_));
}

void Batcher::flush(std::vector<BatchPtr>& out) {
  if (pending_ > 0) out.push_back(take(pending_));
}

BatchPtr Batcher::take(std::size_t n) {
  std::vector<Piece> used;
  std::size_t left = n;
  while (left > 0) {
    Piece& front = pieces_.front();
    const std::size_t k = std::min(left, front.end - front.begin);
    used.push_back(Piece{front.batch, front.begin, front.begin + k});
    front.begin += k;
    left -= k;
    if (front.begin == front.end) pieces_.pop_front();
  }
  pending_ -= n;
  if (used.size() > 1) return combine(used, n);
  // One input batch: itself when whole (no copy), else a selection of it, which keeps its
  // arenas and tickets alive as Batch::select does.
  const Piece& p = used.front();
  if (p.begin == 0 && p.end == p.batch->size()) return p.batch;
  std::vector<std::uint32_t> rows(p.end - p.begin);
  std::iota(rows.begin(), rows.end(), static_cast<std::uint32_t>(p.begin));
  return p.batch->select(rows);
}

// Records from several batches: every field any of them has, in order of first appearance;
// null where a batch lacks it. String values still point into the input batches' arenas, so
// the new batch keeps them (and their acknowledgement tickets) alive.
BatchPtr Batcher::combine(const std::vector<Piece>& pieces, std::size_t n) {
  std::vector<Field> fields;
  for (const Piece& p : pieces)
    for (const auto& c : p.batch->columns())
      if (std::find(fields.begin(), fields.end(), c->field) == fields.end()) fields.push_back(c->field);

  BatchBuilder builder(n);
  for (Field f : fields) builder.column(f);  // create every column before taking references
  for (Field f : fields) {
    std::vector<Value>& values = builder.column(f);
    values.reserve(n);
    for (const Piece& p : pieces) {
      const Column* c = p.batch->find(f);
      if (c) values.insert(values.end(), c->values.begin() + static_cast<std::ptrdiff_t>(p.begin),
                           c->values.begin() + static_cast<std::ptrdiff_t>(p.end));
      else values.resize(values.size() + (p.end - p.begin));
    }
  }
  const Batch* last = nullptr;
  for (const Piece& p : pieces) {
    if (p.batch.get() != last) builder.keep(*p.batch);  // a batch split over two pieces: keep it once
    last = p.batch.get();
  }
  builder.resize(n);
  return builder.finish();
}

}  // namespace graph_runner::plugins
