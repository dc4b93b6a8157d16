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
  // arenas and tickets alive as Batch::select does (a selection of a selection: select()
  // takes record indexes, so this stays right whatever `p.batch` selects).
  const Piece& p = used.front();
  if (p.begin == 0 && p.end == p.batch->size()) return p.batch;
  std::vector<std::uint32_t> rows(p.end - p.begin);
  std::iota(rows.begin(), rows.end(), static_cast<std::uint32_t>(p.begin));
  return p.batch->select(rows);
}

// Records from several batches: every field any of them has, in order of first appearance,
// in a column of the type the pieces share (mixed when they differ); absent where a batch
// lacks the field (or a record its key), null where it was null. The copy is compact: only
// the selected rows of each piece. String values still point into the input batches'
// arenas (short ones are copied inline), so the new batch keeps them (and their
// acknowledgement tickets) alive.
BatchPtr Batcher::combine(const std::vector<Piece>& pieces, std::size_t n) {
  std::vector<Field> fields;
  std::vector<ColumnType> types;
  for (const Piece& p : pieces)
    for (const auto& c : p.batch->columns()) {
      auto it = std::find(fields.begin(), fields.end(), c->field());
      if (it == fields.end()) {
        fields.push_back(c->field());
        types.push_back(c->type());
      } else if (types[static_cast<std::size_t>(it - fields.begin())] != c->type()) {
        types[static_cast<std::size_t>(it - fields.begin())] = ColumnType::mixed;
      }
    }

  BatchBuilder builder(n);
  for (std::size_t k = 0; k < fields.size(); ++k) {
    Column& out = builder.column(fields[k], types[k]);
    out.resize(n);
    const ColumnType type = out.type();
    std::size_t o = 0;  // the row being written
    for (const Piece& p : pieces) {
      const Batch& b = *p.batch;
      const Column* c = b.find(fields[k]);
      if (!c) {  // absent from every record of this piece: the rows stay absent
        o += p.end - p.begin;
        continue;
      }
      for (std::size_t i = p.begin; i < p.end; ++i, ++o) {
        const std::size_t r = b.row(i);
        if (!c->valid(r)) {
          if (c->present(r)) out.set(o, Value{});  // an explicit null; else absent
          continue;
        }
        switch (type) {  // the same type as c's unless mixed
          case ColumnType::int64: out.ints_for_write()[o] = c->ints()[r]; break;
          case ColumnType::float64: out.doubles_for_write()[o] = c->doubles()[r]; break;
          case ColumnType::boolean: out.bools_for_write()[o] = c->bools()[r]; break;
          case ColumnType::mixed: out.set(o, c->get(r)); continue;
          default: out.strings_for_write()[o] = c->strings()[r]; break;
        }
        out.mark_valid(o);
      }
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
