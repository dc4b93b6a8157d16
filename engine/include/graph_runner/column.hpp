#pragma once
/// @file column.hpp
/// A column: one field's values for every row of a batch, stored by type.
///
/// `int64`, `float64` and `bool` columns are contiguous arrays (a loop over a column is a
/// loop over a `std::span`); `string`, `bytes` and `json` columns hold 16-byte StringViews;
/// a column whose values really mix types (JSON data may) is `mixed`: a type per row, read
/// with get(). A string value read from a column points into the column (short strings) or
/// the batch's arena: it stays valid while the column does. A row of a column
/// is in one of three states:
/// - **valid**: it has a value;
/// - **null**: the record has the field, and it is null (JSON `null`);
/// - **absent**: the record does not have the field (a JSON line without that key).
/// Writers tell the last two apart (an absent key stays absent); readers that only want
/// values check valid(), or all_valid() once per column:
/// @code
///   const Column* c = batch.find(value_);
///   if (c && c->type() == ColumnType::int64 && c->all_valid())
///     for (std::int64_t v : c->ints()) sum += v;         // no check per row
/// @endcode
/// Rows here are *physical* rows; a batch may select a subset of them (Batch::row()).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "graph_runner/export.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner {

namespace detail {
struct ColumnReuse;  // the library's pool of small columns (not part of the SDK)
}

enum class ColumnType : std::uint8_t { int64, float64, boolean, string, bytes, json, mixed };

/// The name of a column type as users read it ("int", "double", "bool", "string", "bytes",
/// "json", "mixed").
GRAPH_RUNNER_API std::string_view column_type_name(ColumnType t) noexcept;
/// The column type that holds values of `t` (null: mixed).
GRAPH_RUNNER_API ColumnType column_type_for(Type t) noexcept;

/// Raw column memory, recycled: a buffer freed goes to a small per-thread pool and the next
/// column of the same size class reuses it, so a steady stream of batches allocates nothing.
class GRAPH_RUNNER_API ColumnBuffer {
 public:
  ColumnBuffer() = default;
  ColumnBuffer(const ColumnBuffer&) = delete;
  ColumnBuffer& operator=(const ColumnBuffer&) = delete;
  ColumnBuffer(ColumnBuffer&& o) noexcept : data_(o.data_), capacity_(o.capacity_) { o.data_ = nullptr; o.capacity_ = 0; }
  ColumnBuffer& operator=(ColumnBuffer&& o) noexcept;
  ~ColumnBuffer();
  /// Makes room for `bytes`, keeping the first `keep` bytes.
  void reserve(std::size_t bytes, std::size_t keep);
  std::byte* data() const noexcept { return data_; }
  std::size_t capacity() const noexcept { return capacity_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t capacity_ = 0;
};

/// One field's values. Shared between batches through ColumnPtr (immutable once shared: a
/// batch changes a shared column by copying it first, see Batch::column_for_write()).
class GRAPH_RUNNER_API Column {
 public:
  /// An empty column, or one of `rows` absent rows.
  explicit Column(Field f, ColumnType t = ColumnType::mixed, std::size_t rows = 0);
  Column(const Column& other);
  Column& operator=(const Column&) = delete;
  Column(Column&&) noexcept = default;
  Column& operator=(Column&&) noexcept = default;

  Field field() const noexcept { return field_; }
  ColumnType type() const noexcept { return type_; }
  /// Physical rows.
  std::size_t size() const noexcept { return rows_; }

  /// Row `row` has a (non-null) value.
  bool valid(std::size_t row) const noexcept { return (bits()[row >> 6] >> (row & 63)) & 1; }
  /// Row `row` has the field (a value or an explicit null).
  bool present(std::size_t row) const noexcept {
    return valid(row) || (!null_.empty() && ((null_[row >> 6] >> (row & 63)) & 1));
  }
  /// Every row has a value: typed loops need no check per row.
  bool all_valid() const noexcept { return valid_rows_ == rows_; }
  /// Rows with a value.
  std::size_t valid_rows() const noexcept { return valid_rows_; }

  /// The value of `row` (null when null or absent). Strings point into this column or the
  /// arena of the batch that holds it.
  Value get(std::size_t row) const noexcept;

  /// Typed views (the column's type must match; rows without a value hold 0 / empty).
  std::span<const std::int64_t> ints() const noexcept { return {as<std::int64_t>(), rows_}; }
  std::span<const double> doubles() const noexcept { return {as<double>(), rows_}; }
  std::span<const std::uint8_t> bools() const noexcept { return {as<std::uint8_t>(), rows_}; }
  std::span<const StringView> strings() const noexcept { return {as<StringView>(), rows_}; }

  // ---- Writing: a column being built, or one from Batch::column_for_write(). ----

  /// Sets `row` (< size()) to `v`: a value, or null (an explicit null, not absent). A value
  /// of another type than the column's turns it into a `mixed` column. String values are
  /// referenced, not copied: keep their memory alive with the batch (Batch::arena()).
  void set(std::size_t row, Value v);
  /// Makes `row` absent.
  void set_absent(std::size_t row) noexcept;
  /// Appends a row (a value or null); append_absent() a row without the field.
  void append(Value v) { resize(rows_ + 1); set(rows_ - 1, v); }
  void append_absent() { resize(rows_ + 1); }
  /// Grows (new rows absent) or shrinks the column.
  void resize(std::size_t rows);
  void reserve(std::size_t rows);

  /// Typed writable views for bulk writing: write the values, then mark_valid() the rows.
  std::span<std::int64_t> ints_for_write() noexcept { return {as<std::int64_t>(), rows_}; }
  std::span<double> doubles_for_write() noexcept { return {as<double>(), rows_}; }
  std::span<std::uint8_t> bools_for_write() noexcept { return {as<std::uint8_t>(), rows_}; }
  std::span<StringView> strings_for_write() noexcept { return {as<StringView>(), rows_}; }
  /// Marks every row valid (after a bulk write of all rows).
  void mark_all_valid() noexcept;
  void mark_valid(std::size_t row) noexcept;

  /// Turns this column into one of type `t` holding the same values (to `mixed` always
  /// works; to a typed column when every value has that type).
  void convert_to(ColumnType t);

 private:
  friend struct detail::ColumnReuse;
  void store(std::size_t row, Value v);
  template <class T> T* as() const noexcept { return reinterpret_cast<T*>(data_.data()); }
  std::uint64_t* bits() const noexcept { return reinterpret_cast<std::uint64_t*>(valid_.data()); }
  std::size_t width() const noexcept;

  Field field_;
  ColumnType type_;
  std::size_t rows_ = 0;
  std::size_t valid_rows_ = 0;
  std::size_t capacity_rows_ = 0;
  ColumnBuffer data_;
  ColumnBuffer valid_;                // bit per row: has a value (words for capacity_rows_)
  std::vector<std::uint64_t> null_;   // bit per row: explicit null (empty: none)
  std::vector<Type> types_;           // mixed only: the type of each valid row
  bool first_value_types_ = true;     // no value yet: the first one set picks the type
};

}  // namespace graph_runner
