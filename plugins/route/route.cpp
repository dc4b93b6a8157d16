// route: sends each record to the port of the first route whose predicate holds, in the
// order the graph file lists them; records no route takes go to port `default`:
//   routes = { high = "value > 200", low = "value > 0" }   ->  ports high, low, default
// Downstream nodes read a port as `inputs = ["NODE.high"]`. A record whose predicate reads
// a field that is missing or not a number is rejected (on_error decides), as in filter.
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

class Route : public Stage {
 public:
  explicit Route(Context& c) : workers_([this] { return std::make_unique<Worker>(*this); }) {
    const StringMap& routes = c.params().get_string_map("routes");
    if (routes.empty()) c.param_error("routes", "routes needs at least one port, e.g. routes = { high = \"value > 200\" }");
    for (const auto& [name, text] : routes) {
      if (name == "default" || name == "out" || name == "errors")
        c.param_error("routes", "'" + name + "' is a reserved port name; choose another");
      try {
        routes_.push_back(Predicate{Expression(text), c.port(name), {}});
      } catch (const ExpressionError& e) {
        c.param_error("routes", "'" + name + "': " + e.what());
      }
      for (const auto& var : routes_.back().expression.variables()) routes_.back().slots.push_back(slot(var));
    }
    default_ = c.port("default");
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto w = workers_.acquire();
    std::vector<const Column*> columns;  // per slot; nullptr: no record has the field
    for (Field f : fields_) columns.push_back(in->find(f));
    // rows[i]: the records for route i; the last list is `default`.
    std::vector<std::vector<std::uint32_t>> rows(routes_.size() + 1);
    for (std::size_t row = 0; row < n; ++row) {
      std::size_t target = routes_.size();
      for (std::size_t i = 0; i < routes_.size() && target == routes_.size(); ++i) {
        int outcome = evaluate(*w, i, columns, *in, row, out);
        if (outcome < 0) target = SIZE_MAX;  // rejected
        else if (outcome > 0) target = i;
      }
      if (target != SIZE_MAX) rows[target].push_back(static_cast<std::uint32_t>(row));
    }
    for (std::size_t i = 0; i <= routes_.size(); ++i) {
      if (rows[i].empty()) continue;
      const Port port = i < routes_.size() ? routes_[i].port : default_;
      out.emit(port, rows[i].size() == n ? in : in->select(rows[i]));  // a selection: no copy
    }
  }

 private:
  struct Predicate {
    Expression expression;
    Port port;
    std::vector<std::size_t> slots;  // the slot of each variable of the expression
  };

  // One thread's evaluation state: every field any predicate reads has one slot.
  struct Worker {
    explicit Worker(const Route& r) : values(r.fields_.size()) {
      for (const auto& p : r.routes_) {
        std::vector<double*> bound;
        for (std::size_t s : p.slots) bound.push_back(&values[s]);
        predicates.push_back(std::make_unique<BoundExpression>(p.expression, bound));
      }
    }
    std::vector<double> values;  // never resized: the parsers hold pointers into it
    std::vector<std::unique_ptr<BoundExpression>> predicates;
  };

  std::size_t slot(const std::string& name) {
    const Field f = field(name);
    for (std::size_t s = 0; s < fields_.size(); ++s)
      if (fields_[s] == f) return s;
    fields_.push_back(f);
    return fields_.size() - 1;
  }

  // 1: route i takes the record, 0: it does not, -1: the record was rejected.
  // `row` is a record index of `in` (through its selection); an absent field reads as null.
  int evaluate(Worker& w, std::size_t i, const std::vector<const Column*>& columns, const Batch& in, std::size_t row,
               Emitter& out) const {
    for (std::size_t s : routes_[i].slots) {
      const Value v = columns[s] ? columns[s]->get(in.row(row)) : Value{};
      const double d = v.to_double();
      if (std::isnan(d)) {
        out.reject(in, row, not_a_number(fields_[s], v));
        return -1;
      }
      w.values[s] = d;
    }
    double result;
    try {
      result = w.predicates[i]->eval();
    } catch (const mu::Parser::exception_type& e) {
      out.reject(in, row, describe(e, routes_[i].expression.text()));
      return -1;
    }
    return result != 0 && !std::isnan(result) ? 1 : 0;
  }

  std::vector<Predicate> routes_;
  std::vector<Field> fields_;  // slot -> field
  Port default_;
  Pool<Worker> workers_;
};

}  // namespace

PluginDescriptor describe_route() {
  return PluginDescriptor::stage<Route>("route", "sends each record to the port of the first route whose predicate holds")
      .with_params({
          ParamSpec::string_map("routes",
                                "port name -> muParser predicate, tried in file order, e.g. "
                                "{ high = \"value > 200\", low = \"value <= 200\" }; unmatched records go to `default`, none to `out`")
              .mandatory(),
      })
      .with_ports({"default"})
      .with_ports_from("routes")
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(route, graph_runner::plugins::describe_route)
