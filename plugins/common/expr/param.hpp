#pragma once
// Compiling a plugin parameter's expression: a CompileError becomes Context::param_error, so
// `graph-runner validate` reports it at the parameter, with the column inside the expression.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

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

/// Adds the fields `program` reads to `schema.reads` (for Context::declare_fields), at
/// parameter `param`, except those in `written` (a map's earlier assignments).
inline void add_reads(FieldSchema& schema, const Program& program, const std::string& param,
                      const std::vector<std::string>& written = {}) {
  for (const auto& f : program.fields())
    if (std::find(written.begin(), written.end(), f) == written.end()) schema.reads.push_back({f, param});
}

}  // namespace graph_runner::expr
