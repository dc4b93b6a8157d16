// filter: keeps the records for which an expression of the record language is true, e.g.
// `where = "status >= 500 && starts_with(path, \"/api\")"` (docs/expressions.md). False and
// null drop a record (counted as filtered); a record the expression fails on (a type error)
// is rejected through on_error.
#include <cstdint>
#include <memory>
#include <vector>

#include "expr/param.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

class Filter : public Stage {
 public:
  explicit Filter(Context& c)
      : program_(expr::compile_param(c, "where", "", c.params().get_string("where"))),
        scratch_([this] { return program_.make_scratch(); }) {
    FieldSchema fields;
    expr::add_reads(fields, program_, "where");
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto scratch = scratch_.acquire();
    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    program_.filter(*in, *scratch, kept);
    for (const expr::RowError& e : scratch->errors()) out.reject(*in, e.record, e.message);
    // A selection, not a copy: the kept records' columns are shared as they are. The batch
    // itself is taken (no new Batch when this call is its only consumer).
    if (kept.size() == n) {
      out.emit(std::move(in));
    } else if (!kept.empty()) {
      std::shared_ptr<Batch> b = out.take(std::move(in));
      b->keep_rows(kept);
      out.emit(std::move(b));
    }
  }

 private:
  const expr::Program program_;
  Pool<expr::Scratch> scratch_;
};

}  // namespace

PluginDescriptor describe_filter() {
  return PluginDescriptor::stage<Filter>("filter", "keeps records for which an expression is true")
      .with_params({
          ParamSpec::string("where", "condition in the record language (docs/expressions.md), e.g. "
                                     "\"status >= 500 && starts_with(path, '/api')\"; true keeps, false or null drops")
              .mandatory(),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(filter, graph_runner::plugins::describe_filter)
