#pragma once
// Private to parse/: reading typed values out of a toml++ document while collecting
// positioned errors, so the converters for [graph] and node tables stay declarative.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.hpp"

namespace graph_runner::engine::parse_detail {

// Where --set values live: they have no line in any file.
inline constexpr std::string_view command_line_file = "<command line>";

// Position of a region of the graph file. Nodes that did not come from the file (created or
// replaced by --set) carry another path or none, and are reported at "<command line>".
SourcePos position(const toml::source_region& region, const std::string& file);
inline SourcePos position(const toml::node& node, const std::string& file) { return position(node.source(), file); }

// "string", "integer", "float", "boolean", "array", "table", "date", "time", "date-time".
std::string_view toml_type_name(const toml::node& node);

// The entries of a table in the order they appear in the file (toml::table iterates sorted by
// key). Entries without a position (added by --set) come last, in key order.
std::vector<std::pair<const toml::key*, const toml::node*>> in_file_order(const toml::table& table);

// Reads reserved keys: each function reports a type or range error at the value and returns
// nullopt, so callers simply skip the value.
class ValueReader {
 public:
  ValueReader(const std::string& file, Diagnostics& diags) : file_(file), diags_(diags) {}

  std::optional<std::int64_t> integer(const toml::node& v, std::string_view key, std::int64_t min) const;
  std::optional<double> number(const toml::node& v, std::string_view key, double min) const;
  std::optional<bool> boolean(const toml::node& v, std::string_view key) const;
  std::optional<std::string> string(const toml::node& v, std::string_view key) const;
  // A list of strings, each with its position.
  std::optional<std::vector<std::pair<std::string, SourcePos>>> string_list(const toml::node& v,
                                                                             std::string_view key) const;

  SourcePos pos(const toml::node& v) const { return position(v, file_); }
  SourcePos pos(const toml::key& k) const { return position(k.source(), file_); }
  const std::string& file() const noexcept { return file_; }
  void error(SourcePos pos, std::string message, std::string hint = {}) const {
    diags_.error(std::move(pos), std::move(message), std::move(hint));
  }

 private:
  void type_error(const toml::node& v, std::string_view key, std::string_view expected) const;

  const std::string& file_;
  Diagnostics& diags_;
};

}  // namespace graph_runner::engine::parse_detail
