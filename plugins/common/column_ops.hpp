#pragma once
// Column operations of the reshaping stages (rename, parse_json, parse_regex). The SDK keeps
// a column's field inside the column, so a column under another name is a new column: its
// 16-byte cells are copied, strings stay where they are (the batch's arenas).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/column.hpp"

namespace graph_runner::plugins {

/// A copy of `c` under field `to`: same rows, values, nulls and absent rows.
ColumnPtr relabeled(const Column& c, Field to);

/// Field `f` with the rows of `top` where it has the field (a value or null), and those of
/// `base` elsewhere: how a new value replaces an existing field, row by row.
ColumnPtr overlaid(const Column& base, const Column& top, Field f);

/// Makes field `f` absent from physical `rows` of `b` (the text a parse_* stage parsed): the
/// column is copied, or removed when no row keeps the field.
void remove_rows(Batch& b, Field f, std::span<const std::uint32_t> rows);

/// Puts `column` into `b`: added when `b` has no such field, else overlaid onto the existing
/// column (the new rows win where present).
void put_over(Batch& b, ColumnPtr column);

/// A new batch of `columns` (in this order, each of in.physical_size() rows) with the records,
/// arenas, tickets and origin of `in`: columns are shared, nothing is copied.
std::shared_ptr<Batch> with_columns(const Batch& in, std::span<const ColumnPtr> columns);

}  // namespace graph_runner::plugins
