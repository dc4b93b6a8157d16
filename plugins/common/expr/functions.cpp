#include "functions.hpp"

#include <algorithm>

#include "expr.hpp"
#include "ops.hpp"

namespace graph_runner::expr {

void CallContext::type_error(std::size_t arg, std::string_view expected, const Value& v) const {
  const Node& a = *node_.args[arg];
  std::string where = a.op == Op::field ? "field \"" + a.text + "\" in " : "";
  throw RowFailure{where + std::string(node_.text) + "(): argument " + std::to_string(arg + 1) + " should be " +
                   std::string(expected) + ", found " + describe_value(v)};
}

void CallContext::fail(const std::string& message) const { throw RowFailure{std::string(node_.text) + "(): " + message}; }

std::string_view need_string(CallContext& c, std::span<const Value> a, std::size_t i) {
  if (a[i].type() != Type::string && a[i].type() != Type::bytes) c.type_error(i, "a string", a[i]);
  return a[i].as_string();
}

std::int64_t need_int(CallContext& c, std::span<const Value> a, std::size_t i) {
  if (a[i].type() == Type::int64 || a[i].type() == Type::boolean) return a[i].as_int();
  if (a[i].type() == Type::float64 && a[i].as_double() == static_cast<double>(static_cast<std::int64_t>(a[i].as_double())))
    return static_cast<std::int64_t>(a[i].as_double());
  c.type_error(i, "an int", a[i]);
}

double need_number(CallContext& c, std::span<const Value> a, std::size_t i) {
  if (!a[i].is_number() && a[i].type() != Type::boolean) c.type_error(i, "a number", a[i]);
  return a[i].to_double();
}

const std::vector<Function>& functions() {
  static const std::vector<Function> table = [] {
    std::vector<Function> t;
    add_string_functions(t);
    add_regex_functions(t);
    add_conversion_functions(t);
    add_math_functions(t);
    add_time_functions(t);
    return t;
  }();
  return table;
}

const Function* find_function(std::string_view name) {
  for (const Function& f : functions())
    if (f.name == name) return &f;
  return nullptr;
}

namespace {
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::string closest_function(std::string_view name) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, name.size() / 2) + 1;  // "lenght" -> "len"
  for (const Function& f : functions()) {
    const std::size_t d = distance(name, f.name);
    if (d < best_d) {
      best_d = d;
      best = f.name;
    }
  }
  return best;
}

std::vector<FunctionDoc> function_docs() {
  std::vector<FunctionDoc> out;
  for (const Function& f : functions()) out.push_back({f.name, f.signature, f.summary, f.example});
  return out;
}

std::string function_table_markdown() {
  std::string out = "| function | returns | example |\n|---|---|---|\n";
  for (const Function& f : functions()) {
    out += "| `" + std::string(f.signature) + "` | " + std::string(f.summary) + " | `" + std::string(f.example) + "` |\n";
  }
  return out;
}

}  // namespace graph_runner::expr
