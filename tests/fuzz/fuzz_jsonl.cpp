// Fuzz target: read_jsonl's block parser (plugins/jsonl_source/jsonl_parser.*). A block of
// lines parses into records and bad lines (ParsedBatch::bad_lines, each message naming
// FILE:LINE); every batch must still convert into a batch.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph_runner/batch.hpp"
#include "jsonl_parser.hpp"

namespace gp = graph_runner::plugins;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gp::TextBlock block;
  block.capacity = size;
  block.size = size;
  // Exactly the padding the reader guarantees (zeroed), so ASan sees any read beyond it.
  block.data = std::make_unique<char[]>(size + gp::TextBlock::padding);
  if (size) std::memcpy(block.data.get(), data, size);
  block.file = "fuzz.jsonl";
  block.first_line = 1;
  // Small batches, so that batch boundaries fall inside the input. One parser for every
  // input, as read_jsonl keeps one per thread: state left over from a block must not leak.
  static gp::JsonlParser parser(3);
  std::vector<gp::ParsedBatch> batches;
  parser.parse(block, batches);
  for (auto& b : batches) {
    for (const auto& bad : b.bad_lines) {
      if (bad.error.rfind("fuzz.jsonl:", 0) != 0) __builtin_trap();  // every message names the file
      if (bad.row > b.rows) __builtin_trap();                         // among the batch's records
    }
    graph_runner::BatchBuilder out(b.capacity);
    b.move_into(out);
    (void)out.finish();
  }
  return 0;
}
