#include <algorithm>

#include "eval.hpp"
#include "expr.hpp"
#include "functions.hpp"
#include "parser.hpp"

namespace graph_runner::expr {
namespace {

// Numbers each node (its vector in a Scratch) and lists the fields read, in order.
void number(Node& n, std::size_t& count, std::vector<std::string>& fields) {
  n.id = count++;
  if (n.op == Op::field && std::find(fields.begin(), fields.end(), n.text) == fields.end()) fields.push_back(n.text);
  for (auto& a : n.args) number(*a, count, fields);
}

bool foldable(const Node& n) {
  if (n.op == Op::literal || n.op == Op::field) return false;
  if (n.op == Op::call && (!n.fn->pure || n.fn->path_arg)) return false;
  for (const auto& a : n.args)
    if (!a->is_literal()) return false;
  return true;
}

}  // namespace

// Constant folding: a node whose operands are all literals is evaluated once, here. The list
// of `in` stays a list (its typed comparison wants the elements). A constant that fails
// (int("abc")) is a compile error.
struct Folder {
  static void fold(Node& n, std::string_view text, bool in_list = false);
};

void Folder::fold(Node& n, std::string_view text, bool in_list) {
  for (std::size_t k = 0; k < n.args.size(); ++k) fold(*n.args[k], text, n.op == Op::in && k == 1);
  if (in_list || !foldable(n)) return;
  std::size_t count = 0;
  std::vector<std::string> fields;
  number(n, count, fields);
  Scratch scratch(count);
  Batch empty;
  empty.set_physical_size(1);
  scratch.failed_.assign(1, 0);
  Eval e{empty, scratch, text};
  const std::uint32_t one = 0;
  e.run(n, Sel(&one, 1));
  if (!scratch.errors_.empty()) {
    std::string m = scratch.errors_[0].message;
    m.erase(m.rfind(" (record "));
    throw CompileError(n.column, m);
  }
  const Value v = scratch.vectors_[n.id].get(0);
  // Copied before the operands go: a string result may point into one of them (`"a" ?? "b"`).
  std::string text_value = v.is_text() ? std::string(v.as_string()) : std::string();
  n.args.clear();
  n.fn = nullptr;
  n.regex.reset();
  if (v.is_text()) n.set_string(std::move(text_value), v.type());
  else {
    n.op = Op::literal;
    n.value = v;
  }
}

CompileError::CompileError(std::size_t column, const std::string& message)
    : std::runtime_error("column " + std::to_string(column) + ": " + message), column_(column), message_(message) {}

Program::Program() = default;
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

Program compile(std::string_view text) {
  Program p;
  p.text_ = std::string(text);
  p.root_ = parse(p.text_);
  Folder::fold(*p.root_, p.text_);
  number(*p.root_, p.nodes_, p.fields_);
  return p;
}

std::unique_ptr<Scratch> Program::make_scratch() const { return std::make_unique<Scratch>(nodes_); }

std::unique_ptr<Scratch> Program::make_scratch(const std::vector<const Program*>& programs) {
  std::size_t nodes = 0;
  for (const Program* p : programs) nodes = std::max(nodes, p->nodes_);
  return std::make_unique<Scratch>(nodes);
}

Scratch::Scratch(std::size_t nodes) : vectors_(nodes), selections_(2 * nodes + 2) {}
Scratch::~Scratch() = default;

const Vector& Program::evaluate(const Batch& batch, Scratch& scratch) const {
  return evaluate(batch, scratch.first(batch.size()), scratch);
}

const Vector& Program::evaluate_rows(const Batch& batch, Scratch& scratch) const {
  return evaluate(batch, scratch.first(batch.physical_size()), scratch, /*physical=*/true);
}

const Vector& Program::evaluate(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch) const {
  return evaluate(batch, records, scratch, /*physical=*/false);
}

const Vector& Program::evaluate(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch,
                                bool physical) const {
  scratch.errors_.clear();
  scratch.failed_.assign(physical ? batch.physical_size() : batch.size(), 0);
  scratch.arena_.reset();
  Eval e{batch, scratch, text_};
  e.physical = physical;
  e.run(*root_, records);
  if (scratch.errors_.size() > 1)
    std::stable_sort(scratch.errors_.begin(), scratch.errors_.end(), [](const RowError& a, const RowError& b) { return a.record < b.record; });
  Vector& out = scratch.vectors_[root_->id];
  if (!scratch.errors_.empty() && !out.constant && out.kind != Kind::null) {
    out.fill_nulls();
    for (const RowError& err : scratch.errors_) out.nulls[err.record] = 1;
  }
  return out;
}

void Program::filter(const Batch& batch, Scratch& scratch, std::vector<std::uint32_t>& kept) const {
  filter(batch, scratch.first(batch.size()), scratch, kept);
}

void Program::filter(const Batch& batch, std::span<const std::uint32_t> records, Scratch& scratch,
                     std::vector<std::uint32_t>& kept) const {
  scratch.errors_.clear();
  scratch.failed_.assign(batch.size(), 0);
  scratch.arena_.reset();
  Eval e{batch, scratch, text_};
  std::vector<std::uint32_t>& out = scratch.selections_.back();  // the stack never reaches the last one
  e.select(*root_, records, out);
  kept.insert(kept.end(), out.begin(), out.end());
  if (scratch.errors_.size() > 1)
    std::stable_sort(scratch.errors_.begin(), scratch.errors_.end(), [](const RowError& a, const RowError& b) { return a.record < b.record; });
}

}  // namespace graph_runner::expr
