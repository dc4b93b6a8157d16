#include "expression.hpp"

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

// Comparisons and logical operators bind more loosely than arithmetic, so one of them
// outside any parentheses is the outermost operation, unless a ternary `?:` is.
bool outermost_is_condition(const std::string& text) {
  bool quoted = false, found = false;
  int depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth != 0) continue;
    if (c == '?') return false;
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '<' || c == '>' || (c == '=' && next == '=') || (c == '!' && next == '=') ||
        (c == '&' && next == '&') || (c == '|' && next == '|'))
      found = true;
  }
  return found;
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

Expression::Expression(std::string text) : text_(std::move(text)) {
  reject_assignment(text_);
  Discovery found;
  mu::Parser parser;
  parser.SetVarFactory(discover_variable, &found);
  try {
    parser.SetExpr(text_);
    parser.Eval();  // parsing happens on the first evaluation
  } catch (const mu::Parser::exception_type& e) {
    throw ExpressionError(describe(e, text_));
  }
  variables_ = std::move(found.names);
  condition_ = outermost_is_condition(text_);
}

BoundExpression::BoundExpression(const Expression& e, const std::vector<double*>& slots) {
  const auto& names = e.variables();
  for (std::size_t i = 0; i < names.size(); ++i) parser_.DefineVar(names[i], slots.at(i));
  parser_.SetExpr(e.text());
  parser_.Eval();  // compile to bytecode now, not inside the first batch
}

}  // namespace graph_runner::plugins
