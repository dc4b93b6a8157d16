// Process-wide field interning and Value helpers.
#include "graph_runner/value.hpp"

#include <cstring>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace graph_runner {
namespace {

class FieldTable {
 public:
  Field intern(std::string_view name) {
    {
      std::shared_lock lock(mutex_);
      if (auto it = ids_.find(name); it != ids_.end()) return Field{it->second};
    }
    std::unique_lock lock(mutex_);
    if (auto it = ids_.find(name); it != ids_.end()) return Field{it->second};
    names_.emplace_back(name);  // deque: views into earlier names stay valid
    auto id = static_cast<std::uint32_t>(names_.size() - 1);
    ids_.emplace(names_.back(), id);
    return Field{id};
  }
  std::string_view name(Field f) {
    std::shared_lock lock(mutex_);
    return f.id < names_.size() ? std::string_view(names_[f.id]) : std::string_view("?");
  }

 private:
  std::shared_mutex mutex_;
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

FieldTable& table() {
  static FieldTable t;
  return t;
}

}  // namespace

Field field(std::string_view name) { return table().intern(name); }
std::string_view field_name(Field f) { return table().name(f); }

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
