#pragma once
// Helpers for the record language's tests: evaluate an expression over a batch and read the
// results as text ("int 5", "string \"a\"", "null"), so a failing CHECK prints expected and got.
#include <cstdio>
#include <string>
#include <vector>

#include "expr/expr.hpp"
#include "graph_runner/testing.hpp"

namespace expr_tests {

namespace gr = graph_runner;
namespace expr = graph_runner::expr;

inline std::string show(const gr::Value& v) {
  switch (v.type()) {
    case gr::Type::null: return "null";
    case gr::Type::boolean: return v.as_bool() ? "true" : "false";
    case gr::Type::int64: return "int " + std::to_string(v.as_int());
    case gr::Type::float64: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "double %.17g", v.as_double());
      return buf;
    }
    case gr::Type::string: return "string \"" + std::string(v.as_string()) + "\"";
    case gr::Type::bytes: return "bytes \"" + std::string(v.as_string()) + "\"";
    default: return "json " + std::string(v.as_string());
  }
}

struct Outcome {
  std::vector<std::string> values;  // one per record
  std::vector<std::string> errors;  // "record: message"
};

/// `text` over every record of `batch`.
inline Outcome run(const std::string& text, const gr::BatchPtr& batch) {
  const expr::Program p = expr::compile(text);
  auto scratch = p.make_scratch();
  const expr::Vector& v = p.evaluate(*batch, *scratch);
  Outcome o;
  for (std::size_t i = 0; i < batch->size(); ++i) o.values.push_back(show(v.get(i)));
  for (const auto& e : scratch->errors()) o.errors.push_back(std::to_string(e.record) + ": " + e.message);
  return o;
}

/// `text` over one record without fields (a constant expression): its value, or "error: ...".
inline std::string value_of(const std::string& text) {
  const Outcome o = run(text, graph_runner::testing::make_batch({{{"unused", 0}}}));
  return o.errors.empty() ? o.values[0] : "error: " + o.errors[0];
}

/// The compile error of `text` ("column N: message"), or "compiled".
inline std::string compile_error(const std::string& text) {
  try {
    expr::compile(text);
  } catch (const expr::CompileError& e) {
    return e.what();
  }
  return "compiled";
}

}  // namespace expr_tests
