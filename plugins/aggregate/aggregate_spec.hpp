#pragma once
// One entry of `aggregates = { NAME = "fn(field[, arg])" }`, parsed and checked once, when
// the stage is built: an unknown function or a wrong number of arguments is a graph error.
#include <stdexcept>
#include <string>
#include <string_view>

namespace graph_runner::plugins::agg {

enum class Function { count, sum, min, max, mean, first, last, count_distinct, quantile };

struct AggregateSpec {
  std::string output;   // the result's field name (the key of `aggregates`)
  std::string text;     // as written, for error messages: "sum(bytes)"
  Function function = Function::count;
  std::string field;    // empty only for count()
  double argument = 0;  // quantile's q
};

// Throws std::invalid_argument saying what is wrong and at which column (1-based) of `text`.
AggregateSpec parse_aggregate(std::string_view output, std::string_view text);

// "count() | sum(f) | ...": the functions with their arguments, for messages and docs.
std::string_view function_list() noexcept;
bool needs_number(Function f) noexcept;

}  // namespace graph_runner::plugins::agg
