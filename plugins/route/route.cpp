// route: sends each record to the port of the first route whose condition is true, in the
// order the graph file lists them; records no route takes go to port `default`:
//   routes = { high = "value > 200", low = "value > 0" }   ->  ports high, low, default
// Downstream nodes read a port as `inputs = ["NODE.high"]`. Conditions are in the record
// language (docs/expressions.md): false and null pass the record on to the next route; a
// record a condition fails on (a type error) is rejected (on_error decides), as in filter.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expr/param.hpp"
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
      routes_.push_back(Predicate{expr::compile_param(c, "routes", name, text), c.port(name), name});
    }
    default_ = c.port("default");
    FieldSchema fields;
    for (const auto& r : routes_) expr::add_reads(fields, r.program, "routes");
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto w = workers_.acquire();
    std::vector<std::uint32_t>& rest = w->rest;
    rest.resize(n);
    for (std::size_t i = 0; i < n; ++i) rest[i] = static_cast<std::uint32_t>(i);
    for (std::size_t r = 0; r < routes_.size() && !rest.empty(); ++r) {
      expr::Scratch& s = *w->scratch[r];
      std::vector<std::uint32_t> taken;
      routes_[r].program.filter(*in, rest, s, taken);
      for (const expr::RowError& e : s.errors()) out.reject(*in, e.record, "routes." + routes_[r].name + ": " + e.message);
      // The records still undecided: neither taken nor failed.
      std::size_t k = 0, t = 0;
      for (std::uint32_t i : rest) {
        if (t < taken.size() && taken[t] == i) { ++t; continue; }
        if (!s.failed(i)) rest[k++] = i;
      }
      rest.resize(k);
      send(out, in, routes_[r].port, taken);
    }
    send(out, in, default_, rest);
  }

 private:
  struct Predicate {
    expr::Program program;
    Port port;
    std::string name;
  };
  struct Worker {
    explicit Worker(const Route& r) {
      for (const auto& p : r.routes_) scratch.push_back(p.program.make_scratch());
    }
    std::vector<std::unique_ptr<expr::Scratch>> scratch;
    std::vector<std::uint32_t> rest;
  };

  static void send(Emitter& out, const BatchPtr& in, Port port, const std::vector<std::uint32_t>& rows) {
    if (rows.empty()) return;
    out.emit(port, rows.size() == in->size() ? in : in->select(rows));  // a selection: no copy
  }

  std::vector<Predicate> routes_;
  Port default_;
  Pool<Worker> workers_;
};

}  // namespace

PluginDescriptor describe_route() {
  return PluginDescriptor::stage<Route>("route", "sends each record to the port of the first route whose condition holds")
      .with_params({
          ParamSpec::string_map("routes",
                                "port name -> condition in the record language, tried in file order, e.g. "
                                "{ high = \"value > 200\", low = \"value <= 200\" }; unmatched records go to `default`, none to `out`")
              .mandatory(),
      })
      .with_ports({"default"})
      .with_ports_from("routes")
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(route, graph_runner::plugins::describe_route)
