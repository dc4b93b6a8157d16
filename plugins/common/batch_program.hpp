#pragma once
// Expressions evaluated over a whole batch, a column at a time: the fast path of the filter
// and map plugins. muParser interprets its bytecode once per record (~6 ns per record and
// expression even for `value >= 0`, plus the call); a BatchProgram interprets once per
// batch and runs each operation as a tight loop over the batch's values, which the compiler
// vectorizes. (muParser's own bulk mode does not help: 2.3.3 re-parses the expression on
// every bulk call and spreads it over an OpenMP team.)
//
// It covers the arithmetic and logic subset of muParser's syntax: numbers, variables,
// parentheses, unary + and -, `+ - * /`, `< <= > >= == !=`, `&& ||` and `c ? a : b`, with
// muParser's precedence. The results are the same doubles muParser computes (IEEE
// operations in the same order; comparisons and logic give 1 or 0). Anything else (functions,
// constants such as _pi, `^`, strings) is left to muParser: compile() returns nullopt.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace graph_runner::plugins {

class BatchProgram {
 public:
  /// Compiles `text`, whose variables are `variables` (input i of eval() is variables[i]),
  /// or returns nullopt when the expression uses anything beyond the subset above.
  static std::optional<BatchProgram> compile(const std::string& text, const std::vector<std::string>& variables);

  /// Working memory of one thread: reuse it across calls to avoid allocating per batch.
  struct Scratch {
    std::vector<std::vector<double>> registers;
  };

  /// Evaluates the expression for rows 0..n-1: `inputs[i][row]` is variable i, the result
  /// goes to `out[row]`. Thread-safe (the program is immutable; scratch is the caller's).
  void eval(const double* const* inputs, std::size_t n, double* out, Scratch& scratch) const;

  /// An operand: a register (a column of n values), an input column, or a constant.
  struct Operand {
    enum class Kind { reg, input, constant } kind = Kind::constant;
    std::size_t index = 0;
    double value = 0;
  };
  enum class Op { neg, add, sub, mul, div, lt, le, gt, ge, eq, ne, land, lor, select, copy };
  struct Instruction {
    Op op;
    std::size_t dst;  // register
    Operand a, b, c;  // b and c when the operation takes them
  };

 private:
  std::vector<Instruction> code_;
  std::size_t registers_ = 0;
  Operand result_;
};

}  // namespace graph_runner::plugins
