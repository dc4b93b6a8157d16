// The typed loops: arithmetic and comparisons over int/double/bool vectors, string comparisons
// over StringViews (no std::string per record), and the string and regex functions with a
// literal argument. Anything else returns false and goes value by value (Eval::generic).
#include <re2/re2.h>

#include <cmath>

#include "eval.hpp"
#include "functions.hpp"

namespace graph_runner::expr {
namespace {

bool numeric(Kind k) { return k == Kind::int64 || k == Kind::float64 || k == Kind::boolean; }
bool integral(Kind k) { return k == Kind::int64 || k == Kind::boolean; }

// Calls f with an accessor i -> the number at record i (ints as int64_t, bools as 0/1). A
// constant is its own accessor, not p[i * 0]: a stride known only at run time kept the
// loops from vectorizing.
template <class T, class F>
void with_values(const Vector& v, const T* p, F&& f) {
  if (v.constant) f([x = p[0]](std::size_t) { return x; });
  else f([p](std::size_t i) { return p[i]; });
}
template <class F>
void with_int(const Vector& v, F&& f) {
  if (v.kind == Kind::int64) with_values(v, v.ints.data(), f);
  else with_values(v, v.bools.data(), [&](auto get) { f([get](std::size_t i) { return static_cast<std::int64_t>(get(i)); }); });
}
template <class F>
void with_double(const Vector& v, F&& f) {
  if (v.kind == Kind::float64) with_values(v, v.doubles.data(), f);
  else with_int(v, [&](auto get) { f([get](std::size_t i) { return static_cast<double>(get(i)); }); });
}

template <class T>
bool decide(Op op, T a, T b) {
  switch (op) {
    case Op::lt: return a < b;
    case Op::le: return a <= b;
    case Op::gt: return a > b;
    case Op::ge: return a >= b;
    case Op::eq: return a == b;
    default: return a != b;
  }
}

// Per-op loops so the comparison is not decided per record.
template <class A, class B>
void compare_loop(Op op, Sel sel, std::size_t all, A a, B b, std::uint8_t* out) {
  switch (op) {
    case Op::lt: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) < b(i); }); break;
    case Op::le: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) <= b(i); }); break;
    case Op::gt: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) > b(i); }); break;
    case Op::ge: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) >= b(i); }); break;
    case Op::eq: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) == b(i); }); break;
    default: each(sel, all, [&](std::uint32_t i) { out[i] = a(i) != b(i); }); break;
  }
}

bool may_be_null(const Vector& v) { return v.kind == Kind::null || !v.no_nulls; }

// Nulls of an arithmetic result: either operand null.
void or_nulls(const Vector& a, const Vector* b, Sel sel, std::uint8_t* out) {
  for (std::uint32_t i : sel) out[i] = a.is_null(i) | (b && b->is_null(i));
}

// A comparison with null is false: clears the results of records where an operand is null.
void false_where_null(const Vector& a, const Vector& b, Sel sel, std::uint8_t* r) {
  for (const Vector* v : {&a, &b}) {
    if (v->no_nulls) continue;
    const std::uint8_t* z = v->nulls.data();
    const std::size_t st = v->constant ? 0 : 1;
    for (std::uint32_t i : sel) r[i] &= !z[i * st];
  }
}

bool is_null_literal(const Node& n) { return n.is_literal() && n.value.is_null(); }

}  // namespace

bool Eval::compare_typed(const Node& n, Sel sel) { return compare_loops(n, sel); }

bool Eval::compare_loops(const Node& n, Sel sel) {
  const Node& na = *n.args[0];
  const Node& nb = *n.args[1];
  Vector& out = vec(n);
  // `x == null` / `x != null`: the one comparison that sees null.
  if ((n.op == Op::eq || n.op == Op::ne) && (is_null_literal(na) || is_null_literal(nb))) {
    const Vector& x = vec(is_null_literal(na) ? nb : na);
    out.reset_no_nulls(Kind::boolean, records());
    for (std::uint32_t i : sel) out.bools[i] = x.is_null(i) == (n.op == Op::eq);
    return true;
  }
  const Vector& a = vec(na);
  const Vector& b = vec(nb);
  if (a.kind == Kind::null || b.kind == Kind::null) {  // null compares false
    out.reset_no_nulls(Kind::boolean, records());
    for (std::uint32_t i : sel) out.bools[i] = 0;
    return true;
  }
  const bool strings = a.kind == Kind::string && b.kind == Kind::string;
  if (!strings && !(numeric(a.kind) && numeric(b.kind))) return false;
  out.reset_no_nulls(Kind::boolean, records());
  std::uint8_t* r = out.bools.data();
  if (strings) {
    const StringView* pa = a.strings.data();
    const StringView* pb = b.strings.data();
    const std::size_t sa = a.constant ? 0 : 1, sb = b.constant ? 0 : 1;
    if (n.op == Op::eq || n.op == Op::ne) {
      const bool eq = n.op == Op::eq;
      if (b.constant) {  // the common filter: a column against a literal
        const StringView want = pb[0];
        for (std::uint32_t i : sel) r[i] = (pa[i * sa] == want) == eq;
      } else {
        for (std::uint32_t i : sel) r[i] = (pa[i * sa] == pb[i * sb]) == eq;
      }
    } else {
      compare_loop(n.op, sel, records(), [&](std::size_t i) { return pa[i * sa].view(); }, [&](std::size_t i) { return pb[i * sb].view(); }, r);
    }
  } else if (integral(a.kind) && integral(b.kind)) {
    with_int(a, [&](auto ga) { with_int(b, [&](auto gb) { compare_loop(n.op, sel, records(), ga, gb, r); }); });
  } else {
    with_double(a, [&](auto ga) { with_double(b, [&](auto gb) { compare_loop(n.op, sel, records(), ga, gb, r); }); });
  }
  false_where_null(a, b, sel, r);
  return true;
}

bool Eval::arithmetic_typed(const Node& n, Sel sel) { return arithmetic_loops(n, sel); }

bool Eval::arithmetic_loops(const Node& n, Sel sel) {
  const Vector& a = vec(*n.args[0]);
  const Vector* b = n.args.size() > 1 ? &vec(*n.args[1]) : nullptr;
  if (!numeric(a.kind) || (b && !numeric(b->kind))) return false;
  Vector& out = vec(n);
  const bool ints = integral(a.kind) && (!b || integral(b->kind)) && n.op != Op::div && n.op != Op::pow;
  const Kind kind = ints ? Kind::int64 : Kind::float64;
  std::uint8_t* nulls = nullptr;  // none when neither operand has nulls
  if (!may_be_null(a) && (!b || !may_be_null(*b))) {
    out.reset_no_nulls(kind, records());
  } else {
    out.reset(kind, records());
    nulls = out.nulls.data();
    or_nulls(a, b, sel, nulls);
  }
  auto valued = [nulls](std::size_t i) { return !nulls || !nulls[i]; };  // a failure only counts there
  if (ints) {
    std::int64_t* r = out.ints.data();
    with_int(a, [&](auto ga) {
      if (!b) {
        for (std::uint32_t i : sel)
          if (__builtin_sub_overflow(std::int64_t{0}, ga(i), &r[i]) && valued(i)) operand_failure(n, i, 0, "", "integer overflow (int is 64-bit; use double(...))", {});
        return;
      }
      with_int(*b, [&](auto gb) {
        bool overflow = false;
        switch (n.op) {
          case Op::add: for (std::uint32_t i : sel) overflow |= __builtin_add_overflow(ga(i), gb(i), &r[i]); break;
          case Op::sub: for (std::uint32_t i : sel) overflow |= __builtin_sub_overflow(ga(i), gb(i), &r[i]); break;
          case Op::mul: for (std::uint32_t i : sel) overflow |= __builtin_mul_overflow(ga(i), gb(i), &r[i]); break;
          default:  // mod
            for (std::uint32_t i : sel) {
              const std::int64_t y = gb(i);
              if (y == 0 && valued(i)) operand_failure(n, i, 1, "", "division by zero (% 0)", {});
              r[i] = y == 0 || y == -1 ? 0 : ga(i) % y;
            }
        }
        if (!overflow) return;
        for (std::uint32_t i : sel) {  // find the records again (rare)
          std::int64_t t;
          const bool o = n.op == Op::add ? __builtin_add_overflow(ga(i), gb(i), &t)
                         : n.op == Op::sub ? __builtin_sub_overflow(ga(i), gb(i), &t) : __builtin_mul_overflow(ga(i), gb(i), &t);
          if (o && valued(i)) operand_failure(n, i, 0, "", "integer overflow (int is 64-bit; use double(...))", {});
        }
      });
    });
    return true;
  }
  double* r = out.doubles.data();
  with_double(a, [&](auto ga) {
    if (!b) {
      for (std::uint32_t i : sel) r[i] = -ga(i);
      return;
    }
    with_double(*b, [&](auto gb) {
      switch (n.op) {
        case Op::add: each(sel, [&](std::uint32_t i) { r[i] = ga(i) + gb(i); }); break;
        case Op::sub: each(sel, [&](std::uint32_t i) { r[i] = ga(i) - gb(i); }); break;
        case Op::mul: each(sel, [&](std::uint32_t i) { r[i] = ga(i) * gb(i); }); break;
        case Op::div: each(sel, [&](std::uint32_t i) { r[i] = ga(i) / gb(i); }); break;
        case Op::mod: for (std::uint32_t i : sel) r[i] = std::fmod(ga(i), gb(i)); break;
        default: for (std::uint32_t i : sel) r[i] = std::pow(ga(i), gb(i)); break;
      }
    });
  });
  return true;
}

// starts_with / ends_with / contains / matches of a string vector: no Value, no call per record.
bool Eval::call_typed(const Node& n, Sel sel) {
  const std::string_view name = n.fn->name;
  const bool regex = name == "matches";
  if (!regex && name != "starts_with" && name != "ends_with" && name != "contains") return false;
  const Vector& s = vec(*n.args[0]);
  const Vector& p = vec(*n.args[1]);
  if (s.kind != Kind::string || p.kind != Kind::string || !p.constant) return false;
  Vector& out = vec(n);
  if (s.no_nulls) out.reset_no_nulls(Kind::boolean, records());
  else out.reset(Kind::boolean, records());
  const StringView* v = s.strings.data();
  const std::size_t st = s.constant ? 0 : 1;
  std::uint8_t* r = out.bools.data();
  const std::string_view want = p.strings[0].view();
  if (regex) {
    const re2::RE2& re = *n.regex;
    for (std::uint32_t i : sel) {
      const std::string_view x = v[i * st].view();
      r[i] = re2::RE2::PartialMatch(re2::StringPiece(x.data(), x.size()), re);
    }
  } else if (name == "starts_with") {
    for (std::uint32_t i : sel) r[i] = v[i * st].view().starts_with(want);
  } else if (name == "ends_with") {
    for (std::uint32_t i : sel) r[i] = v[i * st].view().ends_with(want);
  } else {
    for (std::uint32_t i : sel) r[i] = v[i * st].view().find(want) != std::string_view::npos;
  }
  if (!s.no_nulls)
    for (std::uint32_t i : sel) out.nulls[i] = s.nulls[i * st];
  return true;
}

}  // namespace graph_runner::expr
