#include "run/flow_graph.hpp"

#include <chrono>
#include <thread>

namespace graph_runner::engine {

namespace flow = tbb::flow;

namespace {
// Ordered stages number their inputs, and the sequencer restores that order. Every input
// yields exactly one SeqOut, even when it fails or emits nothing: a missing number would
// hold back everything after it (FACTS.md).
struct SeqIn {
  std::size_t seq = 0;
  BatchPtr batch;
};
struct SeqOut {
  std::size_t seq = 0;
  Outputs outputs;
};
}  // namespace

// input_node keeps a copy of the last item it produced until it produces the next one.
// Were that copy a batch, its ticket could not complete, and with max_in_flight = 1 the
// source would wait for itself forever. So the source emits a box the batch is moved out
// of right after the limiter.
struct SourceItem {
  BatchPtr batch;
  Ticket* ticket;  // owned by the batch
};
using SourceBox = std::shared_ptr<SourceItem>;

struct FlowGraph::Nodes {
  std::vector<std::unique_ptr<flow::broadcast_node<BatchPtr>>> ports;
  flow::receiver<BatchPtr>* entry = nullptr;  // where input edges connect
  std::unique_ptr<flow::input_node<SourceBox>> input;
  std::unique_ptr<flow::limiter_node<SourceBox>> limiter;
  std::unique_ptr<flow::function_node<SourceBox, flow::continue_msg, flow::queueing_lightweight>> unbox;
  // blocking nodes
  std::unique_ptr<flow::queue_node<BatchPtr>> queue;
  std::unique_ptr<flow::limiter_node<BatchPtr>> calls;
  std::unique_ptr<flow::async_node<BatchPtr, flow::continue_msg>> async;
  std::unique_ptr<flow::function_node<BatchPtr>> body;
  std::unique_ptr<flow::function_node<BatchPtr, SeqIn, flow::queueing_lightweight>> stamp;
  std::unique_ptr<flow::function_node<SeqIn, SeqOut>> worker;
  std::unique_ptr<flow::sequencer_node<SeqOut>> sequencer;
  std::unique_ptr<flow::function_node<SeqOut, flow::continue_msg, flow::queueing_lightweight>> dispatch;
};

FlowGraph::FlowGraph(const CheckedGraph& graph, std::vector<std::unique_ptr<NodeRuntime>>& nodes, RunState& run)
    : spec_(graph), runtimes_(nodes), run_(run), graph_(run.context()) {
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    auto n = std::make_unique<Nodes>();
    for (std::size_t p = 0; p < spec_.nodes[i].ports.size(); ++p)
      n->ports.push_back(std::make_unique<flow::broadcast_node<BatchPtr>>(graph_));
    nodes_.push_back(std::move(n));
  }
  consumers_.resize(spec_.nodes.size());
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) consumers_[i].resize(spec_.nodes[i].ports.size());
  for (const CheckedEdge& e : spec_.edges) consumers_[e.from][e.port].push_back(e.to);
  if (std::size_t io = blocking_threads(spec_); io > 0) io_arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(io), 0);
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    const CheckedNode& node = spec_.nodes[i];
    if (node.spec->kind == NodeKind::source) build_source(i);
    else if (node.spec->blocking) build_blocking(i);
    else if (node.spec->kind == NodeKind::sink) build_sink(i);
    else if (node.spec->ordered && node.concurrency != 1) build_ordered_stage(i);
    else build_stage(i);
  }
  for (const CheckedEdge& e : spec_.edges)
    flow::make_edge(*nodes_[e.from]->ports[e.port], *nodes_[e.to]->entry);
}

FlowGraph::~FlowGraph() { close_gates(); }

std::size_t blocking_threads(const CheckedGraph& graph) {
  std::size_t threads = 0;
  for (const auto& n : graph.nodes)
    if (n.spec->blocking && n.spec->kind != NodeKind::source)
      threads += n.concurrency == 0 ? unlimited_blocking_calls : n.concurrency;
  return std::min<std::size_t>(threads, 256);
}

void FlowGraph::deliver(std::size_t i, std::size_t port, const BatchPtr& batch) {
  runtimes_[i]->count_emitted(port, *batch);
  for (std::size_t consumer : consumers_[i][port]) runtimes_[consumer]->enqueued();
  nodes_[i]->ports[port]->try_put(batch);
}

void FlowGraph::send(std::size_t i, Outputs& outputs) {
  for (auto& o : outputs) deliver(i, o.port, o.batch);
  outputs.clear();
}

void FlowGraph::build_source(std::size_t i) {
  Nodes& n = *nodes_[i];
  const CheckedNode& node = spec_.nodes[i];
  NodeRuntime& rt = *runtimes_[i];
  n.limiter = std::make_unique<flow::limiter_node<SourceBox>>(graph_, node.max_in_flight);
  auto gate = std::make_shared<SourceGate>(n.limiter->decrementer(), &rt.source());
  gates_.push_back(gate);

  struct State {
    bool ended = false;
    std::uint64_t batch = 0, first_record = 0;
    std::chrono::steady_clock::time_point next_release = std::chrono::steady_clock::now();
  };
  auto state = std::make_shared<State>();
  n.input = std::make_unique<flow::input_node<SourceBox>>(
      graph_, [this, i, &rt, &node, gate, state](tbb::flow_control& fc) -> SourceBox {
        if (state->ended || run_.stopping()) {
          fc.stop();
          return {};
        }
        BatchBuilder builder(node.batch_size);
        bool more = true;
        do {
          more = rt.read(builder);
        } while (more && builder.size() == 0 && !run_.stopping());
        state->ended = !more;
        const std::size_t records = builder.size();
        if (records == 0) {
          fc.stop();
          return {};
        }
        if (node.rate > 0) {  // a steady pace: each batch is released after records/rate seconds
          state->next_release += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
              std::chrono::duration<double>(static_cast<double>(records) / node.rate));
          while (!run_.stopping() && std::chrono::steady_clock::now() < state->next_release)
            std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
                state->next_release - std::chrono::steady_clock::now(), std::chrono::milliseconds(20)));
        }
        builder.set_origin(Origin{static_cast<std::uint32_t>(i), state->batch, state->first_record});
        auto ticket = std::make_shared<Ticket>(gate, state->batch);
        Ticket* ticket_ptr = ticket.get();
        builder.attach(std::move(ticket));
        ++state->batch;
        state->first_record += records;
        BatchPtr batch = builder.finish();
        return std::make_shared<SourceItem>(SourceItem{std::move(batch), ticket_ptr});
      });
  n.unbox = std::make_unique<flow::function_node<SourceBox, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, flow::serial, [this, i](const SourceBox& box) {
        box->ticket->admit();
        BatchPtr batch = std::move(box->batch);
        deliver(i, 0, batch);
        return flow::continue_msg();
      });
  flow::make_edge(*n.input, *n.limiter);
  flow::make_edge(*n.limiter, *n.unbox);
}

void FlowGraph::build_stage(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  n.body = std::make_unique<flow::function_node<BatchPtr>>(
      graph_, rt.flow_concurrency(), [this, i, &rt](const BatchPtr& in) {
        Outputs outputs;
        rt.process(in, outputs);
        send(i, outputs);
        return flow::continue_msg();
      });
  n.entry = n.body.get();
}

void FlowGraph::build_ordered_stage(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  auto counter = std::make_shared<std::size_t>(0);
  n.stamp = std::make_unique<flow::function_node<BatchPtr, SeqIn, flow::queueing_lightweight>>(
      graph_, flow::serial, [counter](const BatchPtr& in) { return SeqIn{(*counter)++, in}; });
  n.worker = std::make_unique<flow::function_node<SeqIn, SeqOut>>(
      graph_, rt.flow_concurrency(), [&rt](const SeqIn& in) {
        SeqOut out{in.seq, {}};
        rt.process(in.batch, out.outputs);
        return out;
      });
  n.sequencer = std::make_unique<flow::sequencer_node<SeqOut>>(graph_, [](const SeqOut& m) { return m.seq; });
  n.dispatch = std::make_unique<flow::function_node<SeqOut, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, flow::serial, [this, i](SeqOut m) {
        send(i, m.outputs);
        return flow::continue_msg();
      });
  flow::make_edge(*n.stamp, *n.worker);
  flow::make_edge(*n.worker, *n.sequencer);
  flow::make_edge(*n.sequencer, *n.dispatch);
  n.entry = n.stamp.get();
}

void FlowGraph::build_sink(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  n.body = std::make_unique<flow::function_node<BatchPtr>>(
      graph_, rt.flow_concurrency(), [&rt](const BatchPtr& in) {
        rt.write(in);
        return flow::continue_msg();
      });
  n.entry = n.body.get();
}

void FlowGraph::build_blocking(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  const std::size_t calls = rt.flow_concurrency();
  n.queue = std::make_unique<flow::queue_node<BatchPtr>>(graph_);
  n.calls = std::make_unique<flow::limiter_node<BatchPtr>>(graph_, calls);
  using Async = flow::async_node<BatchPtr, flow::continue_msg>;
  n.async = std::make_unique<Async>(
      graph_, flow::unlimited, [this, i, &rt, &n](const BatchPtr& in, Async::gateway_type& gateway) {
        gateway.reserve_wait();  // keeps wait_for_all() waiting for the call
        io_arena_->enqueue([this, i, &rt, &n, in, &gateway] {
          if (rt.node().spec->kind == NodeKind::sink) {
            rt.write(in);
          } else {
            Outputs outputs;
            rt.process(in, outputs);
            send(i, outputs);
          }
          n.calls->decrementer().try_put(flow::continue_msg());
          gateway.release_wait();
        });
      });
  flow::make_edge(*n.queue, *n.calls);
  flow::make_edge(*n.calls, *n.async);
  n.entry = n.queue.get();
}

std::string FlowGraph::describe_holders() const {
  std::string out;
  for (std::size_t i = 0; i < runtimes_.size(); ++i) {
    const auto& rt = *runtimes_[i];
    if (rt.running() == 0 && rt.queued() <= 0) continue;
    if (!out.empty()) out += ", ";
    out += "node '" + rt.name() + "' (" + std::to_string(rt.running()) + " running, " + std::to_string(rt.queued()) +
           " queued)";
  }
  return out.empty() ? "no node holds a batch" : out;
}

void FlowGraph::start() {
  for (auto& n : nodes_)
    if (n->input) n->input->activate();
}

void FlowGraph::wait() { graph_.wait_for_all(); }

void FlowGraph::finish_stages() {
  for (std::size_t i = 0; i < spec_.nodes.size() && !run_.failed(); ++i) {
    if (spec_.nodes[i].spec->kind != NodeKind::stage) continue;
    Outputs outputs;
    runtimes_[i]->finish(outputs);
    send(i, outputs);
    graph_.wait_for_all();
  }
}

void FlowGraph::close_gates() {
  for (auto& g : gates_) g->close();
}

void FlowGraph::stop_sources() {
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i)
    if (spec_.nodes[i].spec->kind == NodeKind::source) {
      try {
        runtimes_[i]->source().stop();
      } catch (...) {
        // stop() is a request; the source ends at its next read anyway.
      }
    }
}

}  // namespace graph_runner::engine
