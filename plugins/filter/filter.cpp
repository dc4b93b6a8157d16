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
    for (const auto& name : expression_.variables()) {
      slot_of_.push_back(fields_.size());
      fields_.push_back(field(name));
    }
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto worker = workers_.acquire();
    const std::size_t k = fields_.size();
    std::vector<const Column*> columns(k, nullptr);  // nullptr: no record has the field
    for (std::size_t j = 0; j < k; ++j) columns[j] = in->find(fields_[j]);

    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    if (const BatchProgram* program = expression_.batch()) {
      keep_batch(*program, *worker, columns, *in, out, kept);
    } else {
      keep_per_record(*worker, columns, *in, out, kept);
    }
    // A selection, not a copy: the kept records' columns are shared as they are.
    if (kept.size() == n) out.emit(std::move(in));
    else if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  struct Worker;

  // The whole batch at once: fields to double columns, one evaluation, then the verdicts.
  void keep_batch(const BatchProgram& program, Worker& w, const std::vector<const Column*>& columns, const Batch& in,
                  Emitter& out, std::vector<std::uint32_t>& kept) const {
    const std::size_t n = in.size();
    const std::size_t valid = w.inputs.load(columns, fields_, slot_of_, fields_.size(), in, out);
    w.result.resize(n);
    program.eval(w.inputs.pointers(), n, w.result.data(), w.scratch);
    for (std::size_t row = 0; row < n; ++row) {
      const double r = w.result[row];
      if (r != 0 && !std::isnan(r) && (valid == n || w.inputs.valid(row))) kept.push_back(static_cast<std::uint32_t>(row));
    }
  }

  void keep_per_record(Worker& w, const std::vector<const Column*>& columns, const Batch& in, Emitter& out,
                       std::vector<std::uint32_t>& kept) const {
    const std::size_t n = in.size();
    for (std::size_t row = 0; row < n; ++row) {
      if (!load(w, columns, in, row, out)) continue;
      double result;
      try {
        result = w.expression.eval();
      } catch (const mu::Parser::exception_type& e) {
        out.reject(in, row, describe(e, expression_.text()));
        continue;
      }
      if (result != 0 && !std::isnan(result)) kept.push_back(static_cast<std::uint32_t>(row));
    }
  }

  // One thread's evaluation state: the parser reads its variables from `slots`; the batch
  // path reads them from one double column per variable.
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
    NumberColumns inputs;  // the batch path's variables
    std::vector<double> result;
    BatchProgram::Scratch scratch;
  };

  static Expression compile(Context& c) {
    try {
      return Expression(c.params().get_string("where"));
    } catch (const ExpressionError& e) {
      c.param_error("where", e.what());
    }
  }

  // Copies the record's fields into the worker's slots; rejects it if one is not numeric.
  bool load(Worker& w, const std::vector<const Column*>& columns, const Batch& in, std::size_t row, Emitter& out) const {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      const Value v = columns[j] ? columns[j]->get(in.row(row)) : Value{};
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
  std::vector<std::size_t> slot_of_;  // field j is variable j
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

GRAPH_RUNNER_STAGE_PLUGIN(filter, graph_runner::plugins::describe_filter)
