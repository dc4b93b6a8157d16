// map: sets fields from muParser expressions, e.g. `set = { value = "value * 2", big = "value > 100" }`.
// Expressions run in file order per record, so a later one sees the fields set before it.
//
// Result type, decided per record:
// - bool when the outermost operation is a comparison or logical operator (`value >= 50`);
// - int when the result is integral and every field the expression read was an int (or a
//   bool) in that record: `id * 2` stays an int, a constant `3` is an int;
// - double otherwise: `value * 2`, and `id / 3` where it is not integral.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expression.hpp"
#include "graph_runner/sdk.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {
namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

bool fits_int64(double r) {
  return std::isfinite(r) && r == std::trunc(r) && r >= -0x1p63 && r < 0x1p63;
}

bool is_integer(const Value& v) { return v.type() == Type::int64 || v.type() == Type::boolean; }

class Map : public Stage {
 public:
  explicit Map(Context& c) : workers_([this] { return std::make_unique<Worker>(*this); }) {
    const StringMap& set = c.params().get_string_map("set");
    if (set.empty()) c.param_error("set", "set needs at least one field, e.g. set = { value = \"value * 2\" }");
    for (const auto& [name, text] : set) {
      try {
        assignments_.push_back(Assignment{field(name), Expression(text), {}, none});
      } catch (const ExpressionError& e) {
        c.param_error("set", "'" + name + "': " + e.what());
      }
      for (const auto& var : assignments_.back().expression.variables())
        assignments_.back().reads.push_back(slot(var));
    }
    batch_ = std::all_of(assignments_.begin(), assignments_.end(),
                         [](const Assignment& a) { return a.expression.batch() != nullptr; });
    // A slot is read from the batch if an expression reads it before any expression sets it.
    std::vector<bool> is_set(slots_.size(), false), is_input(slots_.size(), false);
    for (auto& a : assignments_) {
      for (std::size_t s : a.reads)
        if (!is_set[s] && !is_input[s]) {
          is_input[s] = true;
          inputs_.push_back(s);
        }
      for (std::size_t s = 0; s < slots_.size(); ++s) {
        if (slots_[s] != a.target) continue;
        a.target_slot = s;
        is_set[s] = true;
      }
    }
    for (std::size_t s : inputs_) input_fields_.push_back(slots_[s]);
  }

  void process(BatchPtr in, Emitter& out) override {
    const std::size_t n = in->size();
    if (n == 0) return;
    auto w = workers_.acquire();
    std::vector<const Column*> columns;  // per input slot; nullptr: no record has the field
    for (std::size_t s : inputs_) columns.push_back(in->find(slots_[s]));
    std::vector<std::vector<Value>> results(assignments_.size(), std::vector<Value>(n));
    std::vector<std::uint32_t> kept;
    kept.reserve(n);
    if (batch_) {
      const std::size_t valid = w->numbers.load(columns, input_fields_, inputs_, slots_.size(), *in, out);
      evaluate_batch(*w, results, n);
      for (std::size_t row = 0; row < n; ++row)
        if (valid == n || w->numbers.valid(row)) kept.push_back(static_cast<std::uint32_t>(row));
    } else {
      for (std::size_t row = 0; row < n; ++row)
        if (load(*w, columns, *in, row, out) && evaluate(*w, results, *in, row, out))
          kept.push_back(static_cast<std::uint32_t>(row));
    }
    if (kept.empty()) return;

    // Every result goes into the batch itself when this call is its only consumer (a numeric
    // column is overwritten where it lies), else into copies of the written columns only.
    std::shared_ptr<Batch> b = out.take(std::move(in));
    for (std::size_t i = 0; i < assignments_.size(); ++i) store(*b, assignments_[i].target, results[i], kept);
    if (kept.size() < n) b->keep_rows(kept);
    out.emit(std::move(b));
  }

 private:
  struct Assignment {
    Field target;
    Expression expression;
    std::vector<std::size_t> reads;  // slots of the expression's variables, in its order
    std::size_t target_slot;         // the target's slot when an expression reads it, else none
  };

  // One thread's evaluation state: a value and an "is an int" flag per slot, and the
  // expressions bound to those values.
  struct Worker {
    explicit Worker(const Map& m) : values(m.slots_.size()), is_int(m.slots_.size()) {
      for (const auto& a : m.assignments_) {
        std::vector<double*> bound;
        for (std::size_t s : a.reads) bound.push_back(&values[s]);
        expressions.push_back(std::make_unique<BoundExpression>(a.expression, bound));
      }
    }
    std::vector<double> values;  // never resized: the parsers hold pointers into it
    std::vector<char> is_int;
    std::vector<std::unique_ptr<BoundExpression>> expressions;
    // The batch path: a column per slot, an expression's inputs and its result.
    NumberColumns numbers;
    std::vector<const double*> reads;
    std::vector<double> result;
    BatchProgram::Scratch scratch;
  };

  // Every expression over the whole batch, in file order; the rows of rejected records
  // get values that are dropped with them.
  void evaluate_batch(Worker& w, std::vector<std::vector<Value>>& results, std::size_t n) const {
    w.result.resize(n);
    double* r = w.result.data();
    for (std::size_t i = 0; i < assignments_.size(); ++i) {
      const Assignment& a = assignments_[i];
      w.reads.clear();
      for (std::size_t s : a.reads) w.reads.push_back(w.numbers.values(s));
      a.expression.batch()->eval(w.reads.data(), n, r, w.scratch);
      Value* out = results[i].data();
      char* target_int = a.target_slot != none ? w.numbers.ints(a.target_slot) : nullptr;
      if (a.expression.is_condition()) {
        for (std::size_t row = 0; row < n; ++row) out[row] = Value::of(r[row] != 0);
        if (target_int) std::fill(target_int, target_int + n, char{1});  // a bool counts as an int
      } else {
        for (std::size_t row = 0; row < n; ++row) {
          bool as_int = fits_int64(r[row]);
          for (std::size_t s : a.reads) as_int = as_int && w.numbers.ints(s)[row];
          out[row] = as_int ? Value::of(static_cast<std::int64_t>(r[row])) : Value::of(r[row]);
          if (target_int) target_int[row] = as_int;
        }
      }
      if (a.target_slot != none) std::copy(r, r + n, w.numbers.values(a.target_slot));
    }
  }

  // Writes `values[i]` to field `f` of record kept[i]. A typed column receiving values of its
  // own type is written in place, one tight loop; a column every row of which is replaced
  // starts anew with the results' type; anything else goes value by value.
  static void store(Batch& b, Field f, const std::vector<Value>& values, const std::vector<std::uint32_t>& kept) {
    Type t = values[kept.front()].type();
    for (std::uint32_t i : kept)
      if (values[i].type() != t) { t = Type::null; break; }
    const ColumnType ct = column_type_for(t);
    const bool whole = !b.has_selection() && kept.size() == b.physical_size();
    if (whole && t != Type::null) {
      const Column* old = b.find(f);
      if (!old || old->type() != ct) b.put(std::make_shared<Column>(f, ct, b.physical_size()));
    }
    Column& c = b.column_for_write(f, ct);
    if (c.type() == ColumnType::int64 && t == Type::int64) {
      std::int64_t* dst = c.ints_for_write().data();
      for (std::uint32_t i : kept) dst[b.row(i)] = values[i].as_int();
    } else if (c.type() == ColumnType::float64 && t == Type::float64) {
      double* dst = c.doubles_for_write().data();
      for (std::uint32_t i : kept) dst[b.row(i)] = values[i].as_double();
    } else if (c.type() == ColumnType::boolean && t == Type::boolean) {
      std::uint8_t* dst = c.bools_for_write().data();
      for (std::uint32_t i : kept) dst[b.row(i)] = values[i].as_bool();
    } else {
      for (std::uint32_t i : kept) c.set(b.row(i), values[i]);
      return;
    }
    if (whole) c.mark_all_valid();
    else for (std::uint32_t i : kept) c.mark_valid(b.row(i));
  }

  std::size_t slot(const std::string& name) {
    const Field f = field(name);
    for (std::size_t s = 0; s < slots_.size(); ++s)
      if (slots_[s] == f) return s;
    slots_.push_back(f);
    return slots_.size() - 1;
  }

  bool load(Worker& w, const std::vector<const Column*>& columns, const Batch& in, std::size_t row, Emitter& out) const {
    for (std::size_t j = 0; j < inputs_.size(); ++j) {
      const Value v = columns[j] ? columns[j]->get(in.row(row)) : Value{};
      const double d = v.to_double();
      if (std::isnan(d)) {
        out.reject(in, row, not_a_number(slots_[inputs_[j]], v));
        return false;
      }
      w.values[inputs_[j]] = d;
      w.is_int[inputs_[j]] = is_integer(v);
    }
    return true;
  }

  bool evaluate(Worker& w, std::vector<std::vector<Value>>& results, const Batch& in, std::size_t row, Emitter& out) const {
    for (std::size_t i = 0; i < assignments_.size(); ++i) {
      const Assignment& a = assignments_[i];
      double r;
      try {
        r = w.expressions[i]->eval();
      } catch (const mu::Parser::exception_type& e) {
        out.reject(in, row, "'" + std::string(field_name(a.target)) + "': " + describe(e, a.expression.text()));
        return false;
      }
      bool as_int = true;  // a bool counts as an int for the expressions after this one
      if (a.expression.is_condition()) {
        results[i][row] = Value::of(r != 0);
      } else {
        as_int = fits_int64(r);
        for (std::size_t s : a.reads) as_int = as_int && w.is_int[s];
        results[i][row] = as_int ? Value::of(static_cast<std::int64_t>(r)) : Value::of(r);
      }
      if (a.target_slot != none) {
        w.values[a.target_slot] = r;
        w.is_int[a.target_slot] = as_int;
      }
    }
    return true;
  }

  std::vector<Field> slots_;  // every field an expression reads, each once
  std::vector<std::size_t> inputs_;
  std::vector<Field> input_fields_;  // the field of each input slot
  std::vector<Assignment> assignments_;
  bool batch_ = false;  // every expression has a batch form
  Pool<Worker> workers_;
};

}  // namespace

PluginDescriptor describe_map() {
  return PluginDescriptor::stage<Map>("map", "sets fields from expressions over numeric fields")
      .with_params({
          ParamSpec::string_map("set", "field = \"muParser expression\", in file order; result: bool for a comparison, int if integral from ints, else double")
              .mandatory(),
      })
      .thread_safe();
}

}  // namespace graph_runner::plugins

GRAPH_RUNNER_STAGE_PLUGIN(map, graph_runner::plugins::describe_map)
