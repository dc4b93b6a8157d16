#pragma once
/// @file batch.hpp
/// Batches: what flows on every edge of a graph (SDK 2.0).
///
/// A batch is a block of records stored column by column (column.hpp), plus an optional
/// **selection**: the rows still in the batch after a filter. Readers go through the
/// selection; nothing is copied to drop a record. Record `i` of a batch is physical row
/// `row(i)` of its columns:
/// @code
///   const Column* c = in->find(value_);
///   for (std::size_t i = 0; i < in->size(); ++i) total += c ? c->get(in->row(i)).to_double() : 0;
///   // or, for the common case of a typed column, a tight loop:
///   in->for_each_row([&](std::size_t r) { total += c->doubles()[r]; });
/// @endcode
///
/// **Ownership.** A batch handed to a stage is shared (`BatchPtr`, read-only) unless the
/// stage takes it: `Emitter::take(std::move(in))` returns the batch itself, to change in
/// place, when this call is its only consumer, and otherwise a copy that shares every
/// column. Changing a column that another batch shares copies that column first
/// (column_for_write()), so no consumer ever sees another's change. The engine decides,
/// not the plugin author's care:
/// @code
///   void process(BatchPtr in, Emitter& out) override {
///     std::shared_ptr<Batch> b = out.take(std::move(in));
///     Column& c = b->column_for_write(value_);            // in place when not shared
///     if (c.type() == ColumnType::float64)
///       b->for_each_row([&](std::size_t r) { c.doubles_for_write()[r] *= 2; });
///     out.emit(std::move(b));
///   }
/// @endcode
/// A batch also carries what keeps it valid and acknowledged: the string arenas its
/// values point into, and the tickets of the source batches it came from. A source
/// batch is acknowledged (and its source's backpressure token returned) when the last
/// batch derived from it is destroyed.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "graph_runner/column.hpp"
#include "graph_runner/export.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner {

using ColumnPtr = std::shared_ptr<const Column>;

/// Where a batch came from: used in error messages and acknowledgements.
struct Origin {
  std::uint32_t source = 0;       ///< index of the source node in the graph
  std::uint64_t batch = 0;        ///< sequence number of the source batch (0, 1, 2, ...)
  std::uint64_t first_record = 0; ///< sequence number of its first record within the source
};

/// Memory for string and bytes values. Append-only; owned by the batches that use it.
class GRAPH_RUNNER_API Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  /// Copies `s` into the arena; the view stays valid while the arena lives.
  std::string_view copy(std::string_view s);
  std::size_t bytes_used() const noexcept { return used_; }

 private:
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_left_ = 0;
  char* cursor_ = nullptr;
  std::size_t used_ = 0;
};

class Batch;
using BatchPtr = std::shared_ptr<const Batch>;

namespace detail {
struct BatchReuse;  // the library's pool of small batches (not part of the SDK)
}

/// A reference-counted block of records: read-only when shared (BatchPtr), changeable by
/// the one who owns it (see the file comment).
class GRAPH_RUNNER_API Batch {
 public:
  Batch() = default;
  /// A copy sharing every column, arena and ticket (copying a batch copies no record data).
  Batch(const Batch& other);
  Batch& operator=(const Batch&) = delete;

  /// Number of records (selected rows).
  std::size_t size() const noexcept { return selected_ ? selection_.size() : rows_; }
  bool empty() const noexcept { return size() == 0; }
  /// The physical row of record `i` in the columns.
  std::size_t row(std::size_t i) const noexcept { return selected_ ? selection_[i] : i; }
  /// Calls `f(physical_row)` for every record, in order: two plain loops, no branch per row.
  template <class F>
  void for_each_row(F&& f) const {
    if (selected_) for (std::uint32_t r : selection_) f(static_cast<std::size_t>(r));
    else for (std::size_t r = 0; r < rows_; ++r) f(r);
  }
  /// Rows in the columns (size() when nothing is deselected).
  std::size_t physical_size() const noexcept { return rows_; }
  /// The selected physical rows, ascending; empty when every row is selected.
  std::span<const std::uint32_t> selection() const noexcept { return selection_; }
  bool has_selection() const noexcept { return selected_; }

  /// The column for `f`, or nullptr when no record of this batch has that field.
  const Column* find(Field f) const noexcept;
  /// Value of field `f` in record `i` (null when null or absent).
  Value get(std::size_t i, Field f) const noexcept {
    const Column* c = find(f);
    return c ? c->get(row(i)) : Value{};
  }
  /// All columns, in the order fields were first added.
  std::span<const ColumnPtr> columns() const noexcept { return columns_; }
  const Origin& origin() const noexcept { return origin_; }

  /// A new batch of the records at `rows` (indexes into this batch's records, ascending),
  /// sharing the columns: only the selection is new.
  BatchPtr select(std::span<const std::uint32_t> rows) const;
  /// A new batch where field `f` is replaced (or added) with `values`, one per record
  /// (size() values). Other columns are shared. `arena` keeps new string values alive.
  BatchPtr with_column(Field f, std::span<const Value> values, std::shared_ptr<const Arena> arena = nullptr) const;
  /// A batch of the selected rows only, columns copied (for a stage that keeps batches
  /// long, where the deselected rows would waste memory). This batch if nothing is deselected.
  BatchPtr compacted() const;

  /// Anything this batch keeps alive: arenas and acknowledgement tickets. Engine and
  /// stages that combine batches (see BatchBuilder::keep) pass it on.
  std::span<const std::shared_ptr<const void>> keepalive() const noexcept { return keep_; }

  // ---- Changing a batch you own (from Emitter::take() or make_shared<Batch>()). ----

  /// The column of `f` to change in place: copied first when another batch shares it,
  /// created (every row absent) when missing. Rows are physical: go through row(i).
  Column& column_for_write(Field f, ColumnType type_if_new = ColumnType::mixed);
  /// Replaces (or adds) the column of its field. Its size must be physical_size().
  void put(ColumnPtr column);
  /// Removes the column of `f` (no-op when absent).
  void remove(Field f);
  /// Keeps only records `rows` (indexes into this batch's records, ascending).
  void keep_rows(std::span<const std::uint32_t> rows);
  /// An arena for new strings, kept alive with this batch and those derived from it.
  Arena& arena();
  /// A string value for this batch's columns: short strings sit in the column itself
  /// (StringView), longer ones are copied into arena(). `column.set(row, b->string(text))`.
  Value string(std::string_view s) {
    return Value::string_ref(s.size() <= StringView::max_inline ? s : arena().copy(s));
  }
  /// Keeps `other`'s arenas and tickets alive with this batch (needed when values are
  /// copied from `other`).
  void keep(const Batch& other);
  /// Keeps any object alive with this batch.
  void attach(std::shared_ptr<const void> keepalive) { keep_.push_back(std::move(keepalive)); }
  void set_origin(const Origin& o) noexcept { origin_ = o; }
  /// Sets the number of physical rows of an empty batch being filled with put().
  void set_physical_size(std::size_t rows) noexcept { rows_ = rows; }

 private:
  friend class BatchBuilder;
  friend struct detail::BatchReuse;
  std::size_t index_of(Field f) const noexcept;
  void reindex();

  std::size_t rows_ = 0;
  bool selected_ = false;
  std::vector<std::uint32_t> selection_;
  std::vector<ColumnPtr> columns_;
  std::vector<std::uint32_t> by_field_;  // column indexes sorted by field id (wide batches only)
  std::vector<std::shared_ptr<const void>> keep_;
  std::shared_ptr<Arena> arena_;         // the arena() of this batch (also in keep_)
  Origin origin_;
};

/// Builds a batch record by record or column by column.
/// @code
///   BatchBuilder b;
///   std::size_t r = b.add_record();
///   b.set(r, id_, Value::of(std::int64_t{42}));
///   b.set(r, name_, b.string("alice"));      // copied into the batch's arena
///   BatchPtr batch = b.finish();
/// @endcode
/// A field never set in a record is absent from it (writers leave it out); set it to
/// `Value{}` for an explicit null. Memory follows the data: a source reading records whose
/// keys vary widely sees full() early, when a batch's columns would be mostly absent.
class GRAPH_RUNNER_API BatchBuilder {
 public:
  explicit BatchBuilder(std::size_t capacity = 256);
  BatchBuilder(BatchBuilder&&) noexcept;
  ~BatchBuilder();

  /// Records a source should put in this batch at most (sources: stop reading when full()).
  std::size_t capacity() const noexcept { return capacity_; }
  /// Records so far: those added, or the longest column when filled column by column.
  std::size_t size() const noexcept { return bulk_ ? bulk_size() : rows_; }
  /// Stop adding records: capacity reached, or the columns are mostly absent (wide, sparse
  /// records: more than 8 column cells per value set).
  bool full() const noexcept {
    const std::size_t rows = size();
    return rows >= capacity_ || (columns_.size() > 32 && columns_.size() * rows > 8 * cells_ + 256);
  }

  /// Starts a new record; returns its row index. Fields not set stay absent.
  std::size_t add_record() noexcept {
    const std::size_t row = size();
    rows_ = row + 1;
    return row;
  }
  /// Sets field `f` of record `row` (row < size()).
  void set(std::size_t row, Field f, Value v);
  /// The column of `f` for bulk building (created with `type` when new). Its rows are
  /// physical rows; the batch has as many records as its longest column, or as resize() says.
  Column& column(Field f, ColumnType type = ColumnType::mixed);
  /// Sets the record count directly (after filling columns in bulk), or drops the last records.
  void resize(std::size_t rows);
  /// Whether some field of the last record came in another order than in the records before
  /// (writers keep the batch's column order, so a source that must keep each record's key
  /// order ends the batch before such a record: resize(size() - 1), then start it anew).
  bool last_record_reordered() const noexcept { return reordered_row_ + 1 == rows_ && rows_ > 0; }

  /// Copies a string into this batch's arena and returns a value pointing to it.
  Value string(std::string_view s);
  Value bytes(std::string_view s);
  Value json(std::string_view s);
  /// The arena of the batch being built.
  Arena& arena();
  /// Keeps `other`'s arenas and tickets alive with the new batch: needed when values
  /// are copied from `other`, and so that `other`'s source is acknowledged only after
  /// the new batch is consumed.
  void keep(const Batch& other);
  /// Keeps any object alive as long as the new batch and every batch derived from it
  /// (the engine attaches acknowledgement tickets this way).
  void attach(std::shared_ptr<const void> keepalive) { keep_.push_back(std::move(keepalive)); }
  /// The origin reported for the new batch (default: that of the first kept batch).
  void set_origin(const Origin& o) noexcept { origin_ = o; has_origin_ = true; }

  /// Produces the batch and resets the builder for reuse.
  BatchPtr finish();

 private:
  Column& column_at(Field f, ColumnType type);
  std::size_t bulk_size() const noexcept;
  std::size_t capacity_;
  bool bulk_ = false;  // column() was used: columns may be longer than rows_
  std::size_t rows_ = 0;
  std::size_t cells_ = 0;
  std::size_t hint_ = 0;          // the column after the one last set: records repeat their order
  std::size_t last_set_row_ = SIZE_MAX, last_set_column_ = 0;
  std::size_t reordered_row_ = SIZE_MAX;
  std::vector<std::unique_ptr<Column>> columns_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> index_;  // (field id, column), sorted
  std::shared_ptr<Arena> arena_;
  std::vector<std::shared_ptr<const void>> keep_;
  Origin origin_;
  bool has_origin_ = false;
};

}  // namespace graph_runner
