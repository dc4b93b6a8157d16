#pragma once
// In-process plugins for the engine tests: they record what the engine does to them
// (acknowledgements, concurrent calls, arrival order) so the tests can assert on it.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "graph_runner/sdk.hpp"
#include "registry/plugin_registry.hpp"
#include "run/run_graph.hpp"

namespace run_test {

using namespace graph_runner;

// What every test plugin reports to, reset by each test.
struct Probe {
  std::mutex mutex;
  std::map<std::string, std::vector<std::uint64_t>> acknowledged;  // source -> batch numbers
  std::map<std::string, std::vector<std::int64_t>> received;      // sink -> values of `n`
  std::map<std::string, std::vector<std::string>> errors;        // sink -> values of `error`
  std::map<std::string, std::vector<std::int64_t>> statuses;     // sink -> values of `status`, when present
  std::map<std::int64_t, std::vector<std::pair<std::size_t, std::int64_t>>> lanes;  // k -> (instance, n)
  std::map<std::uint64_t, std::vector<std::chrono::steady_clock::time_point>> attempts;  // batch -> attempts
  std::map<std::string, std::chrono::steady_clock::time_point> last_write;  // sink -> its latest write
  std::atomic<bool> stop_called{false};  // BlockedSource::stop()
  std::atomic<std::size_t> running{0}, max_running{0};
  std::atomic<std::int64_t> max_unacknowledged{0};

  void enter() {
    std::size_t now = ++running;
    std::size_t seen = max_running.load();
    while (now > seen && !max_running.compare_exchange_weak(seen, now)) {
    }
  }
  void leave() { --running; }
};
Probe& probe();

// Sets `flag` after `delay`, from a thread of its own, as a signal handler would during a
// run; joins that thread when it goes out of scope.
class SetLater {
 public:
  SetLater(std::atomic<bool>& flag, std::chrono::milliseconds delay)
      : thread_([&flag, delay] {
          std::this_thread::sleep_for(delay);
          flag = true;
        }) {}
  SetLater(const SetLater&) = delete;
  SetLater& operator=(const SetLater&) = delete;
  ~SetLater() { thread_.join(); }

 private:
  std::thread thread_;
};

// A copy of what sink `sink` received, taken under the probe's lock.
inline std::vector<std::int64_t> received(const std::string& sink) {
  std::lock_guard lock(probe().mutex);
  return probe().received[sink];
}

// Emits `count` records with n = 0, 1, 2, ... and checks how many batches are unacknowledged.
class SeqSource : public Source {
 public:
  explicit SeqSource(Context& c)
      : ctx_(c), count_(c.params().get_int("count")), n_(field("n")), k_(field("k")), name_(c.node_name()) {}
  bool read(BatchBuilder& out) override {
    auto& values = out.column(n_, ColumnType::int64);
    auto& keys = out.column(k_, ColumnType::int64);
    while (values.size() < out.capacity() && next_ < count_) {
      keys.append(Value::of(next_ % 5));
      values.append(Value::of(next_++));
    }
    std::int64_t unacked = static_cast<std::int64_t>(++produced_) - static_cast<std::int64_t>(acked_.load());
    std::int64_t seen = probe().max_unacknowledged.load();
    while (unacked > seen && !probe().max_unacknowledged.compare_exchange_weak(seen, unacked)) {
    }
    return next_ < count_;
  }
  void acknowledge(std::uint64_t batch) override {
    ++acked_;
    std::lock_guard lock(probe().mutex);
    probe().acknowledged[name_].push_back(batch);
  }

 private:
  Context& ctx_;
  std::int64_t count_, next_ = 0;
  Field n_, k_;
  std::string name_;
  std::uint64_t produced_ = 0;
  std::atomic<std::uint64_t> acked_{0};
};

// Keeps records with an even n.
class KeepEven : public RecordFilter<KeepEven> {
 public:
  explicit KeepEven(Context&) : n_(field("n")) {}
  bool keep(const Batch& b, std::size_t row) const { return b.get(row, n_).as_int() % 2 == 0; }

 private:
  Field n_;
};

// Passes batches through after `sleep_us`, recording concurrent calls; rejects n == `reject`.
class SlowPass : public Stage {
 public:
  explicit SlowPass(Context& c)
      : sleep_us_(c.params().get_int("sleep_us")), jitter_(c.params().get_bool("jitter")),
        reject_(c.params().get_int("reject")), fail_(c.params().get_int("fail_at")), n_(field("n")) {}
  void process(BatchPtr in, Emitter& out) override {
    probe().enter();
    std::int64_t us = sleep_us_;
    if (jitter_) us = static_cast<std::int64_t>(std::hash<std::int64_t>{}(in->get(0, n_).as_int()) % 2000);
    if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
    probe().leave();
    for (std::size_t r = 0; r < in->size(); ++r) {
      if (in->get(r, n_).as_int() == fail_) throw std::runtime_error("boom at " + std::to_string(fail_));
      if (in->get(r, n_).as_int() == reject_) out.reject(*in, r, "rejected " + std::to_string(reject_));
    }
    out.emit(in);
  }

 private:
  std::int64_t sleep_us_;
  bool jitter_;
  std::int64_t reject_, fail_;
  Field n_;
};

// Records every n it receives (and `error` when present), after `sleep_us` per batch.
class Collect : public Sink {
 public:
  explicit Collect(Context& c)
      : sleep_us_(c.params().get_int("sleep_us")), fail_at_(c.params().get_int("fail_at")), name_(c.node_name()),
        n_(field("n")), error_(field("error")), status_(field("status")) {}
  void write(const Batch& b) override {
    if (sleep_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(sleep_us_));
    for (std::size_t r = 0; r < b.size() && fail_at_ >= 0; ++r)  // the whole batch fails, nothing kept
      if (b.get(r, n_).as_int() == fail_at_) throw std::runtime_error("cannot write n = " + std::to_string(fail_at_));
    std::lock_guard lock(probe().mutex);
    probe().last_write[name_] = std::chrono::steady_clock::now();
    for (std::size_t r = 0; r < b.size(); ++r) {
      probe().received[name_].push_back(b.get(r, n_).as_int());
      if (b.find(error_)) probe().errors[name_].emplace_back(b.get(r, error_).as_string());
      if (b.find(status_)) probe().statuses[name_].push_back(b.get(r, status_).as_int());
    }
  }

 private:
  std::int64_t sleep_us_, fail_at_;
  std::string name_;
  Field n_, error_, status_;
};

// Records, per instance, the (k, n) pairs it sees: for partition_by.
class LaneProbe : public Stage {
 public:
  explicit LaneProbe(Context& c) : instance_(c.instance()), n_(field("n")), k_(field("k")) {}
  void process(BatchPtr in, Emitter& out) override {
    std::lock_guard lock(probe().mutex);
    for (std::size_t r = 0; r < in->size(); ++r)
      probe().lanes[in->get(r, k_).as_int()].emplace_back(instance_, in->get(r, n_).as_int());
    out.emit(in);
  }

 private:
  std::size_t instance_;
  Field n_, k_;
};

// Fails the first `fail_times` attempts of every batch, recording when each attempt came.
// `throws`: "plain" (std::runtime_error), "transient" (TransientError with `retry_after_ms`
// and a field status = 503) or "call_error" (CallError with status = 400) (SDK 1.3).
class Flaky : public Stage {
 public:
  explicit Flaky(Context& c)
      : fail_times_(c.params().get_int("fail_times")), throws_(c.params().get_string("throws")),
        retry_after_(c.params().get_int("retry_after_ms")) {}
  void process(BatchPtr in, Emitter& out) override {
    std::size_t attempt;
    {
      std::lock_guard lock(probe().mutex);
      auto& times = probe().attempts[in->origin().batch];
      times.push_back(std::chrono::steady_clock::now());
      attempt = times.size();
    }
    if (static_cast<std::int64_t>(attempt) <= fail_times_) {
      if (throws_ == "transient")
        throw TransientError("busy", retry_after_, {{"status", std::int64_t{503}}, {"why", std::string("busy")}});
      if (throws_ == "call_error") throw CallError("bad request", {{"status", std::int64_t{400}}});
      throw std::runtime_error("flaky");
    }
    out.emit(in);
  }

 private:
  std::int64_t fail_times_;
  std::string throws_;
  std::chrono::milliseconds retry_after_;
};

// Rejects every record whose n is a multiple of `every`, on attempts below `failing_attempts`
// (Emitter::attempt), from inside a row loop that catches std::exception and goes on, as
// plugin code around a parser often does: a rejection must still reach on_error.
class CatchingRejecter : public Stage {
 public:
  explicit CatchingRejecter(Context& c)
      : every_(c.params().get_int("every")), failing_attempts_(c.params().get_int("failing_attempts")), n_(field("n")) {}
  void process(BatchPtr in, Emitter& out) override {
    std::vector<std::uint32_t> kept;
    for (std::size_t row = 0; row < in->size(); ++row) {
      try {
        const std::int64_t n = in->get(row, n_).as_int();
        if (n % every_ == 0 && static_cast<std::int64_t>(out.attempt()) < failing_attempts_) {
          out.reject(*in, row, "n = " + std::to_string(n) + " rejected");
          continue;
        }
        kept.push_back(static_cast<std::uint32_t>(row));
      } catch (const std::exception&) {  // a bad row: skipped, the loop goes on
      }
    }
    if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  std::int64_t every_, failing_attempts_;
  Field n_;
};

// Emits one batch, then blocks in read() the way a network source waits for input: until
// stop() is called from another thread (or a minute passes, so a broken test cannot hang).
class BlockedSource : public Source {
 public:
  explicit BlockedSource(Context&) : n_(field("n")) {}
  bool read(BatchBuilder& out) override {
    if (!sent_) {
      sent_ = true;
      out.column(n_).append(Value::of(std::int64_t{0}));
      return true;
    }
    std::unique_lock lock(mutex_);
    woken_.wait_for(lock, std::chrono::minutes(1), [&] { return stopped_; });
    return false;
  }
  void stop() override {
    probe().stop_called = true;
    std::lock_guard lock(mutex_);
    stopped_ = true;
    woken_.notify_all();
  }

 private:
  Field n_;
  bool sent_ = false, stopped_ = false;
  std::mutex mutex_;
  std::condition_variable woken_;
};

// `count` records of `record_bytes` bytes each (field `s`), numbered in `n`: for the byte bound.
class BigSource : public Source {
 public:
  explicit BigSource(Context& c)
      : count_(c.params().get_int("count")), text_(static_cast<std::size_t>(c.params().get_int("record_bytes")), 'x'),
        n_(field("n")), s_(field("s")) {}
  bool read(BatchBuilder& out) override {
    while (!out.full() && next_ < count_) {
      const std::size_t r = out.add_record();
      out.set(r, n_, Value::of(next_++));
      out.set(r, s_, out.string(text_));
    }
    return next_ < count_;
  }

 private:
  std::int64_t count_, next_ = 0;
  std::string text_;
  Field n_, s_;
};

// Holds every batch until finish() and has no flush(): with more batches than the
// source's max_in_flight, the source waits for tokens this stage never gives back.
class Hoarder : public Stage {
 public:
  explicit Hoarder(Context&) {}
  void process(BatchPtr in, Emitter&) override { held_.push_back(in); }
  void finish(Emitter& out) override {
    for (auto& b : held_) out.emit(std::move(b));
    held_.clear();
  }

 private:
  std::vector<BatchPtr> held_;
};

// Passes everything on but keeps the first batch for its own life: a plugin breaking the
// contract that a batch is not kept past the call, which the end-of-run accounting catches.
class KeepOne : public Stage {
 public:
  explicit KeepOne(Context&) {}
  void process(BatchPtr in, Emitter& out) override {
    if (!kept_) kept_ = in;
    out.emit(in);
  }

 private:
  BatchPtr kept_;
};

// SDK 1.3 gauges: each instance publishes the records it has seen as gauge `seen`, and a
// constant `one`; `bad_name` publishes a gauge whose name the engine refuses.
class GaugeStage : public Stage {
 public:
  explicit GaugeStage(Context& c) : ctx_(c), bad_(c.params().get_bool("bad_name")) {}
  void process(BatchPtr in, Emitter& out) override {
    seen_ += static_cast<double>(in->size());
    ctx_.set_gauge("seen", seen_);
    ctx_.set_gauge("one", 1.0);
    if (bad_) ctx_.set_gauge("Bad Name", 1.0);
    out.emit(in);
  }

 private:
  Context& ctx_;
  bool bad_;
  double seen_ = 0;
};

void register_all(graph_runner::engine::PluginRegistry& registry);

struct Run {
  std::unique_ptr<graph_runner::engine::CheckedGraph> graph;
  graph_runner::engine::RunResult result;
  std::string log;
  const graph_runner::engine::NodeStats& node(const std::string& name) const;
};

// Parses, validates (in-process test plugins plus the built-in plugin folder) and runs.
// `more_plugins` registers a test's own plugins besides register_all's.
Run run_graph_text(const std::string& toml, std::int64_t threads = 4, graph_runner::engine::RunOptions options = {},
                   const std::function<void(graph_runner::engine::PluginRegistry&)>& more_plugins = {});

}  // namespace run_test
