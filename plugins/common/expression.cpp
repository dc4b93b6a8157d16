#include "expression.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

namespace graph_runner::plugins {
namespace {

// While checking, every unknown name becomes a variable (a field the expression reads).
struct Discovery {
  std::vector<std::string> names;
  std::deque<double> slots;  // deque: addresses stay valid as it grows
};

double* discover_variable(const char* name, void* user) {
  auto* d = static_cast<Discovery*>(user);
  d->names.emplace_back(name);
  return &d->slots.emplace_back(0.0);
}

std::string at(int position, const std::string& text) {
  std::string where = position >= 0 ? " at character " + std::to_string(position + 1) + " of" : " in";
  return where + " \"" + text + "\"";
}

// muParser accepts `x = 3` as an assignment to the variable: in a filter or map that is
// almost always a mistyped `==`, and it would silently overwrite the field's value.
void reject_assignment(const std::string& text) {
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') quoted = !quoted;
    if (quoted || c != '=') continue;
    if (i + 1 < text.size() && text[i + 1] == '=') {
      ++i;  // "=="
      continue;
    }
    if (i > 0 && (text[i - 1] == '<' || text[i - 1] == '>' || text[i - 1] == '!')) continue;
    throw ExpressionError("'=' would assign; use '==' to compare," + at(static_cast<int>(i), text));
  }
}

// Calls visit(c, next) for each character outside strings and parentheses (and the one
// after it, or '\0'), in order, until it returns true; returns that position, or npos. An
// unbalanced ')' counts as outside (only the comma check meets one: muParser rejects it, and
// every string, before the condition check runs).
template <class Visit>
std::size_t find_top_level(const std::string& text, Visit visit) {
  bool quoted = false;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth <= 0 && visit(c, i + 1 < text.size() ? text[i + 1] : '\0')) return i;
  }
  return std::string::npos;
}

// muParser reads `a, b` as two expressions and evaluates to the last one; filter and map use
// one value, and is_condition() would judge the first (found by fuzzing: "x > 1, y" passed for
// a condition yielding y). A comma belongs inside a function's parentheses only.
void reject_top_level_comma(const std::string& text) {
  if (const auto i = find_top_level(text, [](char c, char) { return c == ','; }); i != std::string::npos)
    throw ExpressionError("',' outside a function's parentheses would make two expressions; write one" +
                          at(static_cast<int>(i), text));
}

// Comparisons and logical operators bind more loosely than arithmetic, so one of them
// outside any parentheses is the outermost operation, unless a ternary `?:` is.
bool outermost_is_condition(const std::string& text) {
  bool found = false;
  const bool ternary = find_top_level(text, [&found](char c, char next) {
                         if (c == '?') return true;
                         if (c == '<' || c == '>' || (c == '=' && next == '=') || (c == '!' && next == '=') ||
                             (c == '&' && next == '&') || (c == '|' && next == '|'))
                           found = true;
                         return false;
                       }) != std::string::npos;
  return found && !ternary;
}

}  // namespace

std::string not_a_number(Field f, const Value& v) {
  std::string what = v.type() == Type::float64 ? "NaN" : std::string(type_name(v.type()));
  return "field '" + std::string(field_name(f)) + "' is missing or not a number (it is " + what + ")";
}

std::string describe(const mu::Parser::exception_type& e, const std::string& text) {
  std::string msg = e.GetMsg();
  // muParser's own "found at position N" counts from 0; we say "at character N+1" once.
  for (const char* suffix : {" found at position ", " at position "}) {
    if (auto p = msg.find(suffix); p != std::string::npos) {
      msg.erase(p);
      break;
    }
  }
  while (!msg.empty() && (msg.back() == '.' || msg.back() == ' ')) msg.pop_back();
  const std::string& token = e.GetToken();
  if (!token.empty() && msg.find(token) == std::string::npos) msg += " (token \"" + token + "\")";
  return msg + at(e.GetPos(), text);
}

std::size_t NumberColumns::load(const std::vector<const Column*>& columns, const std::vector<Field>& fields,
                                const std::vector<std::size_t>& slot_of, std::size_t slots, const Batch& in,
                                Emitter& out) {
  const std::size_t n = in.size();
  values_.resize(std::max(values_.size(), slots));
  ints_.resize(values_.size());
  pointers_.resize(values_.size());
  for (std::size_t s = 0; s < slots; ++s) {
    values_[s].resize(n);
    ints_[s].resize(n);
    pointers_[s] = values_[s].data();
  }
  valid_.assign(n, 1);
  first_bad_.assign(n, columns.size());
  bool any_bad = false;
  // Column by column: a typed column without gaps is one tight loop through the selection.
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const Column* c = columns[j];
    double* dst = values_[slot_of[j]].data();
    char* is_int = ints_[slot_of[j]].data();
    std::size_t i = 0;
    if (c && c->all_valid() && c->type() == ColumnType::int64) {
      const std::int64_t* v = c->ints().data();
      in.for_each_row([&](std::size_t r) { dst[i] = static_cast<double>(v[r]); is_int[i++] = 1; });
    } else if (c && c->all_valid() && c->type() == ColumnType::float64) {
      const double* v = c->doubles().data();
      in.for_each_row([&](std::size_t r) { dst[i] = v[r]; is_int[i++] = 0; });
    } else {
      for (; i < n; ++i) {
        const Value v = c ? c->get(in.row(i)) : Value{};
        const double d = v.to_double();
        if (std::isnan(d)) {
          if (first_bad_[i] > j) first_bad_[i] = j;
          any_bad = true;
        }
        dst[i] = d;
        is_int[i] = v.type() == Type::int64 || v.type() == Type::boolean;
      }
    }
  }
  std::size_t count = n;
  if (any_bad)
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j = first_bad_[i];
      if (j == columns.size()) continue;
      out.reject(in, i, not_a_number(fields[j], columns[j] ? columns[j]->get(in.row(i)) : Value{}));
      valid_[i] = 0;
      --count;
    }
  return count;
}

Expression::Expression(std::string text) : text_(std::move(text)) {
  // muParser reads a C string: after a NUL (a TOML "\u0000") it would evaluate less than
  // the text we checked (found by fuzzing: "va\0>= 0" filtered on `va`, not a condition).
  if (const auto nul = text_.find('\0'); nul != std::string::npos)
    throw ExpressionError("the expression contains a NUL character (\\u0000)" + at(static_cast<int>(nul), text_.substr(0, nul)));
  reject_assignment(text_);
  reject_top_level_comma(text_);
  Discovery found;
  mu::Parser parser;
  parser.SetVarFactory(discover_variable, &found);
  try {
    parser.SetExpr(text_);
    parser.Eval();  // parsing happens on the first evaluation
  } catch (const mu::Parser::exception_type& e) {
    throw ExpressionError(describe(e, text_));
  }
  // muParser hands a number literal it cannot read (1e309: beyond double) to the variable
  // factory as a name, which BoundExpression then cannot define (found by fuzzing; the
  // mu::ParserError it threw is no std::exception). Define every name once here instead.
  mu::Parser binding;
  double scratch = 0;
  for (const auto& name : found.names) {
    try {
      binding.DefineVar(name, &scratch);
    } catch (const mu::Parser::exception_type&) {
      const auto pos = text_.find(name);
      throw ExpressionError("'" + name + "' is neither a number a double can hold nor a field name" +
                            at(pos == std::string::npos ? -1 : static_cast<int>(pos), text_));
    }
  }
  variables_ = std::move(found.names);
  condition_ = outermost_is_condition(text_);
  batch_ = BatchProgram::compile(text_, variables_);
}

BoundExpression::BoundExpression(const Expression& e, const std::vector<double*>& slots) {
  const auto& names = e.variables();
  for (std::size_t i = 0; i < names.size(); ++i) parser_.DefineVar(names[i], slots.at(i));
  parser_.SetExpr(e.text());
  parser_.Eval();  // compile to bytecode now, not inside the first batch
}

}  // namespace graph_runner::plugins
