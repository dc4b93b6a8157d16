// batch: regroups records into batches of `size` records, or fewer once the oldest waiting
// record has waited `timeout_ms` (whichever comes first) — the "collect, then send in
// bulk" pattern in front of a slow sink or API. The last partial batch is sent at the end
// of the stream and on a graceful stop (Ctrl-C), when the engine calls finish(). The
// timeout is checked by the engine's timer (Stage::tick), so it fires while no input
// arrives, and again whenever an input arrives.
//
// Held records keep their source batches unacknowledged. When the sources feeding it have
// all their max_in_flight batches held here (size > max_in_flight * batch_size, or a filter
// in front thinned the batches), the graph goes idle and the engine calls flush(): the
// partial batch goes out early, with a warning, rather than the run waiting for ever.
#include <algorithm>
#include <chrono>
#include <vector>

#include "batcher.hpp"
#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

class BatchStage : public Stage {
 public:
  explicit BatchStage(Context& c)
      : batcher_(static_cast<std::size_t>(c.params().get_int("size")),
                 std::chrono::milliseconds(c.params().get_int("timeout_ms"))),
        timeout_(c.params().get_int("timeout_ms")) {}

  void process(BatchPtr in, Emitter& out) override {
    batcher_.add(in, Batcher::Clock::now(), ready_);
    send(out);
  }

  void finish(Emitter& out) override {
    batcher_.flush(ready_);
    send(out);
  }
  // The engine found the sources waiting for the batches our held records keep in flight.
  void flush(Emitter& out) override { finish(out); }

  // A tenth of the timeout (1..100 ms): a partial batch goes at most that late.
  std::chrono::milliseconds tick_interval() const override {
    if (timeout_ == 0) return std::chrono::milliseconds(0);
    return std::chrono::milliseconds(std::clamp<std::int64_t>(timeout_ / 10, 1, 100));
  }
  void tick(Emitter& out) override {
    batcher_.expire(Batcher::Clock::now(), ready_);
    send(out);
  }

 private:
  void send(Emitter& out) {
    for (auto& b : ready_) out.emit(std::move(b));
    ready_.clear();
  }

  Batcher batcher_;
  const std::int64_t timeout_;
  std::vector<BatchPtr> ready_;
};

}  // namespace

PluginDescriptor describe_batch() {
  return PluginDescriptor::stage<BatchStage>("batch", "regroups records into batches of `size`, or after `timeout_ms`")
      .with_params({
          ParamSpec::integer("size", "records per output batch; held records keep their source batches in flight, so "
                                     "a partial batch goes early when the sources' max_in_flight is used up")
              .with_default(std::int64_t{256})
              .at_least(1)
              .at_most(1 << 24),
          ParamSpec::integer("timeout_ms", "send a partial batch once its oldest record waited this long (a timer: no "
                                           "input needs to arrive); 0 = never")
              .with_default(std::int64_t{0}).at_least(0),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(batch, graph_runner::plugins::describe_batch)
