// Value helpers (field interning: field_table.cpp).
#include "graph_runner/value.hpp"

namespace graph_runner {

std::string_view type_name(Type t) noexcept {
  switch (t) {
    case Type::null: return "null";
    case Type::boolean: return "bool";
    case Type::int64: return "int";
    case Type::float64: return "double";
    case Type::string: return "string";
    case Type::bytes: return "bytes";
    case Type::json: return "json";
  }
  return "?";
}

bool operator==(const Value& a, const Value& b) noexcept {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Type::null: return true;
    case Type::boolean: return a.as_bool() == b.as_bool();
    case Type::int64: return a.as_int() == b.as_int();
    case Type::float64: return a.as_double() == b.as_double();
    case Type::string:
    case Type::bytes:
    case Type::json: return a.as_string() == b.as_string();
  }
  return false;
}

}  // namespace graph_runner
