#pragma once
// One aggregate's state for every group of a window, updated column by column: a batch's
// rows arrive with their group numbers, and each accumulator runs one loop over its field's
// column (a typed column: a loop over an array).
//
// Every function but count() skips null and absent values; a value of the wrong type never
// reaches an accumulator: the aggregator rejects its record first (see type_error).
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "aggregate_spec.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::plugins::agg {

class Accumulator {
 public:
  explicit Accumulator(const AggregateSpec& spec);
  virtual ~Accumulator() = default;
  const AggregateSpec& spec() const noexcept { return spec_; }
  Field field() const noexcept { return field_; }
  // Makes room for groups 0 .. groups - 1 (new ones empty).
  virtual void resize(std::size_t groups) = 0;
  // Adds physical rows `rows` of `batch`, row k to group groups[k].
  virtual void absorb(const Batch& batch, std::span<const std::uint32_t> rows, std::span<const std::uint32_t> groups) = 0;
  // The result of group `g` (null when it saw no value); strings are copied into `out`.
  virtual Value result(std::size_t g, BatchBuilder& out) const = 0;

 protected:
  AggregateSpec spec_;
  Field field_;
};

std::unique_ptr<Accumulator> make_accumulator(const AggregateSpec& spec);

// Why physical row `row` of column `c` cannot go into an aggregate of `spec` (a string for
// sum), or empty when it can. `c` may be null (the field is absent: nothing to check).
std::string type_error(const AggregateSpec& spec, const Column* c, std::size_t row);
// Whether type_error can say anything about column `c` (a numeric column never fails).
bool may_fail(const AggregateSpec& spec, const Column* c) noexcept;

}  // namespace graph_runner::plugins::agg
