#pragma once
// Private to parse/: bounds the depth of table headers and dotted keys before toml++ parses.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace graph_runner::engine::parse_detail {

// The same cap toml++ puts on nested arrays and inline tables (TOML_MAX_NESTED_VALUES).
inline constexpr std::size_t max_key_depth = 256;

struct KeyDepthError {
  int line;
  int column;
  std::string message;
};

// The first header or key (counting the header above it and enclosing inline tables) with more
// than max_key_depth parts, at its first character. Strings and comments are skipped.
std::optional<KeyDepthError> check_key_depth(std::string_view text);

}  // namespace graph_runner::engine::parse_detail
