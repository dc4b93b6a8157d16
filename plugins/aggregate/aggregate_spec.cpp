#include "aggregate_spec.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <vector>

namespace graph_runner::plugins::agg {
namespace {

struct Known {
  std::string_view name;
  Function function;
  int min_args, max_args;  // a field, then for quantile a number
};
constexpr Known known[] = {
    {"count", Function::count, 0, 1},       {"sum", Function::sum, 1, 1},
    {"min", Function::min, 1, 1},           {"max", Function::max, 1, 1},
    {"mean", Function::mean, 1, 1},         {"first", Function::first, 1, 1},
    {"last", Function::last, 1, 1},         {"count_distinct", Function::count_distinct, 1, 1},
    {"quantile", Function::quantile, 2, 2},
};

[[noreturn]] void fail(std::string_view text, std::size_t at, const std::string& what) {
  throw std::invalid_argument("\"" + std::string(text) + "\" column " + std::to_string(at + 1) + ": " + what +
                              " (functions: " + std::string(function_list()) + ")");
}

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A field path as group_by writes it: letters, digits, '_', '.', '-', and '\' escapes.
bool field_char(char c) { return name_char(c) || c == '.' || c == '-' || c == '\\' || c == '@'; }

}  // namespace

std::string_view function_list() noexcept {
  return "count(), count(field), sum(field), min(field), max(field), mean(field), first(field), last(field), "
         "count_distinct(field), quantile(field, q)";
}

bool needs_number(Function f) noexcept {
  return f == Function::sum || f == Function::min || f == Function::max || f == Function::mean ||
         f == Function::quantile;
}

AggregateSpec parse_aggregate(std::string_view output, std::string_view text) {
  AggregateSpec spec{std::string(output), std::string(text), Function::count, {}, 0};
  std::size_t i = 0;
  auto skip_space = [&] { while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i; };
  skip_space();
  const std::size_t name_at = i;
  while (i < text.size() && name_char(text[i])) ++i;
  const std::string_view name = text.substr(name_at, i - name_at);
  if (name.empty()) fail(text, name_at, "expected a function name");
  const Known* fn = nullptr;
  for (const Known& k : known)
    if (k.name == name) fn = &k;
  if (!fn) fail(text, name_at, "unknown function '" + std::string(name) + "'");
  spec.function = fn->function;
  skip_space();
  if (i >= text.size() || text[i] != '(') fail(text, i, "expected '(' after " + std::string(name));
  ++i;

  std::vector<std::pair<std::string_view, std::size_t>> args;  // text and column
  for (;;) {
    skip_space();
    if (i < text.size() && text[i] == ')' && args.empty()) break;
    const std::size_t at = i;
    while (i < text.size() && (field_char(text[i]) || text[i] == '+')) ++i;
    if (i == at) fail(text, at, "expected an argument");
    args.emplace_back(text.substr(at, i - at), at);
    skip_space();
    if (i < text.size() && text[i] == ',') { ++i; continue; }
    break;
  }
  if (i >= text.size() || text[i] != ')') fail(text, i, "expected ')'");
  ++i;
  skip_space();
  if (i != text.size()) fail(text, i, "unexpected text after ')'");

  const int n = static_cast<int>(args.size());
  if (n < fn->min_args || n > fn->max_args) {
    const std::string wanted = fn->min_args == fn->max_args ? std::to_string(fn->min_args)
                                                            : std::to_string(fn->min_args) + " or " + std::to_string(fn->max_args);
    fail(text, name_at, std::string(name) + " takes " + wanted + " argument" + (fn->max_args == 1 ? "" : "s") +
                            ", got " + std::to_string(n));
  }
  if (n >= 1) spec.field = std::string(args[0].first);
  if (spec.function == Function::quantile) {
    const auto [q_text, at] = args[1];
    double q = 0;
    auto [end, ec] = std::from_chars(q_text.data(), q_text.data() + q_text.size(), q);
    if (ec != std::errc() || end != q_text.data() + q_text.size() || !(q >= 0 && q <= 1))
      fail(text, at, "quantile's second argument is a number from 0 to 1, got '" + std::string(q_text) + "'");
    spec.argument = q;
  }
  return spec;
}

}  // namespace graph_runner::plugins::agg
