#include "accumulators.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "group_keys.hpp"
#include "sketches.hpp"

namespace graph_runner::plugins::agg {
namespace {

// Calls f(group, value) for every row of `rows` that has a value in `c`; typed columns get
// a loop of their own.
template <class F>
void each_value(const Column* c, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups, F&& f) {
  if (!c || c->valid_rows() == 0) return;
  const bool all = c->all_valid();
  auto loop = [&](auto get) {
    for (std::size_t k = 0; k < rows.size(); ++k)
      if (all || c->valid(rows[k])) f(groups[k], get(rows[k]));
  };
  switch (c->type()) {
    case ColumnType::int64: loop([ints = c->ints()](std::size_t r) { return Value::of(ints[r]); }); break;
    case ColumnType::float64: loop([ds = c->doubles()](std::size_t r) { return Value::of(ds[r]); }); break;
    default: loop([c](std::size_t r) { return c->get(r); });
  }
}

class Count final : public Accumulator {
 public:
  using Accumulator::Accumulator;
  void resize(std::size_t n) override { counts_.resize(n, 0); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    if (spec_.field.empty()) {
      for (std::uint32_t g : groups) ++counts_[g];
      return;
    }
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value&) { ++counts_[g]; });
  }
  Value result(std::size_t g, BatchBuilder&) const override { return Value::of(static_cast<std::int64_t>(counts_[g])); }

 private:
  std::vector<std::uint64_t> counts_;
};

// sum stays an int while every value is an int and it does not overflow.
class Sum final : public Accumulator {
 public:
  using Accumulator::Accumulator;
  void resize(std::size_t n) override { s_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) {
      State& s = s_[g];
      s.any = true;
      if (v.type() == Type::int64 && !s.as_double) {
        if (!__builtin_add_overflow(s.i, v.as_int(), &s.i)) return;
        s.as_double = true;  // the int sum overflowed: go on in double
        s.d = static_cast<double>(s.i - v.as_int()) + static_cast<double>(v.as_int());
        return;
      }
      if (!s.as_double) {
        s.as_double = true;
        s.d = static_cast<double>(s.i);
      }
      s.d += v.to_double();
    });
  }
  Value result(std::size_t g, BatchBuilder&) const override {
    const State& s = s_[g];
    if (!s.any) return Value{};
    return s.as_double ? Value::of(s.d) : Value::of(s.i);
  }

 private:
  struct State {
    std::int64_t i = 0;
    double d = 0;
    bool any = false, as_double = false;
  };
  std::vector<State> s_;
};

// min and max keep the winning value with its type (an int stays an int).
class Extreme final : public Accumulator {
 public:
  Extreme(const AggregateSpec& spec, bool max) : Accumulator(spec), max_(max) {}
  void resize(std::size_t n) override { best_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) {
      Value& best = best_[g];
      if (best.is_null() || (max_ ? less(best, v) : less(v, best))) best = v;
    });
  }
  Value result(std::size_t g, BatchBuilder&) const override { return best_[g]; }

 private:
  static bool less(const Value& a, const Value& b) {
    if (a.type() == Type::int64 && b.type() == Type::int64) return a.as_int() < b.as_int();
    return a.to_double() < b.to_double();
  }
  const bool max_;
  std::vector<Value> best_;  // numbers only: no string to keep alive
};

class Mean final : public Accumulator {
 public:
  using Accumulator::Accumulator;
  void resize(std::size_t n) override { s_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) {
      s_[g].first += v.to_double();
      s_[g].second++;
    });
  }
  Value result(std::size_t g, BatchBuilder&) const override {
    if (s_[g].second == 0) return Value{};
    return Value::of(s_[g].first / static_cast<double>(s_[g].second));
  }

 private:
  std::vector<std::pair<double, std::uint64_t>> s_;  // sum, count
};

// first and last own their value (a string is copied: the input batch is not kept).
class Pick final : public Accumulator {
 public:
  Pick(const AggregateSpec& spec, bool last) : Accumulator(spec), last_(last) {}
  void resize(std::size_t n) override { v_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) {
      Owned& o = v_[g];
      if (o.set && !last_) return;
      o.set = true;
      o.value = v;
      if (v.is_text()) o.text.assign(v.as_string());
    });
  }
  Value result(std::size_t g, BatchBuilder& out) const override {
    const Owned& o = v_[g];
    if (!o.set) return Value{};
    if (!o.value.is_text()) return o.value;
    switch (o.value.type()) {
      case Type::bytes: return out.bytes(o.text);
      case Type::json: return out.json(o.text);
      default: return out.string(o.text);
    }
  }

 private:
  struct Owned {
    bool set = false;
    Value value;       // its text, for strings, is `text`
    std::string text;
  };
  const bool last_;
  std::vector<Owned> v_;
};

class CountDistinct final : public Accumulator {
 public:
  using Accumulator::Accumulator;
  void resize(std::size_t n) override { s_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) {
      scratch_.clear();
      encode_value(v, scratch_);
      s_[g].add(hash_bytes(scratch_));
    });
  }
  Value result(std::size_t g, BatchBuilder&) const override {
    return Value::of(static_cast<std::int64_t>(s_[g].estimate()));
  }

 private:
  std::vector<DistinctCounter> s_;
  std::string scratch_;
};

class Quantile final : public Accumulator {
 public:
  using Accumulator::Accumulator;
  void resize(std::size_t n) override { s_.resize(n); }
  void absorb(const Batch& b, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) override {
    each_value(b.find(field_), rows, groups, [&](std::uint32_t g, const Value& v) { s_[g].add(v.to_double()); });
  }
  Value result(std::size_t g, BatchBuilder&) const override {
    if (s_[g].count() == 0) return Value{};
    return Value::of(s_[g].quantile(spec_.argument));
  }

 private:
  std::vector<QuantileSketch> s_;
};

}  // namespace

Accumulator::Accumulator(const AggregateSpec& spec)
    : spec_(spec), field_(spec.field.empty() ? Field{} : graph_runner::field(spec.field)) {}

std::unique_ptr<Accumulator> make_accumulator(const AggregateSpec& spec) {
  switch (spec.function) {
    case Function::count: return std::make_unique<Count>(spec);
    case Function::sum: return std::make_unique<Sum>(spec);
    case Function::min: return std::make_unique<Extreme>(spec, false);
    case Function::max: return std::make_unique<Extreme>(spec, true);
    case Function::mean: return std::make_unique<Mean>(spec);
    case Function::first: return std::make_unique<Pick>(spec, false);
    case Function::last: return std::make_unique<Pick>(spec, true);
    case Function::count_distinct: return std::make_unique<CountDistinct>(spec);
    case Function::quantile: return std::make_unique<Quantile>(spec);
  }
  return nullptr;
}

bool may_fail(const AggregateSpec& spec, const Column* c) noexcept {
  return needs_number(spec.function) && c && c->valid_rows() > 0 && c->type() != ColumnType::int64 &&
         c->type() != ColumnType::float64;
}

std::string type_error(const AggregateSpec& spec, const Column* c, std::size_t row) {
  if (!may_fail(spec, c) || !c->valid(row)) return {};
  const Value v = c->get(row);
  if (v.is_number() && std::isfinite(v.to_double())) return {};
  std::string shown;
  if (v.is_text()) {
    const std::string_view s = v.as_string();
    shown = " \"" + std::string(s.substr(0, 40)) + (s.size() > 40 ? "...\"" : "\"");
  } else if (v.type() == Type::boolean) {
    shown = v.as_bool() ? " true" : " false";
  }
  return "aggregate '" + spec.output + "' = " + spec.text + ": field '" + spec.field + "' is " +
         std::string(type_name(v.type())) + shown + ", expected a number";
}

}  // namespace graph_runner::plugins::agg
