#include "eval.hpp"

#include <algorithm>
#include <bit>
#include <type_traits>

#include "functions.hpp"
#include "json.hpp"
#include "ops.hpp"

namespace graph_runner::expr {
namespace {

// Splits `sel` into the records `truth` holds for (yes) and the others (no, when asked for),
// branch-free: a condition true for half the records mispredicts half the time.
template <class Truth>
void split_by(Sel sel, Truth truth, std::vector<std::uint32_t>& yes, std::vector<std::uint32_t>* no) {
  yes.resize(sel.size());
  std::size_t y = 0;
  if (no) {
    no->resize(sel.size());
    std::uint32_t* out_no = no->data();
    std::size_t m = 0;
    for (std::uint32_t i : sel) {
      const bool t = truth(i);
      yes[y] = i;
      out_no[m] = i;
      y += t;
      m += !t;
    }
    no->resize(m);
  } else {
    for (std::uint32_t i : sel) {
      yes[y] = i;
      y += truth(i);
    }
  }
  yes.resize(y);
}

}  // namespace

std::string operand_name(const Node& n, std::string_view text) {
  if (n.op == Op::field) return "field \"" + n.text + "\"";
  if (n.op == Op::call) return n.text + "() at column " + std::to_string(n.column);
  return "the operand at column " + std::to_string(n.column);
}

void Eval::fail(std::uint32_t i, const std::string& message) {
  if (s.failed_[i]) return;
  s.failed_[i] = 1;
  s.errors_.push_back({i, message + " (record " + std::to_string(i) + " of the batch)"});
}

void Eval::operand_failure(const Node& n, std::uint32_t i, int which, std::string_view expected, const std::string& detail,
                           const Value& found) {
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(which), n.args.size() - 1);
  if (!detail.empty()) {
    fail(i, "\"" + n.text + "\" at column " + std::to_string(n.column) + ": " + detail);
    return;
  }
  fail(i, operand_name(*n.args[k], text) + ": expected " + std::string(expected) + " for \"" + n.text + "\", found " +
              describe_value(found));
}

void Eval::run(const Node& n, Sel sel) {
  Vector& out = vec(n);
  switch (n.op) {
    case Op::literal:
      out.reset(kind_of(n.value.type()), 1, true);
      set(out, 0, n.value);
      out.no_nulls = !n.value.is_null();
      return;
    case Op::field: field(n, sel); return;
    case Op::and_:
    case Op::or_:
    case Op::not_: logic(n, sel); return;
    case Op::coalesce: coalesce(n, sel); return;
    case Op::cond: conditional(n, sel); return;
    case Op::in: in(n, sel); return;
    case Op::call: call(n, sel); return;
    default: break;
  }
  for (const auto& a : n.args) run(*a, sel);
  switch (n.op) {
    case Op::neg: case Op::add: case Op::sub: case Op::mul: case Op::div: case Op::mod: case Op::pow:
      if (arithmetic_typed(n, sel)) return;
      break;
    case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::eq: case Op::ne:
      if (compare_typed(n, sel)) return;
      break;
    default: break;
  }
  generic(n, sel);
}

// A field's column gathered through the batch's selection, typed as the column is.
void Eval::field(const Node& n, Sel sel) {
  Vector& out = vec(n);
  const Column* c = batch.find(n.field);
  if (!c) {
    out.reset(Kind::null, 1, true);
    return;
  }
  const bool through = selected();
  const std::uint32_t* rows = batch.selection().data();
  const std::size_t size = records();
  const bool valued = c->all_valid();  // no nulls to write or read
  auto gather = [&](Kind kind, auto& dst, auto src) {
    if (valued) {
      out.reset_no_nulls(kind, size);
      if (through) each(sel, [&](std::uint32_t i) { dst[i] = src[rows[i]]; });
      else each(sel, [&](std::uint32_t i) { dst[i] = src[i]; });
      return;
    }
    out.reset(kind, size);
    std::uint8_t* nulls = out.nulls.data();
    for (std::uint32_t i : sel) {
      const std::size_t r = through ? rows[i] : i;
      dst[i] = src[r];
      nulls[i] = !c->valid(r);
    }
  };
  switch (c->type()) {
    case ColumnType::int64: gather(Kind::int64, out.ints, c->ints().data()); break;
    case ColumnType::float64: gather(Kind::float64, out.doubles, c->doubles().data()); break;
    case ColumnType::boolean: gather(Kind::boolean, out.bools, c->bools().data()); break;
    case ColumnType::string: gather(Kind::string, out.strings, c->strings().data()); break;
    default:
      out.reset(Kind::value, size);
      for (std::uint32_t i : sel) set(out, i, c->get(row(i)));
      narrow(out, sel);
  }
}

void Eval::split_truth(const Node& n, const Vector& v, Sel sel, std::vector<std::uint32_t>& yes, std::vector<std::uint32_t>* no) {
  if (v.kind == Kind::boolean) {
    const std::uint8_t* b = v.bools.data();
    const std::uint8_t* z = v.nulls.data();
    const std::size_t st = v.constant ? 0 : 1;
    if (v.no_nulls) split_by(sel, [&](std::uint32_t i) { return b[i * st] != 0; }, yes, no);
    else split_by(sel, [&](std::uint32_t i) { return (b[i * st] & !z[i * st]) != 0; }, yes, no);
    return;
  }
  for (std::uint32_t i : sel) {
    const Value x = v.get(i);
    bool t = false;
    try {
      t = truthy(x);
    } catch (const OperandError&) {
      fail(i, operand_name(n, text) + ": expected a bool, found " + describe_value(x));
      continue;  // a failed record takes neither branch
    }
    if (t) yes.push_back(i);
    else if (no) no->push_back(i);
  }
}

std::pair<std::vector<std::uint32_t>&, std::vector<std::uint32_t>&> Eval::branch(const Node& c, Sel sel) {
  run(c, sel);
  return split_ran(c, sel);
}

std::pair<std::vector<std::uint32_t>&, std::vector<std::uint32_t>&> Eval::split_ran(const Node& c, Sel sel) {
  auto& yes = selection();
  auto& no = selection();
  split_truth(c, vec(c), sel, yes, &no);
  return {yes, no};
}

// && || ! give bools; null counts as false; the right side of && (||) runs only on the records
// the left side leaves undecided.
void Eval::logic(const Node& n, Sel sel) {
  auto [yes, no] = branch(*n.args[0], sel);
  Vector& out = vec(n);
  out.reset_no_nulls(Kind::boolean, records());
  if (n.op == Op::not_) {
    for (std::uint32_t i : sel) out.bools[i] = 1;
    for (std::uint32_t i : yes) out.bools[i] = 0;
  } else {
    const bool is_and = n.op == Op::and_;
    for (std::uint32_t i : sel) out.bools[i] = is_and ? 0 : 1;
    Sel undecided = is_and ? Sel(yes) : Sel(no);
    if (!undecided.empty()) {
      const Node& right = *n.args[1];
      run(right, undecided);
      auto& t = selection();
      split_truth(right, vec(right), undecided, t, nullptr);
      for (std::uint32_t i : undecided) out.bools[i] = 0;
      for (std::uint32_t i : t) out.bools[i] = 1;
      release();
    }
  }
  release(2);
}

// The result of `?:` and `??`: the records `rows` of each part that ran, in order (a later
// part overwrites an earlier one). Parts of one typed kind are copied typed, with no Value per
// record and no narrowing pass (`x < 200 ? 0.0 : 1.0` stays a double loop); otherwise the
// result is a value vector, narrowed when its values share a type.
void Eval::merge_parts(Vector& out, Sel sel, std::initializer_list<std::pair<const Vector*, Sel>> parts) {
  Kind kind = Kind::null;
  bool typed = true;
  for (const auto& [part, rows] : parts) {
    if (!part || rows.empty() || part->kind == Kind::null) continue;  // its rows stay null
    if (part->kind == Kind::value || (kind != Kind::null && part->kind != kind)) typed = false;
    kind = part->kind;
  }
  if (typed && kind != Kind::null) {
    // No nulls in the result when every part that has records has none.
    bool valued = true;
    for (const auto& [part, rows] : parts)
      if (!rows.empty() && (!part || part->kind == Kind::null || !part->no_nulls)) valued = false;
    if (valued) out.reset_no_nulls(kind, records());
    else out.reset(kind, records());
    for (const auto& [part, rows] : parts) {
      if (!part || part->kind == Kind::null) continue;
      auto copy = [&, part = part, rows = rows](auto& dst, const auto& src) {
        if (valued) {
          if (part->constant) for (std::uint32_t i : rows) dst[i] = src[0];
          else for (std::uint32_t i : rows) dst[i] = src[i];
          return;
        }
        for (std::uint32_t i : rows) {
          const std::size_t k = part->at(i);
          dst[i] = src[k];
          out.nulls[i] = part->is_null(i);
        }
      };
      switch (kind) {
        case Kind::boolean: copy(out.bools, part->bools); break;
        case Kind::int64: copy(out.ints, part->ints); break;
        case Kind::float64: copy(out.doubles, part->doubles); break;
        default: copy(out.strings, part->strings); break;  // Kind::string
      }
    }
    return;
  }
  out.reset(Kind::value, records());
  for (const auto& [part, rows] : parts)
    if (part)
      for (std::uint32_t i : rows) set(out, i, part->get(i));
  narrow(out, sel);
}

void Eval::coalesce(const Node& n, Sel sel) {
  const Node& a = *n.args[0];
  run(a, sel);
  auto& missing = selection();
  const Vector& va = vec(a);
  for (std::uint32_t i : sel)
    if (va.is_null(i)) missing.push_back(i);
  if (!missing.empty()) run(*n.args[1], missing);
  // Each node has its own vector: running the right side leaves the left side's values.
  merge_parts(vec(n), sel, {{&va, sel}, {missing.empty() ? nullptr : &vec(*n.args[1]), missing}});
  release();
}

void Eval::conditional(const Node& n, Sel sel) {
  run(*n.args[0], sel);
  if (blend_literals(n, sel)) return;
  auto [yes, no] = split_ran(*n.args[0], sel);
  if (!yes.empty()) run(*n.args[1], yes);
  if (!no.empty()) run(*n.args[2], no);
  merge_parts(vec(n), sel, {{yes.empty() ? nullptr : &vec(*n.args[1]), yes}, {no.empty() ? nullptr : &vec(*n.args[2]), no}});
  release(2);
}

namespace {

// A literal of a plain kind, or `c ? x : y` of such literals (`v < 200 ? 0.0 : (v < 1000 ?
// 1.0 : 2.0)`): what blend() may run on every record. Its kind, or Kind::null when neither.
Kind literal_chain(const Node& n) {
  if (n.is_literal()) {
    if (n.value.is_null()) return Kind::null;
    const Kind k = kind_of(n.value.type());
    return k == Kind::boolean || k == Kind::int64 || k == Kind::float64 ? k : Kind::null;
  }
  if (n.op != Op::cond) return Kind::null;
  const Kind k = literal_chain(*n.args[1]);
  return k == literal_chain(*n.args[2]) ? k : Kind::null;
}

// c ? a : b without a branch (GCC branches on `c ? a : b`, and a condition true for a
// random half of the records mispredicts half the time), so that the loop vectorizes.
template <class T>
T choose(bool c, T a, T b) {
  using Bits = std::conditional_t<sizeof(T) == 8, std::uint64_t, std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint8_t>>;
  static_assert(sizeof(T) == sizeof(Bits));
  const Bits mask = static_cast<Bits>(Bits{0} - static_cast<Bits>(c));
  return std::bit_cast<T>(static_cast<Bits>((std::bit_cast<Bits>(a) & mask) | (std::bit_cast<Bits>(b) & ~mask)));
}

}  // namespace

// `c ? x : y` (c has run) whose branches are literals of one kind, or `?:` of such literals:
// each record takes its value in one branch-free loop, with no split of the records and no
// merge. A nested `?:` runs on every record then, not only on those that reach it: when that
// fails some record (its condition is no bool there), the failures are taken back and the
// caller splits the records instead.
bool Eval::blend_literals(const Node& n, Sel sel) {
  const Node& x = *n.args[1];
  const Node& y = *n.args[2];
  const Kind kind = literal_chain(x);
  if (kind == Kind::null || literal_chain(y) != kind) return false;
  const Vector& t = vec(*n.args[0]);
  if (t.kind != Kind::boolean || t.constant) return false;
  const std::size_t errors = s.errors_.size();
  for (const Node* branch : {&x, &y})
    if (!branch->is_literal()) run(*branch, sel);
  auto ready = [&](const Node& b) { return b.is_literal() || (vec(b).kind == kind && vec(b).no_nulls && !vec(b).constant); };
  if (s.errors_.size() != errors || !ready(x) || !ready(y)) {
    for (std::size_t k = errors; k < s.errors_.size(); ++k) s.failed_[s.errors_[k].record] = 0;
    s.errors_.resize(errors);
    return false;
  }
  Vector& out = vec(n);
  out.reset_no_nulls(kind, records());
  const std::uint8_t* b = t.bools.data();
  const std::uint8_t* z = t.no_nulls ? nullptr : t.nulls.data();  // null counts as false
  // get_x(i), get_y(i): a literal's value, or the branch's vector at i.
  auto pick = [&](auto* dst, auto get_x, auto get_y) {
    if (!z) each(sel, [&](std::uint32_t i) { dst[i] = choose(b[i] != 0, get_x(i), get_y(i)); });
    else each(sel, [&](std::uint32_t i) { dst[i] = choose((b[i] & !z[i]) != 0, get_x(i), get_y(i)); });
  };
  auto with_values = [&](auto* dst, const auto& storage, auto literal) {
    using T = std::remove_pointer_t<decltype(dst)>;
    auto constant = [](T v) { return [v](std::uint32_t) { return v; }; };
    auto values = [](const auto& vector) { const T* p = vector.data(); return [p](std::uint32_t i) { return p[i]; }; };
    const bool lx = x.is_literal(), ly = y.is_literal();
    if (lx && ly) {  // a bool (0 or 1) indexes the two values: a load, no blend of bits
      const T no_yes[2] = {literal(y), literal(x)};
      if (!z) each(sel, [&](std::uint32_t i) { dst[i] = no_yes[b[i] != 0]; });
      else each(sel, [&](std::uint32_t i) { dst[i] = no_yes[(b[i] & !z[i]) != 0]; });
    }
    else if (lx) pick(dst, constant(literal(x)), values(storage(y)));
    else if (ly) pick(dst, values(storage(x)), constant(literal(y)));
    else pick(dst, values(storage(x)), values(storage(y)));
  };
  switch (kind) {
    case Kind::boolean:
      with_values(out.bools.data(), [&](const Node& m) -> const auto& { return vec(m).bools; },
                  [](const Node& m) { return std::uint8_t{m.value.as_bool()}; });
      break;
    case Kind::int64:
      with_values(out.ints.data(), [&](const Node& m) -> const auto& { return vec(m).ints; },
                  [](const Node& m) { return m.value.as_int(); });
      break;
    default:
      with_values(out.doubles.data(), [&](const Node& m) -> const auto& { return vec(m).doubles; },
                  [](const Node& m) { return m.value.as_double(); });
      break;
  }
  return true;
}

// `x in [a, b]` compares with each element (== without type errors); `x in arr` reads an array value.
void Eval::in(const Node& n, Sel sel) {
  const Node& x = *n.args[0];
  const Node& list = *n.args[1];
  run(x, sel);
  const Vector& vx = vec(x);
  Vector& out = vec(n);
  out.reset_no_nulls(Kind::boolean, records());
  for (std::uint32_t i : sel) out.bools[i] = 0;
  if (list.op == Op::array) {
    for (const auto& e : list.args) {
      run(*e, sel);
      const Vector& ve = vec(*e);
      if (vx.kind == Kind::string && ve.kind == Kind::string && ve.constant) {  // the common case: no Value per record
        const StringView want = ve.strings[0];
        const StringView* xs = vx.strings.data();
        const std::size_t st = vx.constant ? 0 : 1;
        for (std::uint32_t i : sel) out.bools[i] |= !vx.is_null(i) && xs[i * st] == want;
        continue;
      }
      for (std::uint32_t i : sel) out.bools[i] |= compare_equal_loosely(vx.get(i), ve.get(i));
    }
    return;
  }
  run(list, sel);
  const Vector& va = vec(list);
  for (std::uint32_t i : sel) {
    try {
      out.bools[i] = contained(vx.get(i), va.get(i));
    } catch (const OperandError& e) {
      operand_failure(n, i, e.which, e.expected, e.detail, va.get(i));
    } catch (const RowFailure& f) {
      fail(i, operand_name(list, text) + ": " + f.message);
    }
  }
}

void Eval::call(const Node& n, Sel sel) {
  const Function& f = *n.fn;
  if (f.path_arg) {  // exists(path): whether the record has the field, value or null
    Vector& out = vec(n);
    out.reset_no_nulls(Kind::boolean, records());
    const Column* c = batch.find(n.args[0]->field);
    for (std::uint32_t i : sel) out.bools[i] = c && c->present(row(i));
    return;
  }
  for (const auto& a : n.args) run(*a, sel);
  if (call_typed(n, sel)) return;
  Vector& out = vec(n);
  out.reset(Kind::value, records());
  CallContext ctx(n, text, arena());
  Value args[16];
  const std::size_t k = n.args.size();
  for (std::uint32_t i : sel) {
    bool has_null = false;
    for (std::size_t j = 0; j < k; ++j) {
      args[j] = vec(*n.args[j]).get(i);
      has_null = has_null || args[j].is_null();
    }
    if (has_null && !f.takes_null) continue;  // null in, null out
    try {
      set(out, i, f.fn(ctx, std::span<const Value>(args, k)));
    } catch (const RowFailure& e) {
      fail(i, e.message);
    }
  }
  narrow(out, sel);
}

// Value by value (ops.hpp): operators on kinds the typed loops do not cover, arrays, indexing.
void Eval::generic(const Node& n, Sel sel) {
  Vector& out = vec(n);
  out.reset(Kind::value, records());
  static const Vector none;  // `[]` has no operands
  const Vector& a = n.args.empty() ? none : vec(*n.args[0]);
  const Vector* b = n.args.size() > 1 ? &vec(*n.args[1]) : nullptr;
  std::string json;
  for (std::uint32_t i : sel) {
    try {
      switch (n.op) {
        case Op::array:
          json = "[";
          for (std::size_t j = 0; j < n.args.size(); ++j) {
            if (j) json += ',';
            append_json(json, vec(*n.args[j]).get(i));
          }
          json += ']';
          set(out, i, Value::string_ref(arena().copy(json), Type::json));
          break;
        case Op::index: {
          const Value base = a.get(i), at = b->get(i);
          if (base.is_null() || at.is_null()) break;
          if (base.type() != Type::json) throw OperandError{0, "an array", {}};
          if (at.type() != Type::int64) throw OperandError{1, "an int", {}};
          set(out, i, json_element(base.as_string(), at.as_int(), arena()));
          break;
        }
        case Op::lt: case Op::le: case Op::gt: case Op::ge: case Op::eq: case Op::ne:
          set(out, i, Value::of(compare(n.op, a.get(i), b->get(i))));
          break;
        default: set(out, i, arithmetic(n.op, a.get(i), b ? b->get(i) : Value{}, arena()));
      }
    } catch (const OperandError& e) {
      const Vector& bad = e.which == 0 || !b ? a : *b;
      operand_failure(n, i, e.which, e.expected, e.detail, bad.get(i));
    } catch (const RowFailure& f) {
      fail(i, operand_name(*n.args[0], text) + ": " + f.message);
    }
  }
  narrow(out, sel);
}

}  // namespace graph_runner::expr
