#include "run/flow_graph.hpp"

#include "run/batch_sizer.hpp"
#include "run/flow_nodes.hpp"
#include "run/source_pacer.hpp"
#include "sdk/recycled.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace graph_runner::engine {


FlowGraph::FlowGraph(const CheckedGraph& graph, std::vector<std::unique_ptr<NodeRuntime>>& nodes, RunState& run)
    : spec_(graph), runtimes_(nodes), run_(run), graph_(run.context()) {
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    auto n = std::make_unique<Nodes>();
    for (std::size_t p = 0; p < spec_.nodes[i].ports.size(); ++p)
      n->ports.push_back(std::make_unique<flow::broadcast_node<BatchPtr>>(graph_));
    nodes_.push_back(std::move(n));
  }
  source_ended_ = std::make_unique<std::atomic<bool>[]>(spec_.nodes.size());
  consumers_.resize(spec_.nodes.size());
  gate_of_.resize(spec_.nodes.size(), nullptr);
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) consumers_[i].resize(spec_.nodes[i].ports.size());
  for (const CheckedEdge& e : spec_.edges) consumers_[e.from][e.port].push_back(e.to);
  if (std::size_t io = blocking_threads(spec_); io > 0) io_arena_ = std::make_unique<tbb::task_arena>(static_cast<int>(io), 0);
  find_chains();  // before the sources are built: a chaining source's unbox node is unlimited
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    switch (shape_of(i)) {
      case Shape::source: build_source(i); break;
      case Shape::adaptive: build_adaptive(i); break;
      case Shape::blocking: build_blocking(i); break;
      case Shape::partitioned: build_partitioned(i); break;
      case Shape::prioritized: build_prioritized(i); break;
      case Shape::ordered: build_ordered_stage(i); break;
      case Shape::plain: build_plain(i); break;
    }
  }
  for (const CheckedEdge& e : spec_.edges)
    flow::make_edge(*nodes_[e.from]->ports[e.port], *nodes_[e.to]->entry);
}

FlowGraph::Shape FlowGraph::shape_of(std::size_t i) const {
  const NodeSpec& spec = *spec_.nodes[i].spec;
  if (spec.kind == NodeKind::source) return Shape::source;
  if (runtimes_[i]->controller()) return Shape::adaptive;
  if (spec.blocking) return Shape::blocking;
  if (spec.partition_by) return Shape::partitioned;
  if (spec.priority) return Shape::prioritized;
  if (spec.kind == NodeKind::stage && spec.ordered && spec_.nodes[i].concurrency != 1) return Shape::ordered;
  return Shape::plain;
}

void FlowGraph::find_chains() {
  auto unlimited = [&](std::size_t i) {
    return shape_of(i) == Shape::plain && runtimes_[i]->flow_concurrency() == flow::unlimited;
  };
  chain_.resize(spec_.nodes.size());
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    chain_[i].assign(spec_.nodes[i].ports.size(), SIZE_MAX);
    const NodeKind kind = spec_.nodes[i].spec->kind;
    if (!(kind == NodeKind::source || (kind == NodeKind::stage && unlimited(i)))) continue;
    bool every_port = true;  // that has a consumer
    for (std::size_t port = 0; port < chain_[i].size(); ++port) {
      const auto& consumers = consumers_[i][port];
      if (consumers.size() == 1 && unlimited(consumers[0])) chain_[i][port] = consumers[0];
      else every_port = every_port && consumers.empty();
    }
    // A source chains all its ports or none: its unbox node is unlimited when it chains, and
    // serial (keeping the source's order) when it does not, where no stage may run inside it.
    if (kind == NodeKind::source && !every_port) chain_[i].assign(chain_[i].size(), SIZE_MAX);
  }
}

FlowGraph::~FlowGraph() {
  stop_ticks();
  settle();  // no task may run once the nodes it uses are destroyed
  close_gates();
}

std::size_t blocking_threads(const CheckedGraph& graph) {
  std::size_t threads = 0;
  for (const auto& n : graph.nodes)
    if (n.spec->blocking && n.spec->kind != NodeKind::source)
      threads += n.concurrency == 0 ? unlimited_blocking_calls : n.concurrency;
  return std::min<std::size_t>(threads, 256);
}

std::size_t waiting_sources(const CheckedGraph& graph) {
  std::size_t n = 0;
  for (const auto& node : graph.nodes)
    n += node.spec->kind == NodeKind::source && (node.rate > 0 || node.spec->blocking) ? 1 : 0;
  return n;
}

namespace {
// Chained calls nest (a chain of N stages is N calls deep on one stack): past this depth the
// next hop goes through the flow graph, whose task starts on a fresh stack.
constexpr int kMaxChainDepth = 8;
thread_local int chain_depth = 0;
}  // namespace

void FlowGraph::deliver(std::size_t i, std::size_t port, BatchPtr batch, bool chain) {
  const std::vector<std::size_t>& consumers = consumers_[i][port];
  if (consumers.empty()) {  // unread = "drop": nothing reads this port
    runtimes_[i]->dropped_unread(batch->size());
    return;
  }
  runtimes_[i]->count_emitted(port, *batch);
  for (std::size_t consumer : consumers) runtimes_[consumer]->enqueued();
  // Not once the run is cancelled: the flow graph then runs no new task, and a chained call
  // must not either.
  if (const std::size_t next = chain_[i][port];
      chain && next != SIZE_MAX && chain_depth < kMaxChainDepth && !run_.cancelled()) {
    struct Depth {
      Depth() { ++chain_depth; }
      ~Depth() { --chain_depth; }
    } depth;
    call(next, std::move(batch), SIZE_MAX, /*may_own=*/true);  // the only reference: in place, as from a task
    return;
  }
  // One consumer: straight to its node. The port's broadcast_node would only pass the batch
  // on, after a lock on its list of successors that every batch through the port writes
  // (a cache line moving between the cores at batch_size 1).
  if (consumers.size() == 1) nodes_[consumers.front()]->entry->try_put(batch);
  else nodes_[i]->ports[port]->try_put(batch);
}

void FlowGraph::send(std::size_t i, Outputs& outputs, bool chain) {
  for (auto& o : outputs) deliver(i, o.port, std::move(o.batch), chain);
  outputs.clear();
}

void FlowGraph::build_source(std::size_t i) {
  Nodes& n = *nodes_[i];
  const CheckedNode& node = spec_.nodes[i];
  NodeRuntime& rt = *runtimes_[i];
  auto& limiter = n.make<flow::limiter_node<SourceBox>>(graph_, node.max_in_flight);
  auto gate = std::make_shared<SourceGate>(limiter.decrementer(), &rt.source(), run_, node.spec->name,
                                           node.spec->plugin);
  gates_.push_back(gate);
  gate_of_[i] = gate.get();

  struct State {
    bool ended = false;
    std::uint64_t batch = 0, first_record = 0;
    SourcePacer pacer;
    BatchSizer sizer;
  };
  auto state = std::make_shared<State>(State{false, 0, 0, SourcePacer(node.rate, node.burst, SourcePacer::Clock::now()),
                                             BatchSizer(node.batch_size, node.max_in_flight_bytes / node.max_in_flight)});
  // Kept from batch to batch: a builder's vectors keep their capacity (finish() resets it).
  struct Builders {
    std::optional<BatchBuilder> records, errors;
  };
  auto builders = std::make_shared<Builders>();
  auto& input = n.make<flow::input_node<SourceBox>>(
      graph_, [this, i, &rt, &node, gate, state, builders](tbb::flow_control& fc) -> SourceBox {
        // Ends the source for good: counted once, when the input_node stops asking.
        auto end = [&] {
          fc.stop();
          if (!source_ended_[i].exchange(true)) sources_running_.fetch_sub(1, std::memory_order_acq_rel);
          return SourceBox{};
        };
        if (state->ended || run_.stopping()) return end();
        if (!builders->records || builders->records->capacity() != state->sizer.capacity())
          builders->records.emplace(state->sizer.capacity());
        if (!builders->errors) builders->errors.emplace(node.batch_size);
        BatchBuilder& builder = *builders->records;
        BatchBuilder& errors = *builders->errors;
        bool more = true;
        std::size_t routed = 0;  // bad input records for port `errors` (Context::reject_input)
        do {
          more = rt.read(builder, state->batch);
          routed += rt.take_rejected_inputs(errors);
        } while (more && builder.size() == 0 && routed == 0 && !run_.stopping());
        state->ended = !more;
        const std::size_t records = builder.size();
        if (records == 0 && routed == 0) return end();
        if (node.rate > 0 && records > 0) {
          // Sleeps in slices to see a stop request; the run's arena has a thread more for
          // every paced source (waiting_sources), so no CPU worker waits here.
          const auto release = state->pacer.admit(records, SourcePacer::Clock::now());
          while (!run_.stopping() && SourcePacer::Clock::now() < release)
            std::this_thread::sleep_for(std::min<SourcePacer::Clock::duration>(release - SourcePacer::Clock::now(),
                                                                               std::chrono::milliseconds(20)));
        }
        const Origin origin{static_cast<std::uint32_t>(i), state->batch, state->first_record};
        builder.set_origin(origin);
        auto ticket = detail::make_recycled<Ticket>(gate, state->batch);
        Ticket* ticket_ptr = ticket.get();
        BatchPtr error_batch;
        if (routed > 0) {  // held by the same ticket: bad records count against max_in_flight too
          errors.set_origin(origin);
          errors.attach(ticket);
          error_batch = errors.finish();
        }
        builder.attach(std::move(ticket));
        ++state->batch;
        state->first_record += records;
        BatchPtr batch = builder.finish();
        const std::size_t bytes = batch_bytes(*batch) + (error_batch ? batch_bytes(*error_batch) : 0);
        ticket_ptr->set_bytes(bytes);
        state->sizer.learn(bytes, records + routed);
        return detail::make_recycled<SourceItem>(SourceItem{std::move(batch), std::move(error_batch), ticket_ptr});
      });
  // Serial, so that batches reach their consumers in the order they were read, unless the
  // source chains (find_chains): then its consumers run right here (unlimited stages, whose
  // order was never kept), and the node is unlimited to keep their concurrency.
  const bool chains = std::any_of(chain_[i].begin(), chain_[i].end(), [](std::size_t c) { return c != SIZE_MAX; });
  auto& unbox = n.make<flow::function_node<SourceBox, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, chains ? flow::unlimited : flow::serial, [this, i, &rt](const SourceBox& box) {
        box->ticket->admit();
        BatchPtr batch = std::move(box->batch);
        BatchPtr errors = std::move(box->errors);
        if (!batch->empty()) deliver(i, 0, std::move(batch), /*chain=*/true);
        if (errors && rt.errors_port() != SIZE_MAX) deliver(i, rt.errors_port(), std::move(errors), /*chain=*/true);
        return flow::continue_msg();
      });
  flow::make_edge(input, limiter);
  flow::make_edge(limiter, unbox);
  n.source = &input;
  sources_running_.fetch_add(1, std::memory_order_relaxed);
}

void FlowGraph::call(std::size_t i, BatchPtr in, std::size_t instance, bool may_own) {
  NodeRuntime& rt = *runtimes_[i];
  Outputs outputs;
  if (rt.node().spec->kind == NodeKind::sink) rt.write(in, outputs, instance);  // outputs: port `errors` only
  else if (rt.tick_interval().count() > 0) {  // only a stage with ticks sends under its instance's lock
    const NodeRuntime::Sender send_now = [this, i](Outputs& o) { send(i, o); };
    rt.process(std::move(in), outputs, instance, &send_now, may_own);
  } else {
    rt.process(std::move(in), outputs, instance, nullptr, may_own);
  }
  send(i, outputs, /*chain=*/true);  // after the call: its time and slot are not the consumer's
}

void FlowGraph::build_plain(std::size_t i) {
  nodes_[i]->entry = &nodes_[i]->make<flow::function_node<BatchPtr>>(
      graph_, runtimes_[i]->flow_concurrency(), [this, i](const BatchPtr& in) {
        // A queueing function_node calls its body with the task's own copy of the message
        // (never the sender's): moving it out leaves the stage the only holder when the
        // batch had one consumer, so it may change it in place (Emitter::take).
        call(i, std::move(const_cast<BatchPtr&>(in)), SIZE_MAX, /*may_own=*/true);
        return flow::continue_msg();
      });
}

std::string FlowGraph::describe_holders() const {
  std::string out;
  for (std::size_t i = 0; i < runtimes_.size(); ++i) {
    const auto& rt = *runtimes_[i];
    if (rt.running() == 0 && rt.queued() <= 0) continue;
    if (!out.empty()) out += ", ";
    out += "node '" + rt.name() + "' (" + std::to_string(rt.running()) + " running, " + std::to_string(rt.queued()) +
           " queued, plugin '" + rt.node().spec->plugin + "')";
  }
  return out.empty() ? "no node holds a batch" : out;
}

void FlowGraph::start() {
  start_ticks();
  for (auto& n : nodes_)
    if (n->source) n->source->activate();
}

void FlowGraph::drain() {
  std::uint64_t idle_at = UINT64_MAX;  // completed batches when the graph was last found idle
  for (;;) {
    graph_.wait_for_all();
    if (run_.cancelled() || sources_running_.load(std::memory_order_acquire) == 0) return;
    // No task runs and a source has not ended: it waits for a limiter token, and the
    // batches holding the tokens sit in a stage (a batching stage's partial batch).
    if (flush_held()) continue;
    // Nothing was flushed. A stage timer may have emitted meanwhile, or a batch completed:
    // then the next round sees it. Twice idle with no batch completed is a deadlock.
    const std::uint64_t completed = completed_batches();
    if (completed != idle_at) {
      idle_at = completed;
      continue;
    }
    run_.fail("deadlock: " + describe_waiting_sources() +
              ", and no node is running or has a batch queued: the records of those batches are held by a stage "
              "that does not emit them (Stage::flush emitted nothing); raise the source's max_in_flight, or "
              "make the stage emit sooner");
    return;
  }
}

bool FlowGraph::flush_held() {
  // Every stage is flushed before anything is sent: a send starts the consumers' tasks at
  // once, so a stage flushed after its producer could be in process() on the very instance
  // flush() is called on, which Stage::flush promises never happens (process() takes the
  // instance's lock only when the stage has a tick interval). Seen as a heap-buffer-overflow
  // in two batch stages in a row (tests/ownership, seed 5458 under ASan).
  std::vector<std::pair<std::size_t, Outputs>> flushed;
  for (std::size_t i = 0; i < spec_.nodes.size() && !run_.cancelled(); ++i) {
    if (spec_.nodes[i].spec->kind != NodeKind::stage) continue;
    Outputs outputs;
    runtimes_[i]->flush(outputs);
    if (outputs.empty()) continue;
    if (!warned_flush_) {  // once per run: it recurs every time the sources' window fills up
      warned_flush_ = true;
      run_.log(LogLevel::warn, spec_.nodes[i].spec->name,
               "emitted what it held early: " + describe_waiting_sources() +
                   " (held records keep their source batches in flight); raise max_in_flight or batch_size of "
                   "the source to let the stage hold more");
    }
    flushed.emplace_back(i, std::move(outputs));
  }
  for (auto& [i, outputs] : flushed) send(i, outputs);
  return !flushed.empty();
}

std::uint64_t FlowGraph::completed_batches() const {
  std::uint64_t n = 0;
  for (const auto& g : gates_) n += g->acknowledged() + g->abandoned();
  return n;
}

std::string FlowGraph::describe_waiting_sources() const {
  std::string out;
  for (std::size_t i = 0; i < spec_.nodes.size(); ++i) {
    const SourceGate* g = gate_of_[i];
    if (!g || source_ended_[i].load()) continue;
    out += (out.empty() ? "source '" : ", source '") + spec_.nodes[i].spec->name + "' waits with " +
           std::to_string(g->in_flight()) + " of its max_in_flight = " + std::to_string(spec_.nodes[i].max_in_flight) +
           " batches (of " + std::to_string(spec_.nodes[i].batch_size) + " records) in flight";
  }
  return out;
}

void FlowGraph::finish_stream() {
  stop_ticks();  // finish() is the last call a stage gets
  for (std::size_t i = 0; i < spec_.nodes.size() && !run_.cancelled(); ++i) {
    // A sink comes after all its inputs: what their finish() emitted is written by now.
    if (spec_.nodes[i].spec->kind == NodeKind::source) continue;
    Outputs outputs;
    runtimes_[i]->finish(outputs);
    send(i, outputs);
    drain();
  }
}

void FlowGraph::settle() { graph_.wait_for_all(); }

void FlowGraph::close_gates() {
  for (auto& g : gates_) g->close();
}

void FlowGraph::stop_sources() {
  if (sources_stopped_.exchange(true)) return;  // the watchdog and the run's end may both ask
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
