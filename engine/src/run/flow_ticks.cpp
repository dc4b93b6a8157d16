// Stage timers (SDK 1.1 Stage::tick): one engine thread calls tick() on every stage that asks
// for it, so a batching stage's timeout fires without an input arriving. The same thread
// samples the backlog of adaptive CPU stages (BacklogController). The thread is not a
// TBB worker: a tick is short, and a sleeping timer must not hold one of the CPU workers.
// NodeRuntime::tick serialises a tick with process()/finish() on the same instance; what a
// tick emits goes through send(), the path process() output takes, and reserve_wait() keeps
// wait_for_all() from returning while a tick's output is being handed over.
#include <algorithm>
#include <chrono>

#include "run/flow_graph.hpp"
#include "run/flow_nodes.hpp"

namespace graph_runner::engine {

void FlowGraph::start_ticks() {
  auto ticker = std::make_unique<Ticker>();
  const auto now = Ticker::Clock::now();
  for (std::size_t i = 0; i < runtimes_.size(); ++i)
    if (auto interval = runtimes_[i]->tick_interval(); interval.count() > 0)
      ticker->due.push_back({i, interval, now + interval});
  for (std::size_t i = 0; i < runtimes_.size(); ++i)
    if (const auto* c = runtimes_[i]->controller(); c && c->sample_interval().count() > 0)
      ticker->due.push_back({i, c->sample_interval(), now + c->sample_interval(), /*sample=*/true});
  if (ticker->due.empty()) return;
  ticker_ = std::move(ticker);
  ticker_->thread = std::thread([this] { tick_loop(); });
}

void FlowGraph::stop_ticks() {
  if (!ticker_) return;
  {
    std::lock_guard lock(ticker_->mutex);
    ticker_->stopped = true;
  }
  ticker_->wake.notify_all();
  if (ticker_->thread.joinable()) ticker_->thread.join();
}

void FlowGraph::tick_loop() {
  Ticker& t = *ticker_;
  std::unique_lock lock(t.mutex);
  while (!t.stopped) {
    auto next = std::min_element(t.due.begin(), t.due.end(), [](const auto& a, const auto& b) { return a.next < b.next; });
    if (t.wake.wait_until(lock, next->next, [&] { return t.stopped; })) break;
    if (run_.cancelled()) break;  // a failed or cancelled run ticks no more
    const auto now = Ticker::Clock::now();
    lock.unlock();
    graph_.reserve_wait();
    Outputs outputs;
    const std::size_t node = next->node;
    if (next->sample) nodes_[node]->gate->sample();  // may start batches a raised limit admits
    else runtimes_[node]->tick(outputs, [this, node](Outputs& o) { send(node, o); });
    graph_.release_wait();
    lock.lock();
    // A late tick is not made up for: the next one is an interval after this one.
    next->next += next->interval;
    if (next->next < now) next->next = now + next->interval;
  }
}

}  // namespace graph_runner::engine
