#pragma once
/// @file value.hpp
/// Field handles and typed field values.
///
/// A field name is interned once, when a plugin is constructed:
/// @code
///   graph_runner::Field value_ = graph_runner::field("value");   // in the constructor
///   double v = record.get(value_).to_double();                  // per record: no string lookup
/// @endcode

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>

#include "graph_runner/export.hpp"

namespace graph_runner {

/// A field name interned process-wide. Cheap to copy and compare.
struct Field {
  std::uint32_t id = std::numeric_limits<std::uint32_t>::max();
  constexpr bool valid() const noexcept { return id != std::numeric_limits<std::uint32_t>::max(); }
  friend constexpr bool operator==(Field a, Field b) noexcept { return a.id == b.id; }
  friend constexpr bool operator<(Field a, Field b) noexcept { return a.id < b.id; }
};

/// Interns a field name (thread-safe). Call it once, not per record.
GRAPH_RUNNER_API Field field(std::string_view name);
/// The name of an interned field; stable for the life of the process.
GRAPH_RUNNER_API std::string_view field_name(Field f);

/// `json` is JSON text kept verbatim: an array, an empty object, or a number beyond 64 bits
/// (its digits kept). Non-empty objects are not values: their keys are fields with dotted
/// paths (`user.country`), which the JSON writers nest again (see field_path.hpp).
enum class Type : std::uint8_t { null, boolean, int64, float64, string, bytes, json };

/// The name of a type as users write it ("null", "bool", "int", "double", "string", "bytes",
/// "json").
GRAPH_RUNNER_API std::string_view type_name(Type t) noexcept;

/// One field value: 16 bytes, trivially copyable. Strings and bytes point into the
/// arena of the batch that holds them; a Value never owns memory.
class Value {
 public:
  constexpr Value() noexcept : i_(0) {}
  static constexpr Value of(bool b) noexcept { Value v; v.type_ = Type::boolean; v.i_ = b ? 1 : 0; return v; }
  static constexpr Value of(std::int64_t i) noexcept { Value v; v.type_ = Type::int64; v.i_ = i; return v; }
  static constexpr Value of(double d) noexcept { Value v; v.type_ = Type::float64; v.d_ = d; return v; }
  /// A string value referring to memory the caller keeps alive (use BatchBuilder::string to copy).
  /// `t` is string, bytes or json.
  static constexpr Value string_ref(std::string_view s, Type t = Type::string) noexcept {
    Value v; v.type_ = t; v.size_ = static_cast<std::uint32_t>(s.size()); v.s_ = s.data(); return v;
  }

  constexpr Type type() const noexcept { return type_; }
  constexpr bool is_null() const noexcept { return type_ == Type::null; }
  constexpr bool is_number() const noexcept { return type_ == Type::int64 || type_ == Type::float64; }
  /// string, bytes or json: as_string() is the text.
  constexpr bool is_text() const noexcept { return type_ >= Type::string; }

  constexpr bool as_bool() const noexcept { return i_ != 0; }
  constexpr std::int64_t as_int() const noexcept { return i_; }
  constexpr double as_double() const noexcept { return d_; }
  constexpr std::string_view as_string() const noexcept { return {s_, size_}; }

  /// Numeric view: int and double as themselves, bool as 0/1, anything else NaN.
  constexpr double to_double() const noexcept {
    switch (type_) {
      case Type::float64: return d_;
      case Type::int64: return static_cast<double>(i_);
      case Type::boolean: return i_ != 0 ? 1.0 : 0.0;
      default: return std::numeric_limits<double>::quiet_NaN();
    }
  }

 private:
  Type type_ = Type::null;
  std::uint32_t size_ = 0;
  union {
    std::int64_t i_;
    double d_;
    const char* s_;
  };
};
static_assert(sizeof(Value) == 16, "Value is kept at 16 bytes");

/// Equality by type and content (strings by bytes; int 2 != double 2.0).
GRAPH_RUNNER_API bool operator==(const Value& a, const Value& b) noexcept;

/// A string in a column: 16 bytes, the Umbra/Velox layout. The length, the first 4 bytes,
/// then the other 8 bytes of a string of up to 12 bytes inline, or a pointer to the whole
/// string (in the batch's arena). Equality usually decides on the first 8 bytes, without
/// touching the arena; a short string never leaves the view.
class StringView {
 public:
  static constexpr std::size_t max_inline = 12;
  constexpr StringView() noexcept = default;
  /// A view of `s`: short strings are copied in, longer ones referenced (keep them alive).
  explicit StringView(std::string_view s) noexcept : size_(static_cast<std::uint32_t>(s.size())) {
    if (s.size() <= max_inline) {
      if (!s.empty()) std::memcpy(bytes_, s.data(), s.size());
    } else {
      std::memcpy(bytes_, s.data(), 4);
      const char* p = s.data();
      std::memcpy(bytes_ + 4, &p, sizeof p);
    }
  }
  std::size_t size() const noexcept { return size_; }
  bool is_inline() const noexcept { return size_ <= max_inline; }
  /// The text: inside this view for a short string (valid while the view is), else in the arena.
  std::string_view view() const noexcept {
    if (is_inline()) return {bytes_, size_};
    const char* p;
    std::memcpy(&p, bytes_ + 4, sizeof p);
    return {p, size_};
  }
  /// The first bytes (up to 4), zero-padded: orders like the strings' first bytes.
  std::uint32_t prefix() const noexcept { std::uint32_t p; std::memcpy(&p, bytes_, 4); return p; }
  friend bool operator==(const StringView& a, const StringView& b) noexcept {
    std::uint64_t ha, hb;
    std::memcpy(&ha, &a, 8);
    std::memcpy(&hb, &b, 8);
    if (ha != hb) return false;  // length and prefix
    if (a.is_inline()) return std::memcmp(a.bytes_ + 4, b.bytes_ + 4, 8) == 0;
    return a.view() == b.view();
  }
  friend bool operator==(const StringView& a, std::string_view b) noexcept {
    if (a.size_ != b.size()) return false;
    if (a.size_ >= 4 && std::memcmp(a.bytes_, b.data(), 4) != 0) return false;
    return a.view() == b;
  }

 private:
  std::uint32_t size_ = 0;
  char bytes_[12] = {};
};
static_assert(sizeof(StringView) == 16, "StringView is kept at 16 bytes");

}  // namespace graph_runner
