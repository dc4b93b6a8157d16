// Sources and sinks for the benchmarks (tools/bench): a source that stamps each batch with
// the time it was made and a sink that measures end-to-end latency from that stamp, a sink
// that only counts, and a deliberately slow sink for the backpressure run.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace graph_runner::bench {
namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void print_line(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

// Records `id`, `value` (as generate makes it: hash of seed and id in [-100, 1000)) and
// `t0`, the steady-clock time in ns when the batch was started.
class Clock : public Source {
 public:
  explicit Clock(Context& c)
      : count_(c.params().get_int("count")), id_(field("id")), value_(field("value")), t0_(field("t0")) {}
  bool read(BatchBuilder& out) override {
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(out.capacity() - out.size()), count_ - next_));
    const Value stamp = Value::of(now_ns());
    Column& ids = out.column(id_, ColumnType::int64);
    Column& values = out.column(value_, ColumnType::float64);
    Column& stamps = out.column(t0_, ColumnType::int64);
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t id = next_ + static_cast<std::int64_t>(i);
      std::uint64_t x = static_cast<std::uint64_t>(id) + 0x9e3779b97f4a7c15ULL;
      x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
      x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
      x ^= x >> 31;
      ids.append(Value::of(id));
      values.append(Value::of(-100.0 + 1100.0 * static_cast<double>(x >> 11) * 0x1.0p-53));
      stamps.append(stamp);
    }
    out.resize(ids.size());
    next_ += static_cast<std::int64_t>(n);
    return next_ < count_;
  }

 private:
  const std::int64_t count_;
  const Field id_, value_, t0_;
  std::int64_t next_ = 0;
};

// Prints `<node>: <N> records, latency p50 <us> p99 <us> max <us>` at the end: the time
// from a record's `t0` stamp to its arrival here.
class Latency : public Sink {
 public:
  explicit Latency(Context& c) : name_(c.node_name()), t0_(field("t0")) {}
  void write(const Batch& batch) override {
    const Column* col = batch.find(t0_);
    if (!col) return;
    const std::int64_t now = now_ns();
    // A batch's records usually share one stamp: store (latency, how many) runs.
    auto v = [&](std::size_t i) { return col->get(batch.row(i)).as_int(); };
    for (std::size_t i = 0; i < batch.size();) {
      std::size_t j = i + 1;
      while (j < batch.size() && v(j) == v(i)) ++j;
      samples_.emplace_back(now - v(i), j - i);
      i = j;
    }
    records_ += batch.size();
  }
  void close() override {
    std::sort(samples_.begin(), samples_.end());
    auto percentile = [&](double p) {
      const double want = p * static_cast<double>(records_);
      std::uint64_t seen = 0;
      for (const auto& [ns, n] : samples_) {
        seen += n;
        if (static_cast<double>(seen) >= want) return static_cast<double>(ns) / 1000.0;
      }
      return 0.0;
    };
    char line[200];
    std::snprintf(line, sizeof line, "%s: %llu records, latency p50 %.1f p99 %.1f max %.1f us\n", name_.c_str(),
                  static_cast<unsigned long long>(records_), percentile(0.5), percentile(0.99), percentile(1.0));
    print_line(line);
  }

 private:
  const std::string name_;
  const Field t0_;
  std::uint64_t records_ = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> samples_;
};

// Counts records and nothing else: `<node>: <N> records`.
class Discard : public Sink {
 public:
  explicit Discard(Context& c) : name_(c.node_name()) {}
  void write(const Batch& batch) override { records_ += batch.size(); }
  void close() override { print_line(name_ + ": " + std::to_string(records_) + " records\n"); }

 private:
  const std::string name_;
  std::uint64_t records_ = 0;
};

// A slow consumer: busy-waits `ns_per_record` per record (a CPU-bound sink, not a sleep, so
// the run's pace is set by the sink and the source must be held back by backpressure).
class Slow : public Sink {
 public:
  explicit Slow(Context& c) : name_(c.node_name()), ns_(c.params().get_int("ns_per_record")) {}
  void write(const Batch& batch) override {
    const std::int64_t until = now_ns() + ns_ * static_cast<std::int64_t>(batch.size());
    while (now_ns() < until) {
    }
    records_ += batch.size();
  }
  void close() override { print_line(name_ + ": " + std::to_string(records_) + " records\n"); }

 private:
  const std::string name_;
  const std::int64_t ns_;
  std::uint64_t records_ = 0;
};

}  // namespace

PluginDescriptor describe_bench_clock() {
  return PluginDescriptor::source<Clock>("bench_clock", "benchmark: id, value and t0 (the batch's creation time)")
      .with_params({ParamSpec::integer("count", "records to make").with_default(std::int64_t{1000}).at_least(0)});
}
PluginDescriptor describe_bench_latency() {
  return PluginDescriptor::sink<Latency>("bench_latency", "benchmark: prints p50/p99 latency since t0 at the end");
}
PluginDescriptor describe_bench_discard() {
  return PluginDescriptor::sink<Discard>("bench_discard", "benchmark: counts records");
}
PluginDescriptor describe_bench_slow() {
  return PluginDescriptor::sink<Slow>("bench_slow", "benchmark: a sink that spends ns_per_record per record")
      .with_params({ParamSpec::integer("ns_per_record", "busy time per record").with_default(std::int64_t{200}).at_least(0)});
}

}  // namespace graph_runner::bench

GRAPH_RUNNER_SOURCE_PLUGIN(bench_clock, graph_runner::bench::describe_bench_clock)
GRAPH_RUNNER_SINK_PLUGIN(bench_latency, graph_runner::bench::describe_bench_latency)
GRAPH_RUNNER_SINK_PLUGIN(bench_discard, graph_runner::bench::describe_bench_discard)
GRAPH_RUNNER_SINK_PLUGIN(bench_slow, graph_runner::bench::describe_bench_slow)
