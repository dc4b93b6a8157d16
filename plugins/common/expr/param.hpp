#pragma once
// Compiling a plugin parameter's expression: a CompileError becomes Context::param_error, so
// `graph-runner validate` reports it at the parameter, with the column inside the expression.
#include <string>
#include <string_view>

#include "expr/expr.hpp"
#include "graph_runner/context.hpp"

namespace graph_runner::expr {

/// Compiles `text`, the value of parameter `param` (`key`: the entry of a table parameter such
/// as map's `set`, or empty). An error reads `where: column 12: unknown function "lenght" (did
/// you mean "len"?)` or `set.total: column 3: ...`.
inline Program compile_param(const Context& c, std::string_view param, std::string_view key, const std::string& text) {
  try {
    return compile(text);
  } catch (const CompileError& e) {
    std::string where(param);
    if (!key.empty()) where += "." + std::string(key);
    c.param_error(param, where + ": column " + std::to_string(e.column()) + ": " + e.message() + " in \"" + text + "\"");
  }
}

}  // namespace graph_runner::expr
