// Filtering straight to a selection (DuckDB's Select): a condition produces the records it is
// true for, not a bool vector. `a && b` selects with `a`, then with `b` among those; a
// comparison of a field with a literal, and starts_with/ends_with/contains/matches of a string
// field with a literal, are one loop over the column itself (no copy of its values, one
// branch-free append per record). Anything else is evaluated (Eval::run) and its truth taken.
#include <re2/re2.h>

#include <cstring>

#include "eval.hpp"
#include "functions.hpp"

namespace graph_runner::expr {
namespace {

Op flipped(Op op) {
  switch (op) {
    case Op::lt: return Op::gt;
    case Op::le: return Op::ge;
    case Op::gt: return Op::lt;
    case Op::ge: return Op::le;
    default: return op;
  }
}

bool is_comparison(Op op) { return op >= Op::lt && op <= Op::ne; }

// Appends the records of `sel` whose physical row passes `keep`, branch-free.
template <class Keep>
void scan(const Batch& batch, const Column& c, Sel sel, std::vector<std::uint32_t>& out, Keep keep) {
  out.resize(sel.size());
  std::uint32_t* o = out.data();
  std::size_t k = 0;
  const bool selected = batch.has_selection();
  const std::uint32_t* rows = batch.selection().data();
  if (c.all_valid()) {
    if (selected) for (std::uint32_t i : sel) { o[k] = i; k += keep(rows[i]); }
    else for (std::uint32_t i : sel) { o[k] = i; k += keep(i); }
  } else {
    for (std::uint32_t i : sel) {
      const std::size_t r = selected ? rows[i] : i;
      o[k] = i;
      k += c.valid(r) && keep(r);
    }
  }
  out.resize(k);
}

template <class T, class U>
bool scan_compare(const Batch& batch, const Column& c, const T* v, Op op, U want, Sel sel, std::vector<std::uint32_t>& out) {
  switch (op) {
    case Op::lt: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] < want; }); break;
    case Op::le: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] <= want; }); break;
    case Op::gt: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] > want; }); break;
    case Op::ge: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] >= want; }); break;
    case Op::eq: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] == want; }); break;
    default: scan(batch, c, sel, out, [&](std::size_t r) { return v[r] != want; }); break;
  }
  return true;
}

}  // namespace

// `field OP literal` (either side): true when handled here.
bool Eval::select_compare(const Node& n, Sel sel, std::vector<std::uint32_t>& out) {
  const Node* f = n.args[0].get();
  const Node* lit = n.args[1].get();
  Op op = n.op;
  if (f->op != Op::field) {
    std::swap(f, lit);
    op = flipped(op);
  }
  if (f->op != Op::field || !lit->is_literal()) return false;
  const Value want = lit->value;
  const Column* c = batch.find(f->field);
  if (!c || want.is_null()) return false;  // null: the general path knows `== null`
  if (c->type() == ColumnType::string && want.type() == Type::string) {
    const StringView* v = c->strings().data();
    if (op == Op::eq || op == Op::ne) {
      const StringView w(want.as_string());
      const bool eq = op == Op::eq;
      if (w.is_inline()) {
        // A short literal equals a view exactly when all 16 bytes do (length, then the bytes,
        // zero-padded): two word compares, no call.
        std::uint64_t w0, w1;
        std::memcpy(&w0, &w, 8);
        std::memcpy(&w1, reinterpret_cast<const char*>(&w) + 8, 8);
        const char* base = reinterpret_cast<const char*>(v);
        scan(batch, *c, sel, out, [&](std::size_t r) {
          std::uint64_t h0, h1;
          std::memcpy(&h0, base + 16 * r, 8);
          std::memcpy(&h1, base + 16 * r + 8, 8);
          return ((h0 == w0) & (h1 == w1)) == eq;
        });
      } else {
        scan(batch, *c, sel, out, [&](std::size_t r) { return (v[r] == w) == eq; });  // length and prefix first
      }
      return true;
    }
    const std::string_view w = want.as_string();
    switch (op) {
      case Op::lt: scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view() < w; }); break;
      case Op::le: scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view() <= w; }); break;
      case Op::gt: scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view() > w; }); break;
      default: scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view() >= w; }); break;
    }
    return true;
  }
  if (c->type() == ColumnType::int64 && want.type() == Type::int64) return scan_compare(batch, *c, c->ints().data(), op, want.as_int(), sel, out);
  if (c->type() == ColumnType::int64 && want.type() == Type::float64)
    return scan_compare(batch, *c, c->ints().data(), op, want.as_double(), sel, out);
  if (c->type() == ColumnType::float64 && want.is_number())
    return scan_compare(batch, *c, c->doubles().data(), op, want.to_double(), sel, out);
  return false;
}

// starts_with / ends_with / contains / matches of a string field with a literal.
bool Eval::select_call(const Node& n, Sel sel, std::vector<std::uint32_t>& out) {
  const std::string_view name = n.fn->name;
  if (n.args.size() != 2 || n.args[0]->op != Op::field || !n.args[1]->is_literal()) return false;
  const Column* c = batch.find(n.args[0]->field);
  if (!c || c->type() != ColumnType::string || n.args[1]->value.type() != Type::string) return false;
  const StringView* v = c->strings().data();
  const std::string_view w = n.args[1]->value.as_string();
  if (name == "matches") {
    const re2::RE2& re = *n.regex;
    scan(batch, *c, sel, out, [&](std::size_t r) {
      const std::string_view s = v[r].view();
      return re2::RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
    });
  } else if (name == "starts_with" && w.size() <= 4) {
    // A prefix of up to 4 bytes is decided by the view's prefix word, without reading the string.
    std::uint32_t want = 0, mask = 0;
    std::memcpy(&want, w.data(), w.size());
    std::memset(&mask, 0xff, w.size());
    const std::uint32_t size = static_cast<std::uint32_t>(w.size());
    scan(batch, *c, sel, out, [&](std::size_t r) { return (v[r].size() >= size) & ((v[r].prefix() & mask) == want); });
  } else if (name == "starts_with") {
    scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view().starts_with(w); });
  } else if (name == "ends_with") {
    scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view().ends_with(w); });
  } else if (name == "contains") {
    scan(batch, *c, sel, out, [&](std::size_t r) { return v[r].view().find(w) != std::string_view::npos; });
  } else {
    return false;
  }
  return true;
}

void Eval::select(const Node& n, Sel sel, std::vector<std::uint32_t>& out) {
  out.clear();
  if (sel.empty()) return;
  if (n.op == Op::and_) {
    auto& left = selection();
    select(*n.args[0], sel, left);
    select(*n.args[1], left, out);
    release();
    return;
  }
  if (is_comparison(n.op) && select_compare(n, sel, out)) return;
  if (n.op == Op::call && select_call(n, sel, out)) return;
  run(n, sel);
  split_truth(n, vec(n), sel, out, nullptr);
}

}  // namespace graph_runner::expr
