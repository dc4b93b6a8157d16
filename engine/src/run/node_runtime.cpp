#include "run/node_runtime.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

namespace graph_runner::engine {
namespace {

using Clock = std::chrono::steady_clock;

// Thrown by Emitter::reject under `fail` and `retry`: the record fails its whole batch.
class RecordRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace

struct NodeRuntime::Instance {
  std::unique_ptr<NodeContext> context;
  std::unique_ptr<Source> source;
  std::unique_ptr<Stage> stage;
  std::unique_ptr<Sink> sink;
};

// Collects a call's output so that a failed call emits nothing (a retry cannot duplicate).
class NodeRuntime::Collector final : public Emitter {
 public:
  explicit Collector(NodeRuntime& node) : node_(node) {}
  void emit(Port port, BatchPtr batch) override {
    if (port.index >= node_.node_.ports.size())
      throw std::out_of_range("emitted on port #" + std::to_string(port.index) + ", which node '" +
                              node_.name() + "' does not have");
    if (batch && !batch->empty()) outputs.push_back({port.index, std::move(batch)});
  }
  void reject(const Batch& batch, std::size_t row, std::string_view error) override {
    auto policy = node_.node_.spec->on_error;
    if (policy == ErrorPolicy::fail || policy == ErrorPolicy::retry)
      throw RecordRejected("record " + std::to_string(row) + ": " + std::string(error));
    rejected[&batch].emplace_back(static_cast<std::uint32_t>(row), std::string(error));
  }
  Outputs outputs;
  std::map<const Batch*, std::vector<std::pair<std::uint32_t, std::string>>> rejected;

 private:
  NodeRuntime& node_;
};

// Times a call, counts concurrency, and tells the observers.
template <class Call>
void NodeRuntime::timed(const Batch* in, Call&& call) {
  std::size_t now = running_.fetch_add(1, std::memory_order_relaxed) + 1;
  std::size_t seen = max_running_.load(std::memory_order_relaxed);
  while (now > seen && !max_running_.compare_exchange_weak(seen, now, std::memory_order_relaxed)) {
  }
  for (const auto& o : run_.observers()) o->on_call_begin(index_, in);
  const auto start = Clock::now();
  call();
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
  running_.fetch_sub(1, std::memory_order_relaxed);
  busy_ns_.fetch_add(ns, std::memory_order_relaxed);
  latency_.record(ns);
  run_.progressed();
  for (const auto& o : run_.observers()) o->on_call_end(index_, in, ns);
}

NodeRuntime::NodeRuntime(const CheckedGraph& graph, std::size_t index, RunState& run, std::size_t worker_threads)
    : graph_(graph), node_(graph.nodes[index]), run_(run), index_(index), plugin_(node_.plugin),
      error_field_(field("error")), error_node_field_(field("error_node")) {
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
  for (std::size_t i = 0; i < instances; ++i) {
    auto inst = std::make_unique<Instance>();
    inst->context = std::make_unique<NodeContext>(node_, i, run_);
    instances_.push_back(std::move(inst));
  }
}

NodeRuntime::~NodeRuntime() {
  instances_.clear();  // plugin objects go before plugin_ releases the library
}

void NodeRuntime::create_instances() {
  const auto& d = plugin_->descriptor;
  for (auto& inst : instances_) {
    switch (node_.spec->kind) {
      case NodeKind::source: inst->source = d.create_source(*inst->context); inst->source->open(); break;
      case NodeKind::stage: inst->stage = d.create_stage(*inst->context); break;
      case NodeKind::sink: inst->sink = d.create_sink(*inst->context); inst->sink->open(); break;
    }
    free_.push(inst.get());
  }
}

NodeRuntime::Instance* NodeRuntime::acquire(std::size_t instance) noexcept {
  if (shared_) return instances_.front().get();  // thread-safe: one instance for every call
  if (instance != SIZE_MAX) return instances_[instance % instances_.size()].get();  // a lane owns it
  Instance* inst = nullptr;
  // The flow node's concurrency equals the pool size, so a free instance always exists;
  // the loop only covers the moment between a release and its push.
  while (!free_.try_pop(inst)) std::this_thread::yield();
  return inst;
}

void NodeRuntime::release(Instance* inst, std::size_t instance) noexcept {
  if (!shared_ && instance == SIZE_MAX) free_.push(inst);
}

std::string NodeRuntime::describe_failure(const Batch* in, const std::string& what) const {
  std::string msg = "node '" + name() + "' (plugin '" + node_.spec->plugin + "'): " + what;
  if (in && in->origin().source < graph_.nodes.size()) {
    const auto& o = in->origin();
    msg += " (source '" + graph_.nodes[o.source].spec->name + "' batch " + std::to_string(o.batch) + ", records " +
           std::to_string(o.first_record) + "..";
    msg += std::to_string(o.first_record + (in->size() ? in->size() - 1 : 0)) + ")";
  }
  return msg;
}

BatchPtr NodeRuntime::error_batch(const Batch& from,
                                  const std::vector<std::pair<std::uint32_t, std::string>>& rows) const {
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
  BatchPtr out = from.select(index);
  out = out->with_column(error_field_, std::move(errors), arena);
  return out->with_column(error_node_field_, std::move(nodes));
}

template <class Call>
bool NodeRuntime::guarded(const Batch* in, Outputs& out, Call&& call) {
  const NodeSpec& spec = *node_.spec;
  const int attempts = spec.on_error == ErrorPolicy::retry ? static_cast<int>(spec.retries) + 1 : 1;
  std::string what;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    Collector collector(*this);
    try {
      call(collector);
      for (auto& [batch, rows] : collector.rejected) {
        errors_.fetch_add(rows.size(), std::memory_order_relaxed);
        if (spec.on_error == ErrorPolicy::route) {
          routed_.fetch_add(rows.size(), std::memory_order_relaxed);
          collector.outputs.push_back({errors_port_, error_batch(*batch, rows)});
        } else {
          dropped_.fetch_add(rows.size(), std::memory_order_relaxed);
        }
      }
      for (auto& o : collector.outputs) out.push_back(std::move(o));
      return true;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an exception not derived from std::exception";
    }
    if (attempt + 1 < attempts && !run_.stopping()) {
      retries_.fetch_add(1, std::memory_order_relaxed);
      // Doubling backoff with jitter, capped at 30 s.
      double delay = std::min(30000.0, static_cast<double>(spec.backoff_ms) * double(1u << std::min(attempt, 20)));
      thread_local std::minstd_rand jitter{std::random_device{}()};
      delay *= 0.5 + std::uniform_real_distribution<double>(0, 0.5)(jitter);
      std::this_thread::sleep_for(std::chrono::microseconds(static_cast<std::int64_t>(delay * 1000)));
    }
  }
  const std::size_t records = in ? in->size() : 0;
  errors_.fetch_add(std::max<std::size_t>(records, 1), std::memory_order_relaxed);
  if (spec.on_error == ErrorPolicy::drop && in) {
    dropped_.fetch_add(records, std::memory_order_relaxed);
  } else if (spec.on_error == ErrorPolicy::route && in && errors_port_ != SIZE_MAX) {
    routed_.fetch_add(records, std::memory_order_relaxed);
    std::vector<std::pair<std::uint32_t, std::string>> rows;
    for (std::uint32_t r = 0; r < records; ++r) rows.emplace_back(r, what);
    out.push_back({errors_port_, error_batch(*in, rows)});
  } else {
    run_.fail(describe_failure(in, what));
  }
  return false;
}

void NodeRuntime::process(const BatchPtr& in, Outputs& out, std::size_t instance) {
  queued_.fetch_sub(1, std::memory_order_relaxed);
  batches_in_.fetch_add(1, std::memory_order_relaxed);
  records_in_.fetch_add(in->size(), std::memory_order_relaxed);
  Instance* inst = acquire(instance);
  timed(in.get(), [&] { guarded(in.get(), out, [&](Emitter& e) { inst->stage->process(in, e); }); });
  release(inst, instance);
}

void NodeRuntime::finish(Outputs& out) {
  for (auto& inst : instances_) guarded(nullptr, out, [&](Emitter& e) { inst->stage->finish(e); });
}

void NodeRuntime::write(const BatchPtr& in, std::size_t instance) {
  queued_.fetch_sub(1, std::memory_order_relaxed);
  batches_in_.fetch_add(1, std::memory_order_relaxed);
  records_in_.fetch_add(in->size(), std::memory_order_relaxed);
  Outputs unused;
  Instance* inst = acquire(instance);
  timed(in.get(), [&] { guarded(in.get(), unused, [&](Emitter&) { inst->sink->write(*in); }); });
  release(inst, instance);
  for (auto& o : unused) count_emitted(o.port, *o.batch);  // a sink only routes errors
}

Source& NodeRuntime::source() { return *instances_.front()->source; }

bool NodeRuntime::read(BatchBuilder& builder) {
  Outputs unused;
  bool more = false, ok = false;
  timed(nullptr, [&] { ok = guarded(nullptr, unused, [&](Emitter&) { more = instances_.front()->source->read(builder); }); });
  return ok && more;
}

void NodeRuntime::close() {
  Outputs unused;
  for (auto& inst : instances_) {
    if (inst->sink)
      guarded(nullptr, unused, [&](Emitter&) { inst->sink->flush(); inst->sink->close(); });
    if (inst->source) guarded(nullptr, unused, [&](Emitter&) { inst->source->close(); });
  }
}

void NodeRuntime::count_emitted(std::size_t port, const Batch& batch) noexcept {
  if (port == errors_port_) return;  // counted as routed
  batches_out_.fetch_add(1, std::memory_order_relaxed);
  records_out_.fetch_add(batch.size(), std::memory_order_relaxed);
}

NodeStats NodeRuntime::stats() const {
  NodeStats s;
  s.name = name();
  s.plugin = node_.spec->plugin;
  s.kind = node_.spec->kind;
  s.concurrency = node_.concurrency;
  s.batches_in = batches_in_.load();
  s.records_in = records_in_.load();
  s.batches_out = batches_out_.load();
  s.records_out = records_out_.load();
  s.errors = errors_.load();
  s.dropped = dropped_.load();
  s.routed = routed_.load();
  s.retries = retries_.load();
  s.busy_seconds = static_cast<double>(busy_ns_.load()) / 1e9;
  s.max_concurrent = max_running_.load();
  s.running = running_.load();
  s.queued = queued_.load();
  s.latency = latency_.snapshot();
  return s;
}

}  // namespace graph_runner::engine
