#pragma once
// The batch evaluator: every node of the tree yields a Vector for the records of a selection
// (record indexes into the batch). Typed loops for the common kinds, the value-by-value path of
// ops.hpp for the rest. Internal to plugins/common/expr.
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>
#include <string>
#include <string_view>

#include "ast.hpp"
#include "expr.hpp"
#include "vector_clones.hpp"

namespace graph_runner::expr {

using Sel = std::span<const std::uint32_t>;

/// Calls body(i) for each record i of `sel`, a selection of the `all` records of a batch.
/// A selection of all of them is 0, 1, ..., all - 1 (selections are ascending record
/// indexes): then a counted loop, which the compiler vectorizes, not one through the indexes.
template <class F>
void each(Sel sel, std::size_t all, F&& body) {
  // A 32-bit counter: record indexes are 32-bit, and one truncated from a 64-bit counter
  // (which might wrap) kept GCC from vectorizing the loop.
  const auto n = static_cast<std::uint32_t>(all);
  if (sel.size() == all) for (std::uint32_t i = 0; i < n; ++i) body(i);
  else for (std::uint32_t i : sel) body(i);
}

Kind kind_of(Type t) noexcept;
void set(Vector& v, std::size_t i, const Value& x);
void narrow(Vector& v, Sel sel);

struct Eval {
  const Batch& batch;
  Scratch& s;
  std::string_view text;
  std::size_t depth = 0;  // selections in use
  /// Records are the batch's physical rows, selected or not (Program::evaluate_rows).
  bool physical = false;

  /// How many records there are; whether a record goes through the batch's selection to its
  /// row; the row of record i.
  std::size_t records() const noexcept { return physical ? batch.physical_size() : batch.size(); }
  bool selected() const noexcept { return !physical && batch.has_selection(); }
  std::size_t row(std::size_t i) const noexcept { return physical ? i : batch.row(i); }

  Vector& vec(const Node& n) { return s.vectors_[n.id]; }
  std::vector<std::uint32_t>& selection() { auto& v = s.selections_[depth++]; v.clear(); return v; }
  void release(std::size_t k = 1) { depth -= k; }
  Arena& arena() {
    if (!s.arena_) s.arena_ = std::make_shared<Arena>();
    return *s.arena_;
  }
  /// Fails record `i` (the first failure of a record is the one reported).
  void fail(std::uint32_t i, const std::string& message);
  void operand_failure(const Node& n, std::uint32_t i, int which, std::string_view expected, const std::string& detail, const Value& found);

  /// each() over this batch's records.
  template <class F>
  void each(Sel sel, F&& body) const { expr::each(sel, records(), body); }

  /// Evaluates `n` for the records `sel` into vec(n).
  void run(const Node& n, Sel sel);
  /// The records of `sel` for which `n` is true, into `out` (eval_select.cpp).
  void select(const Node& n, Sel sel, std::vector<std::uint32_t>& out);

  // eval_ops.cpp: typed loops; false when the operands' kinds have none (the caller goes value by value).
  bool arithmetic_typed(const Node& n, Sel sel);
  bool compare_typed(const Node& n, Sel sel);
  bool call_typed(const Node& n, Sel sel);
  bool select_compare(const Node& n, Sel sel, std::vector<std::uint32_t>& out);
  bool select_call(const Node& n, Sel sel, std::vector<std::uint32_t>& out);

  /// Records of `sel` whose `v` is true into `yes` (and the others into `no`); a non-bool fails the record.
  void split_truth(const Node& n, const Vector& v, Sel sel, std::vector<std::uint32_t>& yes, std::vector<std::uint32_t>* no);

 private:
  // The loops over whole vectors are compiled for AVX-512 and AVX2 too (vector_clones.hpp).
  // Each such function is called only in the file that defines it: GCC makes the choice of
  // clone there (a call from another file links to clones it does not find).
  // Flattened: the typed loops are templates and lambdas, which GCC otherwise compiles once,
  // out of line, for any x86-64 (and there did not vectorize them either).
  GR_VECTOR_CLONES [[gnu::flatten]] bool arithmetic_loops(const Node& n, Sel sel);
  GR_VECTOR_CLONES [[gnu::flatten]] bool compare_loops(const Node& n, Sel sel);
  GR_VECTOR_CLONES [[gnu::flatten]] void field(const Node& n, Sel sel);
  void logic(const Node& n, Sel sel);
  void coalesce(const Node& n, Sel sel);
  void conditional(const Node& n, Sel sel);
  GR_VECTOR_CLONES bool blend_literals(const Node& n, Sel sel);
  void in(const Node& n, Sel sel);
  void call(const Node& n, Sel sel);
  void generic(const Node& n, Sel sel);
  void merge_parts(Vector& out, Sel sel, std::initializer_list<std::pair<const Vector*, Sel>> parts);
  /// Runs condition `c` on `sel` and splits it into the records where it is true and the
  /// others: two selections, released by the caller (release(2)).
  std::pair<std::vector<std::uint32_t>&, std::vector<std::uint32_t>&> branch(const Node& c, Sel sel);
  /// branch() of a condition `c` that has already run on `sel`.
  std::pair<std::vector<std::uint32_t>&, std::vector<std::uint32_t>&> split_ran(const Node& c, Sel sel);
};

}  // namespace graph_runner::expr
