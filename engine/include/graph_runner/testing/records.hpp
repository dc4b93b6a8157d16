#pragma once
/// @file testing/records.hpp
/// Test records: build a batch from readable rows, read a field back. Part of
/// graph_runner/testing.hpp (include that).
/// @code
///   namespace gt = graph_runner::testing;
///   BatchPtr in = gt::make_batch({{{"id", 1}, {"value", 2.5}, {"name", "a"}},
///                                 {{"id", 2}, {"value", nullptr}}});
///   CHECK(gt::ints(in, "id") == std::vector<std::int64_t>{1, 2});
/// @endcode

#include <concepts>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner::testing {

/// A value written in a test: `1`, `2.5`, `"text"`, `true`, `nullptr`, `Cell::bytes("...")`.
class Cell {
 public:
  Cell(std::nullptr_t) {}
  Cell(bool b) : v_(b) {}
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Cell(T i) : v_(static_cast<std::int64_t>(i)) {}
  template <std::floating_point T>
  Cell(T d) : v_(static_cast<double>(d)) {}
  Cell(const char* s) : v_(std::string(s)) {}
  Cell(std::string_view s) : v_(std::string(s)) {}
  Cell(std::string s) : v_(std::move(s)) {}
  static Cell bytes(std::string data) {
    Cell c(nullptr);
    c.v_ = Bytes{std::move(data)};
    return c;
  }

  /// The value; strings are copied into `b`'s arena.
  Value to_value(BatchBuilder& b) const {
    switch (v_.index()) {
      case 1: return Value::of(std::get<bool>(v_));
      case 2: return Value::of(std::get<std::int64_t>(v_));
      case 3: return Value::of(std::get<double>(v_));
      case 4: return b.string(std::get<std::string>(v_));
      case 5: return b.bytes(std::get<Bytes>(v_).data);
      default: return Value{};
    }
  }

 private:
  struct Bytes {
    std::string data;
  };
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Bytes> v_;
};

/// One record: (field, value) pairs in order.
using Row = std::vector<std::pair<std::string, Cell>>;

/// A batch of `rows`; a field that a row lacks is null in that record.
/// @code make_batch({{{"id", 1}, {"name", "a"}}, {{"id", 2}}}) @endcode
inline BatchPtr make_batch(const std::vector<Row>& rows, Origin origin = {}) {
  BatchBuilder b(rows.size());
  for (const auto& row : rows) {
    const std::size_t r = b.add_record();
    for (const auto& [name, cell] : row) b.set(r, field(name), cell.to_value(b));
  }
  b.set_origin(origin);
  return b.finish();
}

/// Field `name` of every record of `batches`, in order; null where a record lacks it.
/// The values point into the batches' arenas: keep the batches alive while using them.
inline std::vector<Value> column(std::span<const BatchPtr> batches, std::string_view name) {
  const Field f = field(name);
  std::vector<Value> out;
  for (const auto& b : batches)
    for (std::size_t row = 0; row < b->size(); ++row) out.push_back(b->get(row, f));
  return out;
}
inline std::vector<Value> column(const BatchPtr& batch, std::string_view name) { return column({&batch, 1}, name); }

/// Records in `batches`.
inline std::size_t count_records(std::span<const BatchPtr> batches) {
  std::size_t n = 0;
  for (const auto& b : batches) n += b->size();
  return n;
}

namespace detail {
template <class T>
std::vector<T> typed(std::span<const BatchPtr> batches, std::string_view name, Type type) {
  std::vector<T> out;
  std::size_t i = 0;
  for (const Value& v : column(batches, name)) {
    if (v.type() != type)
      throw std::logic_error("record " + std::to_string(i) + ": field '" + std::string(name) + "' is " +
                             std::string(type_name(v.type())) + ", not " + std::string(type_name(type)));
    if constexpr (std::is_same_v<T, std::int64_t>) out.push_back(v.as_int());
    else if constexpr (std::is_same_v<T, double>) out.push_back(v.as_double());
    else out.emplace_back(v.as_string());
    ++i;
  }
  return out;
}
}  // namespace detail

/// Field `name` of every record as ints, doubles or strings; throws std::logic_error
/// naming the record when a value has another type (null included).
inline std::vector<std::int64_t> ints(std::span<const BatchPtr> b, std::string_view name) {
  return detail::typed<std::int64_t>(b, name, Type::int64);
}
inline std::vector<double> doubles(std::span<const BatchPtr> b, std::string_view name) {
  return detail::typed<double>(b, name, Type::float64);
}
inline std::vector<std::string> strings(std::span<const BatchPtr> b, std::string_view name) {
  return detail::typed<std::string>(b, name, Type::string);
}
inline std::vector<std::int64_t> ints(const BatchPtr& b, std::string_view name) { return ints({&b, 1}, name); }
inline std::vector<double> doubles(const BatchPtr& b, std::string_view name) { return doubles({&b, 1}, name); }
inline std::vector<std::string> strings(const BatchPtr& b, std::string_view name) { return strings({&b, 1}, name); }

}  // namespace graph_runner::testing
