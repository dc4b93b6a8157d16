#include "parsed_batch.hpp"

namespace graph_runner::plugins {

std::uint32_t ParsedBatch::add_column(std::uint32_t& column, Field f, Type t) {
  const auto index = static_cast<std::uint32_t>(columns.size());
  columns.emplace_back(f, column_type_for(t), 0);
  // A field the batch's first record lacks is mostly absent (sparse keys: each value a
  // column of its own): room up to its row, growing by doubling if more rows come.
  columns.back().reserve(rows == 0 ? std::min(capacity, expected_rows) : rows + 1);
  pending_.emplace_back();
  column = index;
  return index;
}

void ParsedBatch::mark_pending(std::uint32_t index) {
  Pending& p = pending_[index];
  for (std::size_t r = p.first; r < p.end; ++r) columns[index].mark_valid(r);
  p.marked = p.marked || p.first < p.end;
  p.first = p.end;
}

void ParsedBatch::finish_columns() {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    Column& c = columns[i];
    Pending& p = pending_[i];
    if (c.size() > rows) c.resize(rows);
    p.end = std::min(p.end, rows);
    p.first = std::min(p.first, p.end);
    if (p.first == 0 && p.end == rows && !p.marked && c.valid_rows() == 0 && rows > 0) {
      c.mark_all_valid();  // a value in every row, none marked yet (nor null: set() marks)
      p.first = p.end;
      p.marked = true;
    } else {
      mark_pending(static_cast<std::uint32_t>(i));
    }
  }
}

void ParsedBatch::drop_record() {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].size() > rows) columns[i].resize(rows);
    Pending& p = pending_[i];  // row `rows` leaves the pending run
    p.end = std::min(p.end, rows);
    p.first = std::min(p.first, p.end);
  }
  while (columns.size() > record_columns_) {
    pending_.pop_back();
    columns.pop_back();
  }
  cells = record_cells_;
  last_index_ = -1;
  reordered_ = false;
}

void ParsedBatch::truncate(std::size_t row) {
  rows = row;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].size() > row) columns[i].resize(row);
    Pending& p = pending_[i];
    p.end = std::min(p.end, row);
    p.first = std::min(p.first, p.end);
  }
}

void ParsedBatch::move_into(BatchBuilder& out) {
  finish_columns();
  const std::size_t base = out.size();
  for (Column& src : columns) {
    Column& dst = out.column(src.field(), src.type());
    if (base == 0 && dst.size() == 0) {
      dst = std::move(src);
      continue;
    }
    // Appended after records of other blocks (small files filling one batch): row by row.
    dst.resize(base);
    dst.reserve(base + rows);
    for (std::size_t r = 0; r < src.size(); ++r) {
      if (src.valid(r)) dst.append(src.get(r));
      else if (src.present(r)) dst.append(Value{});
      else dst.append_absent();
    }
  }
  columns.clear();
  pending_.clear();
  out.resize(base + rows);
  out.attach(arena);
}

}  // namespace graph_runner::plugins
