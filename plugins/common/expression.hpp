#pragma once
// Expressions for the filter and map plugins, on muParser: compiled once per node. The
// arithmetic and logic subset also compiles to a BatchProgram that evaluates a whole batch
// column by column (batch_program.hpp); anything else is evaluated per record by a
// per-thread muParser copy whose variables are bound to scratch doubles.
//
// Why not muParser's bulk mode (Eval(results, n)): Debian's muParser 2.3.3 is built with
// OpenMP, and its bulk Eval re-parses the expression on every call and runs an OpenMP team
// (threads nested inside TBB workers). Measured on a 256-record batch: 27-50 ns/record in
// bulk mode against ~6 ns/record for Eval() per record.
#include <muParser.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "batch_program.hpp"
#include "graph_runner/batch.hpp"
#include "graph_runner/node.hpp"
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
  /// The batch-at-a-time form, or nullptr when the expression needs muParser per record.
  const BatchProgram* batch() const noexcept { return batch_ ? &*batch_ : nullptr; }

 private:
  std::string text_;
  std::vector<std::string> variables_;
  bool condition_ = false;
  std::optional<BatchProgram> batch_;
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

/// The numeric inputs of a BatchProgram for one batch: per slot (a variable) a column of
/// doubles, and whether each value came from an int (or bool). One per thread, reused.
class NumberColumns {
 public:
  /// Reads field column `columns[j]` (nullptr: no record has the field `fields[j]`) into
  /// slot `slot_of[j]`, for every record of `in`. A record with a field that is missing or
  /// not a number is rejected through `out` (at its first such field, in order) and marked
  /// invalid. Slots not loaded keep their size `slots` x in.size() for the caller to fill.
  /// Returns the number of valid records.
  std::size_t load(const std::vector<const Column*>& columns, const std::vector<Field>& fields,
                   const std::vector<std::size_t>& slot_of, std::size_t slots, const Batch& in, Emitter& out);
  double* values(std::size_t slot) noexcept { return values_[slot].data(); }
  char* ints(std::size_t slot) noexcept { return ints_[slot].data(); }
  /// Pointers to every slot's column, for BatchProgram::eval.
  const double* const* pointers() const noexcept { return pointers_.data(); }
  bool valid(std::size_t row) const noexcept { return valid_[row] != 0; }

 private:
  std::vector<std::vector<double>> values_;
  std::vector<std::vector<char>> ints_;
  std::vector<const double*> pointers_;
  std::vector<char> valid_;
  std::vector<std::size_t> first_bad_;  // per record: the first field that is not a number
};

/// Why a record cannot be evaluated: its field `f` holds `v`, which is absent (null) or
/// not a number. Numbers are int, double (but not NaN) and bool (0 or 1).
std::string not_a_number(Field f, const Value& v);

/// The message of a muParser error, as Expression reports it.
std::string describe(const mu::Parser::exception_type& e, const std::string& text);

}  // namespace graph_runner::plugins
