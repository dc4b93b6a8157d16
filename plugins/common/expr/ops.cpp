#include "ops.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "json.hpp"

namespace graph_runner::expr {
namespace {

bool numeric(const Value& v) { return v.is_number() || v.type() == Type::boolean; }
// bools count as 0 and 1 in arithmetic (muParser did; `(a > 1) + (b > 1)` counts).
bool integral(const Value& v) { return v.type() == Type::int64 || v.type() == Type::boolean; }
bool textual(const Value& v) { return v.type() == Type::string || v.type() == Type::bytes; }

[[noreturn]] void overflow() { throw OperandError{0, "", "integer overflow (int is 64-bit; use double(...))"}; }

int order(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

bool decide(Op op, int c) {
  switch (op) {
    case Op::lt: return c < 0;
    case Op::le: return c <= 0;
    case Op::gt: return c > 0;
    case Op::ge: return c >= 0;
    case Op::eq: return c == 0;
    default: return c != 0;
  }
}

}  // namespace

std::string_view value_type_name(const Value& v) {
  if (v.type() == Type::json) {
    const auto s = v.as_string();
    const auto p = s.find_first_not_of(" \t\r\n");
    if (p != std::string_view::npos && s[p] == '[') return "array";
    if (p != std::string_view::npos && s[p] == '{') return "object";
    return "number";  // digits beyond 64 bits
  }
  return type_name(v.type());
}

std::string describe_value(const Value& v) {
  std::string out(value_type_name(v));
  switch (v.type()) {
    case Type::null: break;
    case Type::boolean: out += v.as_bool() ? " true" : " false"; break;
    case Type::int64: out += " " + std::to_string(v.as_int()); break;
    case Type::float64: {
      char buf[32];
      std::snprintf(buf, sizeof buf, " %.17g", v.as_double());
      out += buf;
      break;
    }
    default: {
      const auto s = v.as_string();
      out += v.type() == Type::json ? " " : " \"";
      out += s.substr(0, 40);
      if (s.size() > 40) out += "...";
      if (v.type() != Type::json) out += '"';
    }
  }
  return out;
}

Value arithmetic(Op op, const Value& a, const Value& b, Arena& arena) {
  if (op == Op::neg) {
    if (a.is_null()) return a;
    if (!numeric(a)) throw OperandError{0, "a number", {}};
    if (integral(a)) {
      if (a.as_int() == std::numeric_limits<std::int64_t>::min()) overflow();
      return Value::of(-a.as_int());
    }
    return Value::of(-a.as_double());
  }
  if (a.is_null() || b.is_null()) return Value{};
  if (op == Op::add && textual(a) && textual(b)) {
    const auto x = a.as_string(), y = b.as_string();
    std::string s;
    s.reserve(x.size() + y.size());
    s.append(x).append(y);
    return Value::string_ref(arena.copy(s), a.type());
  }
  const std::string_view want = op == Op::add ? "a number (or two strings to join)" : "a number";
  if (!numeric(a)) throw OperandError{0, want, {}};
  if (!numeric(b)) throw OperandError{1, want, {}};
  if (integral(a) && integral(b) && op != Op::div && op != Op::pow) {
    const std::int64_t x = a.as_int(), y = b.as_int();
    std::int64_t r = 0;
    switch (op) {
      case Op::add: if (__builtin_add_overflow(x, y, &r)) overflow(); break;
      case Op::sub: if (__builtin_sub_overflow(x, y, &r)) overflow(); break;
      case Op::mul: if (__builtin_mul_overflow(x, y, &r)) overflow(); break;
      default:  // mod
        if (y == 0) throw OperandError{1, "", "division by zero (% 0)"};
        r = y == -1 ? 0 : x % y;
    }
    return Value::of(r);
  }
  const double x = a.to_double(), y = b.to_double();
  switch (op) {
    case Op::add: return Value::of(x + y);
    case Op::sub: return Value::of(x - y);
    case Op::mul: return Value::of(x * y);
    case Op::div: return Value::of(x / y);
    case Op::mod: return Value::of(std::fmod(x, y));
    default: return Value::of(std::pow(x, y));
  }
}

bool compare(Op op, const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return false;
  if (numeric(a) && numeric(b)) {
    if (integral(a) && integral(b)) return decide(op, (a.as_int() > b.as_int()) - (a.as_int() < b.as_int()));
    if (std::isnan(a.to_double()) || std::isnan(b.to_double())) return op == Op::ne;
    return decide(op, order(a.to_double(), b.to_double()));
  }
  if (a.is_text() && b.is_text() && (a.type() == b.type() || (textual(a) && textual(b)))) {
    const int c = a.as_string().compare(b.as_string());
    return decide(op, c);
  }
  if (op == Op::eq) return false;
  if (op == Op::ne) return true;
  const bool left_ok = numeric(b) ? numeric(a) : a.is_text();
  throw OperandError{left_ok ? 1 : 0, numeric(left_ok ? a : b) ? "a number" : "a string", {}};
}

bool truthy(const Value& v) {
  switch (v.type()) {
    case Type::null: return false;
    case Type::boolean: return v.as_bool();
    case Type::int64: return v.as_int() != 0;
    case Type::float64: return v.as_double() != 0 && !std::isnan(v.as_double());
    default: throw OperandError{0, "a bool", {}};
  }
}

bool contained(const Value& x, const Value& array) {
  if (x.is_null() || array.is_null()) return false;
  if (array.type() != Type::json || value_type_name(array) != "array") throw OperandError{1, "an array", {}};
  bool found = false;
  for_each_json_element(array.as_string(), [&](const Value& e) {
    if (!found && compare_equal_loosely(x, e)) found = true;
  });
  return found;
}

bool compare_equal_loosely(const Value& a, const Value& b) {
  try {
    return compare(Op::eq, a, b);
  } catch (const OperandError&) {
    return false;
  }
}

void append_json(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::null: out += "null"; break;
    case Type::boolean: out += v.as_bool() ? "true" : "false"; break;
    case Type::int64: out += std::to_string(v.as_int()); break;
    case Type::float64: {
      if (!std::isfinite(v.as_double())) { out += "null"; break; }
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.as_double());
      out += buf;
      break;
    }
    case Type::json: out += v.as_string(); break;
    default: {
      out += '"';
      for (unsigned char c : v.as_string()) {
        if (c == '"' || c == '\\') { out += '\\'; out += static_cast<char>(c); }
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else out += static_cast<char>(c);
      }
      out += '"';
    }
  }
}

}  // namespace graph_runner::expr
