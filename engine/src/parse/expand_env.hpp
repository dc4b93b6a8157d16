#pragma once
// Private to parse/: ${VAR} expansion inside the string values of a parsed document.
// It runs on values, after TOML parsing, so a variable can never inject TOML syntax.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.hpp"

namespace graph_runner::engine::parse_detail {

struct ExpandError {
  std::string message;
  std::string hint;
};

// Expands one string:
//   ${VAR}            the variable's value (an error when unset; empty is fine)
//   ${VAR:-default}   the default when VAR is unset or empty (the default is expanded too)
//   ${VAR:?message}   an error "VAR: message" when VAR is unset or empty
//   $$                a literal '$'
// Any other '$' is kept as written. A name in `predefined` (GRAPH_DIR) takes its value from
// there, never from the environment.
// A default nested deeper than max_expand_depth ${...} is an error ("nested ${...} deeper than
// 64"): expansion recurses into defaults, and a 20,000-deep one would overflow the stack.
inline constexpr int max_expand_depth = 64;
using PredefinedVars = std::vector<std::pair<std::string, std::string>>;
std::string expand_env(std::string_view text, std::optional<ExpandError>& error, const PredefinedVars& predefined = {});

// Expands every string value in `root` (inside arrays and tables too) in place; problems are
// reported at the string's position.
void expand_env_in_document(toml::table& root, const std::string& file, Diagnostics& diags,
                            const PredefinedVars& predefined = {});

}  // namespace graph_runner::engine::parse_detail
