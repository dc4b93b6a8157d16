// Fuzz target: the expression compiler of filter and map (plugins/common/expression.*).
// Any text must either compile or throw ExpressionError; a compiled expression is then
// bound to scratch variables and evaluated (muParser errors are exceptions, not crashes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "expression.hpp"

namespace gp = graph_runner::plugins;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // filter/map expressions are one line; longer adds nothing
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const gp::Expression e(text);
    std::vector<double> values(e.variables().size());
    std::vector<double*> slots;
    for (std::size_t i = 0; i < values.size(); ++i) {
      values[i] = static_cast<double>(i) - 1.5;  // negative, fractional and positive inputs
      slots.push_back(&values[i]);
    }
    const gp::BoundExpression bound(e, slots);
    try {
      const double result = bound.eval();
      if (e.is_condition() && !(result == 0.0 || result == 1.0 || result != result)) __builtin_trap();
    } catch (const mu::Parser::exception_type& ex) {
      (void)gp::describe(ex, text);
    }
  } catch (const gp::ExpressionError&) {
  }
  return 0;
}
