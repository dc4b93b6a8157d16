// Types and conversions. A conversion that cannot read its argument (int("abc")) fails the
// record: it is rejected through on_error, never turned into null silently.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "functions.hpp"
#include "ops.hpp"

namespace graph_runner::expr {
namespace {

[[noreturn]] void unreadable(CallContext& c, const Value& v, std::string_view as) {
  c.fail("cannot read " + describe_value(v) + " as " + std::string(as));
}

Value to_int(CallContext& c, std::span<const Value> a) {
  const Value& v = a[0];
  switch (v.type()) {
    case Type::int64: return v;
    case Type::boolean: return Value::of(v.as_int());
    case Type::float64: {
      const double d = std::trunc(v.as_double());
      if (!std::isfinite(d) || d < -0x1p63 || d >= 0x1p63) unreadable(c, v, "an int (out of range)");
      return Value::of(static_cast<std::int64_t>(d));
    }
    case Type::string:
    case Type::bytes: {
      std::string_view s = v.as_string();
      std::int64_t r = 0;
      const char* b = s.data() + (s.starts_with('+') ? 1 : 0);
      const auto [p, ec] = std::from_chars(b, s.data() + s.size(), r);
      if (ec != std::errc() || p != s.data() + s.size() || s.empty()) unreadable(c, v, "an int");
      return Value::of(r);
    }
    default: unreadable(c, v, "an int");
  }
}

Value to_double(CallContext& c, std::span<const Value> a) {
  const Value& v = a[0];
  if (v.is_number() || v.type() == Type::boolean) return Value::of(v.to_double());
  if (v.type() != Type::string && v.type() != Type::bytes) unreadable(c, v, "a double");
  const std::string s(v.as_string());
  char* end = nullptr;
  errno = 0;
  const double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || std::isspace(static_cast<unsigned char>(s[0]))) unreadable(c, v, "a double");
  return Value::of(d);
}

Value to_string(CallContext& c, std::span<const Value> a) {
  const Value& v = a[0];
  switch (v.type()) {
    case Type::string: return v;
    case Type::bytes:
    case Type::json: return Value::string_ref(v.as_string());
    case Type::boolean: return Value::string_ref(v.as_bool() ? "true" : "false");
    case Type::int64: return c.string(std::to_string(v.as_int()));
    default: {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());  // shortest form that reads back
      return c.string(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
    }
  }
}

Value to_bool(CallContext& c, std::span<const Value> a) {
  const Value& v = a[0];
  if (v.type() == Type::boolean) return v;
  if (v.is_number()) return Value::of(v.to_double() != 0);
  if (v.type() == Type::string && (v.as_string() == "true" || v.as_string() == "false")) return Value::of(v.as_string() == "true");
  unreadable(c, v, "a bool (true or false)");
}

Value is_null(CallContext&, std::span<const Value> a) { return Value::of(a[0].is_null()); }
Value type_of(CallContext&, std::span<const Value> a) {
  const std::string_view n = value_type_name(a[0]);
  return Value::string_ref(n);  // static storage
}
Value exists(CallContext&, std::span<const Value>) { return Value{}; }  // the evaluator answers (path_arg)

// FNV-1a 64 over a canonical byte form: the same value gives the same hash on every machine and run.
Value hash(CallContext&, std::span<const Value> a) {
  std::string bytes;
  if (a[0].type() == Type::string || a[0].type() == Type::bytes) bytes = a[0].as_string();
  else append_json(bytes, a[0]);
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char ch : bytes) {
    h ^= ch;
    h *= 0x100000001b3ull;
  }
  return Value::of(static_cast<std::int64_t>(h));
}

}  // namespace

void add_conversion_functions(std::vector<Function>& t) {
  t.push_back({"int", 1, 1, "int(x)", "int: from a string of digits, a double (truncated), a bool; fails the record otherwise", "int(status) >= 500", to_int});
  t.push_back({"double", 1, 1, "double(x)", "double: from a number, a bool or a string such as \"1.5e3\"; fails the record otherwise", "double(latency) / 1000", to_double});
  t.push_back({"string", 1, 1, "string(x)", "string: numbers and bools as text, arrays as JSON", "string(code) + \"ms\"", to_string});
  t.push_back({"bool", 1, 1, "bool(x)", "bool: from \"true\"/\"false\" or a number (not 0); fails the record otherwise", "bool(flag)", to_bool});
  Function e{"exists", 1, 1, "exists(path)", "bool: the record has the field (even when it is null)", "exists(user.email)", exists, true};
  e.path_arg = true;
  t.push_back(e);
  t.push_back({"is_null", 1, 1, "is_null(x)", "bool: `x` is null or missing", "is_null(error)", is_null, true});
  t.push_back({"type_of", 1, 1, "type_of(x)", "string: null, bool, int, double, string, bytes, array, object", "type_of(id) == \"string\"", type_of, true});
  t.push_back({"hash", 1, 1, "hash(x)", "int: stable 64-bit FNV-1a of a string's bytes (other values: of their JSON text)", "hash(user) % 16", hash});
}

}  // namespace graph_runner::expr
