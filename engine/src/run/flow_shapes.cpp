// The node shapes beyond a plain function_node: ordered, blocking, partitioned, prioritized.
#include <functional>

#include <oneapi/tbb/task_arena.h>

#include "run/flow_graph.hpp"
#include "run/flow_nodes.hpp"

namespace graph_runner::engine {

namespace {
// Ordered stages number their inputs, and the sequencer restores that order. Every input
// yields exactly one SeqOut, even when it fails or emits nothing: a missing number would
// hold back everything after it (docs/architecture.md#a-sequencer-needs-every-number).
struct SeqIn {
  std::size_t seq = 0;
  BatchPtr batch;
};
struct SeqOut {
  std::size_t seq = 0;
  Outputs outputs;
};
}  // namespace


void FlowGraph::build_ordered_stage(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  auto counter = std::make_shared<std::size_t>(0);
  auto& stamp = n.make<flow::function_node<BatchPtr, SeqIn, flow::queueing_lightweight>>(
      graph_, flow::serial, [counter](const BatchPtr& in) { return SeqIn{(*counter)++, in}; });
  auto& worker = n.make<flow::function_node<SeqIn, SeqOut>>(
      graph_, rt.flow_concurrency(), [&rt](const SeqIn& in) {
        SeqOut out{in.seq, {}};
        rt.process(in.batch, out.outputs);
        return out;
      });
  auto& sequencer = n.make<flow::sequencer_node<SeqOut>>(graph_, [](const SeqOut& m) { return m.seq; });
  auto& dispatch = n.make<flow::function_node<SeqOut, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, flow::serial, [this, i](SeqOut m) {
        send(i, m.outputs);
        return flow::continue_msg();
      });
  flow::make_edge(stamp, worker);
  flow::make_edge(worker, sequencer);
  flow::make_edge(sequencer, dispatch);
  n.entry = &stamp;
}

void FlowGraph::build_blocking(std::size_t i) {
  Nodes& n = *nodes_[i];
  const std::size_t calls = runtimes_[i]->flow_concurrency();
  // A limiter may only follow a buffering node: queue -> limiter -> async
  // (docs/architecture.md#a-rejecting-node-after-a-non-buffering-one-loses-messages).
  auto& queue = n.make<flow::queue_node<BatchPtr>>(graph_);
  auto& limiter = n.make<flow::limiter_node<BatchPtr>>(graph_, calls);
  using Async = flow::async_node<BatchPtr, flow::continue_msg>;
  auto& async = n.make<Async>(
      graph_, flow::unlimited, [this, i, &limiter](const BatchPtr& in, Async::gateway_type& gateway) {
        gateway.reserve_wait();  // keeps wait_for_all() waiting for the call
        // task_arena runs the functor as const: the batch sits in a holder it can let go of.
        io_arena_->enqueue([this, i, &limiter, held = std::make_shared<BatchPtr>(in), &gateway] {
          call(i, *held);
          // The batch goes before the wait is released: its ticket may return a source's
          // token, which must happen while wait_for_all() still waits (else the run could
          // end, and the graph be destroyed, under a source task it starts).
          held->reset();
          limiter.decrementer().try_put(flow::continue_msg());
          gateway.release_wait();
        });
      });
  flow::make_edge(queue, limiter);
  flow::make_edge(limiter, async);
  n.entry = &queue;
}

namespace {

std::uint64_t hash_value(const Value& v) noexcept {
  switch (v.type()) {
    case Type::null: return 0;
    case Type::string:
    case Type::bytes:
    case Type::json: return std::hash<std::string_view>{}(v.as_string());
    case Type::float64: {
      double d = v.as_double();
      if (d == static_cast<double>(static_cast<std::int64_t>(d)))  // 3.0 and 3 share a lane
        return std::hash<std::int64_t>{}(static_cast<std::int64_t>(d)) * 0x9e3779b97f4a7c15ULL;
      return std::hash<double>{}(d) * 0x9e3779b97f4a7c15ULL;
    }
    default: return std::hash<std::int64_t>{}(v.as_int()) * 0x9e3779b97f4a7c15ULL;
  }
}

// A batch's priority is the highest priority of its records: batches, not records, wait
// in the queue (see docs/graph-language.md for the trade-off).
struct Prioritized {
  double priority = 0;
  BatchPtr batch;
};
struct LowerPriority {
  bool operator()(const Prioritized& a, const Prioritized& b) const noexcept { return a.priority < b.priority; }
};

}  // namespace

void FlowGraph::build_partitioned(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  const std::size_t lanes = rt.flow_concurrency() != 0
                                ? rt.flow_concurrency()
                                : static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
  // Each lane is serial and FIFO and owns one instance: a key always meets the same
  // instance, in arrival order.
  std::vector<flow::function_node<BatchPtr>*> lane_nodes;
  for (std::size_t lane = 0; lane < lanes; ++lane)
    lane_nodes.push_back(&n.make<flow::function_node<BatchPtr>>(graph_, flow::serial, [this, i, lane](const BatchPtr& in) {
      call(i, in, lane);
      return flow::continue_msg();
    }));
  const Field key = field(*rt.node().spec->partition_by);
  n.entry = &n.make<flow::function_node<BatchPtr, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, flow::serial, [&rt, key, lane_nodes](const BatchPtr& in) {
        std::vector<std::vector<std::uint32_t>> rows(lane_nodes.size());
        const Column* column = in->find(key);
        for (std::uint32_t r = 0; r < in->size(); ++r)
          rows[column ? hash_value(column->get(in->row(r))) % rows.size() : 0].push_back(r);
        std::int64_t parts = 0;
        for (const auto& r : rows) parts += r.empty() ? 0 : 1;
        rt.enqueued(parts - 1);  // the input was counted once; its parts are queued instead
        for (std::size_t lane = 0; lane < rows.size(); ++lane) {
          if (rows[lane].empty()) continue;
          lane_nodes[lane]->try_put(rows[lane].size() == in->size() ? in : in->select(rows[lane]));
        }
        return flow::continue_msg();
      });
}

void FlowGraph::build_prioritized(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  const Field key = field(*rt.node().spec->priority);
  auto& tag = n.make<flow::function_node<BatchPtr, Prioritized, flow::queueing_lightweight>>(
      graph_, flow::unlimited, [key](const BatchPtr& in) {
        Prioritized p{-std::numeric_limits<double>::infinity(), in};
        if (const Column* c = in->find(key))
          in->for_each_row([&](std::size_t r) { p.priority = std::max(p.priority, c->get(r).to_double()); });
        return p;
      });
  auto& queue = n.make<flow::priority_queue_node<Prioritized, LowerPriority>>(graph_);
  // rejecting is safe right after a buffering node, and makes the queue hold what waits.
  auto& body = n.make<flow::function_node<Prioritized, flow::continue_msg, flow::rejecting>>(
      graph_, rt.flow_concurrency(), [this, i](const Prioritized& p) {
        call(i, p.batch);
        return flow::continue_msg();
      });
  flow::make_edge(tag, queue);
  flow::make_edge(queue, body);
  n.entry = &tag;
}

}  // namespace graph_runner::engine
