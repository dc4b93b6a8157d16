#pragma once
/// @file testing.hpp
/// A harness for testing plugins without an engine or a graph file: create one node from
/// its descriptor, feed it batches, look at what comes out. Header-only, on the SDK library.
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
/// `run_sink(describe(), params, batches)` opens, writes, finishes, flushes and closes, and
/// returns what the sink printed. For finer control (single calls, concurrent calls, the stop
/// flag, logs) use StageHarness, SourceHarness and SinkHarness.
///
/// The harness holds a plugin to the engine's rules, so a plugin that passes here does not
/// fail in a graph for a reason the harness could see: parameters are checked by the
/// engine's own checks (resolve_params); the Emitter works only during its call, on its
/// thread, and a call that throws sends nothing (RecordingEmitter); the port `errors` exists
/// only under `on_error = "route"` (TestContext).

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "graph_runner/testing/capture.hpp"
#include "graph_runner/testing/context.hpp"
#include "graph_runner/testing/emitter.hpp"
#include "graph_runner/testing/records.hpp"

namespace graph_runner::testing {

namespace detail {
// The context outlives the node it is given to: members are destroyed in reverse order.
template <class Node>
class Harness {
 public:
  TestContext& context() noexcept { return context_; }
  Node& node() noexcept { return *node_; }
  /// SDK 2.0: what the plugin printed during the harness's calls (Options::capture_output)
  /// and logged (Context::log).
  CapturedOutput captured() const {
    CapturedOutput c = OutputCapture::copy(captured_);
    c.logs = context_.logs();
    return c;
  }

 protected:
  Harness(const PluginDescriptor& d, NodeKind kind, const ParamMap& params, Options o)
      : context_(d, resolve_params(d, params), std::move(o)) {
    if (d.kind != kind)
      throw std::invalid_argument("plugin '" + d.name + "' is a " + std::string(node_kind_name(d.kind)) +
                                  ", not a " + std::string(node_kind_name(kind)));
  }
  ~Harness() {
    if (context_.options().capture_output) OutputCapture::forget(captured_);
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;
  // A call into the plugin, captured when the options say so.
  template <class F>
  decltype(auto) call(F&& f) {
    CaptureScope scope(context_.options().capture_output, captured_);
    return f();
  }
  CapturedOutput captured_;
  TestContext context_;
  std::unique_ptr<Node> node_;
};
}  // namespace detail

/// One stage instance. process() may be called from several threads if the plugin is
/// thread-safe. A call that throws propagates its exception and sends nothing; a plugin
/// that breaks the Emitter contract makes the call throw ContractViolation.
class StageHarness : public detail::Harness<Stage> {
 public:
  StageHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::stage, params, std::move(o)), emitter_(context_) {
    node_ = call([&] { return d.create_stage(context_); });
  }
  ~StageHarness() { node_.reset(); }  // before emitter_, which a plugin may hold
  void process(const BatchPtr& in) { stage_call([&](Emitter& e) { node_->process(in, e); }); }
  void finish() { stage_call([&](Emitter& e) { node_->finish(e); }); }
  /// One timer tick (Stage::tick), as the engine calls it every tick_interval().
  void tick() { stage_call([&](Emitter& e) { node_->tick(e); }); }
  /// SDK 1.2: what the engine asks of a stage when its held records keep the sources waiting.
  void flush() { stage_call([&](Emitter& e) { node_->flush(e); }); }
  /// The attempt the next calls see (Emitter::attempt): 1 makes them the first retry.
  void set_attempt(unsigned attempt) noexcept { emitter_.set_attempt(attempt); }
  /// What the successful calls emitted and rejected (see RecordingEmitter::output).
  const StageOutput& output() const { return emitter_.output(); }

 private:
  template <class F>
  void stage_call(F&& f) {
    call([&] { emitter_.run(f); });
  }
  RecordingEmitter emitter_;
};

/// One source instance, read as the engine reads it.
class SourceHarness : public detail::Harness<Source> {
 public:
  SourceHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::source, params, std::move(o)) {
    node_ = call([&] { return d.create_source(context_); });
  }
  void open() { call([&] { node_->open(); }); }
  /// The next batch, or nullptr at end of stream (or once stop is requested).
  BatchPtr next() {
    if (ended_) return nullptr;
    BatchBuilder builder(context_.batch_size());
    bool more = true;
    do {
      more = call([&] { return node_->read(builder); });
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
  void close() { call([&] { node_->close(); }); }

 private:
  bool ended_ = false;
  std::uint64_t batches_ = 0, records_ = 0;
};

/// One sink instance. The engine calls open(), write() per batch, finish() once when the
/// stream ended (never after a failed run), then flush() and close().
class SinkHarness : public detail::Harness<Sink> {
 public:
  SinkHarness(const PluginDescriptor& d, const ParamMap& params = {}, Options o = {})
      : Harness(d, NodeKind::sink, params, std::move(o)) {
    node_ = call([&] { return d.create_sink(context_); });
  }
  void open() { call([&] { node_->open(); }); }
  void write(const BatchPtr& b) { call([&] { node_->write(*b); }); }
  /// SDK 2.0: the end of the stream (Sink::finish).
  void finish() { call([&] { node_->finish(); }); }
  void flush() { call([&] { node_->flush(); }); }
  void close() { call([&] { node_->close(); }); }
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

/// Opens the sink, writes `inputs`, then finishes, flushes and closes it, as a run that
/// succeeds does. Returns what it logged, and printed with Options::capture_output:
/// @code
///   auto printed = gt::run_sink(describe_count(), {}, batches, {.node_name = "total", .capture_output = true});
///   CHECK(printed.out == "total: 3 records, checksum 0123456789abcdef\n");
/// @endcode
inline CapturedOutput run_sink(const PluginDescriptor& d, const ParamMap& params, const std::vector<BatchPtr>& inputs,
                               Options o = {}) {
  SinkHarness h(d, params, std::move(o));
  h.open();
  for (const auto& b : inputs) h.write(b);
  h.finish();
  h.flush();
  h.close();
  return h.captured();
}

}  // namespace graph_runner::testing
