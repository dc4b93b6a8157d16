// Fuzz target: the record language (plugins/common/expr). Any text must either compile or
// throw CompileError (with a column inside the text); a compiled program is then evaluated and
// used as a filter over a small fixed batch of every column type, with a selection. Run-time
// errors are per record (RowError); nothing may crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "expr/expr.hpp"
#include "graph_runner/batch.hpp"

namespace expr = graph_runner::expr;
using graph_runner::BatchPtr;
using graph_runner::Value;

namespace {

// Fields the dictionary names: ints, doubles, strings (short and long), bools, an array, a
// mixed column, a nested path, and a column with nulls and absent rows.
BatchPtr fixed_batch() {
  graph_runner::BatchBuilder b;
  const char* paths[] = {"/api/v1/users", "/", "/static/a-rather-long-path.css", "x"};
  for (int i = 0; i < 4; ++i) {
    const std::size_t r = b.add_record();
    b.set(r, graph_runner::field("value"), Value::of(static_cast<double>(i) - 1.5));
    b.set(r, graph_runner::field("id"), Value::of(std::int64_t{i}));
    b.set(r, graph_runner::field("status"), Value::of(std::int64_t{200 + 100 * i}));
    b.set(r, graph_runner::field("path"), b.string(paths[i]));
    b.set(r, graph_runner::field("method"), b.string(i % 2 ? "POST" : "GET"));
    b.set(r, graph_runner::field("ok"), Value::of(i % 2 == 0));
    b.set(r, graph_runner::field("tags"), b.json(i == 3 ? "[]" : "[\"a\",2,[3]]"));
    b.set(r, graph_runner::field("user.country"), b.string(i ? "DE" : "FR"));
    if (i == 1) b.set(r, graph_runner::field("mixed"), b.string("500"));
    else if (i == 2) b.set(r, graph_runner::field("mixed"), Value{});
    else b.set(r, graph_runner::field("mixed"), Value::of(std::int64_t{7}));
  }
  BatchPtr all = b.finish();
  const std::uint32_t keep[] = {0, 2, 3};
  return all->select(keep);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // expressions are one line; longer adds nothing
  const std::string text(reinterpret_cast<const char*>(data), size);
  // Never destroyed: at exit its column buffers would go back to a per-thread pool already gone.
  static const BatchPtr& batch = *new BatchPtr(fixed_batch());
  try {
    const expr::Program p = expr::compile(text);
    auto scratch = p.make_scratch();
    const expr::Vector& v = p.evaluate(*batch, *scratch);
    for (std::size_t i = 0; i < batch->size(); ++i) {
      const Value x = v.get(i);
      if (x.is_text() && x.as_string().size() > (1u << 30)) __builtin_trap();
    }
    for (const expr::RowError& e : scratch->errors())
      if (e.record >= batch->size() || e.message.empty()) __builtin_trap();
    std::vector<std::uint32_t> kept;
    p.filter(*batch, *scratch, kept);
    for (std::size_t k = 1; k < kept.size(); ++k)
      if (kept[k] <= kept[k - 1]) __builtin_trap();  // ascending, each record once
  } catch (const expr::CompileError& e) {
    if (e.column() > text.size()) __builtin_trap();  // the column is inside the text
  }
  return 0;
}
