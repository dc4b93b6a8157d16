#pragma once
// The Pratt parser: tokens to a checked tree (functions known, arity right, regex patterns
// compiled). Throws CompileError with the column of the problem.
#include <memory>
#include <string_view>

#include "ast.hpp"

namespace graph_runner::expr {

std::unique_ptr<Node> parse(std::string_view text);

}  // namespace graph_runner::expr
