#pragma once
// The typed tree the parser builds and the evaluator walks. Nodes never move once built (held
// by unique_ptr), so a string literal's Value points into its own node.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "graph_runner/value.hpp"

namespace re2 { class RE2; }

namespace graph_runner::expr {

struct Function;

enum class Op : std::uint8_t {
  literal, field, index, array,
  neg, not_, mul, div, mod, add, sub, pow,
  lt, le, gt, ge, eq, ne, in,
  and_, or_, coalesce, cond, call,
};

struct Node {
  Op op = Op::literal;
  std::size_t column = 0;  // where it starts in the text (an operator: the operator's column)
  std::size_t id = 0;      // its vector in a Scratch
  std::vector<std::unique_ptr<Node>> args;
  std::string text;        // a string literal's bytes, a field's path, an operator as written
  Value value;             // a literal (strings point into `text`)
  Field field;             // Op::field
  const Function* fn = nullptr;                 // Op::call
  std::shared_ptr<const re2::RE2> regex;        // a call whose pattern argument was compiled

  bool is_literal() const noexcept { return op == Op::literal; }
  /// Sets a string literal: `text` holds the bytes, `value` points at them.
  void set_string(std::string s, Type t = Type::string) {
    op = Op::literal;
    text = std::move(s);
    value = Value::string_ref(text, t);
  }
};

/// How an operand reads in a run-time message: `field "status"` or `"len(x) + 1" (column 4)`.
std::string operand_name(const Node& n, std::string_view text);

}  // namespace graph_runner::expr
