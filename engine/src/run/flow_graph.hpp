#pragma once
// Step 4: the oneTBB flow graph of one run. Edges carry BatchPtr.
//   source:  input_node -> limiter_node(max_in_flight) -> unbox -> port "out" (or its chained stage)
//   stage:   function_node(concurrency) -> one broadcast_node per output port
//   ordered: stamp (serial) -> worker(concurrency) -> sequencer -> dispatch (serial) -> ports
//   sink:    function_node(concurrency)
//   partition_by: splitter (serial) -> one serial lane per instance, by key hash
//   priority: priority_queue_node (highest batch priority first) -> node (rejecting)
//   adaptive (concurrency = { min, max }): entry -> AdaptiveGate -> the plain function_node
//            or the blocking async_node, built for max; the gate admits controller.limit()
//   blocking stage or sink: queue_node -> limiter_node(concurrency) -> async_node; the call
//            runs in a separate I/O arena, so a sleeping plugin holds no CPU worker
//            (docs/architecture.md#blocking-calls-need-their-own-arena-and-threads)
// Queueing policy everywhere: a `rejecting` node after a non-buffering one loses messages
// (docs/architecture.md#a-rejecting-node-after-a-non-buffering-one-loses-messages); memory
// stays bounded because the limiters bound the batches. The whole picture, with the run's
// lifecycle and the oneTBB traps it avoids: docs/architecture.md#the-flow-graph.
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/task_arena.h>

#include "run/node_runtime.hpp"
#include "run/source_gate.hpp"

namespace graph_runner::engine {

class FlowGraph {
 public:
  FlowGraph(const CheckedGraph& graph, std::vector<std::unique_ptr<NodeRuntime>>& nodes, RunState& run);
  ~FlowGraph();

  void start();              // activates the sources and starts the stage timers
  // Runs until every source has ended and nothing is in flight, or the run is cancelled.
  // oneTBB's wait_for_all() returning means only that no task runs right now: a source
  // waiting for a limiter token is not a task. Idle with a source still waiting is
  // resolved (stages flush what they hold) or reported as a deadlock (the run fails).
  void drain();
  // End of stream, in topological order: each stage's finish(), drained before the next,
  // and each sink's finish() once what comes before it is written. Stops the stage timers
  // first; a cancel stops it between two nodes.
  void finish_stream();
  // Waits for every task and every call still in the I/O arena (also after a cancel), so
  // that nothing runs once it returns.
  void settle();
  void close_gates();
  const std::vector<std::shared_ptr<SourceGate>>& gates() const noexcept { return gates_; }
  // The gate of source node i (nullptr for other nodes).
  const SourceGate* gate_of(std::size_t node) const noexcept { return gate_of_[node]; }
  void stop_sources();       // Source::stop() on every source (from another thread), once
  // "node 'x' (2 running, 5 queued), ..." for every node holding batches.
  std::string describe_holders() const;

 private:
  struct Nodes;
  struct Ticker;  // flow_ticks.cpp
  void start_ticks();
  void stop_ticks();
  void tick_loop();
  // How node i is built: the first that applies, in this order.
  enum class Shape { source, adaptive, blocking, partitioned, prioritized, ordered, plain };
  Shape shape_of(std::size_t i) const;
  void build_source(std::size_t i);
  void build_plain(std::size_t i);  // a stage or sink: one function_node
  void build_ordered_stage(std::size_t i);
  void build_blocking(std::size_t i);
  void build_adaptive(std::size_t i);  // flow_adaptive.cpp
  void build_partitioned(std::size_t i);
  void build_prioritized(std::size_t i);
  // Runs one input through node i (stage or sink) and sends what it emits.
  void call(std::size_t i, BatchPtr in, std::size_t instance = SIZE_MAX, bool may_own = false);
  // `chain`: a batch for a consumer node i chains to (see chain_) is run by it here, on
  // this thread; otherwise every batch goes to its consumers' flow-graph nodes.
  void send(std::size_t i, Outputs& outputs, bool chain = false);
  void deliver(std::size_t i, std::size_t port, BatchPtr batch, bool chain = false);
  void find_chains();
  // The graph is idle while a source waits for tokens: asks every stage to flush what it
  // holds. False when nothing was emitted.
  bool flush_held();
  std::uint64_t completed_batches() const;  // over every source: acknowledged or abandoned
  std::string describe_waiting_sources() const;

  const CheckedGraph& spec_;
  std::vector<std::unique_ptr<NodeRuntime>>& runtimes_;
  RunState& run_;
  // On cache lines of its own: every task the graph runs writes its count of tasks in flight,
  // from every worker, and deliver() reads the tables around it for every batch (at
  // batch_size 1 those reads missed the cache as often as the batch's own data).
  alignas(64) tbb::flow::graph graph_;
  alignas(64) std::vector<std::unique_ptr<Nodes>> nodes_;
  std::vector<std::shared_ptr<SourceGate>> gates_;
  std::vector<const SourceGate*> gate_of_;
  std::vector<std::vector<std::vector<std::size_t>>> consumers_;  // [node][port] -> nodes fed
  // [node][port] -> the one consumer a batch of that port is run by directly, SIZE_MAX for
  // none. Both nodes are plain stages (or the consumer a plain sink) of unlimited
  // concurrency, or the producer is a source (its unbox node; all its ports or none):
  // calling the consumer on the producer's thread, once the producer's call has ended,
  // limits no concurrency, and saves the flow graph's task per batch and hop (at
  // batch_size 1, most of a stage's cost).
  std::vector<std::vector<std::size_t>> chain_;
  std::unique_ptr<tbb::task_arena> io_arena_;                     // for blocking nodes
  std::unique_ptr<Ticker> ticker_;                                // stage timers, when any stage has one
  std::atomic<std::size_t> sources_running_{0};                   // sources that have not ended
  std::unique_ptr<std::atomic<bool>[]> source_ended_;             // [node]: the source's input_node stopped
  bool warned_flush_ = false;
  std::atomic<bool> sources_stopped_{false};
};

// Threads the I/O arena of blocking nodes needs (0 when the graph has none).
std::size_t blocking_threads(const CheckedGraph& graph);
// Sources that wait rather than compute: with a `rate` (sleeping between batches) or
// `blocking = true`. The run's arena gets a thread more for each, so a waiting source does
// not take a CPU worker from the stages.
std::size_t waiting_sources(const CheckedGraph& graph);

}  // namespace graph_runner::engine
