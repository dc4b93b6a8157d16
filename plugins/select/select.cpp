// select: keeps only the listed fields, in the order listed, e.g.
// `fields = ["id", "user.country", "user"]` (a path keeps the fields nested under it too).
// The kept columns are shared, not copied: a new batch of the same records and columns.
#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "column_ops.hpp"
#include "field_paths.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

class Select : public Stage {
 public:
  explicit Select(Context& c)
      : paths_(field_paths_param(c, "fields", "select needs at least one field, e.g. fields = [\"id\", \"user\"]")),
        memos_([] { return std::make_unique<Memo>(); }) {
    FieldSchema fields;  // the output has only the listed fields (a misspelled one is reported)
    fields.keeps_input = false;
    for (const auto& f : c.params().get_string_list("fields")) {
      fields.reads.push_back({f, "fields"});
      fields.writes.push_back(f);
    }
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    auto memo = memos_.acquire();
    // (list position, column position): the first listed path covering a field decides
    // where it goes; fields under one path keep the batch's order.
    std::vector<std::pair<std::size_t, std::size_t>> kept;
    const auto columns = in->columns();
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::size_t at = memo->get(columns[i]->field(), [&](std::string_view name) { return paths_.first(name); });
      if (at != FieldPaths::none) kept.emplace_back(at, i);
    }
    std::sort(kept.begin(), kept.end());
    if (kept.size() == columns.size() &&
        std::all_of(kept.begin(), kept.end(),
                    [i = std::size_t{0}](const auto& k) mutable { return k.second == i++; })) {
      out.emit(std::move(in));  // every field kept, in the same order
      return;
    }
    std::vector<ColumnPtr> chosen;
    chosen.reserve(kept.size());
    for (const auto& k : kept) chosen.push_back(columns[k.second]);
    out.emit(with_columns(*in, chosen));
  }

 private:
  using Memo = FieldMemo<std::size_t>;
  const FieldPaths paths_;
  Pool<Memo> memos_;
};

}  // namespace

PluginDescriptor describe_select() {
  return PluginDescriptor::stage<Select>("select",
                                         "keeps only the listed fields (and those nested under them), in that order")
      .with_params({ParamSpec::string_list("fields",
                                           "fields to keep, in output order; a path keeps the fields nested under it "
                                           "(\"user\" keeps \"user.country\")")
                        .mandatory()})
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(select, graph_runner::plugins::describe_select)
