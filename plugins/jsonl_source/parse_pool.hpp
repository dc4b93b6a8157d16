#pragma once
// Parsing the blocks of one input ahead, as tasks on the run's own threads, while the source
// hands out the records of earlier blocks: how the jsonl source uses every core on one big file.
// Results come back in file order; memory is bounded by a window of blocks in flight.
//
// Tasks, not threads of our own: the engine's oneTBB arena already keeps one thread per core
// busy, and parser threads beside it oversubscribed the cores (measured on 2 cores: two
// parser threads made 200 MB parse slower than one, as idle oneTBB workers spun against
// them). The tasks run in an arena of their own: a source waiting for its next block helps
// parse it there, and only that. Waiting in the graph's arena, the thread took other tasks,
// among them its own input node's next one, whose lock the waiting call held: a deadlock
// (seen when the run had one thread, e.g. under an address-space limit).
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include "block_reader.hpp"
#include "json_fields.hpp"
#include "jsonl_parser.hpp"
#include "pool.hpp"

namespace graph_runner::plugins {

class ParsePool {
 public:
  /// Parses up to `window` blocks ahead of the one handed out, fewer while blocks parse into
  /// more than `memory_budget` bytes of columns together (the window adapts to the last
  /// block handed out: sparse keys make a block of text many times its size in columns).
  /// `reader` is read from the calling thread of next(), and must outlive the pool.
  ParsePool(BlockReader& reader, std::size_t window, std::size_t batch_records);
  ~ParsePool();  // waits for the blocks being parsed; those not started are skipped
  ParsePool(const ParsePool&) = delete;
  ParsePool& operator=(const ParsePool&) = delete;

  /// The batches of the next block, in file order; false once every block is done (or the
  /// run was cancelled). Sets `error` when reading or parsing that block failed: `out` then
  /// holds the records before the failure. `after`: the position after the block (unset for
  /// a pipe or an oversized line).
  bool next(std::vector<ParsedBatch>& out, std::exception_ptr& error, std::optional<FilePosition>& after);

 private:
  struct Job {
    TextBlock block;
    std::vector<ParsedBatch> batches;
    std::exception_ptr error;
    tbb::task_group parsed;  // the job's one task
  };
  void fill();  // reads blocks until the window is full

  // Blocks parsed ahead, in memory together: about this many bytes of columns at most.
  static constexpr std::size_t memory_budget = std::size_t{16} << 20;

  BlockReader& reader_;
  tbb::task_arena arena_;  // where the parse tasks run and are waited for
  const std::size_t max_window_;
  std::size_t window_;  // one block until the first is handed out and its cost known
  Pool<JsonlParser> parsers_;  // one per task running, reused
  std::deque<std::unique_ptr<Job>> order_;  // every job not yet handed out, in file order
  bool input_ended_ = false;
};

}  // namespace graph_runner::plugins
