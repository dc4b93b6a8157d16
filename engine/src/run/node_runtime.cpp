#include "run/node_runtime.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>

#include "graph_runner/detail/emitter_rules.hpp"
#include "graph_runner/errors.hpp"
#include "run/call_clock.hpp"
#include "sdk/recycled.hpp"

namespace graph_runner::engine {
namespace {

using Clock = std::chrono::steady_clock;

// A server's Retry-After is honoured up to this; beyond it the retry comes sooner.
constexpr std::chrono::milliseconds max_retry_after = std::chrono::minutes(5);

}  // namespace

struct NodeRuntime::Instance {
  std::mutex calls;  // with a tick interval: process/finish and tick never overlap on this instance
  std::unique_ptr<NodeContext> context;
  std::unique_ptr<Source> source;
  std::unique_ptr<Stage> stage;
  std::unique_ptr<Sink> sink;
};

// Collects a call's output so that a failed call emits nothing (a retry cannot duplicate),
// and its rejections and contract violations. Nothing here throws into plugin code (a
// plugin's own catch would hide the error): guarded() acts on them once the call returns.
class NodeRuntime::Collector final : public Emitter {
 public:
  // While it lives, this is the call running on its thread (calls nest: TBB may run another
  // node's call inside a plugin's parallel loop), which PluginEmitter forwards to.
  Collector(NodeRuntime& node, const Batch* input, unsigned attempt, BatchPtr* owned = nullptr)
      : node_(node), input_(input), attempt_(attempt), owned_(owned), outer_(active) {
    active = this;
  }
  ~Collector() override { active = outer_; }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;
  inline static thread_local Collector* active = nullptr;
  const NodeRuntime& node() const noexcept { return node_; }

  void emit(Port port, BatchPtr batch) override {
    if (port.index >= node_.node_.ports.size())
      return violated(graph_runner::detail::emitted_on_missing_port(port.index, node_.name()));
    if (batch && !batch->empty()) outputs.push_back({port.index, std::move(batch)});
  }
  void reject(const Batch& batch, std::size_t row, std::string_view error) override {
    if (row >= batch.size())
      return violated(graph_runner::detail::rejected_past_end(row, batch.size()));
    // Under fail and retry the first rejection fails the call: say which record it was.
    const auto policy = node_.node_.spec->on_error;
    if (rejections == 0 && (policy == ErrorPolicy::fail || policy == ErrorPolicy::retry))
      first_rejection = node_.describe_failure(&batch, std::string(error), row);
    ++rejections;
    if (&batch == input_ && !taken) {
      if (input_rows_ == SIZE_MAX) {
        input_rows_ = rejected.size();
        rejected.emplace_back(&batch, std::vector<std::pair<std::uint32_t, std::string>>{});
      }
      rejected[input_rows_].second.emplace_back(static_cast<std::uint32_t>(row), std::string(error));
      return;
    }
    // A batch the plugin made itself may be gone when the call returns: keep the row now.
    const std::uint32_t rows[] = {static_cast<std::uint32_t>(row)};
    BatchPtr copy = batch.select(rows);
    rejected.emplace_back(copy.get(), std::vector<std::pair<std::uint32_t, std::string>>{{0, std::string(error)}});
    kept_.push_back(std::move(copy));
  }
  unsigned attempt() const noexcept override { return attempt_; }
  // In place only when the engine gave up its own reference to this call's input (owned_:
  // one consumer, a policy that never needs the input again) and nothing else holds it.
  std::shared_ptr<Batch> take(BatchPtr in) override {
    if (owned_ && in.get() == input_) {
      owned_->reset();  // the engine's reference: the batch is the plugin's now
      taken = true;
      if (in.use_count() == 1) return std::const_pointer_cast<Batch>(std::move(in));
    }
    return detail::make_recycled<Batch>(*in);
  }

  Outputs outputs;
  bool taken = false;  // the input was taken: a retry would not see it as it came
  // The rejected rows of each batch, in the order of their batches' first rejection: the
  // input's rows together, a row of a batch the plugin made as a batch of its own (a vector:
  // an empty map cost a call more to set up and tear down, at batch_size 1 on every call).
  std::vector<std::pair<const Batch*, std::vector<std::pair<std::uint32_t, std::string>>>> rejected;
  std::size_t rejections = 0;
  std::string first_rejection;  // the failure message under fail / retry
  std::string violation;        // the first contract violation: fails the run whatever on_error says

 private:
  void violated(std::string what) {
    if (violation.empty()) violation = std::move(what);
  }
  NodeRuntime& node_;
  const Batch* input_;          // alive for the whole call and after it (unless taken)
  unsigned attempt_;
  BatchPtr* owned_;
  std::vector<BatchPtr> kept_;  // rejected rows of other batches, owned here
  std::size_t input_rows_ = SIZE_MAX;  // the input's entry in `rejected`
  Collector* outer_;
};

// The Emitter plugins get: one per node, alive as long as the node, so a plugin that keeps
// it past its call (a background thread, a stored reference) reaches this object, never a
// destroyed Collector. Used during a call on that call's thread, it forwards to the call's
// Collector; anywhere else it fails the run with a message naming node and plugin, and the
// batch is discarded.
class NodeRuntime::PluginEmitter final : public Emitter {
 public:
  explicit PluginEmitter(NodeRuntime& node) : node_(node) {}
  void emit(Port port, BatchPtr batch) override {
    if (Collector* c = current()) return c->emit(port, std::move(batch));
    misused("emit");
  }
  void reject(const Batch& batch, std::size_t row, std::string_view error) override {
    if (Collector* c = current()) return c->reject(batch, row, error);
    misused("reject");
  }
  unsigned attempt() const noexcept override {
    const Collector* c = current();
    return c ? c->attempt() : 0;
  }
  std::shared_ptr<Batch> take(BatchPtr in) override {
    if (Collector* c = current()) return c->take(std::move(in));
    return Emitter::take(std::move(in));
  }

 private:
  Collector* current() const noexcept {
    Collector* c = Collector::active;
    return c && &c->node() == &node_ ? c : nullptr;
  }
  void misused(const char* what) {
    node_.run_.fail(node_.describe_failure(nullptr, graph_runner::detail::emitter_used_outside_call(what)));
  }
  NodeRuntime& node_;
};

// Times a call, counts concurrency, and tells the observers.
template <class Call>
void NodeRuntime::timed(const Batch* in, Call&& call) {
  if (serial_calls_) {
    // One call at a time: plain stores. A locked add is a full barrier, and the counter's
    // cache line moves between the cores whose threads take turns calling the node.
    running_.store(1, std::memory_order_relaxed);
    if (max_running_.load(std::memory_order_relaxed) == 0) max_running_.store(1, std::memory_order_relaxed);
  } else {
    std::size_t now = running_.fetch_add(1, std::memory_order_relaxed) + 1;
    std::size_t seen = max_running_.load(std::memory_order_relaxed);
    while (now > seen && !max_running_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
    }
  }
  for (const auto& o : run_.observers()) o->on_call_begin(index_, in);
  const std::uint64_t start = CallClock::now();
  struct End {  // also when the call throws (guarded handles the exception)
    NodeRuntime& node;
    const Batch* in;
    std::uint64_t start;
    ~End() {
      const std::int64_t ns = CallClock::ns_since(start);
      if (node.serial_calls_) node.running_.store(0, std::memory_order_relaxed);
      else node.running_.fetch_sub(1, std::memory_order_relaxed);
      add_in_slot(node.counts_.local().busy_ns, ns);
      node.latency_.local().record_in_slot(ns);
      node.run_.progressed();
      for (const auto& o : node.run_.observers()) o->on_call_end(node.index_, in, ns);
    }
  } end{*this, in, start};
  call();
}

NodeRuntime::NodeRuntime(const CheckedGraph& graph, std::size_t index, RunState& run, std::size_t worker_threads)
    : graph_(graph), node_(graph.nodes[index]), run_(run), index_(index), plugin_(node_.plugin),
      emitter_(std::make_unique<PluginEmitter>(*this)), error_field_(field("error")),
      error_node_field_(field("error_node")), drop_log_(run, node_.spec->name, node_.spec->plugin) {
  port_records_ = std::make_unique<ShardedCounter<>[]>(node_.ports.size());
  for (std::size_t i = 0; i < node_.ports.size(); ++i)
    if (node_.ports[i] == "errors") errors_port_ = i;
  const bool shared = plugin_->descriptor.is_thread_safe || node_.spec->kind == NodeKind::source;
  shared_ = shared;
  std::size_t instances = 1;
  if (node_.spec->kind == NodeKind::source) {
    flow_concurrency_ = 1;
  } else if (node_.spec->blocking) {  // calls wait in the I/O arena, not on CPU workers
    flow_concurrency_ = node_.concurrency == 0 ? unlimited_blocking_calls : node_.concurrency;
    instances = shared ? 1 : flow_concurrency_;
  } else if (shared) {
    flow_concurrency_ = node_.concurrency;  // 0 = unlimited
  } else {
    instances = node_.concurrency == 0 ? std::max<std::size_t>(worker_threads, 1) : node_.concurrency;
    flow_concurrency_ = instances;
  }
  if (node_.min_concurrency > 0 && node_.concurrency > 0) {
    // A remote service is judged by its answers; a CPU stage by its backlog, and never given
    // more calls than the run has threads (more would only time-slice the same cores).
    if (node_.spec->blocking) controller_ = std::make_unique<RttController>(node_.min_concurrency, node_.concurrency);
    else
      controller_ = std::make_unique<BacklogController>(
          node_.min_concurrency, std::max(node_.min_concurrency, std::min(node_.concurrency, std::max<std::size_t>(worker_threads, 1))));
  }
  // The flow graph calls the node one call at a time (a source, a serial node, one instance).
  serial_calls_ = flow_concurrency_ == 1 && !controller_;
  for (std::size_t i = 0; i < instances; ++i) {
    auto inst = std::make_unique<Instance>();
    inst->context = std::make_unique<NodeContext>(node_, i, run_, NodeContext::checkpoint_for(graph.spec, *node_.spec));
    instances_.push_back(std::move(inst));
  }
}

NodeRuntime::~NodeRuntime() {
  instances_.clear();  // plugin objects go before plugin_ releases the library
}

void NodeRuntime::create_instances(bool open_sinks) {
  const auto& d = plugin_->descriptor;
  for (auto& inst : instances_) {
    switch (node_.spec->kind) {
      case NodeKind::source: inst->source = d.create_source(*inst->context); inst->source->open(); break;
      case NodeKind::stage: inst->stage = d.create_stage(*inst->context); break;
      case NodeKind::sink:
        inst->sink = d.create_sink(*inst->context);
        if (open_sinks) inst->sink->open();
        break;
    }
    free_.push(inst.get());
  }
  // Only a plugin built against SDK 1.1 or later has tick_interval() in its vtable.
  if (node_.spec->kind == NodeKind::stage && !instances_.empty())
    tick_interval_ = std::max(std::chrono::milliseconds(0), instances_.front()->stage->tick_interval());
}

std::optional<FieldSchema> NodeRuntime::declared_fields() const {
  if (instances_.empty()) return std::nullopt;
  return instances_.front()->context->declared_fields();
}

// From the pool of free instances: a call of a node with several instances of a plugin that is
// not thread-safe, not a lane's (which owns its instance). A thread-safe plugin has one
// instance for every call; so has a node with one instance of a plugin that is not, whose
// calls are serial (flow concurrency 1): the pool would always hand out that one, at a
// concurrent queue's pop and push per call.
bool NodeRuntime::pooled(std::size_t instance) const noexcept {
  return !shared_ && instances_.size() > 1 && instance == SIZE_MAX;
}

NodeRuntime::Instance* NodeRuntime::acquire(std::size_t instance) noexcept {
  if (!pooled(instance))
    return instances_[instance == SIZE_MAX ? 0 : instance % instances_.size()].get();  // a lane owns its instance
  Instance* inst = nullptr;
  // The flow node's concurrency equals the pool size, so a free instance always exists;
  // the loop only covers the moment between a release and its push.
  while (!free_.try_pop(inst)) std::this_thread::yield();
  return inst;
}

void NodeRuntime::release(Instance* inst, std::size_t instance) noexcept {
  if (pooled(instance)) free_.push(inst);
}

std::string NodeRuntime::describe_failure(const Batch* in, const std::string& what,
                                          std::optional<std::size_t> row) const {
  std::string msg = "node '" + name() + "' (plugin '" + node_.spec->plugin + "'): " + what;
  if (!in || in->origin().source >= graph_.nodes.size()) return msg;
  const auto& o = in->origin();
  msg += " (source '" + graph_.nodes[o.source].spec->name + "' batch " + std::to_string(o.batch);
  if (row) return msg + ", record " + std::to_string(o.first_record + *row) + ")";
  return msg + ", records " + std::to_string(o.first_record) + ".." +
         std::to_string(o.first_record + (in->size() ? in->size() - 1 : 0)) + ")";
}

BatchPtr NodeRuntime::error_batch(const Batch& from, const std::vector<std::pair<std::uint32_t, std::string>>& rows,
                                  const std::vector<ErrorField>& fields) const {
  std::vector<std::uint32_t> index;
  index.reserve(rows.size());
  for (const auto& r : rows) index.push_back(r.first);
  auto arena = std::make_shared<Arena>();
  std::vector<Value> errors, nodes;
  Value node_name = Value::string_ref(arena->copy(name()));
  for (const auto& r : rows) {
    errors.push_back(Value::string_ref(arena->copy(r.second)));
    nodes.push_back(node_name);
  }
  // Records with fields the batch had not: error fields are present on every error record.
  BatchPtr out = from.select(index);
  out = out->with_column(error_field_, errors, arena);
  out = out->with_column(error_node_field_, nodes, arena);
  for (const auto& [name, value] : fields) {  // a CallError's own fields (SDK 1.3), one value for every row
    Value v = std::holds_alternative<std::int64_t>(value)
                  ? Value::of(std::get<std::int64_t>(value))
                  : Value::string_ref(arena->copy(std::get<std::string>(value)));
    out = out->with_column(field(name), std::vector<Value>(rows.size(), v), arena);  // span of a temporary: used at once
  }
  return out;
}

// Retry backoff: doubling from backoff_ms, capped, with jitter (50-100 % of the step) so
// that batches failing together do not retry together.
bool NodeRuntime::wait_before_retry(int retry, std::chrono::milliseconds at_least) {
  constexpr double max_backoff_ms = 30000;
  double delay = std::min(max_backoff_ms, static_cast<double>(node_.spec->backoff_ms) * double(1u << std::min(retry, 20)));
  thread_local std::minstd_rand jitter{std::random_device{}()};
  delay *= 0.5 + std::uniform_real_distribution<double>(0, 0.5)(jitter);
  delay = std::max(delay, static_cast<double>(std::min(at_least, max_retry_after).count()));  // Retry-After
  // The wait suspends this task, so the worker runs other nodes meanwhile (RetryTimer) -
  // unless this thread's stack must stay where it is: an outer call on this thread (TBB
  // ran this call inside a plugin's parallel loop) keeps thread-local state, and with a
  // tick interval the instance's `calls` mutex is held.
  const bool may_suspend = Collector::active == nullptr && !(tick_interval_.count() > 0 && !shared_);
  return run_.retry_timer().wait(std::chrono::microseconds(static_cast<std::int64_t>(delay * 1000)), may_suspend);
}

template <class Call>
bool NodeRuntime::guarded(const Batch* in, Outputs& out, Call&& call, bool time_calls, BatchPtr* owned) {
  const NodeSpec& spec = *node_.spec;
  // Under `retry` every failure is retried; under the other policies a TransientError (SDK
  // 1.3) is, and the policy applies once the retries are used up.
  const int retries = static_cast<int>(spec.retries);
  // Under fail and retry a rejected record fails its call, as an exception does.
  const bool rejection_fails = spec.on_error == ErrorPolicy::fail || spec.on_error == ErrorPolicy::retry;
  const std::size_t records = in ? in->size() : 0;
  // What messages say about the input, kept apart: a call that took its input may have
  // changed or freed it. Made only for a message (a Batch per call costs at batch_size 1).
  const Origin origin = in ? in->origin() : Origin{};
  std::unique_ptr<Batch> about;  // not an optional: its storage was zeroed on every call
  auto about_input = [&]() -> const Batch* {
    if (!in) return nullptr;
    if (!about) {
      about = std::make_unique<Batch>();
      about->set_origin(origin);
      about->set_physical_size(records);
    }
    return about.get();
  };
  std::string what;     // the last exception's text (drop log, routed records)
  std::string failure;  // the run's message if the last attempt fails it
  std::vector<ErrorField> fields;  // a CallError's fields for routed records
  std::chrono::milliseconds retry_after{0};
  for (int attempt = 0;; ++attempt) {
    if (attempt > 0) {
      retries_.fetch_add(1, std::memory_order_relaxed);
      // Cancelled meanwhile (second signal, grace over, another node failed): the batch is
      // abandoned in flight, as the run's message counts it; it is not this node's failure.
      // A call without a batch (finish, close) is still tried, without waiting: a sink that
      // cannot close must be reported.
      if (!wait_before_retry(attempt - 1, retry_after) && in) return false;
    }
    // Gone before the next wait: a resumed task may be on another thread.
    Collector collector(*this, in, static_cast<unsigned>(attempt), owned);
    bool threw = true, transient = false;
    fields.clear();
    retry_after = std::chrono::milliseconds(0);
    // Only an adaptive node's controller reads it: a clock read per call costs at batch_size 1.
    const auto attempt_start = controller_ ? Clock::now() : Clock::time_point{};
    try {
      if (time_calls) timed(in, [&] { call(*emitter_); });  // forwards to `collector` during the call
      else call(*emitter_);
      threw = false;
    } catch (const TransientError& e) {
      what = e.what();
      fields = e.fields();
      retry_after = e.retry_after();
      transient = true;
    } catch (const CallError& e) {
      what = e.what();
      fields = e.fields();
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an exception not derived from std::exception";
    }
    // A TransientError (HTTP 429, 503, a timeout) is the service pushing back: the adaptive
    // limit comes down. Only an answered call is a round-trip time.
    if (controller_ && time_calls && in) controller_->attempt(Clock::now() - attempt_start, !threw, transient);
    if (!collector.violation.empty()) {  // a broken contract is a bug in the plugin: no policy hides it
      errors_.fetch_add(std::max<std::size_t>(records, 1), std::memory_order_relaxed);
      run_.fail(describe_failure(about_input(), collector.violation));
      return false;
    }
    if (!threw && !(rejection_fails && collector.rejections > 0)) {
      for (auto& [batch, rows] : collector.rejected) {
        errors_.fetch_add(rows.size(), std::memory_order_relaxed);
        if (spec.on_error == ErrorPolicy::route) {
          routed_.fetch_add(rows.size(), std::memory_order_relaxed);
          collector.outputs.push_back({errors_port_, error_batch(*batch, rows, {})});
        } else {
          dropped_.fetch_add(rows.size(), std::memory_order_relaxed);
          drop_log_.dropped(rows.size(), rows.back().second);
        }
      }
      for (auto& o : collector.outputs) out.push_back(std::move(o));
      return true;
    }
    failure = threw ? describe_failure(about_input(), what) : collector.first_rejection;
    if (!threw && collector.rejections > 1)
      failure += " and " + std::to_string(collector.rejections - 1) + " more rejected record(s) in the same call";
    if (run_.cancelled() && in) return false;  // abandoned, as above: no retry, no second failure
    if (!(transient || spec.on_error == ErrorPolicy::retry) || attempt >= retries || collector.taken) {
      if (transient && attempt > 0) failure += " (still failing after " + std::to_string(attempt) + " retries)";
      break;
    }
  }
  errors_.fetch_add(std::max<std::size_t>(records, 1), std::memory_order_relaxed);
  if (spec.on_error == ErrorPolicy::drop && in) {
    dropped_.fetch_add(records, std::memory_order_relaxed);
    drop_log_.dropped(records, what);
  } else if (spec.on_error == ErrorPolicy::route && in && errors_port_ != SIZE_MAX) {
    routed_.fetch_add(records, std::memory_order_relaxed);
    std::vector<std::pair<std::uint32_t, std::string>> rows;
    for (std::uint32_t r = 0; r < records; ++r) rows.emplace_back(r, what);
    out.push_back({errors_port_, error_batch(*in, rows, fields)});
  } else {
    run_.fail(failure);
  }
  return false;
}

void NodeRuntime::process(BatchPtr in, Outputs& out, std::size_t instance, const Sender* send_now, bool may_own) {
  dequeued(*in);
  Instance* inst = acquire(instance);
  std::unique_lock<std::mutex> serial;
  if (tick_interval_.count() > 0 && !shared_) serial = std::unique_lock(inst->calls);
  // The stage may take its input to change it in place (Emitter::take) when no policy needs
  // the input again: under `fail` and `drop` a failed call is never routed whole or retried
  // after a take. RunOptions::hand_over_inputs = false (tests) makes every take a copy.
  const auto policy = node_.spec->on_error;
  BatchPtr* owned = may_own && run_.hand_over_inputs() && (policy == ErrorPolicy::fail || policy == ErrorPolicy::drop)
                        ? &in
                        : nullptr;
  const Batch* input = in.get();
  guarded(input, out, [&](Emitter& e) { inst->stage->process(in, e); }, /*time_calls=*/true, owned);
  if (serial && send_now) (*send_now)(out);  // before a tick of this instance may emit
  if (serial) serial.unlock();
  release(inst, instance);
}

// Calls `call(stage, emitter)` on every instance in turn, serialised with its ticks.
template <class Call>
void NodeRuntime::each_stage(Outputs& out, Call&& call) {
  for (auto& inst : instances_) {
    std::lock_guard serial(inst->calls);
    guarded(nullptr, out, [&](Emitter& e) { call(*inst->stage, e); });
  }
}

void NodeRuntime::finish(Outputs& out) {
  if (node_.spec->kind == NodeKind::sink) return finish_sink();
  each_stage(out, [](Stage& s, Emitter& e) { s.finish(e); });
}

// Sink::finish (SDK 2.0) on every instance; a failure stops the rest (no finish after a failed run).
void NodeRuntime::finish_sink() {
  Outputs unused;
  for (auto& inst : instances_)
    if (run_.cancelled() || !guarded(nullptr, unused, [&](Emitter&) { inst->sink->finish(); })) return;
}

void NodeRuntime::tick(Outputs& out, const Sender& send) {
  for (auto& inst : instances_) {
    std::unique_lock serial(inst->calls, std::try_to_lock);
    if (!serial) continue;  // in a call: ticked next time
    guarded(nullptr, out, [&](Emitter& e) { inst->stage->tick(e); });
    send(out);  // under the instance's lock, in order with its process() output
  }
}

void NodeRuntime::flush(Outputs& out) {
  if (node_.spec->kind != NodeKind::stage) return;
  each_stage(out, [](Stage& s, Emitter& e) { s.flush(e); });
}

std::size_t NodeRuntime::take_rejected_inputs(BatchBuilder& b) {
  auto rejected = instances_.front()->context->take_rejected_inputs();
  if (rejected.empty()) return 0;
  errors_.fetch_add(rejected.size(), std::memory_order_relaxed);
  if (node_.spec->on_error != ErrorPolicy::route || errors_port_ == SIZE_MAX) {
    dropped_.fetch_add(rejected.size(), std::memory_order_relaxed);
    for (const auto& r : rejected) drop_log_.dropped(1, r.error);  // logged at most once a second
    return 0;
  }
  routed_.fetch_add(rejected.size(), std::memory_order_relaxed);
  const std::size_t rows = b.size();
  const Field input_field = field("input");
  b.resize(rows + rejected.size());
  std::size_t row = rows;
  for (const auto& r : rejected) {
    b.set(row, input_field, b.string(r.input));
    b.set(row, error_field_, b.string(r.error));
    b.set(row, error_node_field_, b.string(name()));
    ++row;
  }
  return rejected.size();
}

void NodeRuntime::write(const BatchPtr& in, Outputs& out, std::size_t instance) {
  dequeued(*in);
  Instance* inst = acquire(instance);
  guarded(in.get(), out, [&](Emitter&) { inst->sink->write(*in); }, /*time_calls=*/true);
  release(inst, instance);
}

Source& NodeRuntime::source() { return *instances_.front()->source; }

bool NodeRuntime::read(BatchBuilder& builder, std::uint64_t batch) {
  instances_.front()->context->set_batch_being_read(batch);
  Outputs unused;
  bool more = false, ok = false;
  ok = guarded(nullptr, unused, [&](Emitter&) { more = instances_.front()->source->read(builder); }, /*time_calls=*/true);
  return ok && more;
}

void NodeRuntime::close() {
  drop_log_.flush();
  Outputs unused;
  for (auto& inst : instances_) {
    if (inst->sink)
      guarded(nullptr, unused, [&](Emitter&) { inst->sink->flush(); inst->sink->close(); });
    if (inst->source) guarded(nullptr, unused, [&](Emitter&) { inst->source->close(); });
  }
}

void NodeRuntime::dequeued(const Batch& in) noexcept {
  Counts& c = counts_.local();
  add_in_slot(c.queued, std::int64_t{-1});
  add_in_slot(c.batches_in, std::int64_t{1});
  add_in_slot(c.records_in, static_cast<std::int64_t>(in.size()));
}

void NodeRuntime::count_emitted(std::size_t port, const Batch& batch) noexcept {
  port_records_[port].add(batch.size());
  if (port == errors_port_) return;  // counted as routed
  Counts& c = counts_.local();
  add_in_slot(c.batches_out, std::int64_t{1});
  add_in_slot(c.records_out, static_cast<std::int64_t>(batch.size()));
}

NodeStats NodeRuntime::stats() const {
  NodeStats s;
  s.name = name();
  s.plugin = plugin_->descriptor.name;  // not a deprecated name the graph may still use
  s.kind = node_.spec->kind;
  s.concurrency = node_.concurrency;
  s.min_concurrency = node_.min_concurrency;
  s.concurrency_now = controller_ ? controller_->limit() : node_.concurrency;
  s.batches_in = static_cast<std::uint64_t>(sum(&Counts::batches_in));
  s.records_in = static_cast<std::uint64_t>(sum(&Counts::records_in));
  s.batches_out = static_cast<std::uint64_t>(sum(&Counts::batches_out));
  s.records_out = static_cast<std::uint64_t>(sum(&Counts::records_out));
  s.errors = errors_.load();
  s.dropped = dropped_.load();
  s.routed = routed_.load();
  s.retries = retries_.load();
  s.busy_seconds = static_cast<double>(sum(&Counts::busy_ns)) / 1e9;
  s.max_concurrent = max_running_.load();
  s.running = running_.load();
  s.queued = queued();
  latency_.each([&](const LatencyHistogram& h) { h.add_to(s.latency); });
  std::map<std::string, double, std::less<>> gauges;
  for (const auto& inst : instances_)
    for (const auto& [name, value] : inst->context->gauges()) gauges[name] += value;
  s.gauges.assign(gauges.begin(), gauges.end());
  return s;
}

}  // namespace graph_runner::engine
