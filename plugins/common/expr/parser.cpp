#include "parser.hpp"

#include <re2/re2.h>

#include <cmath>
#include <numbers>

#include "expr.hpp"
#include "functions.hpp"
#include "graph_runner/field_path.hpp"
#include "lexer.hpp"

namespace graph_runner::expr {
namespace {

constexpr std::size_t max_pattern = 1000;          // bytes of a regex pattern
constexpr std::int64_t regex_max_mem = 8 << 20;    // RE2's memory budget per pattern
constexpr int max_depth = 200;                     // nesting: no stack overflow on "((((..."

// Binding powers, loosest first (docs/expressions.md, "Operators").
enum Bp : int { none = 0, ternary = 1, coalesce = 2, or_ = 3, and_ = 4, compare = 5, sum = 6, product = 7, unary = 8, power = 9 };

struct Infix {
  Op op;
  int bp;
  bool right = false;
};

bool infix_of(const Token& t, Infix& out) {
  switch (t.kind) {
    case Tok::question: out = {Op::cond, ternary, true}; return true;
    case Tok::coalesce: out = {Op::coalesce, coalesce, true}; return true;
    case Tok::or_: out = {Op::or_, or_}; return true;
    case Tok::and_: out = {Op::and_, and_}; return true;
    case Tok::lt: out = {Op::lt, compare}; return true;
    case Tok::le: out = {Op::le, compare}; return true;
    case Tok::gt: out = {Op::gt, compare}; return true;
    case Tok::ge: out = {Op::ge, compare}; return true;
    case Tok::eq: out = {Op::eq, compare}; return true;
    case Tok::ne: out = {Op::ne, compare}; return true;
    case Tok::plus: out = {Op::add, sum}; return true;
    case Tok::minus: out = {Op::sub, sum}; return true;
    case Tok::star: out = {Op::mul, product}; return true;
    case Tok::slash: out = {Op::div, product}; return true;
    case Tok::percent: out = {Op::mod, product}; return true;
    case Tok::caret: out = {Op::pow, power, true}; return true;
    case Tok::ident:
      if (t.text == "in") { out = {Op::in, compare}; return true; }
      return false;
    default: return false;
  }
}

std::string arity_text(const Function& f) {
  auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
  if (f.min_args == f.max_args) return plural(f.min_args);
  if (f.max_args == f.min_args + 1) return std::to_string(f.min_args) + " or " + plural(f.max_args);
  return std::to_string(f.min_args) + " to " + plural(f.max_args);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

  std::unique_ptr<Node> parse_all() {
    auto n = expression(none);
    if (peek().kind != Tok::end) {
      const Token& t = peek();
      if (t.kind == Tok::rparen) throw CompileError(t.column, "unbalanced ')': no '(' opens it");
      throw CompileError(t.column, "expected an operator, found " + describe(t));
    }
    return n;
  }

 private:
  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() { return tokens_[pos_ == tokens_.size() - 1 ? pos_ : pos_++]; }
  void expect(Tok k, const char* what, const Token& opener) {
    if (peek().kind == k) { ++pos_; return; }
    throw CompileError(peek().column, std::string("expected ") + what + " (for the one at column " +
                                          std::to_string(opener.column) + "), found " + describe(peek()));
  }

  std::unique_ptr<Node> make(Op op, std::size_t column) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->column = column;
    return n;
  }

  std::unique_ptr<Node> expression(int min_bp) {
    if (++depth_ > max_depth) throw CompileError(peek().column, "the expression nests too deeply");
    auto left = prefix();
    while (true) {
      Infix in;
      const Token& t = peek();
      if (!infix_of(t, in) || in.bp <= min_bp) break;
      next();
      auto n = make(in.op, t.column);
      n->text = t.text;
      n->args.push_back(std::move(left));
      if (in.op == Op::cond) {
        n->args.push_back(operand(none, t));
        expect(Tok::colon, "':' of the '?'", t);
        n->args.push_back(operand(ternary - 1, t));
      } else {
        n->args.push_back(operand(in.right ? in.bp - 1 : in.bp, t));
      }
      left = std::move(n);
    }
    --depth_;
    return left;
  }

  // The operand after operator `op`: a clear message when it is missing.
  std::unique_ptr<Node> operand(int bp, const Token& op) {
    const Token& t = peek();
    if (t.kind == Tok::end || t.kind == Tok::rparen || t.kind == Tok::rbracket || t.kind == Tok::comma ||
        t.kind == Tok::colon || (t.kind != Tok::minus && t.kind != Tok::plus && t.kind != Tok::bang && infix_of(t, dummy_)))
      throw CompileError(t.column, "expected an expression after \"" + op.text + "\", found " + describe(t));
    return expression(bp);
  }

  std::unique_ptr<Node> prefix() {
    const Token& t = next();
    switch (t.kind) {
      case Tok::integer: { auto n = make(Op::literal, t.column); n->value = Value::of(t.integer); return postfix(std::move(n)); }
      case Tok::number: { auto n = make(Op::literal, t.column); n->value = Value::of(t.number); return postfix(std::move(n)); }
      case Tok::string: { auto n = make(Op::literal, t.column); n->set_string(t.text); return postfix(std::move(n)); }
      case Tok::minus:
      case Tok::plus:
      case Tok::bang: {
        auto inner = operand(unary, t);
        if (t.kind == Tok::plus) return inner;
        auto n = make(t.kind == Tok::minus ? Op::neg : Op::not_, t.column);
        n->text = t.text;
        n->args.push_back(std::move(inner));
        return n;
      }
      case Tok::lparen: {
        auto n = expression(none);
        expect(Tok::rparen, "')'", t);
        return postfix(std::move(n));
      }
      case Tok::lbracket: {
        auto n = make(Op::array, t.column);
        if (peek().kind != Tok::rbracket)
          do n->args.push_back(operand(none, t)); while (peek().kind == Tok::comma && (next(), true));
        expect(Tok::rbracket, "']'", t);
        return postfix(std::move(n));
      }
      case Tok::dot:
        if (peek().kind == Tok::string) return postfix(path(t.column, ""));
        throw CompileError(t.column, "a '.' starts a quoted field name only, e.g. .\"my key\"");
      case Tok::ident: return postfix(identifier(t));
      case Tok::end: throw CompileError(t.column, pos_ <= 1 ? "the expression is empty" : "expected an expression, found the end");
      default: throw CompileError(t.column, "expected an expression, found " + describe(t));
    }
  }

  std::unique_ptr<Node> identifier(const Token& t) {
    if (t.text == "true" || t.text == "false") { auto n = make(Op::literal, t.column); n->value = Value::of(t.text == "true"); return n; }
    if (t.text == "null") return make(Op::literal, t.column);
    // muParser's constants, kept for old expressions.
    if (t.text == "_pi") { auto n = make(Op::literal, t.column); n->value = Value::of(std::numbers::pi); return n; }
    if (t.text == "_e") { auto n = make(Op::literal, t.column); n->value = Value::of(std::numbers::e); return n; }
    if (t.text == "in") throw CompileError(t.column, "expected an expression before \"in\"");
    if (peek().kind == Tok::lparen) return call(t);
    return path(t.column, t.text);
  }

  // A field path: `user.country`, `user."e.mail"`, `."my key"`; keys joined as field_path.hpp does.
  std::unique_ptr<Node> path(std::size_t column, const std::string& first) {
    auto n = make(Op::field, column);
    if (!first.empty()) n->text = first;
    else n->text = path_join("", next().text);  // after a leading '.', the quoted key
    while (peek().kind == Tok::dot) {
      const Token& dot = next();
      const Token& key = next();
      if (key.kind != Tok::ident && key.kind != Tok::string)
        throw CompileError(key.column, "expected a field name after \".\" at column " + std::to_string(dot.column) + ", found " + describe(key));
      n->text = path_join(n->text, key.text);
    }
    n->field = graph_runner::field(n->text);
    return n;
  }

  std::unique_ptr<Node> postfix(std::unique_ptr<Node> n) {
    while (peek().kind == Tok::lbracket) {
      const Token& open = next();
      auto idx = make(Op::index, open.column);
      idx->args.push_back(std::move(n));
      idx->args.push_back(operand(none, open));
      expect(Tok::rbracket, "']'", open);
      n = std::move(idx);
    }
    return n;
  }

  std::unique_ptr<Node> call(const Token& name) {
    const Function* f = find_function(name.text);
    if (!f) {
      std::string msg = "unknown function \"" + name.text + "\"";
      const std::string near = closest_function(name.text);
      if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
      throw CompileError(name.column, msg);
    }
    const Token& open = next();
    auto n = make(Op::call, name.column);
    n->text = name.text;
    n->fn = f;
    if (peek().kind != Tok::rparen)
      do n->args.push_back(operand(none, open)); while (peek().kind == Tok::comma && (next(), true));
    expect(Tok::rparen, "')'", open);
    const int got = static_cast<int>(n->args.size());
    if (got < f->min_args || got > f->max_args)
      throw CompileError(name.column, std::string(f->name) + " takes " + arity_text(*f) + ", got " + std::to_string(got));
    if (f->path_arg && n->args[0]->op != Op::field)
      throw CompileError(n->args[0]->column, std::string(f->name) + " takes a field path, e.g. " + std::string(f->name) + "(user.email)");
    for (int a : {f->regex_arg, f->literal_arg}) {
      if (a < 0 || a >= got) continue;
      const Node& arg = *n->args[static_cast<std::size_t>(a)];
      if (!arg.is_literal() || arg.value.type() != Type::string)
        throw CompileError(arg.column, std::string(f->name) + ": argument " + std::to_string(a + 1) +
                                           " must be a string literal" + (a == f->regex_arg ? " (the regex is compiled once)" : ""));
    }
    if (f->regex_arg >= 0) n->regex = compile_regex(*n->args[static_cast<std::size_t>(f->regex_arg)]);
    return n;
  }

  static std::shared_ptr<const re2::RE2> compile_regex(const Node& pattern) {
    if (pattern.text.size() > max_pattern)
      throw CompileError(pattern.column, "regular expression longer than " + std::to_string(max_pattern) + " bytes");
    re2::RE2::Options options;
    options.set_max_mem(regex_max_mem);
    options.set_log_errors(false);
    auto re = std::make_shared<re2::RE2>(pattern.text, options);
    if (!re->ok()) throw CompileError(pattern.column, "bad regular expression: " + re->error());
    return re;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  Infix dummy_{};
};

}  // namespace

std::unique_ptr<Node> parse(std::string_view text) { return Parser(text).parse_all(); }

}  // namespace graph_runner::expr
