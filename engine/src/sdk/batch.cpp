// Batch (selection, copy on write) and Arena.
#include "graph_runner/batch.hpp"
#include "reuse.hpp"
#include "recycled.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace graph_runner {

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > chunk_left_) {
    // Chunks grow from 256 bytes to 16 KiB: most batches hold a few short strings (a source
    // name), and a fresh 16 KiB per batch cost more than the records' own work. Not zeroed.
    const std::size_t grown = std::size_t{256} << std::min<std::size_t>(chunks_.size(), 6);
    std::size_t chunk = std::max<std::size_t>(s.size(), grown);
    chunks_.push_back(std::unique_ptr<char[]>(new char[chunk]));
    cursor_ = chunks_.back().get();
    chunk_left_ = chunk;
  }
  char* dst = cursor_;
  std::memcpy(dst, s.data(), s.size());
  cursor_ += s.size();
  chunk_left_ -= s.size();
  used_ += s.size();
  return {dst, s.size()};
}

// A copy shares columns, tickets and arenas, but writes new strings to an arena of its own:
// an Arena is not thread-safe, and the original may be read (and copied) elsewhere.
Batch::Batch(const Batch& o)
    : rows_(o.rows_), selected_(o.selected_), selection_(o.selection_), columns_(o.columns_),
      by_field_(o.by_field_), keep_(o.keep_), origin_(o.origin_) {}

// Batches with few columns look fields up linearly (a few compares); wide ones (JSON with
// many keys) through an index sorted by field id, so that a record of 10,000 fields does not
// cost 10,000 compares per lookup.
constexpr std::size_t kLinear = 16;

std::size_t Batch::index_of(Field f) const noexcept {
  if (by_field_.empty()) {
    for (std::size_t i = 0; i < columns_.size(); ++i)
      if (columns_[i]->field() == f) return i;
    return SIZE_MAX;
  }
  auto it = std::lower_bound(by_field_.begin(), by_field_.end(), f.id,
                             [&](std::uint32_t c, std::uint32_t id) { return columns_[c]->field().id < id; });
  return it != by_field_.end() && columns_[*it]->field() == f ? *it : SIZE_MAX;
}

const Column* Batch::find(Field f) const noexcept {
  std::size_t i = index_of(f);
  return i == SIZE_MAX ? nullptr : columns_[i].get();
}

void Batch::reindex() {
  if (columns_.size() <= kLinear) {
    by_field_.clear();
    return;
  }
  if (by_field_.size() + 1 == columns_.size()) {  // one column appended: insert it, no sort
    const auto added = static_cast<std::uint32_t>(columns_.size() - 1);
    const std::uint32_t id = columns_[added]->field().id;
    by_field_.insert(std::lower_bound(by_field_.begin(), by_field_.end(), id,
                                      [&](std::uint32_t c, std::uint32_t key) { return columns_[c]->field().id < key; }),
                     added);
    return;
  }
  by_field_.clear();
  by_field_.resize(columns_.size());
  for (std::uint32_t i = 0; i < by_field_.size(); ++i) by_field_[i] = i;
  std::sort(by_field_.begin(), by_field_.end(),
            [&](std::uint32_t a, std::uint32_t b) { return columns_[a]->field().id < columns_[b]->field().id; });
}

void Batch::keep_rows(std::span<const std::uint32_t> rows) {
  if (!selected_) {
    // Logical rows are physical ones, and selection_ is empty (`rows` cannot be in it): its
    // memory, a reused batch's, is reused.
    selection_.assign(rows.begin(), rows.end());
  } else {
    std::vector<std::uint32_t> sel(rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) sel[i] = static_cast<std::uint32_t>(row(rows[i]));
    selection_ = std::move(sel);
  }
  selected_ = true;
}

BatchPtr Batch::select(std::span<const std::uint32_t> rows) const {
  auto out = detail::make_recycled<Batch>(*this);
  out->keep_rows(rows);
  return out;
}

BatchPtr Batch::compacted() const {
  if (!selected_) return detail::make_recycled<Batch>(*this);
  auto out = detail::make_recycled<Batch>(*this);
  out->selected_ = false;
  out->selection_.clear();
  out->rows_ = selection_.size();
  for (auto& c : out->columns_) {
    auto copy = detail::make_column(c->field(), c->type(), selection_.size());
    for (std::size_t i = 0; i < selection_.size(); ++i)
      if (c->present(selection_[i])) copy->set(i, c->get(selection_[i]));
    c = std::move(copy);
  }
  return out;
}

BatchPtr Batch::with_column(Field f, std::span<const Value> values, std::shared_ptr<const Arena> arena) const {
  auto out = detail::make_recycled<Batch>(*this);
  auto col = detail::make_column(f, ColumnType::mixed, rows_);
  for (std::size_t i = 0; i < values.size() && i < size(); ++i)
    if (!values[i].is_null()) col->set(row(i), values[i]);
  out->put(std::move(col));
  if (arena) out->keep_.push_back(std::move(arena));
  return out;
}

Column& Batch::column_for_write(Field f, ColumnType type_if_new) {
  std::size_t i = index_of(f);
  if (i == SIZE_MAX) {
    columns_.push_back(detail::make_column(f, type_if_new, rows_));
    reindex();
    return const_cast<Column&>(*columns_.back());
  }
  // Only this batch holds the column (use_count 1 cannot rise: nobody else has it): change
  // it in place. Otherwise another batch reads it: copy first.
  if (columns_[i].use_count() != 1) columns_[i] = detail::make_recycled<Column>(*columns_[i]);
  return const_cast<Column&>(*columns_[i]);
}

void Batch::put(ColumnPtr column) {
  if (column->size() != rows_)
    throw std::invalid_argument("column '" + std::string(field_name(column->field())) + "' has " +
                                std::to_string(column->size()) + " rows, the batch " + std::to_string(rows_));
  std::size_t i = index_of(column->field());
  if (i != SIZE_MAX) {
    columns_[i] = std::move(column);
  } else {
    columns_.push_back(std::move(column));
    reindex();
  }
}

void Batch::remove(Field f) {
  std::size_t i = index_of(f);
  if (i == SIZE_MAX) return;
  columns_.erase(columns_.begin() + static_cast<std::ptrdiff_t>(i));
  reindex();
}

Arena& Batch::arena() {
  if (!arena_) {
    arena_ = detail::make_recycled<Arena>();
    keep_.push_back(arena_);
  }
  return *arena_;
}

void Batch::keep(const Batch& other) { keep_.insert(keep_.end(), other.keep_.begin(), other.keep_.end()); }

}  // namespace graph_runner
