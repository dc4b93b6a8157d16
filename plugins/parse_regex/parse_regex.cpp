// parse_regex: the named groups of an RE2 pattern become fields, e.g. `field = "line"`,
// `pattern = '^(?P<ip>\S+) \S+ \S+ \[(?P<ts>[^\]]+)\]'`: strings, or the type `types` gives
// (`types = { status = "int" }`). RE2 matches in time linear in the input, whatever the
// pattern: a hostile pattern or line cannot hang the run (regex_fields.hpp has the limits).
//
// A record whose field does not match (or is missing) goes by `on_no_match`: "reject" (the
// default: on_error decides, nothing vanishes unseen), "drop" (left out on purpose, counted
// in the gauge `no_match`), or "keep" (passed on unchanged). A capture that does not convert
// to its type is always rejected.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "column_ops.hpp"
#include "graph_runner/sdk.hpp"
#include "regex_fields.hpp"

namespace graph_runner::plugins {
namespace {

enum class NoMatch { reject, drop, keep };

RegexFields compile(Context& c) {
  try {
    return RegexFields(c.params().get_string("pattern"), c.params().get_string_map("types"));
  } catch (const RegexError& e) {
    c.param_error(std::string(e.what()).starts_with("types:") ? "types" : "pattern", e.what());
  }
}

NoMatch no_match_param(const Context& c) {
  const std::string& s = c.params().get_string("on_no_match");
  return s == "drop" ? NoMatch::drop : s == "keep" ? NoMatch::keep : NoMatch::reject;
}

class ParseRegex : public Stage {
 public:
  explicit ParseRegex(Context& c)
      : ctx_(c),
        name_(c.params().get_string("field")),
        field_(field(name_)),
        regex_(compile(c)),
        on_no_match_(no_match_param(c)),
        keep_field_(c.params().get_bool("keep_field")) {
    FieldSchema fields;  // the named groups are known; the field they replace may stay listed
    fields.reads.push_back({name_, "field"});
    for (const auto& g : regex_.groups()) fields.writes.push_back(g.name);
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    const Column* source = in->find(field_);
    const auto& groups = regex_.groups();
    std::vector<std::shared_ptr<Column>> columns;
    for (const auto& g : groups)
      columns.push_back(std::make_shared<Column>(g.field, ColumnType::mixed, in->physical_size()));
    std::vector<std::uint32_t> kept, matched_rows;
    kept.reserve(n);
    std::vector<re2::StringPiece> captures;
    std::vector<Value> values(groups.size());
    std::string error;
    std::uint64_t unmatched = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t row = in->row(i);
      const Value v = source ? source->get(row) : Value{};
      if (!v.is_text() || !regex_.match(v.as_string(), captures)) {
        ++unmatched;
        if (on_no_match_ == NoMatch::keep)
          kept.push_back(static_cast<std::uint32_t>(i));
        else if (on_no_match_ == NoMatch::reject)
          out.reject(*in, i, no_match_message(v));
        continue;
      }
      bool converted = true;
      for (std::size_t g = 0; g < groups.size() && converted; ++g) {
        const re2::StringPiece& piece = captures[static_cast<std::size_t>(groups[g].index)];
        values[g] = Value{};
        if (piece.data() == nullptr) continue;  // the group took no part: the field stays absent
        const std::string_view text(piece.data(), piece.size());
        if (!RegexFields::convert(groups[g].conversion, text, values[g], error)) {
          out.reject(*in, i, "group '" + groups[g].name + "': '" + std::string(text.substr(0, 64)) + "' " + error);
          converted = false;
        }
      }
      if (!converted) continue;
      for (std::size_t g = 0; g < groups.size(); ++g)
        if (captures[static_cast<std::size_t>(groups[g].index)].data() != nullptr) columns[g]->set(row, values[g]);
      kept.push_back(static_cast<std::uint32_t>(i));
      matched_rows.push_back(static_cast<std::uint32_t>(row));
    }
    if (unmatched > 0) ctx_.set_gauge("no_match", static_cast<double>(no_match_ += unmatched));
    if (kept.empty()) return;
    if (matched_rows.empty() && kept.size() == n) {
      out.emit(std::move(in));
      return;
    }

    // Captured strings point into the field's text: the batch keeps its arenas (short ones
    // are copied into the new columns' cells).
    std::shared_ptr<Batch> b = out.take(std::move(in));
    if (!keep_field_) remove_rows(*b, field_, matched_rows);
    for (auto& c : columns)
      if (c->valid_rows() > 0) put_over(*b, std::move(c));
    if (kept.size() < n) b->keep_rows(kept);
    out.emit(std::move(b));
  }

 private:
  std::string no_match_message(const Value& v) const {
    if (v.is_null()) return "field '" + name_ + "' is missing";
    if (!v.is_text()) return "field '" + name_ + "' is " + std::string(type_name(v.type())) + ", not text";
    std::string head(v.as_string().substr(0, 80));
    return "field '" + name_ + "' does not match the pattern: '" + head + (v.as_string().size() > 80 ? "...'" : "'");
  }

  Context& ctx_;
  const std::string name_;
  const Field field_;
  const RegexFields regex_;
  const NoMatch on_no_match_;
  const bool keep_field_;
  std::atomic<std::uint64_t> no_match_{0};
};

}  // namespace

PluginDescriptor describe_parse_regex() {
  return PluginDescriptor::stage<ParseRegex>("parse_regex",
                                             "turns the named groups of an RE2 pattern matched on a field into fields")
      .with_params({
          ParamSpec::string("field", "the text field to match").mandatory(),
          ParamSpec::string("pattern",
                            "an RE2 pattern with named groups, (?P<name>...): each group a field (at most 4096 bytes)")
              .mandatory(),
          ParamSpec::string_map("types", "group = type: string (the default), int, double or bool")
              .with_default(StringMap{}),
          ParamSpec::string("on_no_match",
                            "a record whose field does not match (or is missing): reject (on_error), "
                            "drop (counted in the gauge no_match) or keep (unchanged)")
              .with_default(std::string("reject"))
              .one_of({"reject", "drop", "keep"}),
          ParamSpec::boolean("keep_field", "keep the matched text in `field` too").with_default(false),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(parse_regex, graph_runner::plugins::describe_parse_regex)
