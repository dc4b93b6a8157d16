#pragma once
/// @file params.hpp
/// Plugin parameters: the schema a plugin declares and the values a graph file gives.
///
/// Every key of a node table that is not reserved by the engine is a parameter. The
/// engine checks it against the plugin's schema (type, range, choices, required) before
/// any plugin code runs, and fills in defaults, so a plugin reads its values plainly:
/// @code
///   ParamSpec::integer("count", "records to generate").with_default(std::int64_t{1000}).at_least(0)
///   ...
///   std::int64_t count = ctx.params().get_int("count");
/// @endcode

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "graph_runner/export.hpp"

namespace graph_runner {

enum class ParamType { boolean, integer, number, string, string_list, string_map };

/// "bool", "int", "number", "string", "list of strings", "table of strings".
GRAPH_RUNNER_API std::string_view param_type_name(ParamType t) noexcept;

/// A key/value table in file order, e.g. `set = { value = "value * 2", cat = "..." }`.
using StringMap = std::vector<std::pair<std::string, std::string>>;
using ParamValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::string>, StringMap>;

/// One declared parameter.
struct GRAPH_RUNNER_API ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  std::string doc;                         ///< one line, shown by `plugins describe`
  std::optional<ParamValue> default_value; ///< used when the graph file omits the key
  bool required = false;
  std::optional<double> min, max;          ///< for integer and number
  std::vector<std::string> choices;        ///< for string: the allowed values

  static ParamSpec boolean(std::string name, std::string doc);
  static ParamSpec integer(std::string name, std::string doc);
  static ParamSpec number(std::string name, std::string doc);
  static ParamSpec string(std::string name, std::string doc);
  static ParamSpec string_list(std::string name, std::string doc);
  static ParamSpec string_map(std::string name, std::string doc);

  ParamSpec with_default(ParamValue v) && { default_value = std::move(v); return std::move(*this); }
  ParamSpec mandatory() && { required = true; return std::move(*this); }
  ParamSpec at_least(double v) && { min = v; return std::move(*this); }
  ParamSpec at_most(double v) && { max = v; return std::move(*this); }
  ParamSpec one_of(std::vector<std::string> c) && { choices = std::move(c); return std::move(*this); }
};

/// Thrown by plugin code (usually via Context::param_error) when a parameter's value is
/// unusable; the engine reports it at the parameter's position in the graph file.
class GRAPH_RUNNER_API ParamError : public std::runtime_error {
 public:
  ParamError(std::string param, const std::string& message)
      : std::runtime_error(message), param_(std::move(param)) {}
  const std::string& param() const noexcept { return param_; }

 private:
  std::string param_;
};

/// The checked parameter values of one node (defaults filled in).
class GRAPH_RUNNER_API Params {
 public:
  Params() = default;
  explicit Params(std::map<std::string, ParamValue, std::less<>> values) : values_(std::move(values)) {}

  bool has(std::string_view name) const { return values_.find(name) != values_.end(); }
  const ParamValue* find(std::string_view name) const;

  // Getters throw ParamError when the value is absent (the schema normally prevents it).
  bool get_bool(std::string_view name) const;
  std::int64_t get_int(std::string_view name) const;
  double get_number(std::string_view name) const;  ///< accepts an integer too
  const std::string& get_string(std::string_view name) const;
  const std::vector<std::string>& get_string_list(std::string_view name) const;
  const StringMap& get_string_map(std::string_view name) const;

  const std::map<std::string, ParamValue, std::less<>>& all() const noexcept { return values_; }

 private:
  std::map<std::string, ParamValue, std::less<>> values_;
};

}  // namespace graph_runner
