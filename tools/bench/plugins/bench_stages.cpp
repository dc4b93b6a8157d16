// Compiled stages for the benchmarks (tools/bench): the seed pipeline's filter and maps
// written in C++ instead of expressions, a do-nothing stage for the per-hop chains and a
// CPU-heavy stage. Built only by `make bench`, into the bench build's own plugin folder:
// they are not built-ins and are never installed.
#include <cmath>
#include <cstdint>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace graph_runner::bench {
namespace {

// The seed pipeline's `filter where = "value >= 0"`.
class Positive : public Stage {
 public:
  explicit Positive(Context&) : value_(field("value")) {}
  void process(BatchPtr in, Emitter& out) override {
    const Column* col = in->find(value_);
    if (!col) return;
    const std::size_t n = in->size();
    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    const Value* v = col->values.data();
    for (std::size_t i = 0; i < n; ++i)
      if (v[i].to_double() >= 0) kept.push_back(static_cast<std::uint32_t>(i));
    if (kept.size() == n) out.emit(in);
    else if (!kept.empty()) out.emit(in->select(kept));
  }

 private:
  const Field value_;
};

// The seed pipeline's `map set = { value = "value * 2" }` (a double, as the map plugin makes it).
class Scale : public Stage {
 public:
  explicit Scale(Context&) : value_(field("value")) {}
  void process(BatchPtr in, Emitter& out) override {
    const Column* col = in->find(value_);
    if (!col) return;
    std::vector<Value> scaled(in->size());
    const Value* v = col->values.data();
    for (std::size_t i = 0; i < scaled.size(); ++i) scaled[i] = Value::of(v[i].to_double() * 2);
    out.emit(in->with_column(value_, std::move(scaled)));
  }

 private:
  const Field value_;
};

// The seed pipeline's `map set = { category = "value < 200 ? 0 : (value < 1000 ? 1 : 2)" }`:
// a double, because map types a result read from a double field as a double.
class Category : public Stage {
 public:
  explicit Category(Context&) : value_(field("value")), category_(field("category")) {}
  void process(BatchPtr in, Emitter& out) override {
    const Column* col = in->find(value_);
    if (!col) return;
    std::vector<Value> category(in->size());
    const Value* v = col->values.data();
    for (std::size_t i = 0; i < category.size(); ++i) {
      const double d = v[i].to_double();
      category[i] = Value::of(d < 200 ? 0.0 : (d < 1000 ? 1.0 : 2.0));
    }
    out.emit(in->with_column(category_, std::move(category)));
  }

 private:
  const Field value_, category_;
};

// Passes every batch on untouched: what is left is the engine's cost of one hop.
class Pass : public Stage {
 public:
  explicit Pass(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(in); }
};

// CPU-heavy: `rounds` dependent multiply-xorshift steps per record (about 2 us at the
// default on a 2020s x86 core), stored in the int field `spin` so the checksum sees them.
// Not thread-safe on purpose: `concurrency = N` gives N instances (a worker pool).
class Spin : public Stage {
 public:
  explicit Spin(Context& c)
      : id_(field("id")), spin_(field("spin")), rounds_(static_cast<std::uint64_t>(c.params().get_int("rounds"))) {}
  void process(BatchPtr in, Emitter& out) override {
    const Column* ids = in->find(id_);
    std::vector<Value> result(in->size());
    for (std::size_t i = 0; i < result.size(); ++i) {
      std::uint64_t x = ids ? static_cast<std::uint64_t>(ids->values[i].as_int()) : i;
      for (std::uint64_t r = 0; r < rounds_; ++r) {
        x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL;
        x += r;
      }
      result[i] = Value::of(static_cast<std::int64_t>(x >> 1));
    }
    out.emit(in->with_column(spin_, std::move(result)));
  }

 private:
  const Field id_, spin_;
  const std::uint64_t rounds_;
};

}  // namespace

PluginDescriptor describe_bench_positive() {
  return PluginDescriptor::stage<Positive>("bench_positive", "benchmark: keeps records with value >= 0 (compiled)")
      .thread_safe();
}
PluginDescriptor describe_bench_scale() {
  return PluginDescriptor::stage<Scale>("bench_scale", "benchmark: value = value * 2 (compiled)").thread_safe();
}
PluginDescriptor describe_bench_category() {
  return PluginDescriptor::stage<Category>("bench_category", "benchmark: category from value (compiled)").thread_safe();
}
PluginDescriptor describe_bench_pass() {
  return PluginDescriptor::stage<Pass>("bench_pass", "benchmark: passes batches on unchanged").thread_safe();
}
PluginDescriptor describe_bench_spin() {
  return PluginDescriptor::stage<Spin>("bench_spin", "benchmark: CPU-heavy work per record into field spin")
      .with_params({ParamSpec::integer("rounds", "hash steps per record").with_default(std::int64_t{600}).at_least(1)});
}

}  // namespace graph_runner::bench

GRAPH_RUNNER_STAGE_PLUGIN(bench_positive, graph_runner::bench::describe_bench_positive)
GRAPH_RUNNER_STAGE_PLUGIN(bench_scale, graph_runner::bench::describe_bench_scale)
GRAPH_RUNNER_STAGE_PLUGIN(bench_category, graph_runner::bench::describe_bench_category)
GRAPH_RUNNER_STAGE_PLUGIN(bench_pass, graph_runner::bench::describe_bench_pass)
GRAPH_RUNNER_STAGE_PLUGIN(bench_spin, graph_runner::bench::describe_bench_spin)
