// aggregate: groups records by `group_by` and computes `aggregates` per group, one result
// record per group per window (see aggregator.hpp for the windows, docs/aggregation.md for
// users).
//
// Acknowledgement: with `acknowledge = "absorbed"` (the default) an input batch is released
// (and its source acknowledged) as soon as its records are absorbed into the groups' state:
// the stage never holds a source's in-flight batches, so a window that fills slowly cannot
// stall a source behind its limiter; the price is that a crash loses the open windows (at
// most once for them). With "emitted" the input batches stay held until the results of
// their window are emitted, and the results carry their tickets: a source is acknowledged
// only once the results are consumed (at least once); when the sources wait on batches held
// here the engine calls flush() and the open windows are emitted early (counted).
#include <algorithm>
#include <chrono>
#include <regex>
#include <set>
#include <vector>

#include "aggregator.hpp"
#include "expr/param.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A group_by entry: a field path (`user.country`, the key and its name), or `NAME = EXPRESSION`
// (`country = lower(user.country)`: the record language; results carry it as NAME).
std::pair<std::string, std::string> group_key(const std::string& entry) {
  static const std::regex named(R"(^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=(?!=)\s*(.+)$)");
  std::smatch m;
  if (std::regex_match(entry, m, named)) return {m[1].str(), m[2].str()};
  return {entry, ""};
}

// What the results carry (the keys, the aggregates, the window bounds) and what is read.
// `key_reads`: the fields the group_by keys read (a key's field, or its expression's fields).
FieldSchema fields_of(const agg::Config& config, std::vector<FieldSchema::Read> key_reads) {
  FieldSchema s;
  s.keeps_input = false;
  s.reads = std::move(key_reads);
  s.writes = config.group_by;
  for (const auto& a : config.aggregates) {
    if (!a.field.empty()) s.reads.push_back({a.field, "aggregates"});
    s.writes.push_back(a.output);
  }
  if (config.event_time) s.reads.push_back({config.time_field, "time_field"});
  if (config.window != agg::WindowKind::none) s.writes.insert(s.writes.end(), {"window_start", "window_end"});
  return s;
}

agg::Config read_config(Context& c) {
  const Params& p = c.params();
  agg::Config config;
  std::set<std::string> names;
  FieldSchema keys;  // what the keys read, for declare_fields
  for (const auto& entry : p.get_string_list("group_by")) {
    auto [name, expression] = group_key(entry);
    if (name.empty()) c.param_error("group_by", "an empty field name");
    if (expression.empty()) keys.reads.push_back({name, "group_by"});
    else expr::add_reads(keys, expr::compile_param(c, "group_by", name, expression), "group_by");  // errors at load
    if (!names.insert(name).second) c.param_error("group_by", "'" + name + "' is listed twice");
    config.group_by.push_back(std::move(name));
    config.group_expressions.push_back(std::move(expression));
  }
  const std::string& window = p.get_string("window");
  config.window = window == "tumbling" ? agg::WindowKind::tumbling
                  : window == "count"  ? agg::WindowKind::count
                                       : agg::WindowKind::none;
  config.window_ms = p.get_int("window_ms");
  config.window_records = static_cast<std::uint64_t>(p.get_int("window_records"));
  if (config.window == agg::WindowKind::tumbling && config.window_ms == 0)
    c.param_error("window_ms", "window = \"tumbling\" needs window_ms, the window's length (e.g. 10000)");
  if (config.window != agg::WindowKind::tumbling && config.window_ms != 0)
    c.param_error("window_ms", "window_ms applies to window = \"tumbling\" only");
  if (config.window == agg::WindowKind::count && config.window_records == 0)
    c.param_error("window_records", "window = \"count\" needs window_records, the records per window (e.g. 1000)");
  if (config.window != agg::WindowKind::count && config.window_records != 0)
    c.param_error("window_records", "window_records applies to window = \"count\" only");
  config.event_time = p.get_string("time") == "event";
  if (config.event_time && config.window != agg::WindowKind::tumbling)
    c.param_error("time", "time = \"event\" applies to window = \"tumbling\" only");
  config.time_field = p.get_string("time_field");
  if (config.event_time && config.time_field.empty()) c.param_error("time_field", "an empty field name");
  config.allowed_lateness_ms = p.get_int("allowed_lateness_ms");
  config.max_groups = static_cast<std::size_t>(p.get_int("max_groups"));
  config.reject_over_max = p.get_string("on_max_groups") == "reject";
  config.hold_inputs = p.get_string("acknowledge") == "emitted";

  const StringMap& aggregates = p.get_string_map("aggregates");
  if (aggregates.empty())
    c.param_error("aggregates", "at least one aggregate is needed, e.g. aggregates = { events = \"count()\" }");
  if (config.window != agg::WindowKind::none) names.insert({"window_start", "window_end"});
  for (const auto& [name, text] : aggregates) {
    if (!names.insert(name).second)
      c.param_error("aggregates", "'" + name + "' is also a group_by field or window_start/window_end: results need their own names");
    try {
      config.aggregates.push_back(agg::parse_aggregate(name, text));
    } catch (const std::invalid_argument& e) {
      c.param_error("aggregates", "'" + name + "': " + e.what());
    }
  }
  c.declare_fields(fields_of(config, std::move(keys.reads)));
  return config;
}

class AggregateStage : public Stage {
 public:
  explicit AggregateStage(Context& c) : ctx_(c), agg_(read_config(c)), window_ms_(c.params().get_int("window_ms")) {
    processing_windows_ = c.params().get_string("window") == "tumbling" && c.params().get_string("time") == "processing";
  }

  void process(BatchPtr in, Emitter& out) override {
    agg_.add(in, wall_clock_ms(), ready_,
             [&](const Batch& b, std::size_t record, const std::string& error) { out.reject(b, record, error); });
    send(out);
  }
  // Processing-time windows close on time, whether or not input arrives.
  std::chrono::milliseconds tick_interval() const override {
    if (!processing_windows_) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::clamp<std::int64_t>(window_ms_ / 10, 1, 100));
  }
  void tick(Emitter& out) override {
    agg_.tick(wall_clock_ms(), ready_);
    send(out);
  }
  // The end of the stream, and a graceful stop (Ctrl-C drains, then finishes): every window.
  void finish(Emitter& out) override {
    agg_.finish(ready_);
    send(out);
    const agg::Stats& s = agg_.stats();
    ctx_.log(LogLevel::info, std::to_string(s.aggregated) + " records aggregated into " + std::to_string(s.results) +
                                 " results; " + std::to_string(s.rejected) + " rejected (" + std::to_string(s.late) +
                                 " late, " + std::to_string(s.over_max_groups) + " past max_groups); " +
                                 std::to_string(s.early_flushes) + " early flushes");
  }
  // The sources wait on batches held here (acknowledge = "emitted"): emit early.
  void flush(Emitter& out) override {
    agg_.flush(ready_);
    send(out);
  }

 private:
  void send(Emitter& out) {
    for (auto& b : ready_) out.emit(std::move(b));
    ready_.clear();
    const agg::Stats& s = agg_.stats();
    ctx_.set_gauge("groups", static_cast<double>(agg_.groups()));
    ctx_.set_gauge("aggregated", static_cast<double>(s.aggregated));
    ctx_.set_gauge("late", static_cast<double>(s.late));
    ctx_.set_gauge("early_flushes", static_cast<double>(s.early_flushes));
  }

  Context& ctx_;
  agg::Aggregator agg_;
  const std::int64_t window_ms_;
  bool processing_windows_ = false;
  std::vector<BatchPtr> ready_;
};

}  // namespace

PluginDescriptor describe_aggregate() {
  return PluginDescriptor::stage<AggregateStage>(
             "aggregate", "groups records by fields and computes counts, sums, means, quantiles... per group and window")
      .with_params({
          ParamSpec::string_list("group_by", "fields whose values make a group (a missing field groups as null), or "
                                             "NAME = EXPRESSION in the record language, e.g. \"country = lower(user.country)\"; "
                                             "none: one group for all records")
              .with_default(std::vector<std::string>{}),
          ParamSpec::string_map("aggregates", "result field = function: count(), count(f), sum(f), min(f), max(f), "
                                              "mean(f), first(f), last(f), count_distinct(f), quantile(f, q)")
              .mandatory(),
          ParamSpec::string("window", "none: one result per group at the end of the stream; tumbling: every "
                                      "window_ms; count: every window_records records")
              .with_default(std::string("none"))
              .one_of({"none", "tumbling", "count"}),
          ParamSpec::integer("window_ms", "length of a tumbling window in milliseconds")
              .with_default(std::int64_t{0}).at_least(0),
          ParamSpec::integer("window_records", "records of a count window").with_default(std::int64_t{0}).at_least(0),
          ParamSpec::string("time", "tumbling windows by processing time (arrival) or event time (time_field)")
              .with_default(std::string("processing"))
              .one_of({"processing", "event"}),
          ParamSpec::string("time_field", "event time field: epoch milliseconds or an RFC 3339 string")
              .with_default(std::string("ts")),
          ParamSpec::integer("allowed_lateness_ms", "event time: how far behind the latest event time a record may "
                                                    "be before its window closes; later records are rejected")
              .with_default(std::int64_t{0}).at_least(0),
          ParamSpec::integer("max_groups", "groups held at once over all open windows")
              .with_default(std::int64_t{100000}).at_least(1).at_most(1e9),
          ParamSpec::string("on_max_groups", "past max_groups: flush (emit partial results early, counted) or reject "
                                             "the record through on_error")
              .with_default(std::string("flush"))
              .one_of({"flush", "reject"}),
          ParamSpec::string("acknowledge", "absorbed: inputs are acknowledged once aggregated (a crash loses open "
                                           "windows); emitted: once their window's results are consumed")
              .with_default(std::string("absorbed"))
              .one_of({"absorbed", "emitted"}),
      })
      .single_instance();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(aggregate, graph_runner::plugins::describe_aggregate)
