#pragma once
// The function table: every function's name, arity, documentation and per-value implementation.
// One file per family (functions_string.cpp, functions_regex.cpp, ...) registers its rows;
// docs/expressions.md's function table is generated from them (function_table_markdown()).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ast.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::expr {

/// A record's evaluation failed (a type error, int("abc")): the record is rejected with `message`.
struct RowFailure {
  std::string message;
};

/// What a function's implementation may use.
class CallContext {
 public:
  CallContext(const Node& node, std::string_view text, Arena& arena) : node_(node), text_(text), arena_(arena) {}
  const Node& node() const noexcept { return node_; }
  /// A computed string, kept in the scratch arena.
  Value string(std::string_view s, Type t = Type::string) { return Value::string_ref(arena_.copy(s), t); }
  /// Fails the record: argument `arg` should have been `expected`, found `v`.
  [[noreturn]] void type_error(std::size_t arg, std::string_view expected, const Value& v) const;
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const Node& node_;
  std::string_view text_;
  Arena& arena_;
};

using RowFn = Value (*)(CallContext&, std::span<const Value> args);

struct Function {
  std::string_view name;
  int min_args = 0, max_args = 0;
  std::string_view signature, summary, example;
  RowFn fn = nullptr;
  bool takes_null = false;  // called with null arguments (else a null argument gives null)
  bool pure = true;         // same arguments, same result: folded at compile time
  int regex_arg = -1;       // this argument must be a string literal: a regex compiled once
  int literal_arg = -1;     // this argument must be a string literal (a time pattern)
  bool path_arg = false;    // exists(): its argument is a field path, read without its value
};

/// Each family's rows.
void add_string_functions(std::vector<Function>& out);
void add_regex_functions(std::vector<Function>& out);
void add_conversion_functions(std::vector<Function>& out);
void add_math_functions(std::vector<Function>& out);
void add_time_functions(std::vector<Function>& out);

/// The whole table, in documentation order.
const std::vector<Function>& functions();
const Function* find_function(std::string_view name);
/// The closest function name to `name`, or "" when none is close.
std::string closest_function(std::string_view name);

/// Helpers for implementations.
std::string_view need_string(CallContext& c, std::span<const Value> a, std::size_t i);
std::int64_t need_int(CallContext& c, std::span<const Value> a, std::size_t i);
double need_number(CallContext& c, std::span<const Value> a, std::size_t i);

}  // namespace graph_runner::expr
