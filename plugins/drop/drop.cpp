// drop: removes the listed fields, e.g. `fields = ["email", "user.email"]` (a path removes
// the fields nested under it too). The other columns are shared, not copied.
#include <memory>
#include <utility>
#include <vector>

#include "field_paths.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

class Drop : public Stage {
 public:
  explicit Drop(Context& c)
      : paths_(field_paths_param(c, "fields", "drop needs at least one field, e.g. fields = [\"email\"]")),
        memos_([] { return std::make_unique<Memo>(); }) {
    FieldSchema fields;  // dropping a field that is never there is a typo worth reporting
    for (const auto& f : c.params().get_string_list("fields")) {
      fields.reads.push_back({f, "fields"});
      fields.removes.push_back(f);
    }
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    auto memo = memos_.acquire();
    std::vector<Field> dropped;
    for (const ColumnPtr& c : in->columns())
      if (memo->get(c->field(), [&](std::string_view name) { return paths_.first(name) != FieldPaths::none; }))
        dropped.push_back(c->field());
    if (dropped.empty()) {
      out.emit(std::move(in));
      return;
    }
    // take(): the batch itself when this call is its only consumer, else a copy sharing
    // every column; removing a column copies none.
    std::shared_ptr<Batch> b = out.take(std::move(in));
    for (Field f : dropped) b->remove(f);
    out.emit(std::move(b));
  }

 private:
  using Memo = FieldMemo<bool>;
  const FieldPaths paths_;
  Pool<Memo> memos_;
};

}  // namespace

PluginDescriptor describe_drop() {
  return PluginDescriptor::stage<Drop>("drop", "removes the listed fields (and those nested under them)")
      .with_params({ParamSpec::string_list("fields",
                                           "fields to remove; a path removes the fields nested under it "
                                           "(\"user\" removes \"user.email\")")
                        .mandatory()})
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(drop, graph_runner::plugins::describe_drop)
