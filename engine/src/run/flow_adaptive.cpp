// The adaptive shape (concurrency = { min, max }): the flow node is built for `max` calls and
// an AdaptiveGate in front admits the controller's limit (see adaptive_gate.hpp for why).
//   CPU stage or sink:  entry -> gate -> function_node(max)
//   blocking:           entry -> gate -> async_node -> the call in the I/O arena
#include "run/flow_graph.hpp"
#include "run/flow_nodes.hpp"

namespace graph_runner::engine {

void FlowGraph::build_adaptive(std::size_t i) {
  Nodes& n = *nodes_[i];
  NodeRuntime& rt = *runtimes_[i];
  AdaptiveGate::Start start;
  if (rt.node().spec->blocking) {
    using Async = flow::async_node<BatchPtr, flow::continue_msg>;
    auto& async = n.make<Async>(graph_, flow::unlimited, [this, i](const BatchPtr& in, Async::gateway_type& gateway) {
      gateway.reserve_wait();  // keeps wait_for_all() waiting for the call
      io_arena_->enqueue([this, i, held = std::make_shared<BatchPtr>(in), &gateway] {
        call(i, *held);
        held->reset();  // before the wait is released: its ticket may return a source's token
        nodes_[i]->gate->done();  // starts the next batch while the wait is still reserved
        gateway.release_wait();
      });
    });
    start = [&async](BatchPtr b) { async.try_put(b); };
  } else {
    auto& worker = n.make<flow::function_node<BatchPtr>>(graph_, rt.flow_concurrency(), [this, i](const BatchPtr& in) {
      call(i, std::move(const_cast<BatchPtr&>(in)), SIZE_MAX, /*may_own=*/true);  // see build_plain
      nodes_[i]->gate->done();  // the next batch starts inside this task: wait_for_all() cannot miss it
      return flow::continue_msg();
    });
    start = [&worker](BatchPtr b) { worker.try_put(b); };
  }
  n.gate = std::make_unique<AdaptiveGate>(*rt.controller(), std::move(start));
  n.entry = &n.make<flow::function_node<BatchPtr, flow::continue_msg, flow::queueing_lightweight>>(
      graph_, flow::unlimited, [gate = n.gate.get()](const BatchPtr& in) {
        gate->push(in);
        return flow::continue_msg();
      });
}

}  // namespace graph_runner::engine
