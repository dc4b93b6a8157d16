#include "column_ops.hpp"

#include <memory>

namespace graph_runner::plugins {

namespace {
// Copies row `from` of `src` into row `to` of `dst`: a value, an explicit null or absent.
void copy_row(const Column& src, std::size_t from, Column& dst, std::size_t to) {
  if (src.valid(from))
    dst.set(to, src.get(from));
  else if (src.present(from))
    dst.set(to, Value{});
  else
    dst.set_absent(to);
}
}  // namespace

ColumnPtr relabeled(const Column& c, Field to) {
  auto out = std::make_shared<Column>(to, c.type(), c.size());
  for (std::size_t r = 0; r < c.size(); ++r)
    if (c.present(r)) copy_row(c, r, *out, r);
  return out;
}

ColumnPtr overlaid(const Column& base, const Column& top, Field f) {
  auto out = std::make_shared<Column>(f, top.type(), base.size());
  for (std::size_t r = 0; r < base.size(); ++r) copy_row(top.present(r) ? top : base, r, *out, r);
  return out;
}

void remove_rows(Batch& b, Field f, std::span<const std::uint32_t> rows) {
  const Column* c = b.find(f);
  if (!c || rows.empty()) return;
  auto rest = std::make_shared<Column>(*c);
  for (std::uint32_t r : rows) rest->set_absent(r);
  for (std::size_t r = 0; r < rest->size(); ++r)
    if (rest->present(r)) return b.put(std::move(rest));
  b.remove(f);
}

void put_over(Batch& b, ColumnPtr column) {
  if (const Column* old = b.find(column->field())) column = overlaid(*old, *column, column->field());
  b.put(std::move(column));
}

std::shared_ptr<Batch> with_columns(const Batch& in, std::span<const ColumnPtr> columns) {
  auto b = std::make_shared<Batch>();
  b->set_physical_size(in.physical_size());
  for (const ColumnPtr& c : columns) b->put(c);
  b->keep(in);
  b->set_origin(in.origin());
  // A fresh batch has no selection: its record i is row i, so the input's rows carry over.
  if (in.has_selection()) b->keep_rows(in.selection());
  return b;
}

}  // namespace graph_runner::plugins
