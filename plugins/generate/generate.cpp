// generate: a source of deterministic synthetic records, for demos, tests and benchmarks.
// Record `id` of a source is the same in every run with the same seed, whatever the batch
// size, because each value is a hash of (seed, id) rather than the next draw of a stateful
// generator.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "graph_runner/sdk.hpp"

namespace graph_runner::plugins {
namespace {

constexpr std::int64_t start_ns = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z
constexpr std::int64_t step_ns = 1000;

// splitmix64's finalizer: a fast, well-mixed 64-bit hash of a counter.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Generate : public Source {
 public:
  explicit Generate(Context& c)
      : ctx_(c),
        count_(c.params().get_int("count")),
        duration_(std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(c.params().get_number("duration_s")))),
        stream_(mix(static_cast<std::uint64_t>(c.params().get_int("seed")))),
        name_(c.node_name()),
        id_(field("id")),
        value_(field("value")),
        source_(field("source")),
        ts_(field("ts")) {
    c.declare_fields({.writes = {"id", "value", "source", "ts"}});
  }

  bool read(BatchBuilder& out) override {
    if (stopped_.load(std::memory_order_relaxed) || ctx_.stop_requested()) return false;
    // duration_s runs from the first read, when the graph starts, not from construction.
    if (duration_.count() > 0) {
      const auto now = Clock::now();
      if (!started_) started_ = now;
      else if (now - *started_ >= duration_) return false;
    }
    const std::size_t start = out.size();
    std::size_t n = out.capacity() > start ? out.capacity() - start : 0;
    if (count_ > 0) n = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(n), count_ - next_));

    // Column by column, typed: one tight loop per field over an int64 or float64 array.
    const std::size_t end = start + n;
    Column& ids = column(out, id_, ColumnType::int64, end);
    Column& values = column(out, value_, ColumnType::float64, end);
    Column& sources = column(out, source_, ColumnType::string, end);
    Column& stamps = column(out, ts_, ColumnType::int64, end);
    const std::span<std::int64_t> id = ids.ints_for_write().subspan(start);
    const std::span<double> value = values.doubles_for_write().subspan(start);
    const std::span<std::int64_t> ts = stamps.ints_for_write().subspan(start);
    const std::span<StringView> source = sources.strings_for_write().subspan(start);
    // A short name sits in the view itself; a longer one is copied once into the batch's arena.
    const StringView source_name(name_.size() <= StringView::max_inline ? std::string_view(name_)
                                                                        : out.string(name_).as_string());
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t k = next_ + static_cast<std::int64_t>(i);
      id[i] = k;
      ts[i] = start_ns + k * step_ns;
      source[i] = source_name;
      // 53 random bits -> [0, 1) -> [-100, 1000)
      const double unit = static_cast<double>(mix(stream_ + static_cast<std::uint64_t>(k)) >> 11) * 0x1.0p-53;
      value[i] = -100.0 + 1100.0 * unit;
    }
    for (Column* c : {&ids, &values, &sources, &stamps}) {
      if (start == 0) c->mark_all_valid();
      else for (std::size_t i = start; i < end; ++i) c->mark_valid(i);
    }
    out.resize(end);
    next_ += static_cast<std::int64_t>(n);
    return count_ == 0 || next_ < count_;
  }

  void stop() override { stopped_.store(true, std::memory_order_relaxed); }

 private:
  // The builder may already hold records (a partial batch): the new rows are [start, end).
  static Column& column(BatchBuilder& out, Field f, ColumnType type, std::size_t end) {
    Column& c = out.column(f, type);
    c.resize(end);
    return c;
  }

  const Context& ctx_;
  using Clock = std::chrono::steady_clock;
  const std::int64_t count_;
  const Clock::duration duration_;  // zero: no time limit
  std::optional<Clock::time_point> started_;
  const std::uint64_t stream_;
  const std::string name_;
  const Field id_, value_, source_, ts_;
  std::int64_t next_ = 0;
  std::atomic<bool> stopped_{false};
};

}  // namespace

PluginDescriptor describe_generate() {
  return PluginDescriptor::source<Generate>("generate", "deterministic synthetic records: id, value, source, ts")
      .with_params({
          ParamSpec::integer("count", "records to generate; 0 = endless, until the run stops")
              .with_default(std::int64_t{1000}).at_least(0),
          ParamSpec::integer("seed", "seed of the pseudo-random `value` field").with_default(std::int64_t{42}),
          ParamSpec::number("duration_s",
                            "stop after this many seconds from the first read (0 = no time limit); with a count, "
                            "whichever comes first ends the stream")
              .with_default(0.0).at_least(0),
      });
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_SOURCE_PLUGIN(generate, graph_runner::plugins::describe_generate)
