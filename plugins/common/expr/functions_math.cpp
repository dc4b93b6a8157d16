// Math, as muParser offered it (old expressions keep working): results are doubles except
// abs/min/max of ints, which stay ints.
#include <algorithm>
#include <cmath>

#include "functions.hpp"

namespace graph_runner::expr {
namespace {

template <double (*F)(double)>
Value unary(CallContext& c, std::span<const Value> a) { return Value::of(F(need_number(c, a, 0))); }

bool is_int(const Value& v) { return v.type() == Type::int64; }

Value abs_(CallContext& c, std::span<const Value> a) {
  if (is_int(a[0])) {
    if (a[0].as_int() == INT64_MIN) c.fail("integer overflow");
    return Value::of(a[0].as_int() < 0 ? -a[0].as_int() : a[0].as_int());
  }
  return Value::of(std::fabs(need_number(c, a, 0)));
}

template <bool Max>
Value pick(CallContext& c, std::span<const Value> a) {
  bool ints = true;
  for (const Value& v : a) ints = ints && is_int(v);
  if (ints) {
    std::int64_t r = a[0].as_int();
    for (const Value& v : a) r = Max ? std::max(r, v.as_int()) : std::min(r, v.as_int());
    return Value::of(r);
  }
  double r = need_number(c, a, 0);
  for (std::size_t i = 1; i < a.size(); ++i) r = Max ? std::max(r, need_number(c, a, i)) : std::min(r, need_number(c, a, i));
  return Value::of(r);
}

Value pow_(CallContext& c, std::span<const Value> a) { return Value::of(std::pow(need_number(c, a, 0), need_number(c, a, 1))); }
Value sign(CallContext& c, std::span<const Value> a) {
  const double d = need_number(c, a, 0);
  return Value::of(static_cast<double>((d > 0) - (d < 0)));
}
double round_half_away(double d) { return std::round(d); }
double sqrt_(double d) { return std::sqrt(d); }
double floor_(double d) { return std::floor(d); }
double ceil_(double d) { return std::ceil(d); }
double log_(double d) { return std::log(d); }
double log2_(double d) { return std::log2(d); }
double log10_(double d) { return std::log10(d); }
double exp_(double d) { return std::exp(d); }
double sin_(double d) { return std::sin(d); }
double cos_(double d) { return std::cos(d); }
double tan_(double d) { return std::tan(d); }
double asin_(double d) { return std::asin(d); }
double acos_(double d) { return std::acos(d); }
double atan_(double d) { return std::atan(d); }
double rint_(double d) { return std::rint(d); }

}  // namespace

void add_math_functions(std::vector<Function>& t) {
  t.push_back({"abs", 1, 1, "abs(x)", "number: absolute value (an int stays an int)", "abs(delta) > 10", abs_});
  t.push_back({"min", 1, 16, "min(x, ...)", "number: the smallest (ints stay ints)", "min(a, b, 100)", pick<false>});
  t.push_back({"max", 1, 16, "max(x, ...)", "number: the largest (ints stay ints)", "max(0, value)", pick<true>});
  t.push_back({"sqrt", 1, 1, "sqrt(x)", "double: square root", "sqrt(x * x + y * y)", unary<sqrt_>});
  t.push_back({"pow", 2, 2, "pow(x, y)", "double: x to the power y (also `x ^ y`)", "pow(2, bits)", pow_});
  t.push_back({"floor", 1, 1, "floor(x)", "double: rounded down", "floor(value)", unary<floor_>});
  t.push_back({"ceil", 1, 1, "ceil(x)", "double: rounded up", "ceil(value)", unary<ceil_>});
  t.push_back({"round", 1, 1, "round(x)", "double: rounded to nearest, halves away from zero", "round(value * 100) / 100", unary<round_half_away>});
  t.push_back({"rint", 1, 1, "rint(x)", "double: rounded to nearest, halves to even (muParser's rint)", "rint(value)", unary<rint_>});
  t.push_back({"sign", 1, 1, "sign(x)", "double: -1, 0 or 1", "sign(delta)", sign});
  t.push_back({"exp", 1, 1, "exp(x)", "double: e to the power x", "exp(rate)", unary<exp_>});
  t.push_back({"log", 1, 1, "log(x)", "double: natural logarithm (as muParser's log and ln)", "log(bytes)", unary<log_>});
  t.push_back({"ln", 1, 1, "ln(x)", "double: natural logarithm", "ln(bytes)", unary<log_>});
  t.push_back({"log2", 1, 1, "log2(x)", "double: logarithm to base 2", "log2(size)", unary<log2_>});
  t.push_back({"log10", 1, 1, "log10(x)", "double: logarithm to base 10", "log10(bytes)", unary<log10_>});
  t.push_back({"sin", 1, 1, "sin(x)", "double: sine (radians)", "sin(angle)", unary<sin_>});
  t.push_back({"cos", 1, 1, "cos(x)", "double: cosine (radians)", "cos(angle)", unary<cos_>});
  t.push_back({"tan", 1, 1, "tan(x)", "double: tangent (radians)", "tan(angle)", unary<tan_>});
  t.push_back({"asin", 1, 1, "asin(x)", "double: arc sine", "asin(x)", unary<asin_>});
  t.push_back({"acos", 1, 1, "acos(x)", "double: arc cosine", "acos(x)", unary<acos_>});
  t.push_back({"atan", 1, 1, "atan(x)", "double: arc tangent", "atan(x)", unary<atan_>});
}

}  // namespace graph_runner::expr
