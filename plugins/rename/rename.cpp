// rename: renames fields and the fields nested under them, e.g.
// `fields = { old = "new", "user.name" = "name" }` (`user = "account"` turns `user.id` into
// `account.id`). All renames apply at once, to the input's names: { a = "b", b = "a" } swaps.
// When several paths cover a field, the longest decides.
//
// Renaming onto a field the record already has: the renamed value wins where the record has
// it (value or null); where it does not, the existing value stays. Only duplicate targets
// in the table itself are known before the run, and refused there.
//
// Columns not renamed are shared; a renamed column is a copy of its 16-byte cells under the
// new name (a column carries its field's name), its strings are not copied.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "column_ops.hpp"
#include "field_paths.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

struct Renames {
  FieldPaths from;
  std::vector<std::string> to;
};

Renames renames_param(Context& c) {
  const StringMap& table = c.params().get_string_map("fields");
  if (table.empty()) c.param_error("fields", "rename needs at least one field, e.g. fields = { old = \"new\" }");
  std::vector<std::string> from, to;
  for (const auto& [old_name, new_name] : table) {
    if (std::string problem = path_problem(new_name); !problem.empty())
      c.param_error("fields", "'" + old_name + "' renames to " + problem);
    if (old_name == new_name) c.param_error("fields", "'" + old_name + "' renames to itself");
    for (std::size_t j = 0; j < to.size(); ++j)
      if (to[j] == new_name)
        c.param_error("fields", "'" + from[j] + "' and '" + old_name + "' both rename to '" + new_name + "'");
    from.push_back(old_name);
    to.push_back(new_name);
  }
  try {
    return Renames{FieldPaths(std::move(from)), std::move(to)};
  } catch (const std::invalid_argument& e) {
    c.param_error("fields", e.what());
  }
}

class Rename : public Stage {
 public:
  explicit Rename(Context& c) : renames_(renames_param(c)), memos_([] { return std::make_unique<Memo>(); }) {
    FieldSchema fields;
    for (const auto& [from, to] : c.params().get_string_map("fields")) {
      fields.reads.push_back({from, "fields"});
      fields.removes.push_back(from);
      fields.writes.push_back(to);
    }
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    auto memo = memos_.acquire();
    const auto columns = in->columns();
    std::vector<Field> targets(columns.size());  // invalid: not renamed
    bool any = false;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      targets[i] = memo->get(columns[i]->field(), [&](std::string_view name) { return target(name); });
      any = any || targets[i].valid();
    }
    if (!any) {
      out.emit(std::move(in));
      return;
    }
    // Each column keeps its position; a renamed one that meets a field of the same name
    // takes its place, overlaid on it (see the file comment).
    std::vector<ColumnPtr> result;
    std::unordered_map<std::uint32_t, std::size_t> position;  // field id -> index in result
    result.reserve(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const bool is_renamed = targets[i].valid();
      ColumnPtr c = is_renamed ? relabeled(*columns[i], targets[i]) : columns[i];
      const auto [at, added] = position.emplace(c->field().id, result.size());
      if (added)
        result.push_back(std::move(c));
      else if (is_renamed)
        result[at->second] = overlaid(*result[at->second], *c, c->field());
      else
        result[at->second] = overlaid(*c, *result[at->second], c->field());  // met an earlier renamed one: it wins
    }
    out.emit(with_columns(*in, result));
  }

 private:
  Field target(std::string_view name) const {
    const std::size_t i = renames_.from.longest(name);
    if (i == FieldPaths::none) return Field{};
    std::string renamed = renames_.to[i];
    renamed.append(name.substr(renames_.from[i].size()));  // the nested part, as it was
    return field(renamed);
  }

  using Memo = FieldMemo<Field>;
  const Renames renames_;
  Pool<Memo> memos_;
};

}  // namespace

PluginDescriptor describe_rename() {
  return PluginDescriptor::stage<Rename>("rename", "renames fields (and the fields nested under them)")
      .with_params({ParamSpec::string_map("fields",
                                          "old name = new name; a path renames the fields nested under it "
                                          "(user = \"account\" makes user.id account.id)")
                        .mandatory()})
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(rename, graph_runner::plugins::describe_rename)
