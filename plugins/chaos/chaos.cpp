// chaos: a pass-through stage that misbehaves on purpose, for testing what a pipeline
// does when things go wrong: seeded failures, delays, stalls.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace {

using namespace graph_runner;

// splitmix64's finaliser: a well-mixed 64-bit value from any input.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A draw in [0, 1) that is a pure function of (seed, source, record position, attempt):
// the same records fail in every run whatever the threads interleave, and a retry (the
// next attempt) draws again. Chained mixing, so no two inputs cancel out as an xor would.
double draw(std::uint64_t seed, std::uint32_t source, std::uint64_t position, unsigned attempt) {
  std::uint64_t h = mix(seed);
  h = mix(h ^ source);
  h = mix(h ^ position);
  h = mix(h ^ attempt);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

class Chaos : public Stage {
 public:
  explicit Chaos(Context& c)
      : ctx_(c),
        fail_rate_(c.params().get_number("fail_rate")),
        per_record_(c.params().get_string("fail") == "record"),
        seed_(static_cast<std::uint64_t>(c.params().get_int("seed"))),
        error_(c.params().get_string("error")),
        throw_kind_(c.params().get_string("throw")),
        sleep_ms_(c.params().get_int("sleep_ms")),
        sleep_us_per_record_(c.params().get_int("sleep_us_per_record")),
        stall_after_(c.params().get_int("stall_after")) {}

  void process(BatchPtr in, Emitter& out) override {
    delay(in->size());
    if (stall_after_ >= 0 && batches_.fetch_add(1) >= stall_after_) stall();
    const Origin& o = in->origin();
    if (!per_record_) {
      if (fail_rate_ > 0 && draw(seed_, o.source, o.first_record, out.attempt()) < fail_rate_) raise();
      out.emit(std::move(in));
      return;
    }
    std::vector<std::uint32_t> kept;
    kept.reserve(in->size());
    for (std::size_t r = 0; r < in->size(); ++r) {
      if (fail_rate_ > 0 && draw(seed_, o.source, o.first_record + r, out.attempt()) < fail_rate_)
        out.reject(*in, r, error_);
      else
        kept.push_back(static_cast<std::uint32_t>(r));
    }
    if (kept.size() == in->size()) out.emit(std::move(in));
    else if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  void delay(std::size_t records) const {
    auto total = std::chrono::milliseconds(sleep_ms_) + std::chrono::microseconds(sleep_us_per_record_ * records);
    if (total.count() > 0) std::this_thread::sleep_for(total);
  }

  void stall() const {
    // Blocks like a hung network call: until the run stops (the engine's stall
    // detector is what should notice).
    while (!ctx_.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  [[noreturn]] void raise() const {
    if (throw_kind_ == "int") throw 42;  // not derived from std::exception, on purpose
    if (throw_kind_ == "logic") throw std::logic_error(error_);
    throw std::runtime_error(error_);
  }

  Context& ctx_;
  double fail_rate_;
  bool per_record_;
  std::uint64_t seed_;
  std::string error_, throw_kind_;
  std::int64_t sleep_ms_, sleep_us_per_record_, stall_after_;
  std::atomic<std::int64_t> batches_{0};
};

}  // namespace

namespace graph_runner::plugins {

PluginDescriptor describe_chaos() {
  return PluginDescriptor::stage<Chaos>("chaos", "pass-through that fails, sleeps or stalls on purpose (testing)")
      .with_params({
          ParamSpec::number("fail_rate", "probability that a batch (or record) fails").with_default(0.0).at_least(0).at_most(1),
          ParamSpec::string("fail", "what fails: the whole batch (an exception) or single records (rejected)")
              .with_default(std::string("batch")).one_of({"batch", "record"}),
          ParamSpec::integer("seed", "seed for the failure draws").with_default(std::int64_t{1}),
          ParamSpec::string("error", "the error message").with_default(std::string("chaos: injected failure")),
          ParamSpec::string("throw", "what a batch failure throws").with_default(std::string("runtime_error"))
              .one_of({"runtime_error", "logic", "int"}),
          ParamSpec::integer("sleep_ms", "sleep per batch").with_default(std::int64_t{0}).at_least(0),
          ParamSpec::integer("sleep_us_per_record", "sleep per record").with_default(std::int64_t{0}).at_least(0),
          ParamSpec::integer("stall_after", "after this many batches, block until the run stops (-1: never)")
              .with_default(std::int64_t{-1}).at_least(-1),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(chaos, graph_runner::plugins::describe_chaos)
