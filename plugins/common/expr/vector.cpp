#include <algorithm>

#include "eval.hpp"
#include "expr.hpp"

namespace graph_runner::expr {

Value Vector::get(std::size_t i) const noexcept {
  if (kind == Kind::null) return Value{};
  const std::size_t k = at(i);
  if (!no_nulls && nulls[k]) return Value{};
  switch (kind) {
    case Kind::boolean: return Value::of(bools[k] != 0);
    case Kind::int64: return Value::of(ints[k]);
    case Kind::float64: return Value::of(doubles[k]);
    case Kind::string: return Value::string_ref(strings[k].view());
    default: return values[k];
  }
}

void Vector::reset(Kind k, std::size_t n, bool is_constant) {
  kind = k;
  constant = is_constant;
  no_nulls = false;
  size_values(is_constant ? 1 : n);
  nulls.assign(size_, 1);
}

void Vector::reset_no_nulls(Kind k, std::size_t n) {
  kind = k;
  constant = false;
  no_nulls = true;
  size_values(n);
}

void Vector::fill_nulls() {
  if (!no_nulls) return;
  nulls.assign(size_, 0);
  no_nulls = false;
}

void Vector::size_values(std::size_t n) {
  size_ = n;
  switch (kind) {
    case Kind::boolean: bools.resize(n); break;
    case Kind::int64: ints.resize(n); break;
    case Kind::float64: doubles.resize(n); break;
    case Kind::string: strings.resize(n); break;
    case Kind::value: values.assign(n, Value{}); break;
    case Kind::null: break;
  }
}

Kind kind_of(Type t) noexcept {
  switch (t) {
    case Type::null: return Kind::null;
    case Type::boolean: return Kind::boolean;
    case Type::int64: return Kind::int64;
    case Type::float64: return Kind::float64;
    case Type::string: return Kind::string;
    default: return Kind::value;
  }
}

void set(Vector& v, std::size_t i, const Value& x) {
  const std::size_t k = v.at(i);
  if (x.is_null()) {
    v.fill_nulls();
    v.nulls[k] = 1;
    return;
  }
  if (!v.no_nulls) v.nulls[k] = 0;
  switch (v.kind) {
    case Kind::boolean: v.bools[k] = x.as_bool(); break;
    case Kind::int64: v.ints[k] = x.as_int(); break;
    case Kind::float64: v.doubles[k] = x.as_double(); break;
    case Kind::string: v.strings[k] = StringView(x.as_string()); break;
    default: v.values[k] = x;
  }
}

// Values one type shares become a typed vector (the typed loops of the nodes above then apply).
void narrow(Vector& v, Sel sel) {
  if (v.kind != Kind::value) return;
  Type t = Type::null;
  bool mixed = false;
  auto look = [&](std::size_t i) {
    const Value& x = v.values[i];
    if (x.is_null()) return;
    if (t == Type::null) t = x.type();
    else if (t != x.type()) mixed = true;
  };
  if (v.constant) look(0);
  else for (std::uint32_t i : sel) look(i);
  const Kind k = kind_of(t);
  if (mixed || k == Kind::value) return;
  if (k == Kind::null) {
    v.kind = Kind::null;
    return;
  }
  v.kind = k;
  const std::size_t size = v.values.size();
  switch (k) {
    case Kind::boolean: v.bools.resize(size); break;
    case Kind::int64: v.ints.resize(size); break;
    case Kind::float64: v.doubles.resize(size); break;
    default: v.strings.resize(size); break;
  }
  auto move = [&](std::size_t i) {
    const Value x = v.values[i];
    if (!x.is_null()) set(v, i, x);
  };
  if (v.constant) move(0);
  else for (std::uint32_t i : sel) move(i);
}

}  // namespace graph_runner::expr
