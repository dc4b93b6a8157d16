// BatchBuilder: typed columns filled record by record or in bulk.
#include <algorithm>
#include <new>

#include "graph_runner/batch.hpp"
#include "reuse.hpp"
#include "recycled.hpp"

namespace graph_runner {

BatchBuilder::BatchBuilder(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
BatchBuilder::BatchBuilder(BatchBuilder&&) noexcept = default;
// The builder's columns come from the pool of small columns (reuse.hpp), not from new: they
// go back there, not to delete.
BatchBuilder::~BatchBuilder() {
  for (auto& c : columns_) detail::give_column(c.release());
}

Column& BatchBuilder::column_at(Field f, ColumnType type) {
  // Records mostly repeat their fields in the same order: try the column after the last one
  // set before searching.
  if (hint_ < columns_.size() && columns_[hint_]->field() == f) return *columns_[hint_++];
  auto it = std::lower_bound(index_.begin(), index_.end(), std::make_pair(f.id, std::uint32_t{0}));
  if (it != index_.end() && it->first == f.id) {
    hint_ = it->second + 1;
    return *columns_[it->second];
  }
  std::unique_ptr<Column, detail::GiveColumn> c(detail::take_column(f, type, 0));
  // A field the batch's first record has: room for the batch. One that first appears
  // later (wide, sparse records; they end batches early, see full()): room for the rows so
  // far, grown by doubling; reserving the capacity for each of their many mostly absent
  // columns made memory follow keys x capacity instead of the data. (No member remembers
  // the last batch's size: BatchBuilder's layout is part of the SDK's ABI.)
  c->reserve(rows_ <= 1 ? std::min<std::size_t>(capacity_, 1024) : rows_);
  columns_.reserve(columns_.size() + 1);  // nothing throws once the column is in index_
  index_.insert(it, {f.id, static_cast<std::uint32_t>(columns_.size())});
  columns_.emplace_back(c.release());
  hint_ = columns_.size();
  return *columns_.back();
}

Column& BatchBuilder::column(Field f, ColumnType type) {
  bulk_ = true;
  return column_at(f, type);
}

std::size_t BatchBuilder::bulk_size() const noexcept {
  std::size_t n = rows_;
  for (const auto& c : columns_) n = std::max(n, c->size());
  return n;
}

void BatchBuilder::set(std::size_t row, Field f, Value v) {
  Column& c = column_at(f, column_type_for(v.type()));
  std::size_t index = hint_ - 1;
  if (row == last_set_row_ && index < last_set_column_) reordered_row_ = row;
  last_set_row_ = row;
  last_set_column_ = index;
  if (c.size() <= row) c.resize(row + 1);
  c.set(row, v);
  ++cells_;
}

void BatchBuilder::resize(std::size_t rows) {
  rows_ = rows;
  for (auto& c : columns_)
    if (c->size() > rows) c->resize(rows);
  if (reordered_row_ != SIZE_MAX && reordered_row_ >= rows) reordered_row_ = SIZE_MAX;
}

Arena& BatchBuilder::arena() {
  if (!arena_) arena_ = detail::make_recycled<Arena>();
  return *arena_;
}

Value BatchBuilder::string(std::string_view s) { return Value::string_ref(arena().copy(s), Type::string); }
Value BatchBuilder::bytes(std::string_view s) { return Value::string_ref(arena().copy(s), Type::bytes); }
Value BatchBuilder::json(std::string_view s) { return Value::string_ref(arena().copy(s), Type::json); }

void BatchBuilder::keep(const Batch& other) {
  if (!has_origin_ && keep_.empty()) origin_ = other.origin();
  keep_.insert(keep_.end(), other.keep_.begin(), other.keep_.end());
}

BatchPtr BatchBuilder::finish() {
  auto out = detail::make_batch();
  for (auto& c : columns_) rows_ = std::max(rows_, c->size());
  out->rows_ = rows_;
  out->columns_.reserve(columns_.size() + 2);  // room for a column or two a stage adds (map)
  for (auto& c : columns_) {
    if (c->size() != rows_) c->resize(rows_);
    out->columns_.push_back(detail::share_column(c.release()));
  }
  out->reindex();
  // Moved element by element: the builder's vector keeps its capacity for the next batch
  // (a source keeps its builder), and the batch's is allocated once, arena included.
  out->keep_.reserve(keep_.size() + (arena_ ? 1 : 0));
  for (auto& k : keep_) out->keep_.push_back(std::move(k));
  if (arena_) {
    out->arena_ = arena_;  // the batch's own arena: a stage that owns it may add strings
    out->keep_.push_back(std::move(arena_));
  }
  out->origin_ = origin_;
  columns_.clear();
  index_.clear();
  keep_.clear();
  arena_.reset();
  rows_ = cells_ = hint_ = 0;
  bulk_ = false;
  last_set_row_ = reordered_row_ = SIZE_MAX;
  last_set_column_ = 0;
  has_origin_ = false;
  origin_ = {};
  return out;
}

}  // namespace graph_runner
