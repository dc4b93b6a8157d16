// Compiled stages for the benchmarks (tools/bench): the seed pipeline's filter and maps
// written in C++ instead of expressions, a do-nothing stage for the per-hop chains and a
// CPU-heavy stage. Built only by `make bench`, into the bench build's own plugin folder:
// they are not built-ins and are never installed.
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "graph_runner/sdk.hpp"

namespace graph_runner::bench {
namespace {

// A column's value of physical row `r` as a double (typed columns without a Value).
inline double number_at(const Column& c, std::size_t r) {
  switch (c.type()) {
    case ColumnType::float64: return c.valid(r) ? c.doubles()[r] : std::nan("");
    case ColumnType::int64: return c.valid(r) ? static_cast<double>(c.ints()[r]) : std::nan("");
    default: return c.get(r).to_double();
  }
}

// The seed pipeline's `filter where = "value >= 0"`: a selection, no copy of the records.
class Positive : public Stage {
 public:
  explicit Positive(Context&) : value_(field("value")) {}
  void process(BatchPtr in, Emitter& out) override {
    const Column* col = in->find(value_);
    if (!col) return;
    const std::size_t n = in->size();
    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    if (col->type() == ColumnType::float64 && col->all_valid() && !in->has_selection()) {
      const std::span<const double> v = col->doubles();
      for (std::size_t i = 0; i < n; ++i)
        if (v[i] >= 0) kept.push_back(static_cast<std::uint32_t>(i));
    } else {
      for (std::size_t i = 0; i < n; ++i)
        if (number_at(*col, in->row(i)) >= 0) kept.push_back(static_cast<std::uint32_t>(i));
    }
    if (kept.size() == n) {
      out.emit(std::move(in));
    } else if (!kept.empty()) {  // the batch taken: no new Batch when this call is its only consumer
      std::shared_ptr<Batch> b = out.take(std::move(in));
      b->keep_rows(kept);
      out.emit(std::move(b));
    }
  }

 private:
  const Field value_;
};

// The seed pipeline's `map set = { value = "value * 2" }` (a double, as the map plugin makes
// it): the batch taken, its float64 column doubled in place.
class Scale : public Stage {
 public:
  explicit Scale(Context&) : value_(field("value")) {}
  void process(BatchPtr in, Emitter& out) override {
    if (!in->find(value_)) return;
    std::shared_ptr<Batch> b = out.take(std::move(in));
    Column& c = b->column_for_write(value_);
    if (c.type() == ColumnType::float64) {
      const std::span<double> v = c.doubles_for_write();
      b->for_each_row([&](std::size_t r) { v[r] *= 2; });  // a null row holds 0 and stays null
    } else {
      b->for_each_row([&](std::size_t r) {
        if (c.valid(r)) c.set(r, Value::of(c.get(r).to_double() * 2));  // an int column turns mixed
      });
    }
    out.emit(std::move(b));
  }

 private:
  const Field value_;
};

// The seed pipeline's `map set = { category = "value < 200 ? 0 : (value < 1000 ? 1 : 2)" }`:
// a double, because map types a result read from a double field as a double. A new float64
// column written in place in the taken batch.
class Category : public Stage {
 public:
  explicit Category(Context&) : value_(field("value")), category_(field("category")) {}
  void process(BatchPtr in, Emitter& out) override {
    if (!in->find(value_)) return;
    std::shared_ptr<Batch> b = out.take(std::move(in));
    const Column& v = *b->find(value_);
    const Column* old = b->find(category_);
    const bool fresh = !old || old->type() != ColumnType::float64;
    if (old && old->type() != ColumnType::float64)  // a category of another type: replaced
      b->put(std::make_shared<const Column>(category_, ColumnType::float64, b->physical_size()));
    Column& cat = b->column_for_write(category_, ColumnType::float64);
    const std::span<double> out_values = cat.doubles_for_write();
    auto category = [](double d) { return d < 200 ? 0.0 : (d < 1000 ? 1.0 : 2.0); };
    if (v.type() == ColumnType::float64 && v.all_valid()) {
      const std::span<const double> in_values = v.doubles();
      b->for_each_row([&](std::size_t r) { out_values[r] = category(in_values[r]); });
    } else {
      b->for_each_row([&](std::size_t r) { out_values[r] = category(number_at(v, r)); });
    }
    // A column made here: its rows outside the selection are no records, so every row may
    // be marked valid at once (as `map` does).
    if (!b->has_selection() || fresh) cat.mark_all_valid();
    else b->for_each_row([&](std::size_t r) { cat.mark_valid(r); });
    out.emit(std::move(b));
  }

 private:
  const Field value_, category_;
};

// Passes every batch on untouched: what is left is the engine's cost of one hop.
class Pass : public Stage {
 public:
  explicit Pass(Context&) {}
  void process(BatchPtr in, Emitter& out) override { out.emit(std::move(in)); }
};

// CPU-heavy: `rounds` dependent multiply-xorshift steps per record (about 2 us at the
// default on a 2020s x86 core), stored in the int field `spin` so the checksum sees them.
// Not thread-safe on purpose: `concurrency = N` gives N instances (a worker pool).
class Spin : public Stage {
 public:
  explicit Spin(Context& c)
      : id_(field("id")), spin_(field("spin")), rounds_(static_cast<std::uint64_t>(c.params().get_int("rounds"))) {}
  void process(BatchPtr in, Emitter& out) override {
    std::shared_ptr<Batch> b = out.take(std::move(in));
    const Column* ids = b->find(id_);
    auto column = std::make_shared<Column>(spin_, ColumnType::int64, b->physical_size());
    const std::span<std::int64_t> result = column->ints_for_write();
    std::size_t i = 0;  // the record index: what a batch without ids spins on
    b->for_each_row([&](std::size_t r) {
      std::uint64_t x = ids ? static_cast<std::uint64_t>(ids->get(r).as_int()) : i;
      for (std::uint64_t k = 0; k < rounds_; ++k) {
        x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ULL;
        x += k;
      }
      result[r] = static_cast<std::int64_t>(x >> 1);
      column->mark_valid(r);
      ++i;
    });
    b->put(std::move(column));
    out.emit(std::move(b));
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
