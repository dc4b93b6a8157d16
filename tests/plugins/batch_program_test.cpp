// The batch form of filter/map expressions must give exactly muParser's answers (it is a
// faster way to the same doubles), and must leave what it does not cover to muParser.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "batch_program.hpp"
#include "expression.hpp"

using graph_runner::plugins::BatchProgram;
using graph_runner::plugins::BoundExpression;
using graph_runner::plugins::Expression;

namespace {

// Values that exercise signs, zero, NaN, infinities, ints, and the category thresholds.
std::vector<double> samples() {
  const double inf = std::numeric_limits<double>::infinity();
  return {-100.0, -1.5, -0.0, 0.0, 0.25, 1.0, 2.0, 3.0, 199.99, 200.0, 500.5, 999.0, 1000.0, 1e300,
          inf,    -inf, std::numeric_limits<double>::quiet_NaN(), 7.0, 42.0, -3.0};
}

bool same(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof a) == 0 || a == b;  // -0.0 == 0.0 is fine: both mean 0
}

// Evaluates `text` over every (value, id) pair of samples both ways and compares.
void check_same_as_muparser(const std::string& text) {
  INFO("expression: " << text);
  Expression e(text);
  const BatchProgram* program = e.batch();
  REQUIRE(program != nullptr);
  const std::vector<double> s = samples();
  std::vector<std::vector<double>> columns(e.variables().size());
  for (std::size_t v = 0; v < columns.size(); ++v)
    for (std::size_t i = 0; i < s.size(); ++i)
      for (std::size_t j = 0; j < s.size(); ++j) columns[v].push_back(v % 2 == 0 ? s[i] : s[j]);
  const std::size_t n = columns.empty() ? 1 : columns[0].size();
  std::vector<const double*> inputs;
  for (auto& c : columns) inputs.push_back(c.data());
  std::vector<double> batch(n);
  BatchProgram::Scratch scratch;
  program->eval(inputs.data(), n, batch.data(), scratch);

  std::vector<double> slots(columns.size());
  std::vector<double*> bound;
  for (double& d : slots) bound.push_back(&d);
  BoundExpression parser(e, bound);
  for (std::size_t row = 0; row < n; ++row) {
    for (std::size_t v = 0; v < columns.size(); ++v) slots[v] = columns[v][row];
    const double expected = parser.eval();
    if (!same(batch[row], expected)) {
      std::string at;
      for (std::size_t v = 0; v < columns.size(); ++v) at += e.variables()[v] + "=" + std::to_string(slots[v]) + " ";
      FAIL("at " << at << "muParser gives " << expected << ", the batch form " << batch[row]);
    }
  }
}

}  // namespace

TEST_CASE("batch expressions give muParser's results for arithmetic, comparisons, logic and ?:",
          "[plugins][expression]") {
  for (const char* text : {"value >= 0", "value * 2", "value < 200 ? 0 : (value < 1000 ? 1 : 2)",
                           "value >= 0 && id < 4", "value > 1 || id == 3", "-value + id * 3 - 2 / id",
                           "value != id", "value <= -1.5e0", "(value - id) / (value + id)", "id ? value : -value",
                           "value == 0 ? 1 : value > 0 ? 2 : 3", "2 * 3 + value", "1 < 2", ".5 * value + 2.",
                           "-value * id", "value - -id", "+value", "value / 0", "3"})
    check_same_as_muparser(text);
}

TEST_CASE("batch expressions leave functions, constants, powers and strings to muParser", "[plugins][expression]") {
  for (const char* text : {"sin(value)", "_pi * value", "value ^ 2", "min(value, 3)", "abs(value) > 1"}) {
    INFO("expression: " << text);
    CHECK(Expression(text).batch() == nullptr);
  }
}
