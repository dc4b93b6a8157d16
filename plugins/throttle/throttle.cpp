// throttle: limits the records passing through to `per_second` with a token bucket of
// `burst` records (the key is not `rate`: the engine reserves that one, on sources). The
// bucket starts full; a batch larger than `burst` is sent in slices of `burst` records,
// each when its tokens are there. It sleeps, so run it with `blocking = true`: the sleep
// then waits in the I/O arena instead of holding a CPU worker.
//
// Not thread-safe on purpose: the default concurrency 1 keeps order and one bucket. With
// `concurrency = N` each of the N instances has its own bucket (N x per_second in total).
// When the run is stopping (Ctrl-C, timeout) it stops waiting and lets the rest through,
// so the drain ends within the grace period instead of losing the records.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

using Clock = std::chrono::steady_clock;

class Throttle : public Stage {
 public:
  explicit Throttle(Context& c)
      : ctx_(c), rate_(c.params().get_number("per_second")), burst_(burst_of(c)), tokens_(static_cast<double>(burst_)),
        last_(Clock::now()) {}

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n <= burst_) {
      wait_for(n);
      out.emit(std::move(in));
      return;
    }
    std::vector<std::uint32_t> rows;
    for (std::size_t begin = 0; begin < n; begin += burst_) {
      const std::size_t k = std::min(burst_, n - begin);
      rows.resize(k);
      std::iota(rows.begin(), rows.end(), static_cast<std::uint32_t>(begin));
      wait_for(k);
      out.emit(in->select(rows));
    }
  }

 private:
  static std::size_t burst_of(Context& c) {
    const std::int64_t burst = c.params().get_int("burst");
    if (burst > 0) return static_cast<std::size_t>(burst);
    return static_cast<std::size_t>(std::max(1.0, std::round(c.params().get_number("per_second") / 10)));
  }

  // Takes `k` tokens, sleeping until the bucket has refilled enough. The bucket may go into
  // debt by up to `burst` tokens, which the sleep then pays back: the long-run rate is exact.
  void wait_for(std::size_t k) {
    const Clock::time_point now = Clock::now();
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
    last_ = now;
    tokens_ -= static_cast<double>(k);
    if (tokens_ >= 0) return;
    const auto until = now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / rate_));
    // Short sleeps, so that a stop request is seen within 20 ms.
    while (!ctx_.stop_requested()) {
      const auto left = until - Clock::now();
      if (left <= Clock::duration::zero()) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(20)));
    }
  }

  const Context& ctx_;
  const double rate_;
  const std::size_t burst_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace

PluginDescriptor describe_throttle() {
  return PluginDescriptor::stage<Throttle>("throttle", "limits records per second (token bucket); use blocking = true")
      .with_params({
          ParamSpec::number("per_second", "records per second").mandatory().at_least(0.001),
          ParamSpec::integer("burst", "bucket size in records: how many may pass at once; 0 = per_second/10 (at least 1)")
              .with_default(std::int64_t{0}).at_least(0),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(throttle, graph_runner::plugins::describe_throttle)
