// map: sets fields from expressions of the record language (docs/expressions.md), e.g.
// `set = { total = "price * quantity", slow = "latency_ms > 500", who = "lower(user.name)" }`.
// Expressions run in file order over the whole batch, each written before the next runs, so a
// later one sees the fields set before it. The field's type follows the expression's result
// (int + int is an int, `/` a double, a comparison a bool, a string function a string; null
// writes an explicit null). A record an expression fails on is rejected (on_error decides).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "expr/param.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

class Map : public Stage {
 public:
  explicit Map(Context& c) : workers_([this] { return std::make_unique<Worker>(*this); }) {
    const StringMap& set = c.params().get_string_map("set");
    if (set.empty()) c.param_error("set", "set needs at least one field, e.g. set = { value = \"value * 2\" }");
    FieldSchema fields;  // reads, except what an earlier assignment wrote; writes every name
    for (const auto& [name, text] : set) {
      assignments_.emplace_back(field(name), name, expr::compile_param(c, "set", name, text));
      expr::add_reads(fields, assignments_.back().program, "set", fields.writes);
      fields.writes.push_back(name);
    }
    c.declare_fields(std::move(fields));
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto w = workers_.acquire();
    // In place when this call is the batch's only consumer; otherwise a copy sharing every
    // column, whose written columns alone are copied (Batch::column_for_write).
    std::shared_ptr<Batch> b = out.take(std::move(in));
    expr::Scratch& s = *w->scratch;
    std::vector<std::uint32_t>& alive = w->alive;  // the records no assignment failed
    const auto every_record = s.first(n);
    alive.assign(every_record.begin(), every_record.end());
    // Most rows selected (after a filter that keeps most records): every row is computed and
    // written, in loops over whole columns, rather than gathered through the selection and
    // scattered back. The rows no record holds cost a little work and may fail where no
    // record does: then the records are evaluated again, the usual way.
    const bool rows = b->has_selection() && 4 * n >= 3 * b->physical_size();
    for (std::size_t k = 0; k < assignments_.size() && !alive.empty(); ++k) {
      Assignment& a = assignments_[k];
      if (rows && a.row_failures.load(std::memory_order_relaxed) < kRowFailuresTried) {
        const expr::Vector& v = a.program.evaluate_rows(*b, s);
        if (s.errors().empty()) {
          store(*b, a.target, v, s.first(b->physical_size()), /*physical=*/true);
          continue;
        }
        a.row_failures.fetch_add(1, std::memory_order_relaxed);
      }
      const expr::Vector& v = a.program.evaluate(*b, alive, s);
      if (!s.errors().empty()) {
        for (const expr::RowError& e : s.errors()) out.reject(*b, e.record, "set." + a.name + ": " + e.message);
        std::size_t kept = 0;
        for (std::uint32_t i : alive)
          if (!s.failed(i)) alive[kept++] = i;
        alive.resize(kept);
      }
      store(*b, a.target, v, alive, /*physical=*/false);
    }
    if (alive.empty()) return;
    if (alive.size() < n) b->keep_rows(alive);
    out.emit(std::move(b));
  }

 private:
  // Batches whose rows an assignment tries before it keeps to records: a stream whose rows
  // fail often would pay two evaluations per batch.
  static constexpr int kRowFailuresTried = 16;
  struct Assignment {
    Field target;
    std::string name;
    expr::Program program;
    std::atomic<int> row_failures{0};  // batches whose rows failed (not their records)
    Assignment(Field t, std::string n, expr::Program p) : target(t), name(std::move(n)), program(std::move(p)) {}
  };
  struct Worker {
    explicit Worker(const Map& m) {
      std::vector<const expr::Program*> programs;
      for (const auto& a : m.assignments_) programs.push_back(&a.program);
      scratch = expr::Program::make_scratch(programs);
    }
    // One for every assignment: each result is stored before the next runs (100 scratches,
    // one per `set`, made a long map's working memory outgrow the cache).
    std::unique_ptr<expr::Scratch> scratch;
    std::vector<std::uint32_t> alive;
  };

  static ColumnType column_type(expr::Kind k) {
    switch (k) {
      case expr::Kind::boolean: return ColumnType::boolean;
      case expr::Kind::int64: return ColumnType::int64;
      case expr::Kind::float64: return ColumnType::float64;
      case expr::Kind::string: return ColumnType::string;
      default: return ColumnType::mixed;
    }
  }

  // Writes v's value of each record in `records` to field `f` (`physical`: of each physical
  // row, `records` being all of them). A column of the result's type is written in place,
  // one typed loop; a column every row of which is replaced starts anew with that type;
  // anything else goes value by value. Long strings are copied into the batch's arena (the
  // result's may live in the scratch or the program).
  static void store(Batch& b, Field f, const expr::Vector& v, std::span<const std::uint32_t> records, bool physical) {
    if (records.empty()) return;
    const ColumnType ct = column_type(v.kind);
    const bool whole = physical || (!b.has_selection() && records.size() == b.physical_size());
    auto row_of = [&](std::uint32_t i) { return physical ? std::size_t{i} : b.row(i); };
    const Column* existing = b.find(f);  // a lookup, not a scan: 100 `set`s cost 100 times one
    ColumnPtr old;  // held while writing: values read from a replaced column may point into it
    if (whole && existing && ct != ColumnType::mixed && existing->type() != ct) {
      for (const ColumnPtr& c : b.columns())
        if (c.get() == existing) old = c;
      b.put(std::make_shared<Column>(f, ct, b.physical_size()));
    }
    Column& c = b.column_for_write(f, ct);  // a new field: a column of type ct, every row absent
    if (c.type() != ct || ct == ColumnType::mixed) {
      for (std::uint32_t i : records) {
        Value x = v.get(i);
        if (x.is_text() && x.as_string().size() > StringView::max_inline) x = Value::string_ref(b.arena().copy(x.as_string()), x.type());
        c.set(row_of(i), x);
      }
      return;
    }
    // Every record written and none null (the common case): plain loops, and the column
    // marked valid at once, not a row at a time. That needs each row not written to be valid
    // already or no record: true of a column every row of which has a value (value = value * 2)
    // and of a column made here (new, or replaced whole), whose other rows are outside the
    // batch's selection or records that failed (dropped below).
    const bool fresh = !existing || old;
    const bool no_nulls = v.kind != expr::Kind::null &&
                          (v.no_nulls || std::none_of(records.begin(), records.end(), [&](std::uint32_t i) { return v.is_null(i); }));
    const bool selected = b.has_selection() && !physical;
    const std::uint32_t* rows = b.selection().data();
    auto write = [&](auto* dst, auto value_of) {
      if (no_nulls && (fresh || c.all_valid())) {
        // Every row, in order (`whole`: records 0 .. n-1 of a batch without a selection, or
        // every physical row): a counted loop, which vectorizes.
        const auto all = static_cast<std::uint32_t>(b.physical_size());
        if (v.constant) {
          const auto x = value_of(0);
          if (whole) for (std::uint32_t i = 0; i < all; ++i) dst[i] = x;
          else if (selected) for (std::uint32_t i : records) dst[rows[i]] = x;
          else for (std::uint32_t i : records) dst[i] = x;
        } else {
          if (whole) for (std::uint32_t i = 0; i < all; ++i) dst[i] = value_of(i);
          else if (selected) for (std::uint32_t i : records) dst[rows[i]] = value_of(i);
          else for (std::uint32_t i : records) dst[i] = value_of(i);
        }
        if (!c.all_valid()) c.mark_all_valid();
        return;
      }
      for (std::uint32_t i : records) {
        const std::size_t r = row_of(i);
        if (v.is_null(i)) {
          c.set(r, Value{});
          continue;
        }
        dst[r] = value_of(v.at(i));
        if (!c.valid(r)) c.mark_valid(r);  // an inline bit test: rewriting a value makes no call
      }
    };
    switch (ct) {
      case ColumnType::int64: write(c.ints_for_write().data(), [&](std::size_t k) { return v.ints[k]; }); break;
      case ColumnType::float64: write(c.doubles_for_write().data(), [&](std::size_t k) { return v.doubles[k]; }); break;
      case ColumnType::boolean: write(c.bools_for_write().data(), [&](std::size_t k) { return v.bools[k]; }); break;
      default:
        write(c.strings_for_write().data(), [&](std::size_t k) {
          const StringView s = v.strings[k];
          return s.is_inline() ? s : StringView(b.arena().copy(s.view()));
        });
    }
  }

  std::deque<Assignment> assignments_;  // (not movable: their counters are atomic)
  Pool<Worker> workers_;
};

}  // namespace

PluginDescriptor describe_map() {
  return PluginDescriptor::stage<Map>("map", "sets fields from expressions")
      .with_params({
          ParamSpec::string_map("set", "field = \"expression\" in the record language (docs/expressions.md), in file order; "
                                       "the field takes the result's type: int + int is an int, / a double, a comparison a bool")
              .mandatory(),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(map, graph_runner::plugins::describe_map)
