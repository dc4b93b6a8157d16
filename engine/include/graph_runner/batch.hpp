#pragma once
/// @file batch.hpp
/// Batches: what flows on every edge of a graph.
///
/// A Batch is an immutable block of records stored column by column. It is shared by
/// every consumer of a fan-out (a `BatchPtr` is a `shared_ptr<const Batch>`); a stage
/// that changes records makes a new batch, which shares the unchanged columns:
/// @code
///   void process(const BatchPtr& in, Emitter& out) override {
///     std::vector<Value> doubled(in->size());
///     const Column* col = in->find(value_);
///     for (std::size_t i = 0; i < in->size(); ++i)
///       doubled[i] = Value::of(col ? col->values[i].to_double() * 2 : 0.0);
///     out.emit(in->with_column(value_, std::move(doubled)));
///   }
/// @endcode
/// A batch also carries what keeps it valid and acknowledged: the string arenas its
/// values point into, and the tickets of the source batches it came from. A source
/// batch is acknowledged (and its source's backpressure token returned) when the last
/// batch derived from it is destroyed.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "graph_runner/export.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner {

/// One column: a field and one value per record.
struct Column {
  Field field;
  std::vector<Value> values;
};
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

/// An immutable, reference-counted block of records.
class GRAPH_RUNNER_API Batch {
 public:
  /// Number of records.
  std::size_t size() const noexcept { return rows_; }
  bool empty() const noexcept { return rows_ == 0; }

  /// The column for `f`, or nullptr when no record of this batch has that field.
  const Column* find(Field f) const noexcept {
    for (const auto& c : columns_)
      if (c->field == f) return c.get();
    return nullptr;
  }
  /// Value of field `f` in record `row` (null when absent).
  Value get(std::size_t row, Field f) const noexcept {
    const Column* c = find(f);
    return c ? c->values[row] : Value{};
  }
  /// All columns, in the order fields were first added.
  std::span<const ColumnPtr> columns() const noexcept { return columns_; }
  const Origin& origin() const noexcept { return origin_; }

  /// A new batch with the records at `rows` (ascending or not), sharing arenas and tickets.
  BatchPtr select(std::span<const std::uint32_t> rows) const;
  /// A new batch where field `f` is replaced (or added) with `values` (one per record).
  /// Other columns are shared, not copied. `arena` keeps new string values alive.
  BatchPtr with_column(Field f, std::vector<Value> values,
                       std::shared_ptr<const Arena> arena = nullptr) const;

  /// Anything this batch keeps alive: arenas and acknowledgement tickets. Engine and
  /// stages that combine batches (see BatchBuilder::keep) pass it on.
  std::span<const std::shared_ptr<const void>> keepalive() const noexcept { return keep_; }

 private:
  friend class BatchBuilder;
  std::size_t rows_ = 0;
  std::vector<ColumnPtr> columns_;
  std::vector<std::shared_ptr<const void>> keep_;
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
class GRAPH_RUNNER_API BatchBuilder {
 public:
  explicit BatchBuilder(std::size_t capacity = 256);

  /// Records a source should put in this batch at most (sources: stop reading when full()).
  std::size_t capacity() const noexcept { return capacity_; }
  /// Records so far (record by record, or the longest column when filled column-wise).
  std::size_t size() const noexcept;
  bool full() const noexcept { return size() >= capacity_; }

  /// Starts a new record; returns its row index. Fields not set stay null.
  std::size_t add_record() noexcept {
    std::size_t row = size();
    rows_ = row + 1;
    return row;
  }
  /// Sets field `f` of record `row` (row < size()).
  void set(std::size_t row, Field f, Value v);
  /// Column access for fast bulk building: values[i] is record i (padded with nulls on
  /// finish). The reference stays valid until finish(), also when other columns are added.
  std::vector<Value>& column(Field f);
  /// Sets the record count directly (after filling columns in bulk).
  void resize(std::size_t rows) noexcept { rows_ = rows; }

  /// Copies a string into this batch's arena and returns a value pointing to it.
  Value string(std::string_view s);
  Value bytes(std::string_view s);
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
  std::size_t capacity_;
  std::size_t rows_ = 0;
  std::deque<std::pair<Field, std::vector<Value>>> columns_;  // deque: column() references stay valid
  std::shared_ptr<Arena> arena_;
  std::vector<std::shared_ptr<const void>> keep_;
  Origin origin_;
  bool has_origin_ = false;
};

}  // namespace graph_runner
