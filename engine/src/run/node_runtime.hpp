#pragma once
// One node of a running graph: its plugin instances (one shared instance for a
// thread-safe plugin, a pool of `concurrency` instances otherwise), the on_error policy
// around every call, and its counters. The flow-graph bodies call into it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <oneapi/tbb/concurrent_queue.h>

#include "graph_runner/errors.hpp"
#include "graph_runner/node.hpp"
#include "run/concurrency_controller.hpp"
#include "run/drop_log.hpp"
#include "run/node_context.hpp"
#include "sdk/recycled.hpp"
#include "run/per_thread.hpp"
#include "run/run_graph.hpp"
#include "run/run_state.hpp"
#include "validate/validate_graph.hpp"

namespace graph_runner::engine {

struct Output {
  std::size_t port;
  BatchPtr batch;
};
// A call's outputs: usually one batch; two are held in place (at graph.batch_size = 1 a vector
// allocated per call cost more than the batch itself: from the per-thread block lists, still
// 3 % of the run).
using Outputs = boost::container::small_vector<Output, 2>;

// `concurrency = "unlimited"` on a blocking node: how many calls may wait at once.
inline constexpr std::size_t unlimited_blocking_calls = 64;

class NodeRuntime {
 public:
  NodeRuntime(const CheckedGraph& graph, std::size_t index, RunState& run, std::size_t worker_threads);
  ~NodeRuntime();
  NodeRuntime(const NodeRuntime&) = delete;
  NodeRuntime& operator=(const NodeRuntime&) = delete;

  // Constructs the plugin instances and opens sources and sinks; a ParamError or any
  // exception propagates. open_sinks = false (validate --instantiate) leaves sinks unopened,
  // so checking a graph never creates or truncates an output file.
  void create_instances(bool open_sinks = true);
  // Concurrency for the flow-graph node: 0 = unlimited.
  std::size_t flow_concurrency() const noexcept { return flow_concurrency_; }
  std::size_t instances() const noexcept { return instances_.size(); }
  // Adaptive nodes (concurrency = { min, max }) only, else nullptr: the calls in flight now
  // may be fewer than flow_concurrency(); AdaptiveGate holds the rest back.
  ConcurrencyController* controller() const noexcept { return controller_.get(); }
  // What the first instance declared of its fields (SDK 2.1), after create_instances().
  std::optional<FieldSchema> declared_fields() const;
  const CheckedNode& node() const noexcept { return node_; }
  const std::string& name() const noexcept { return node_.spec->name; }

  // Stage: appends what to send on which port; applies on_error. Never throws.
  // `instance` picks a pool instance (partitioned lanes); by default any free one.
  // `send_now`: hands the outputs on before the call's instance is free for a tick, so a
  // tick's output cannot overtake this call's (a batching stage's order). Not for the
  // ordered shape, whose sequencer sends.
  using Sender = std::function<void(Outputs&)>;
  // `may_own`: `in` is the engine's only reference (the flow node moved it out of its
  // message), so the stage may take it (Emitter::take) to change it in place.
  void process(BatchPtr in, Outputs& out, std::size_t instance = SIZE_MAX, const Sender* send_now = nullptr,
               bool may_own = false);
  // End of stream: every instance's finish() (a stage's, or a sink's: SDK 2.0).
  void finish(Outputs& out);
  // Stage timer (SDK 1.1): how often tick() is due, zero = never; known after create_instances.
  std::chrono::milliseconds tick_interval() const noexcept { return tick_interval_; }
  // Every instance's Stage::tick() under on_error, skipping an instance that is in a call
  // right now (it is ticked next time). Never throws.
  void tick(Outputs& out, const Sender& send);
  // Every instance's Stage::flush() (SDK 1.2) under on_error: the graph is idle with sources
  // waiting for batches this stage may hold. Never throws.
  void flush(Outputs& out);
  // Source: the bad input records read() reported since the last call (Context::reject_input),
  // counted under on_error; with `route` they are appended to `errors` (for port `errors`).
  // Returns how many were appended.
  std::size_t take_rejected_inputs(BatchBuilder& errors);
  std::size_t errors_port() const noexcept { return errors_port_; }
  // Sink: write under on_error; a failed batch under `route` is appended to `out` (port
  // `errors`). Never throws.
  void write(const BatchPtr& in, Outputs& out, std::size_t instance = SIZE_MAX);
  // Sinks: flush and close every instance; sources: close. Errors fail the run.
  void close();

  // Source: the single instance; read() under the policy. False at end of stream or failure.
  Source& source();
  // `batch`: the sequence number the batch being filled gets (Context::batch_being_read).
  bool read(BatchBuilder& builder, std::uint64_t batch);
  void count_emitted(std::size_t port, const Batch& batch) noexcept;
  // Records sent to a port no node reads (the node has unread = "drop"; validation refuses
  // such a port otherwise): counted as dropped by this node, not as sent.
  void dropped_unread(std::size_t records) noexcept { dropped_.fetch_add(records, std::memory_order_relaxed); }

  NodeStats stats() const;
  // Records sent on each port (the errors port included), for the end-of-run accounting.
  std::uint64_t records_sent(std::size_t port) const noexcept { return port_records_[port].load(); }
  // Batches handed to this node and not yet started; calls running now.
  void enqueued(std::int64_t batches = 1) noexcept { add_in_slot(counts_.local().queued, batches); }
  std::int64_t queued() const noexcept { return sum(&Counts::queued); }
  std::size_t running() const noexcept { return running_.load(std::memory_order_relaxed); }

 private:
  struct Instance;
  class Collector;
  class PluginEmitter;
  // Runs `call` under the node's on_error policy (retries included); time_calls: each
  // attempt is timed and observed (process, write, read), the waits between them are not.
  template <class Call>
  // `owned`: the engine's reference to the input, which Emitter::take() may claim.
  bool guarded(const Batch* in, Outputs& out, Call&& call, bool time_calls = false, BatchPtr* owned = nullptr);
  // The backoff before retry number `retry` (0-based); false when the run was cancelled.
  // At least `at_least` (a TransientError's retry_after, capped).
  bool wait_before_retry(int retry, std::chrono::milliseconds at_least);
  template <class Call>
  void timed(const Batch* in, Call&& call);
  template <class Call>
  void each_stage(Outputs& out, Call&& call);
  void finish_sink();
  // A batch taken off this node's queue for a call: counted in.
  void dequeued(const Batch& in) noexcept;
  bool pooled(std::size_t instance) const noexcept;  // the call's instance comes from free_
  Instance* acquire(std::size_t instance) noexcept;
  void release(Instance* i, std::size_t instance) noexcept;
  // "node 'N' (plugin 'P'): what (source 'S' batch B, records X..Y)", or "record X" for
  // one `row` of `in`.
  std::string describe_failure(const Batch* in, const std::string& what,
                               std::optional<std::size_t> row = std::nullopt) const;
  // `fields`: a CallError's own fields (SDK 1.3), added to every row.
  BatchPtr error_batch(const Batch& from, const std::vector<std::pair<std::uint32_t, std::string>>& rows,
                       const std::vector<ErrorField>& fields) const;

  const CheckedGraph& graph_;
  const CheckedNode& node_;
  RunState& run_;
  std::size_t index_;
  std::shared_ptr<const LoadedPlugin> plugin_;  // outlives the instances (declared before them)
  std::unique_ptr<PluginEmitter> emitter_;      // outlives the instances too (see PluginEmitter)
  std::unique_ptr<ConcurrencyController> controller_;  // adaptive nodes: told of every attempt
  std::vector<std::unique_ptr<Instance>> instances_;
  tbb::concurrent_queue<Instance*> free_;
  std::size_t flow_concurrency_ = 1;
  bool shared_ = false;  // one instance serves concurrent calls (thread-safe plugin)
  bool serial_calls_ = false;  // never two calls at once: running_ is 0 or 1
  std::size_t errors_port_ = SIZE_MAX;
  std::chrono::milliseconds tick_interval_{0};  // non-zero: calls on one instance are serialised with ticks
  Field error_field_, error_node_field_;

  // Added to by every call: split by thread (per_thread.hpp). Signed: a batch may be
  // enqueued on one thread and dequeued on another, so one slot's `queued` can go negative.
  struct Counts {
    std::atomic<std::int64_t> batches_in{0}, records_in{0}, batches_out{0}, records_out{0}, busy_ns{0}, queued{0};
  };
  std::int64_t sum(std::atomic<std::int64_t> Counts::*counter) const noexcept {
    std::int64_t n = 0;
    counts_.each([&](const Counts& c) { n += (c.*counter).load(std::memory_order_relaxed); });
    return n;
  }
  PerThread<Counts> counts_;
  std::atomic<std::uint64_t> errors_{0}, dropped_{0}, routed_{0}, retries_{0};
  std::unique_ptr<ShardedCounter<>[]> port_records_;  // one per port
  alignas(64) std::atomic<std::size_t> running_{0};
  std::atomic<std::size_t> max_running_{0};
  PerThread<LatencyHistogram> latency_;
  DropLog drop_log_;
};

}  // namespace graph_runner::engine
