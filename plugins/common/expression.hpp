#pragma once
// Expressions for the filter and map plugins, on muParser: compiled once per node, then
// evaluated per record by a per-thread copy whose variables are bound to scratch doubles.
//
// Why not muParser's bulk mode (Eval(results, n)): Debian's muParser 2.3.3 is built with
// OpenMP, and its bulk Eval re-parses the expression on every call and runs an OpenMP team
// (threads nested inside TBB workers). Measured on a 256-record batch: 27-50 ns/record in
// bulk mode against ~6 ns/record for Eval() per record.
#include <muParser.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "graph_runner/value.hpp"

namespace graph_runner::plugins {

/// A syntax error, with muParser's message, the character position and the token.
class ExpressionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An expression checked once: its syntax, and the names (fields) it reads.
class Expression {
 public:
  /// Parses `text`; throws ExpressionError, e.g.
  /// `Unexpected operator ">=" at character 8 of "value >>= 0"`.
  explicit Expression(std::string text);
  const std::string& text() const noexcept { return text_; }
  /// The variables (field names) the expression reads, in order of first use.
  const std::vector<std::string>& variables() const noexcept { return variables_; }
  /// True when the result is a truth value (0 or 1): the outermost operation is a
  /// comparison or a logical operator, e.g. `value >= 50` or `a > 1 && b < 2`.
  bool is_condition() const noexcept { return condition_; }

 private:
  std::string text_;
  std::vector<std::string> variables_;
  bool condition_ = false;
};

/// One thread's compiled copy of an Expression: variable i reads `*slots[i]`. A muParser
/// parser is not safe to share between threads, so each thread gets its own (see Pool).
class BoundExpression {
 public:
  BoundExpression(const Expression& e, const std::vector<double*>& slots);
  BoundExpression(const BoundExpression&) = delete;
  BoundExpression& operator=(const BoundExpression&) = delete;
  /// Evaluates with the current slot values. May throw mu::Parser::exception_type.
  double eval() const { return parser_.Eval(); }

 private:
  mu::Parser parser_;
};

/// Why a record cannot be evaluated: its field `f` holds `v`, which is absent (null) or
/// not a number. Numbers are int, double (but not NaN) and bool (0 or 1).
std::string not_a_number(Field f, const Value& v);

/// The message of a muParser error, as Expression reports it.
std::string describe(const mu::Parser::exception_type& e, const std::string& text);

}  // namespace graph_runner::plugins
