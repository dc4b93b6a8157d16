// Column storage: typed arrays, validity bitmaps, recycled buffers.
#include "graph_runner/column.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <stdexcept>

#include "recycled.hpp"
#include "reuse.hpp"

namespace graph_runner {
namespace {

// Per-thread pools of freed buffers by size class (powers of two from 16 bytes to 1 MiB).
// Small classes matter for sparse records: a batch of wide, mostly absent records holds
// many columns of a few rows, whose validity bitmaps are a word or two (at a 256-byte
// minimum, a column with one value took 512 bytes).
// A batch's columns are usually freed by a sink's thread and allocated by a source's; oneTBB
// runs both on the same few workers, so the pools stay fed. Bounded: at most kKeep buffers
// per class and thread are held back from the allocator. (detail::FreeStacks: safe to use
// while the thread's thread_locals, or at exit the statics, are destroyed.)
constexpr std::size_t kMinClass = 4, kMaxClass = 20, kKeep = 64;

struct ReleaseBuffer {
  void operator()(void* p, std::size_t) const noexcept { ::operator delete(p, std::align_val_t{16}); }
  // Stacks of class c the shared depot holds: enough to pass stacks between a thread that
  // frees and one that makes (a few), at most 512 KiB of a class. More only held memory that
  // sparse records, whose many small columns use every class, did not need back.
  static constexpr std::size_t depot_stacks(std::size_t c) {
    return std::min<std::size_t>(4, (std::size_t{512} << 10) / (kKeep << c));
  }
};
struct BufferPoolTag;
using BufferPool = detail::FreeStacks<BufferPoolTag, kMaxClass + 1, ReleaseBuffer>;

std::size_t size_class(std::size_t bytes) {
  return std::max<std::size_t>(kMinClass, std::bit_width(bytes - 1));
}

}  // namespace

ColumnBuffer& ColumnBuffer::operator=(ColumnBuffer&& o) noexcept {
  if (this != &o) {
    this->~ColumnBuffer();
    data_ = o.data_;
    capacity_ = o.capacity_;
    o.data_ = nullptr;
    o.capacity_ = 0;
  }
  return *this;
}

ColumnBuffer::~ColumnBuffer() {
  if (!data_) return;
  std::size_t c = size_class(capacity_);
  if (c <= kMaxClass && (std::size_t{1} << c) == capacity_) BufferPool::push(c, data_, kKeep);
  else ReleaseBuffer{}(data_, c);
  data_ = nullptr;
}

void ColumnBuffer::reserve(std::size_t bytes, std::size_t keep) {
  if (bytes <= capacity_ || bytes == 0) return;
  std::size_t c = size_class(bytes);
  std::size_t cap = std::size_t{1} << c;
  auto* p = static_cast<std::byte*>(c <= kMaxClass ? BufferPool::pop(c) : nullptr);
  if (!p) p = static_cast<std::byte*>(::operator new(cap, std::align_val_t{16}));
  if (keep) std::memcpy(p, data_, keep);
  ColumnBuffer old(std::move(*this));
  data_ = p;
  capacity_ = cap;
}

std::string_view column_type_name(ColumnType t) noexcept {
  switch (t) {
    case ColumnType::int64: return "int";
    case ColumnType::float64: return "double";
    case ColumnType::boolean: return "bool";
    case ColumnType::string: return "string";
    case ColumnType::bytes: return "bytes";
    case ColumnType::json: return "json";
    case ColumnType::mixed: return "mixed";
  }
  return "?";
}

ColumnType column_type_for(Type t) noexcept {
  switch (t) {
    case Type::int64: return ColumnType::int64;
    case Type::float64: return ColumnType::float64;
    case Type::boolean: return ColumnType::boolean;
    case Type::string: return ColumnType::string;
    case Type::bytes: return ColumnType::bytes;
    case Type::json: return ColumnType::json;
    case Type::null: break;
  }
  return ColumnType::mixed;
}

namespace {
Type value_type(ColumnType t) {
  switch (t) {
    case ColumnType::int64: return Type::int64;
    case ColumnType::float64: return Type::float64;
    case ColumnType::boolean: return Type::boolean;
    case ColumnType::string: return Type::string;
    case ColumnType::bytes: return Type::bytes;
    case ColumnType::json: return Type::json;
    case ColumnType::mixed: break;
  }
  return Type::null;
}
std::size_t words(std::size_t rows) { return (rows + 63) / 64; }

// Zeroes n bytes. A batch of one clears 8 or 16 bytes a column (a value, a word of the
// bitmap), for which a call to memset cost more than the stores.
inline void clear_bytes(void* p, std::size_t n) noexcept {
  constexpr std::uint64_t zero[2] = {0, 0};
  if (n == 8) std::memcpy(p, zero, 8);
  else if (n == 16) std::memcpy(p, zero, 16);
  else std::memset(p, 0, n);
}
}  // namespace

Column::Column(Field f, ColumnType t, std::size_t rows) : field_(f), type_(t) { resize(rows); }

Column::Column(const Column& o)
    : field_(o.field_), type_(o.type_), valid_rows_(o.valid_rows_), null_(o.null_), types_(o.types_),
      first_value_types_(o.first_value_types_) {
  reserve(o.rows_);
  rows_ = o.rows_;
  if (rows_) {
    std::memcpy(data_.data(), o.data_.data(), rows_ * width());
    std::memcpy(valid_.data(), o.valid_.data(), words(rows_) * 8);
  }
}

std::size_t Column::width() const noexcept { return detail::column_width(type_); }

void Column::reserve(std::size_t rows) {
  if (rows <= capacity_rows_) return;
  data_.reserve(rows * width(), rows_ * width());
  capacity_rows_ = data_.capacity() / width();
  valid_.reserve(words(capacity_rows_) * 8, words(rows_) * 8);
}

void Column::resize(std::size_t rows) {
  if (rows > rows_) {
    if (rows > capacity_rows_) reserve(std::max(rows, capacity_rows_ * 2));
    if (data_.data()) clear_bytes(data_.data() + rows_ * width(), (rows - rows_) * width());  // absent: 0 / empty / null
  } else {
    for (std::size_t r = rows; r < rows_; ++r) set_absent(r);
  }
  // Words past the old last one start clear (a partly used last word is kept clear by
  // set_absent and mark_all_valid).
  if (words(rows) > words(rows_)) clear_bytes(bits() + words(rows_), (words(rows) - words(rows_)) * 8);
  rows_ = rows;
  if (type_ == ColumnType::mixed) types_.resize(rows, Type::null);
  if (!null_.empty()) null_.resize(words(rows), 0);
}

Value Column::get(std::size_t row) const noexcept {
  if (!valid(row)) return Value{};
  switch (type_) {
    case ColumnType::int64: return Value::of(as<std::int64_t>()[row]);
    case ColumnType::float64: return Value::of(as<double>()[row]);
    case ColumnType::boolean: return Value::of(as<std::uint8_t>()[row] != 0);
    case ColumnType::mixed: {
      // A mixed row is 16 bytes: the number in the first 8, or a StringView.
      const std::byte* cell = data_.data() + row * 16;
      Type t = types_[row];
      if (t >= Type::string) return Value::string_ref(reinterpret_cast<const StringView*>(cell)->view(), t);
      if (t == Type::float64) { double d; std::memcpy(&d, cell, 8); return Value::of(d); }
      std::int64_t i;
      std::memcpy(&i, cell, 8);
      return t == Type::boolean ? Value::of(i != 0) : Value::of(i);
    }
    default: return Value::string_ref(as<StringView>()[row].view(), value_type(type_));
  }
}

void Column::mark_valid(std::size_t row) noexcept {
  std::uint64_t bit = std::uint64_t{1} << (row & 63);
  if (!(bits()[row >> 6] & bit)) {
    bits()[row >> 6] |= bit;
    ++valid_rows_;
  }
  if (!null_.empty()) null_[row >> 6] &= ~bit;
}

void Column::mark_all_valid() noexcept {
  if (rows_ == 0) return;
  std::fill(bits(), bits() + words(rows_), ~std::uint64_t{0});
  if (rows_ & 63) bits()[words(rows_) - 1] = (std::uint64_t{1} << (rows_ & 63)) - 1;
  valid_rows_ = rows_;
  null_.clear();
}

void Column::set_absent(std::size_t row) noexcept {
  std::uint64_t bit = std::uint64_t{1} << (row & 63);
  if (bits()[row >> 6] & bit) {
    bits()[row >> 6] &= ~bit;
    --valid_rows_;
  }
  if (!null_.empty()) null_[row >> 6] &= ~bit;
}

void Column::set(std::size_t row, Value v) {
  if (v.is_null()) {
    set_absent(row);
    if (null_.empty()) null_.assign(words(rows_), 0);
    null_[row >> 6] |= std::uint64_t{1} << (row & 63);
    return;
  }
  if (valid_rows_ == 0 && first_value_types_ && type_ != column_type_for(v.type())) {
    // No value yet: the first one decides the column's type.
    std::size_t rows = rows_;
    ColumnBuffer old(std::move(data_));
    rows_ = capacity_rows_ = 0;
    type_ = column_type_for(v.type());
    types_.clear();
    resize(rows);
  } else if (type_ != ColumnType::mixed && value_type(type_) != v.type()) {
    convert_to(ColumnType::mixed);
  }
  store(row, v);
}

// Writes a value of the column's type (or any value in a mixed column): no retyping.
void Column::store(std::size_t row, Value v) {
  switch (type_) {
    case ColumnType::int64: as<std::int64_t>()[row] = v.as_int(); break;
    case ColumnType::float64: as<double>()[row] = v.as_double(); break;
    case ColumnType::boolean: as<std::uint8_t>()[row] = v.as_bool() ? 1 : 0; break;
    case ColumnType::mixed: {
      std::byte* cell = data_.data() + row * 16;
      types_[row] = v.type();
      if (v.is_text()) *reinterpret_cast<StringView*>(cell) = StringView(v.as_string());
      else if (v.type() == Type::float64) { double d = v.as_double(); std::memcpy(cell, &d, 8); }
      else { std::int64_t i = v.type() == Type::boolean ? v.as_bool() : v.as_int(); std::memcpy(cell, &i, 8); }
      break;
    }
    default: as<StringView>()[row] = StringView(v.as_string()); break;
  }
  mark_valid(row);
}

void Column::convert_to(ColumnType t) {
  if (t == type_) return;
  Column out(field_, t, rows_);
  out.first_value_types_ = false;  // a column made mixed stays mixed
  for (std::size_t r = 0; r < rows_; ++r) {
    if (valid(r)) {
      Value v = get(r);
      if (t != ColumnType::mixed && column_type_for(v.type()) != t)
        throw std::invalid_argument("column '" + std::string(field_name(field_)) + "' holds a " +
                                    std::string(type_name(v.type())) + ", not only " +
                                    std::string(column_type_name(t)) + " values");
      out.store(r, v);  // not set(): its first value would retype a new mixed column
    }
  }
  out.null_ = null_;
  *this = Column(std::move(out));
}

}  // namespace graph_runner
