#pragma once
// A batch of records parsed from JSON, column by column (JsonFields fills it): typed columns
// built outside any BatchBuilder so that a worker thread can build them, then moved into
// the source's batch (move_into()).
//
// Built for speed, not as a BatchBuilder: values of a column's type are written into the
// column in place, columns grow ahead of the records, and values are marked valid in runs;
// finish_columns() (move_into() calls it) makes the columns complete.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/column.hpp"
#include "string_cells.hpp"

namespace graph_runner::plugins {

/// Records parsed from JSON, column by column, with the arena their long strings live in.
struct ParsedBatch {
  std::vector<Column> columns;  // in the order fields first appeared: the batch's column order
  std::size_t rows = 0;
  std::size_t capacity = 256;  // records it will hold at most
  /// Rows a column of the batch's first record reserves (at most capacity; the column grows
  /// by doubling beyond): the parser sets the size of its previous batch, so a batch of
  /// sparse records does not reserve `capacity` rows for each of its many mostly absent
  /// columns.
  std::size_t expected_rows = SIZE_MAX;
  std::size_t cells = 0;       // values set (the sparse-batch rule of BatchBuilder::full())
  bool closed = false;         // ended before a record whose keys came in another order
  std::shared_ptr<Arena> arena = std::make_shared<Arena>();
  /// Bad lines among this batch's records, in file order, for Context::reject_input: each
  /// after `row` of the batch's records, with its text and "FILE:LINE:COL: what is wrong".
  /// Kept in the batch rather than starting a new one: a batch per bad line made 0.5 % of
  /// bad lines cost 5x the batches downstream.
  struct BadLine {
    std::size_t row;
    std::string input, error;
  };
  std::vector<BadLine> bad_lines;

  /// No more records: capacity reached, ended before a reordered record, or the columns
  /// are mostly absent (the same rule as BatchBuilder::full()).
  bool full() const noexcept {
    return closed || rows >= capacity || (columns.size() > 32 && columns.size() * rows > 8 * cells + 256);
  }

  /// About the memory its columns take: what parsing ahead is bounded by (ParsePool).
  std::size_t bytes() const noexcept {
    std::size_t cells = 0;
    for (const Column& c : columns) cells += std::min(c.size(), rows);  // (columns grow ahead)
    return columns.size() * sizeof(Column) + cells * 16;
  }

  // ---- Building record `rows` (JsonFields::add). ----
  /// Starts record `rows`.
  void begin_record() noexcept {
    record_columns_ = columns.size();
    record_cells_ = cells;
    last_index_ = -1;
    reordered_ = false;
  }
  /// Sets field `f` of record `rows` to `v` (a repeated key: the last wins). `column`: where
  /// the field's column was last seen, in this batch or another one (a hint kept by
  /// JsonFields, one per field, updated here). The field -> column map lives with the
  /// parser, not the batch: a table per batch sized by every key ever seen made sparse keys
  /// cost batches x keys (400 KB per batch for 100,000 names).
  void set(std::uint32_t& column, Field f, Value v) {
    const std::uint32_t index = cell(column, f, v.type());
    Column& c = columns[index];
    // A value of the column's type is written in place (Column::set, out of line in the
    // SDK library, cost a call, a type check and a resize per value); the rest through set().
    switch (c.type()) {
      case ColumnType::int64:
        if (v.type() != Type::int64) break;
        c.ints_for_write()[rows] = v.as_int();
        return written(index);
      case ColumnType::float64:
        if (v.type() != Type::float64) break;
        c.doubles_for_write()[rows] = v.as_double();
        return written(index);
      case ColumnType::boolean:
        if (v.type() != Type::boolean) break;
        c.bools_for_write()[rows] = v.as_bool() ? 1 : 0;
        return written(index);
      default: break;
    }
    mark_pending(index);
    c.set(rows, v);
  }
  /// set() for a string or json value `s` (`t`) that stands in simdjson's padded input:
  /// copied into the arena when longer than StringView::max_inline, else into the cell.
  void set_text(std::uint32_t& column, Field f, std::string_view s, Type t) {
    const std::uint32_t index = cell(column, f, t);
    Column& c = columns[index];
    if (c.type() != (t == Type::string ? ColumnType::string : ColumnType::json)) {
      mark_pending(index);
      c.set(rows, Value::string_ref(s.size() <= StringView::max_inline ? s : arena->copy(s), t));
      return;
    }
    StringView& view = c.strings_for_write()[rows];
    if (s.size() <= StringView::max_inline) store_short_string(view, s);
    else store_long_string(view, arena->copy(s));
    written(index);
  }
  /// Whether record `rows` came with its keys in another order than the records before it.
  bool reordered() const noexcept { return reordered_ && rows > 0; }
  /// Ends record `rows`: it is part of the batch.
  void end_record() noexcept { ++rows; }
  /// Drops what record `rows` got so far (a record that failed half way, or came reordered).
  void drop_record();

  /// Keeps only the first `row` records (the records before a bad line under `fail`).
  void truncate(std::size_t row);
  /// Appends these records to `out` (moving the columns when `out` is empty) and keeps the
  /// arena alive with the batch. Appending to a non-empty `out` keeps each record's key order
  /// only when the columns come in an order `out`'s columns agree with (the source checks).
  void move_into(BatchBuilder& out);
  /// Makes `columns` complete: `rows` rows each, every value marked valid. (Until then
  /// columns may be longer, and values written in place not marked yet.)
  void finish_columns();

 private:
  // The index of the column of `f` for a value of type `t` at row `rows` (the cell counted).
  std::uint32_t cell(std::uint32_t& column, Field f, Type t) {
    std::uint32_t index = column;
    if (index >= columns.size() || columns[index].field() != f) index = add_column(column, f, t);
    const auto i = static_cast<std::int64_t>(index);
    if (i <= last_index_) reordered_ = true;
    last_index_ = i;
    Column& c = columns[index];
    if (c.size() <= rows) grow(c);
    ++cells;
    return index;
  }
  // Values written in place are marked valid later, a run of rows per column at once:
  // Column::mark_valid per value, a call into the SDK library, cost 5% of a nested-JSONL
  // run; a column with a value in every row is marked by one mark_all_valid().
  struct Pending {
    std::size_t first = 0, end = 0;  // rows [first, end) hold values not marked valid yet
    bool marked = false;             // some row was marked valid before `first`
  };
  // Row `rows` of column `index` got a value in place.
  void written(std::uint32_t index) {
    Pending& p = pending_[index];
    if (rows == p.end) ++p.end;
    else if (rows + 1 != p.end || p.first > rows) {  // (else a repeated key, its row pending)
      mark_pending(index);
      p.first = rows;
      p.end = rows + 1;
    }
  }
  // Marks the pending rows of column `index` valid (before Column::set, whose rules read
  // which rows have values).
  void mark_pending(std::uint32_t index);
  // A new column for `f` (its first value of type `t`), noted in the hint `column`.
  std::uint32_t add_column(std::uint32_t& column, Field f, Type t);
  // Makes row `rows` of `c` exist: columns grow ahead of the records (absent rows), so
  // that a record does not resize each of them; finish_columns() trims them.
  void grow(Column& c) const { c.resize(std::max(rows + 1, std::min(capacity, 2 * c.size()))); }

  std::vector<Pending> pending_;  // per column
  std::size_t record_columns_ = 0, record_cells_ = 0;
  std::int64_t last_index_ = -1;
  bool reordered_ = false;
};

}  // namespace graph_runner::plugins
