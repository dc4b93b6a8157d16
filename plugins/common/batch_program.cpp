#include "batch_program.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace graph_runner::plugins {
namespace {

using Operand = BatchProgram::Operand;
using Op = BatchProgram::Op;
using Instruction = BatchProgram::Instruction;

// Thrown when the text leaves the supported subset; compile() then returns nullopt.
struct Unsupported {};

// Recursive descent over muParser's precedence (lowest first): `?:` (right-associative),
// `||`, `&&`, comparisons, `+ -`, `* /`, signs, then numbers, variables and parentheses.
class Compiler {
 public:
  Compiler(const std::string& text, const std::vector<std::string>& variables) : text_(text), variables_(variables) {}

  Operand parse_all(std::vector<Instruction>& code, std::size_t& registers) {
    code_ = &code;
    Operand result = ternary();
    skip_space();
    if (pos_ != text_.size()) throw Unsupported{};
    registers = registers_;
    return result;
  }

 private:
  Operand ternary() {
    Operand condition = logical_or();
    if (!take("?")) return condition;
    Operand then = ternary();
    if (!take(":")) throw Unsupported{};
    Operand otherwise = ternary();
    if (condition.kind == Operand::Kind::constant) return condition.value != 0 ? then : otherwise;
    return emit(Op::select, condition, then, otherwise);
  }
  Operand logical_or() {
    Operand a = logical_and();
    while (take("||")) a = binary(Op::lor, a, logical_and());
    return a;
  }
  Operand logical_and() {
    Operand a = comparison();
    while (take("&&")) a = binary(Op::land, a, comparison());
    return a;
  }
  Operand comparison() {
    Operand a = additive();
    for (;;) {
      // Two-character operators first, so `<=` is not read as `<`.
      if (take("<=")) a = binary(Op::le, a, additive());
      else if (take(">=")) a = binary(Op::ge, a, additive());
      else if (take("==")) a = binary(Op::eq, a, additive());
      else if (take("!=")) a = binary(Op::ne, a, additive());
      else if (peek_single('<')) a = binary(Op::lt, a, additive());
      else if (peek_single('>')) a = binary(Op::gt, a, additive());
      else return a;
    }
  }
  Operand additive() {
    Operand a = multiplicative();
    for (;;) {
      if (take("+")) a = binary(Op::add, a, multiplicative());
      else if (take("-")) a = binary(Op::sub, a, multiplicative());
      else return a;
    }
  }
  Operand multiplicative() {
    Operand a = sign();
    for (;;) {
      if (take("*")) a = binary(Op::mul, a, sign());
      else if (take("/")) a = binary(Op::div, a, sign());
      else return a;
    }
  }
  Operand sign() {
    if (take("-")) {
      Operand a = sign();
      if (a.kind == Operand::Kind::constant) return constant(-a.value);
      return emit(Op::neg, a, {}, {});
    }
    if (take("+")) return sign();
    return primary();
  }
  Operand primary() {
    skip_space();
    if (pos_ >= text_.size()) throw Unsupported{};
    const char c = text_[pos_];
    if (c == '(') {
      ++pos_;
      Operand inner = ternary();
      if (!take(")")) throw Unsupported{};
      return inner;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') return variable();
    throw Unsupported{};  // strings, operators muParser defines but we do not
  }
  Operand number() {
    const std::size_t start = pos_;
    auto digits = [&] {
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    };
    digits();
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      digits();
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      const std::size_t exponent = pos_;
      digits();
      if (pos_ == exponent) throw Unsupported{};
    }
    const std::string literal = text_.substr(start, pos_ - start);
    if (literal == ".") throw Unsupported{};
    // A name right after a number (`2x`) is muParser's business.
    if (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      throw Unsupported{};
    return constant(std::strtod(literal.c_str(), nullptr));
  }
  Operand variable() {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) ++pos_;
    const std::string name = text_.substr(start, pos_ - start);
    for (std::size_t i = 0; i < variables_.size(); ++i)
      if (variables_[i] == name) {
        Operand o;
        o.kind = Operand::Kind::input;
        o.index = i;
        return o;
      }
    throw Unsupported{};  // a constant (_pi) or a function: muParser's
  }

  static Operand constant(double v) {
    Operand o;
    o.value = v;
    return o;
  }
  Operand binary(Op op, Operand a, Operand b) {
    if (a.kind == Operand::Kind::constant && b.kind == Operand::Kind::constant) {
      // Fold now, with the same operation eval() would run.
      std::vector<Instruction> one{{op, 0, a, b, {}}};
      double result = 0;
      const double* none[1] = {nullptr};
      BatchProgram::Scratch scratch;
      fold(one, none, &result, scratch);
      return constant(result);
    }
    return emit(op, a, b, {});
  }
  Operand emit(Op op, Operand a, Operand b, Operand c) {
    Instruction in{op, registers_++, a, b, c};
    code_->push_back(in);
    Operand r;
    r.kind = Operand::Kind::reg;
    r.index = in.dst;
    return r;
  }
  static void fold(const std::vector<Instruction>& code, const double* const* inputs, double* out,
                   BatchProgram::Scratch& scratch);

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool take(const char* op) {
    skip_space();
    const std::string_view s(op);
    if (text_.compare(pos_, s.size(), s) != 0) return false;
    pos_ += s.size();
    return true;
  }
  // `<` or `>` not followed by `=` (already tried) nor doubled (`<<` is not ours).
  bool peek_single(char c) {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != c) return false;
    if (pos_ + 1 < text_.size() && (text_[pos_ + 1] == c)) throw Unsupported{};
    ++pos_;
    return true;
  }

  const std::string& text_;
  const std::vector<std::string>& variables_;
  std::vector<Instruction>* code_ = nullptr;
  std::size_t registers_ = 0;
  std::size_t pos_ = 0;
};

// Column pointer of an operand; a constant has none.
const double* column(const Operand& o, const double* const* inputs, std::vector<std::vector<double>>& regs) {
  switch (o.kind) {
    case Operand::Kind::reg: return regs[o.index].data();
    case Operand::Kind::input: return inputs[o.index];
    case Operand::Kind::constant: return nullptr;
  }
  return nullptr;
}

// dst[i] = f(a[i], b[i]) with either side possibly a constant: three tight loops.
template <class F>
void apply(const Operand& a, const Operand& b, const double* const* inputs, std::vector<std::vector<double>>& regs,
           double* dst, std::size_t n, F f) {
  const double* pa = column(a, inputs, regs);
  const double* pb = column(b, inputs, regs);
  if (!pa && !pb) {
    const double r = f(a.value, b.value);
    for (std::size_t i = 0; i < n; ++i) dst[i] = r;
  } else if (!pa) {
    const double ka = a.value;
    for (std::size_t i = 0; i < n; ++i) dst[i] = f(ka, pb[i]);
  } else if (!pb) {
    const double kb = b.value;
    for (std::size_t i = 0; i < n; ++i) dst[i] = f(pa[i], kb);
  } else {
    for (std::size_t i = 0; i < n; ++i) dst[i] = f(pa[i], pb[i]);
  }
}

void run(const std::vector<Instruction>& code, const double* const* inputs, std::size_t n,
         std::vector<std::vector<double>>& regs) {
  for (const Instruction& in : code) {
    double* dst = regs[in.dst].data();
    const Operand &a = in.a, &b = in.b;
    switch (in.op) {
      case Op::neg: apply(a, a, inputs, regs, dst, n, [](double x, double) { return -x; }); break;
      case Op::add: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x + y; }); break;
      case Op::sub: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x - y; }); break;
      case Op::mul: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x * y; }); break;
      case Op::div: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x / y; }); break;
      case Op::lt: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x < y ? 1.0 : 0.0; }); break;
      case Op::le: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x <= y ? 1.0 : 0.0; }); break;
      case Op::gt: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x > y ? 1.0 : 0.0; }); break;
      case Op::ge: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x >= y ? 1.0 : 0.0; }); break;
      case Op::eq: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x == y ? 1.0 : 0.0; }); break;
      case Op::ne: apply(a, b, inputs, regs, dst, n, [](double x, double y) { return x != y ? 1.0 : 0.0; }); break;
      case Op::land:
        apply(a, b, inputs, regs, dst, n, [](double x, double y) { return (x != 0 && y != 0) ? 1.0 : 0.0; });
        break;
      case Op::lor:
        apply(a, b, inputs, regs, dst, n, [](double x, double y) { return (x != 0 || y != 0) ? 1.0 : 0.0; });
        break;
      case Op::select: {
        // NaN counts as true, as in muParser (`if (x == 0) else-branch`).
        const double* pc = column(a, inputs, regs);
        const double* pt = column(b, inputs, regs);
        const double* pe = column(in.c, inputs, regs);
        for (std::size_t i = 0; i < n; ++i) {
          const double c = pc ? pc[i] : a.value;
          dst[i] = c != 0 ? (pt ? pt[i] : b.value) : (pe ? pe[i] : in.c.value);
        }
        break;
      }
      case Op::copy: apply(a, a, inputs, regs, dst, n, [](double x, double) { return x; }); break;
    }
  }
}

void Compiler::fold(const std::vector<Instruction>& code, const double* const* inputs, double* out,
                    BatchProgram::Scratch& scratch) {
  scratch.registers.assign(1, std::vector<double>(1));
  run(code, inputs, 1, scratch.registers);
  *out = scratch.registers[0][0];
}

}  // namespace

std::optional<BatchProgram> BatchProgram::compile(const std::string& text, const std::vector<std::string>& variables) {
  BatchProgram p;
  try {
    p.result_ = Compiler(text, variables).parse_all(p.code_, p.registers_);
  } catch (const Unsupported&) {
    return std::nullopt;
  }
  return p;
}

void BatchProgram::eval(const double* const* inputs, std::size_t n, double* out, Scratch& scratch) const {
  if (scratch.registers.size() < registers_) scratch.registers.resize(registers_);
  for (std::size_t r = 0; r < registers_; ++r)
    if (scratch.registers[r].size() < n) scratch.registers[r].resize(n);
  run(code_, inputs, n, scratch.registers);
  if (const double* result = column(result_, inputs, scratch.registers)) std::copy(result, result + n, out);
  else std::fill(out, out + n, result_.value);
}

}  // namespace graph_runner::plugins
