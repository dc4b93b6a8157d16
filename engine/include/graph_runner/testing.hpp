#pragma once
/// @file testing.hpp
/// A harness for testing plugins without an engine or a graph file: create one node from
/// its descriptor, feed it batches, look at what comes out. Header-only.
///
/// Compile the plugin's source into the test and call its describe function directly:
/// @code
///   #include <graph_runner/testing.hpp>
///   namespace gt = graph_runner::testing;
///   graph_runner::PluginDescriptor describe_filter();  // defined in the plugin's source
///
///   TEST_CASE("filter keeps positive values") {
///     auto in = gt::make_batch({{{"id", 1}, {"value", 2.5}},
///                               {{"id", 2}, {"value", -1.0}}});
///     gt::StageOutput result = gt::run_stage(describe_filter(), {{"where", "value > 0"}}, {in});
///     CHECK(gt::ints(result.out(), "id") == std::vector<std::int64_t>{1});
///   }
/// @endcode
/// Sources: `run_source(describe(), params, max_batches)` returns the batches read. Sinks:
/// `run_sink(describe(), params, batches)` opens, writes, flushes and closes. For finer
/// control (single calls, concurrent calls, the stop flag, logs) use StageHarness,
/// SourceHarness and SinkHarness.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <utility>
#include <variant>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "graph_runner/testing/records.hpp"

namespace graph_runner::testing {

/// Parameters by name, as a graph file gives them: `{{"where", "value > 0"}, {"count", 10}}`.
using ParamMap = std::map<std::string, ParamValue, std::less<>>;

/// Checks `given` against `d`'s schema as the engine does (unknown names, types, required,
/// ranges, choices) and fills in defaults. Throws std::invalid_argument on a mistake.
inline Params resolve_params(const PluginDescriptor& d, const ParamMap& given) {
  auto fail = [&](const std::string& name, const std::string& what) {
    throw std::invalid_argument("plugin '" + d.name + "', parameter '" + name + "': " + what);
  };
  for (const auto& [name, value] : given) {
    bool known = false;
    for (const auto& s : d.params) known = known || s.name == name;
    if (!known) fail(name, "unknown parameter");
  }
  std::map<std::string, ParamValue, std::less<>> out;
  for (const ParamSpec& s : d.params) {
    auto it = given.find(s.name);
    if (it == given.end()) {
      if (s.required) fail(s.name, "required but not given");
      if (s.default_value) out.emplace(s.name, *s.default_value);
      continue;
    }
    ParamValue v = it->second;
    if (s.type == ParamType::number && std::holds_alternative<std::int64_t>(v))
      v = static_cast<double>(std::get<std::int64_t>(v));
    // ParamType and ParamValue list the types in the same order.
    if (v.index() != static_cast<std::size_t>(s.type))
      fail(s.name, "expected " + std::string(param_type_name(s.type)));
    if (const double* n = std::get_if<double>(&v); n && ((s.min && *n < *s.min) || (s.max && *n > *s.max)))
      fail(s.name, "out of range");
    if (const auto* i = std::get_if<std::int64_t>(&v);
        i && ((s.min && static_cast<double>(*i) < *s.min) || (s.max && static_cast<double>(*i) > *s.max)))
      fail(s.name, "out of range");
    if (const auto* str = std::get_if<std::string>(&v); str && !s.choices.empty()) {
      bool allowed = false;
      for (const auto& c : s.choices) allowed = allowed || c == *str;
      if (!allowed) fail(s.name, "'" + *str + "' is not one of the allowed values");
    }
    out.emplace(s.name, std::move(v));
  }
  return Params(std::move(out));
}

/// What the harness tells the node: see Context.
struct Options {
  std::string node_name = "test";
  std::size_t batch_size = 256;  ///< sources: the capacity of each BatchBuilder
  std::size_t linger_ms = 5;
  std::size_t instance = 0;
  /// What Context::reject_input does: "fail" throws the error (the engine's default
  /// policy); "drop" or "route" keep the record (TestContext::rejected_inputs).
  std::string on_error = "fail";
  /// SDK 1.3: what Context::checkpoint() says (a state file for a source to keep its position).
  CheckpointSettings checkpoint{};
};

/// A Context for tests: ports from the descriptor ("out", declared, from a parameter,
/// "errors"), a stop flag the test sets, and log lines kept for inspection.
class TestContext final : public Context {
 public:
  TestContext(const PluginDescriptor& d, Params params, Options options)
      : plugin_(d.name), params_(std::move(params)), options_(std::move(options)) {
    ports_.push_back("out");
    ports_.insert(ports_.end(), d.ports.begin(), d.ports.end());
    if (!d.ports_from_param.empty())
      if (const auto* routes = std::get_if<StringMap>(params_.find(d.ports_from_param)))
        for (const auto& [port, unused] : *routes) ports_.push_back(port);
    ports_.push_back("errors");
  }

  std::string_view node_name() const noexcept override { return options_.node_name; }
  std::string_view plugin_name() const noexcept override { return plugin_; }
  const Params& params() const noexcept override { return params_; }
  std::size_t instance() const noexcept override { return options_.instance; }
  Port port(std::string_view name) const override {
    for (std::size_t i = 0; i < ports_.size(); ++i)
      if (ports_[i] == name) return Port{i};
    throw std::invalid_argument("node '" + options_.node_name + "' has no port '" + std::string(name) + "'");
  }
  std::size_t batch_size() const noexcept override { return options_.batch_size; }
  std::size_t linger_ms() const noexcept override { return options_.linger_ms; }
  bool stop_requested() const noexcept override { return stop_.load(); }
  void log(LogLevel level, std::string_view message) const override {
    static constexpr const char* names[] = {"debug", "info", "warn", "error"};
    std::lock_guard lock(mutex_);
    logs_.push_back(std::string(names[static_cast<int>(level)]) + ": " + std::string(message));
  }

  /// Records a source's bad input (as `drop` or `route` would): see rejected_inputs().
  void reject_input(std::string_view input, std::string_view error) override {
    if (options_.on_error == "fail") throw std::runtime_error(std::string(error));
    std::lock_guard lock(mutex_);
    rejected_inputs_.push_back({std::string(input), std::string(error)});
  }
  /// A source's bad input records so far: {raw text, error}.
  std::vector<std::pair<std::string, std::string>> rejected_inputs() const {
    std::lock_guard lock(mutex_);
    return rejected_inputs_;
  }

  CheckpointSettings checkpoint() const override { return options_.checkpoint; }
  std::uint64_t batch_being_read() const noexcept override { return batch_being_read_.load(); }
  /// SDK 1.3: the number Context::batch_being_read() gives, as the engine sets it before a read().
  void set_batch_being_read(std::uint64_t batch) noexcept { batch_being_read_ = batch; }

  /// Makes stop_requested() true, as Ctrl-C or a timeout would.
  void request_stop() noexcept { stop_ = true; }
  /// Log lines so far, e.g. "warn: slow input".
  std::vector<std::string> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }
  const std::vector<std::string>& ports() const noexcept { return ports_; }

 private:
  std::string plugin_;
  Params params_;
  Options options_;
  std::vector<std::string> ports_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> batch_being_read_{0};
  mutable std::mutex mutex_;
  mutable std::vector<std::string> logs_;
  std::vector<std::pair<std::string, std::string>> rejected_inputs_;
};

/// A record a stage rejected: a one-record batch with its fields, its row in the input
/// batch, and the error text.
struct Rejection {
  BatchPtr record;
  std::size_t row = 0;
  std::string error;
  Value get(std::string_view name) const { return record->get(0, field(name)); }
};

/// What a stage emitted, by port name, and what it rejected.
struct StageOutput {
  std::map<std::string, std::vector<BatchPtr>, std::less<>> ports;
  std::vector<Rejection> rejected;
  /// The batches emitted on `port` (none: an empty list).
  const std::vector<BatchPtr>& out(std::string_view port = "out") const {
    static const std::vector<BatchPtr> none;
    auto it = ports.find(port);
    return it == ports.end() ? none : it->second;
  }
};

/// An Emitter that records into a StageOutput; safe to call from several threads.
class RecordingEmitter final : public Emitter {
 public:
  explicit RecordingEmitter(const TestContext& c) : context_(c) {}
  using Emitter::emit;
  void emit(Port port, BatchPtr batch) override {
    std::lock_guard lock(mutex_);
    output_.ports[context_.ports().at(port.index)].push_back(std::move(batch));
  }
  void reject(const Batch& batch, std::size_t row, std::string_view error) override {
    const auto r = static_cast<std::uint32_t>(row);
    BatchPtr record = batch.select({&r, 1});
    std::lock_guard lock(mutex_);
    output_.rejected.push_back(Rejection{std::move(record), row, std::string(error)});
  }
  /// Read it once the calls are done.
  const StageOutput& output() const noexcept { return output_; }
  /// What attempt() answers from now on (0 until set): a retry as under `on_error = "retry"`.
  void set_attempt(unsigned attempt) noexcept { attempt_ = attempt; }
  unsigned attempt() const noexcept override { return attempt_; }

 private:
  const TestContext& context_;
  std::atomic<unsigned> attempt_{0};
  std::mutex mutex_;
  StageOutput output_;
};

namespace detail {
// The context outlives the node it is given to: members are destroyed in reverse order.
template <class Node>
class Harness {
 public:
  TestContext& context() noexcept { return context_; }
  Node& node() noexcept { return *node_; }

 protected:
  Harness(const PluginDescriptor& d, NodeKind kind, const ParamMap& params, Options o)
      : context_(d, resolve_params(d, params), std::move(o)) {
    if (d.kind != kind)
      throw std::invalid_argument("plugin '" + d.name + "' is a " + std::string(node_kind_name(d.kind)) +
                                  ", not a " + std::string(node_kind_name(kind)));
  }
  TestContext context_;
  std::unique_ptr<Node> node_;
};
}  // namespace detail

/// One stage instance. process() may be called from several threads if the plugin is
/// thread-safe.
class StageHarness : public detail::Harness<Stage> {
 public:
  StageHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::stage, params, std::move(o)), emitter_(context_) {
    node_ = d.create_stage(context_);
  }
  void process(const BatchPtr& in) { node_->process(in, emitter_); }
  void finish() { node_->finish(emitter_); }
  /// One timer tick (Stage::tick), as the engine calls it every tick_interval().
  void tick() { node_->tick(emitter_); }
  /// The attempt the next calls see (Emitter::attempt): 1 makes them the first retry.
  void set_attempt(unsigned attempt) noexcept { emitter_.set_attempt(attempt); }
  const StageOutput& output() const noexcept { return emitter_.output(); }

 private:
  RecordingEmitter emitter_;
};

/// One source instance, read as the engine reads it.
class SourceHarness : public detail::Harness<Source> {
 public:
  SourceHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::source, params, std::move(o)) {
    node_ = d.create_source(context_);
  }
  void open() { node_->open(); }
  /// The next batch, or nullptr at end of stream (or once stop is requested).
  BatchPtr next() {
    if (ended_) return nullptr;
    BatchBuilder builder(context_.batch_size());
    bool more = true;
    do {
      more = node_->read(builder);
    } while (more && builder.size() == 0 && !context_.stop_requested());
    ended_ = !more || builder.size() == 0;
    if (builder.size() == 0) return nullptr;
    builder.set_origin(Origin{0, batches_++, records_});
    records_ += builder.size();
    return builder.finish();
  }
  /// Batches until end of stream, or at most `max_batches` of them (0: no limit).
  std::vector<BatchPtr> read(std::size_t max_batches = 0) {
    std::vector<BatchPtr> out;
    while (max_batches == 0 || out.size() < max_batches) {
      BatchPtr b = next();
      if (!b) break;
      out.push_back(std::move(b));
    }
    return out;
  }
  void close() { node_->close(); }

 private:
  bool ended_ = false;
  std::uint64_t batches_ = 0, records_ = 0;
};

/// One sink instance.
class SinkHarness : public detail::Harness<Sink> {
 public:
  SinkHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::sink, params, std::move(o)) {
    node_ = d.create_sink(context_);
  }
  void open() { node_->open(); }
  void write(const BatchPtr& b) { node_->write(*b); }
  void flush() { node_->flush(); }
  void close() { node_->close(); }
};

/// Processes `inputs` in order, then finish(); returns what the stage emitted and rejected.
inline StageOutput run_stage(const PluginDescriptor& d, const ParamMap& params, const std::vector<BatchPtr>& inputs,
                             Options o = {}) {
  StageHarness h(d, params, std::move(o));
  for (const auto& b : inputs) h.process(b);
  h.finish();
  return h.output();
}

/// Opens the source, reads until end of stream (or `max_batches`, 0 = no limit), closes it.
inline std::vector<BatchPtr> run_source(const PluginDescriptor& d, const ParamMap& params = {},
                                        std::size_t max_batches = 0, Options o = {}) {
  SourceHarness h(d, params, std::move(o));
  h.open();
  auto out = h.read(max_batches);
  h.close();
  return out;
}

/// Opens the sink, writes `inputs`, flushes and closes it.
inline void run_sink(const PluginDescriptor& d, const ParamMap& params, const std::vector<BatchPtr>& inputs,
                     Options o = {}) {
  SinkHarness h(d, params, std::move(o));
  h.open();
  for (const auto& b : inputs) h.write(b);
  h.flush();
  h.close();
}

}  // namespace graph_runner::testing
