#pragma once
// The record language (docs/expressions.md): one expression language for filter, map, route
// and every stage that takes an expression. Compiled once per node into an immutable Program,
// evaluated a batch at a time over the batch's typed columns (the DuckDB way: every node of the
// expression yields a typed vector for the whole batch), so one Program is shared by every
// thread; each thread brings its own Scratch.
//
//   expr::Program p = expr::compile("method == \"POST\" && starts_with(path, \"/api\")");
//   auto scratch = p.make_scratch();                      // one per thread (see pool.hpp)
//   std::vector<std::uint32_t> kept;
//   p.filter(*batch, *scratch, kept);                     // records where it is true
//   for (const expr::RowError& e : scratch->errors()) out.reject(*batch, e.record, e.message);
//   out.emit(batch->select(kept));
//
//   const expr::Vector& v = p.evaluate(*batch, *scratch);  // one value per record
//   Value first = v.get(0);
//
// Errors at compile time (syntax, unknown function, arity, a bad regex) throw CompileError
// with the 0-based column inside the text. Errors at run time (a string where a number is
// needed, int("abc")) are per record: the record's value is null and scratch.errors() says
// why, naming the field, the type found and the record's position; the caller rejects it.
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "graph_runner/batch.hpp"
#include "graph_runner/value.hpp"

namespace graph_runner::expr {

/// A compile error: `what()` is "column N: message" (N 0-based inside the expression).
class CompileError : public std::runtime_error {
 public:
  CompileError(std::size_t column, const std::string& message);
  std::size_t column() const noexcept { return column_; }
  const std::string& message() const noexcept { return message_; }

 private:
  std::size_t column_;
  std::string message_;
};

/// A record that failed at run time: its index in the batch (through the selection) and why.
struct RowError {
  std::uint32_t record;
  std::string message;
};

/// How a Vector stores its values: one typed array, or a Value per row (`value`: types mix,
/// or bytes/json). `null`: every row is null.
enum class Kind : std::uint8_t { null, boolean, int64, float64, string, value };

/// The result of an expression: a value per record of the batch (index = record index, not
/// physical row). Only the records evaluated are meaningful. A `constant` vector holds one value
/// (index 0) for every record. Strings point into the batch, the Program or the Scratch's arena:
/// valid until the Scratch is used again. `no_nulls`: no record evaluated is null, and `nulls`
/// is neither filled nor read (a field of a column without gaps, a comparison, arithmetic on
/// such: the common case pays no null bytes per record).
struct Vector {
  Kind kind = Kind::null;
  bool constant = false;
  bool no_nulls = false;
  std::vector<std::uint8_t> nulls;  // 1: null; sized like the values (unless no_nulls)
  std::vector<std::uint8_t> bools;
  std::vector<std::int64_t> ints;
  std::vector<double> doubles;
  std::vector<StringView> strings;
  std::vector<Value> values;

  std::size_t at(std::size_t i) const noexcept { return constant ? 0 : i; }
  bool is_null(std::size_t i) const noexcept { return kind == Kind::null || (!no_nulls && nulls[at(i)] != 0); }
  /// The value of record `i` (Type::null when null).
  Value get(std::size_t i) const noexcept;
  /// Makes this vector hold `n` values of `k` (all null until set); keeps the buffers.
  void reset(Kind k, std::size_t n, bool is_constant = false);
  /// Makes this vector hold `n` values of `k`, none null (no_nulls): the caller sets every one.
  void reset_no_nulls(Kind k, std::size_t n);
  /// Fills `nulls` (none null) and clears no_nulls, so that single records can be made null.
  void fill_nulls();

 private:
  void size_values(std::size_t n);  // the storage of `kind` for n values
  std::size_t size_ = 0;
};

class Scratch;
struct Node;

/// A compiled expression: immutable, shared by threads.
class Program {
 public:
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  ~Program();

  const std::string& text() const noexcept { return text_; }
  /// The field paths it reads, in order of first use (e.g. {"user.country", "status"}).
  const std::vector<std::string>& fields() const noexcept { return fields_; }

  /// A Scratch for this program (per thread; reuse it across batches).
  std::unique_ptr<Scratch> make_scratch() const;
  /// One Scratch for several programs that run one after another, each result used before
  /// the next runs (map's assignments): one set of vectors in cache, not one per program.
  static std::unique_ptr<Scratch> make_scratch(const std::vector<const Program*>& programs);
  /// Evaluates for every record of `batch` (or only `records`, indexes into the batch, ascending).
  /// Records that failed are null in the result and listed in scratch.errors().
  const Vector& evaluate(const Batch& batch, Scratch& scratch) const;
  const Vector& evaluate(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch) const;
  /// Evaluates for every physical row of `batch`, selected or not: result i is row i's. For
  /// a stage that writes every row of a column (map, when most rows are selected): loops over
  /// whole columns, no gather through the selection. Rows outside the selection hold no
  /// record, and may fail where no record would: a caller that sees errors evaluates the
  /// records again with evaluate().
  const Vector& evaluate_rows(const Batch& batch, Scratch& scratch) const;
  /// Appends to `kept` the records (indexes into `batch`) for which the expression is true
  /// (a bool true, or a number other than 0: muParser's rule); null and false drop them. `&&`
  /// narrows: its right side runs only on records its left side kept. Failed records are in
  /// scratch.errors(), not in `kept`.
  void filter(const Batch& batch, Scratch& scratch, std::vector<std::uint32_t>& kept) const;
  /// The same for `records` only (indexes into `batch`, ascending): route tries its conditions
  /// in turn on the records no earlier one took.
  void filter(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch,
              std::vector<std::uint32_t>& kept) const;

 private:
  friend Program compile(std::string_view text);
  Program();

  const Vector& evaluate(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch, bool physical) const;

  std::string text_;
  std::vector<std::string> fields_;
  std::unique_ptr<Node> root_;
  std::size_t nodes_ = 0;
};

/// Compiles `text`; throws CompileError.
Program compile(std::string_view text);

/// Per-thread working memory of evaluation: a vector per expression node, selections, an arena
/// for computed strings, the run-time errors of the last call.
class Scratch {
 public:
  explicit Scratch(std::size_t nodes);
  ~Scratch();
  /// Run-time errors of the last evaluate()/filter(), one per failed record, in record order.
  const std::vector<RowError>& errors() const noexcept { return errors_; }
  /// Whether record `i` failed in the last call.
  bool failed(std::size_t i) const noexcept { return failed_[i] != 0; }
  /// The indexes 0 .. n-1 (every record, or every row, of a batch of n), kept from call to
  /// call; valid until a call asks for more.
  std::span<const std::uint32_t> first(std::size_t n) {
    for (std::size_t i = all_.size(); i < n; ++i) all_.push_back(static_cast<std::uint32_t>(i));
    return {all_.data(), n};
  }
  /// The arena holding strings computed by the last call (nullptr: none were). A caller that
  /// keeps the result's strings past the next call attaches it to its batch (Batch::attach).
  std::shared_ptr<const Arena> arena() const noexcept { return arena_; }

 private:
  friend class Program;
  friend struct Eval;
  friend struct Folder;
  std::vector<Vector> vectors_;
  std::vector<std::vector<std::uint32_t>> selections_;  // a stack, for && || ?: ??
  std::vector<std::uint32_t> all_;  // 0, 1, 2, ... (first())
  std::vector<std::uint8_t> failed_;
  std::vector<RowError> errors_;
  std::shared_ptr<Arena> arena_;
};

/// One row of the function reference (docs/expressions.md is generated from these).
struct FunctionDoc {
  std::string_view name, signature, summary, example;
};
std::vector<FunctionDoc> function_docs();
/// The generated Markdown function table.
std::string function_table_markdown();

}  // namespace graph_runner::expr
