#pragma once
// The language's semantics on single values (docs/expressions.md, "Types and null"): what the
// evaluator's typed loops do for a whole vector, and what its general path does value by value.
#include <string>
#include <string_view>

#include "ast.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::expr {

/// Operand `which` (0 left, 1 right) of an operator had the wrong type: `expected` says what.
struct OperandError {
  int which;
  std::string_view expected;
  std::string detail;  // instead of "expected ..., found ...", e.g. "integer overflow"
};

/// `int 17`, `string "abc"` (cut after 40 bytes), `null`: how a value reads in a message.
std::string describe_value(const Value& v);
/// The type name users read: null, bool, int, double, string, bytes, array, object.
std::string_view value_type_name(const Value& v);

/// `a OP b` for the arithmetic operators (+ - * / % ^) and unary minus (b unused). Null in,
/// null out. Strings: `+` concatenates (into `arena`). Throws OperandError.
Value arithmetic(Op op, const Value& a, const Value& b, Arena& arena);
/// `a OP b` for < <= > >= == != (false when either is null; == across types: false).
bool compare(Op op, const Value& a, const Value& b);
/// Truth for && || ! ?: and filter: bool, number != 0; null is false. Throws OperandError{0}.
bool truthy(const Value& v);
/// `x in array`: `array` is JSON array text (an array literal, split(), an array field).
bool contained(const Value& x, const Value& array);

/// A Value as JSON text (arrays built by literals and split()).
void append_json(std::string& out, const Value& v);

}  // namespace graph_runner::expr
