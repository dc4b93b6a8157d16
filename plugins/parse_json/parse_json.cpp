// parse_json: a field holding JSON text becomes nested fields, e.g. `field = "payload"`:
// `{"payload": "{\"user\":{\"id\":7},\"tags\":[1]}"}` -> `payload.user.id` = 7 and
// `payload.tags` = [1] (a json value), flattened as read_jsonl flattens lines
// (json_fields.hpp). `target` says where: the field itself (the default: replaced), another
// path, or "" (the object's keys become top-level fields). A value that is not JSON is
// rejected (on_error) with the position of the error; a record without the field, or
// with null, goes on unchanged.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "column_ops.hpp"
#include "field_paths.hpp"
#include "graph_runner/sdk.hpp"
#include "json_text.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

// What a JSON value that is not an object is, for an error message.
std::string describe(const Value& v) {
  switch (v.type()) {
    case Type::null:
      return "null";
    case Type::boolean:
      return "a bool";
    case Type::int64:
    case Type::float64:
      return "a number";
    case Type::json:
      return v.as_string().starts_with('[')   ? "an array"
             : v.as_string().starts_with('{') ? "an empty object"
                                              : "a number";
    default:
      return "a string";
  }
}

class ParseJson : public Stage {
 public:
  explicit ParseJson(Context& c)
      : name_(c.params().get_string("field")),
        field_(field(name_)),
        target_(c.params().has("target") ? c.params().get_string("target") : name_),
        keep_field_(c.params().get_bool("keep_field") && target_ != name_),
        workers_([this] { return std::make_unique<JsonText>(target_); }) {
    if (std::string problem = path_problem(name_); !problem.empty()) c.param_error("field", problem);
    if (!target_.empty())
      if (std::string problem = path_problem(target_); !problem.empty()) c.param_error("target", problem);
    if (!target_.empty()) target_field_ = field(target_);
  }

  void process(BatchPtr in, Emitter& out) override {
    const Column* source = in->find(field_);
    if (!source) {
      out.emit(std::move(in));
      return;
    }
    auto parser = workers_.acquire();
    const std::size_t n = in->size();
    ParsedBatch parsed;
    parsed.capacity = in->physical_size();
    // Values that are not objects: the target itself.
    auto whole = std::make_shared<Column>(target_field_, ColumnType::mixed, in->physical_size());
    std::vector<std::uint32_t> kept, parsed_rows;
    kept.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = in->row(i);
      const Value v = source->get(row);
      if (v.is_null()) {  // absent or null: nothing to parse
        kept.push_back(static_cast<std::uint32_t>(i));
        continue;
      }
      if (!v.is_text()) {
        out.reject(*in, i, "field '" + name_ + "' is " + std::string(type_name(v.type())) + ", not JSON text");
        continue;
      }
      Value value;
      bool is_object = false;
      std::string error = parser->parse(v.as_string(), row, parsed, value, is_object);
      if (error.empty() && !is_object && target_.empty())
        error = "holds " + describe(value) + ", not an object: nothing to merge into the record (target = \"\")";
      if (!error.empty()) {
        out.reject(*in, i, "field '" + name_ + "': " + error);
        continue;
      }
      if (!is_object) whole->set(row, value);
      kept.push_back(static_cast<std::uint32_t>(i));
      parsed_rows.push_back(static_cast<std::uint32_t>(row));
    }
    if (kept.empty()) return;
    if (parsed_rows.empty() && kept.size() == n) {
      out.emit(std::move(in));
      return;
    }

    std::shared_ptr<Batch> b = out.take(std::move(in));
    // The text is gone from the records it was parsed from (or replaced by what it held).
    if (!keep_field_) remove_rows(*b, field_, parsed_rows);
    parsed.rows = b->physical_size();  // (rows: the last row parsed into, so far)
    parsed.finish_columns();
    for (Column& c : parsed.columns) {
      c.resize(b->physical_size());
      put_over(*b, std::make_shared<Column>(std::move(c)));
    }
    if (whole->valid_rows() > 0) put_over(*b, std::move(whole));
    b->attach(parsed.arena);
    if (kept.size() < n) b->keep_rows(kept);
    out.emit(std::move(b));
  }

 private:
  const std::string name_;
  const Field field_;
  const std::string target_;
  const bool keep_field_;
  Field target_field_ = field("");  // unused with target = ""
  Pool<JsonText> workers_;
};

}  // namespace

PluginDescriptor describe_parse_json() {
  return PluginDescriptor::stage<ParseJson>(
             "parse_json", "parses a field holding JSON text into fields (objects nested under a target)")
      .with_params({
          ParamSpec::string("field", "the field holding JSON text (string or json)").mandatory(),
          ParamSpec::string("target",
                            "where the parsed value goes: a path (an object's keys nested under it), or \"\" for "
                            "the record's top level; default: the field itself, replaced"),
          ParamSpec::boolean("keep_field", "keep the JSON text in `field` too (when target is another field)")
              .with_default(false),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(parse_json, graph_runner::plugins::describe_parse_json)
