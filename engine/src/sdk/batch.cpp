// Batch, BatchBuilder and Arena.
#include "graph_runner/batch.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

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

namespace {

// values[rows[i]] for i = 0, 1, ...: a random-access range, so that a vector built from it
// allocates once and copies in one tight loop (no zero-fill first, no capacity check per
// value as push_back has: select was 12 % of the seed pipeline's CPU that way).
struct Gather {
  using iterator_category = std::random_access_iterator_tag;
  using value_type = Value;
  using difference_type = std::ptrdiff_t;
  using pointer = const Value*;
  using reference = const Value&;
  const Value* values;
  const std::uint32_t* row;
  reference operator*() const noexcept { return values[*row]; }
  Gather& operator++() noexcept { ++row; return *this; }
  Gather operator++(int) noexcept { Gather g = *this; ++row; return g; }
  Gather& operator+=(difference_type n) noexcept { row += n; return *this; }
  difference_type operator-(const Gather& o) const noexcept { return row - o.row; }
  bool operator==(const Gather& o) const noexcept { return row == o.row; }
};

}  // namespace

BatchPtr Batch::select(std::span<const std::uint32_t> rows) const {
  auto out = std::make_shared<Batch>();
  out->rows_ = rows.size();
  out->keep_ = keep_;
  out->origin_ = origin_;
  out->columns_.reserve(columns_.size());
  for (const auto& c : columns_) {
    const Value* src = c->values.data();
    out->columns_.push_back(std::make_shared<Column>(
        Column{c->field, std::vector<Value>(Gather{src, rows.data()}, Gather{src, rows.data() + rows.size()})}));
  }
  return out;
}

BatchPtr Batch::with_column(Field f, std::vector<Value> values, std::shared_ptr<const Arena> arena) const {
  values.resize(rows_);
  auto out = std::make_shared<Batch>(*this);
  auto col = std::make_shared<Column>(Column{f, std::move(values)});
  auto it = std::find_if(out->columns_.begin(), out->columns_.end(),
                         [f](const ColumnPtr& c) { return c->field == f; });
  if (it != out->columns_.end()) *it = std::move(col);
  else out->columns_.push_back(std::move(col));
  if (arena) out->keep_.push_back(std::move(arena));
  return out;
}

BatchBuilder::BatchBuilder(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

std::size_t BatchBuilder::size() const noexcept {
  std::size_t n = rows_;
  for (const auto& c : columns_) n = std::max(n, c.second.size());
  return n;
}

std::vector<Value>& BatchBuilder::column(Field f) {
  for (auto& [field, values] : columns_)
    if (field == f) return values;
  columns_.emplace_back(f, std::vector<Value>{});
  columns_.back().second.reserve(capacity_);
  return columns_.back().second;
}

void BatchBuilder::set(std::size_t row, Field f, Value v) {
  auto& values = column(f);
  if (values.size() <= row) values.resize(row + 1);
  values[row] = v;
}

Value BatchBuilder::string(std::string_view s) {
  if (!arena_) arena_ = std::make_shared<Arena>();
  return Value::string_ref(arena_->copy(s), Type::string);
}

Value BatchBuilder::bytes(std::string_view s) {
  if (!arena_) arena_ = std::make_shared<Arena>();
  return Value::string_ref(arena_->copy(s), Type::bytes);
}

void BatchBuilder::keep(const Batch& other) {
  if (!has_origin_ && keep_.empty()) origin_ = other.origin();
  keep_.insert(keep_.end(), other.keep_.begin(), other.keep_.end());
}

BatchPtr BatchBuilder::finish() {
  auto out = std::make_shared<Batch>();
  for (auto& [field, values] : columns_) rows_ = std::max(rows_, values.size());
  out->rows_ = rows_;
  out->columns_.reserve(columns_.size());
  for (auto& [field, values] : columns_) {
    values.resize(rows_);
    out->columns_.push_back(std::make_shared<Column>(Column{field, std::move(values)}));
  }
  out->keep_ = std::move(keep_);
  if (arena_) out->keep_.push_back(std::move(arena_));
  out->origin_ = origin_;
  columns_.clear();
  keep_.clear();
  arena_.reset();
  rows_ = 0;
  has_origin_ = false;
  origin_ = {};
  return out;
}

}  // namespace graph_runner
