// filter: keeps the records for which a muParser expression over their numeric fields is
// nonzero, e.g. `where = "value >= 0 && id < 1000"`.
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expression.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

class Filter : public Stage {
 public:
  explicit Filter(Context& c)
      : expression_(compile(c)), workers_([this] { return std::make_unique<Worker>(expression_); }) {
    for (const auto& name : expression_.variables()) fields_.push_back(field(name));
  }

  void process(const BatchPtr& in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto worker = workers_.acquire();
    const std::size_t k = fields_.size();
    std::vector<const Value*> columns(k, nullptr);  // nullptr: no record has the field
    for (std::size_t j = 0; j < k; ++j)
      if (const Column* c = in->find(fields_[j])) columns[j] = c->values.data();

    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    for (std::size_t row = 0; row < n; ++row) {
      if (!load(*worker, columns, *in, row, out)) continue;
      double result;
      try {
        result = worker->expression.eval();
      } catch (const mu::Parser::exception_type& e) {
        out.reject(*in, row, describe(e, expression_.text()));
        continue;
      }
      if (result != 0 && !std::isnan(result)) kept.push_back(static_cast<std::uint32_t>(row));
    }
    if (kept.size() == n) out.emit(in);
    else if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  // One thread's evaluation state: the parser reads its variables from `slots`.
  struct Worker {
    explicit Worker(const Expression& e)
        : slots(e.variables().size()), expression(e, pointers(slots)) {}
    static std::vector<double*> pointers(std::vector<double>& v) {
      std::vector<double*> p;
      for (double& d : v) p.push_back(&d);
      return p;
    }
    std::vector<double> slots;  // never resized: the parser holds pointers into it
    BoundExpression expression;
  };

  static Expression compile(Context& c) {
    try {
      return Expression(c.params().get_string("where"));
    } catch (const ExpressionError& e) {
      c.param_error("where", e.what());
    }
  }

  // Copies the record's fields into the worker's slots; rejects it if one is not numeric.
  bool load(Worker& w, const std::vector<const Value*>& columns, const Batch& in, std::size_t row, Emitter& out) const {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      const Value v = columns[j] ? columns[j][row] : Value{};
      const double d = v.to_double();
      if (std::isnan(d)) {
        out.reject(in, row, not_a_number(fields_[j], v));
        return false;
      }
      w.slots[j] = d;
    }
    return true;
  }

  const Expression expression_;
  std::vector<Field> fields_;
  Pool<Worker> workers_;
};

}  // namespace

PluginDescriptor describe_filter() {
  return PluginDescriptor::stage<Filter>("filter", "keeps records for which an expression is nonzero")
      .with_params({
          ParamSpec::string("where", "muParser expression over numeric fields, e.g. \"value >= 0 && id < 10\"; nonzero keeps")
              .mandatory(),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_PLUGIN(filter, graph_runner::plugins::describe_filter)
