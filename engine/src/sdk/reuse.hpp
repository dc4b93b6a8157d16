#pragma once
// Whole small columns and batches, recycled with their memory. A batch of a few records (at
// graph.batch_size = 1, one per record) made and freed per batch a Batch with its vectors of
// columns and keepalives, and per field a Column with its two buffers (~13 allocations and
// size-class lookups). A small one freed here keeps that memory and goes, reset, to a
// per-thread pool (detail::LivePool, whose depot passes objects from the thread that frees
// them to the one that makes them); the next column of any field and type, or the next batch,
// takes it. Bigger ones are freed as before: their cost is spread over their rows, and a pool
// of them would hold memory for nothing. Under AddressSanitizer nothing is pooled (plain new
// and delete), so a use after free is still caught.
#include <cstddef>
#include <memory>

#include "graph_runner/batch.hpp"

namespace graph_runner::detail {

/// Bytes per row of a column of type `t` (Column::width(), inline for the hot paths).
constexpr std::size_t column_width(ColumnType t) noexcept {
  switch (t) {
    case ColumnType::int64:
    case ColumnType::float64: return 8;
    case ColumnType::boolean: return 1;
    default: return 16;
  }
}

/// A column of `rows` absent rows, as Column(f, t, rows), from this thread's pool if it has one.
Column* take_column(Field f, ColumnType t, std::size_t rows);
/// A column from take_column() back to the pool (small ones), or destroyed.
void give_column(Column* c) noexcept;
/// The deleter of a column from take_column().
struct GiveColumn {
  void operator()(Column* c) const noexcept { give_column(c); }
};
/// Shares a column from take_column(): the last reference gives it back.
std::shared_ptr<Column> share_column(Column* c);
inline std::shared_ptr<Column> make_column(Field f, ColumnType t, std::size_t rows) {
  return share_column(take_column(f, t, rows));
}

/// An empty batch; the last reference resets it (its columns and keepalives released at once)
/// and gives it back to the pool.
std::shared_ptr<Batch> make_batch();

}  // namespace graph_runner::detail
