#pragma once
// Parsing the blocks of one input ahead, as tasks on the run's own threads, while the source
// hands out the records of earlier blocks: how the jsonl source uses every core on one big file.
// Results come back in file order; memory is bounded by a window of blocks in flight.
//
// Tasks, not threads of our own: the engine's oneTBB arena already keeps one thread per core
// busy, and parser threads beside it oversubscribed the cores (measured on 2 cores: two
// parser threads made 200 MB parse slower than one, as idle oneTBB workers spun against
// them). The tasks go to the run's arena, where its idle threads take them; a thread that
// takes one claims its block, and a task whose block is claimed already does nothing.
// next() never waits for tasks the way oneTBB does (running other tasks meanwhile): it
// claims and parses the block it needs itself, or, when another thread is parsing it,
// parses a later block or blocks until that thread is done. Waiting in the graph's arena,
// the thread took other tasks, among them its own input node's next one, whose lock the
// waiting call held: a deadlock (seen when the run had one thread, e.g. under an
// address-space limit). A separate arena for the tasks avoided that, but the run's threads
// seldom joined it: two cores parsed at 1.04x one.
#include <atomic>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

// tbb::isolated_task_group: a preview in oneTBB 2021, but exported by libtbb since 2021.1.
#ifndef TBB_PREVIEW_ISOLATED_TASK_GROUP
#define TBB_PREVIEW_ISOLATED_TASK_GROUP 1
#endif
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
    enum State : int { queued, claimed, done };
    TextBlock block;
    std::vector<ParsedBatch> batches;
    std::exception_ptr error;
    std::atomic<int> state{queued};  // int: waited on with a futex
    bool claim() noexcept {  // true for the one thread that takes it
      int expected = queued;
      return state.load(std::memory_order_relaxed) == queued &&
             state.compare_exchange_strong(expected, claimed, std::memory_order_acquire);
    }
  };
  void fill();                // reads blocks until the window is full
  void parse(Job& job);       // after claiming it
  void finish(Job& front);    // returns once `front` is parsed
  Job* claim_queued();        // a later block no thread has taken, claimed; or null
  bool cancelled();
  void skip_queued();         // marks the blocks no thread has taken done, unparsed

  // Blocks parsed ahead, in memory together: about this many bytes of columns at most.
  // Dense records fill the window at 4 MiB (a 256 KiB block of event lines is ~220 KB of
  // columns); sparse keys (10 of 100,000 names per line: ~1.9 MB per block) get 2 blocks
  // ahead, not 4: at 16 MiB their peak RSS was 2.7x that of the same lines with fixed keys,
  // now 1.9x, with no loss of speed.
  static constexpr std::size_t memory_budget = std::size_t{4} << 20;

  BlockReader& reader_;
  const std::size_t max_window_;
  std::size_t window_;  // one block until the first is handed out and its cost known
  Pool<JsonlParser> parsers_;  // one per thread parsing, reused
  std::deque<std::shared_ptr<Job>> order_;  // every job not yet handed out, in file order
  bool input_ended_ = false;
  // The parse tasks, in the arena of the caller of next(). Isolated: the destructor, waiting
  // for them, runs no other task. A context of its own: the run's cancellation is asked for
  // in next(), and the run's context may be gone before the pool.
  tbb::task_group_context context_{tbb::task_group_context::isolated};
  tbb::isolated_task_group tasks_{context_};
};

}  // namespace graph_runner::plugins
