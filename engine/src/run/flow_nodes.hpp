#pragma once
// The oneTBB nodes behind one graph node (private to the flow_*.cpp files).
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "run/adaptive_gate.hpp"
#include "run/flow_graph.hpp"

namespace graph_runner::engine {

namespace flow = tbb::flow;

struct FlowGraph::Nodes {
  // One broadcast_node per output port: fan-out to every consumer, no copy of the batch.
  std::vector<std::unique_ptr<flow::broadcast_node<BatchPtr>>> ports;
  flow::receiver<BatchPtr>* entry = nullptr;           // where input edges connect
  flow::input_node<std::shared_ptr<struct SourceItem>>* source = nullptr;  // sources only
  std::vector<std::unique_ptr<flow::graph_node>> owned;  // every other node of this shape
  std::unique_ptr<AdaptiveGate> gate;                     // adaptive nodes: admission in front

  template <class T, class... Args>
  T& make(Args&&... args) {
    auto node = std::make_unique<T>(std::forward<Args>(args)...);
    T& ref = *node;
    owned.push_back(std::move(node));
    return ref;
  }
};

// The stage timers' thread and when each ticking stage is due (flow_ticks.cpp).
struct FlowGraph::Ticker {
  using Clock = std::chrono::steady_clock;
  struct Due {
    std::size_t node;
    Clock::duration interval;
    Clock::time_point next;
    bool sample = false;  // an adaptive node's controller sample, not a Stage::tick
  };
  std::vector<Due> due;
  std::mutex mutex;
  std::condition_variable wake;
  bool stopped = false;
  std::thread thread;
};

// input_node keeps a copy of the last item it produced until it produces the next one.
// Were that copy a batch, its ticket could not complete, and with max_in_flight = 1 the
// source would wait for itself forever. So the source emits a box the batch is moved out
// of right after the limiter.
struct SourceItem {
  BatchPtr batch;   // may be empty when only `errors` has records
  BatchPtr errors;  // bad input records for port `errors` (on_error = "route"), or nullptr
  Ticket* ticket;   // owned by the batches
};
using SourceBox = std::shared_ptr<SourceItem>;

}  // namespace graph_runner::engine
