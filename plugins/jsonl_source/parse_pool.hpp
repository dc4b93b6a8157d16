#pragma once
// Worker threads that parse the blocks of one input while the source hands out the
// records of earlier blocks: how read_jsonl uses every core on one big file. Results come
// back in file order; memory is bounded by a window of blocks in flight.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "block_reader.hpp"
#include "json_fields.hpp"

namespace graph_runner::plugins {

class ParsePool {
 public:
  /// `reader` is read from the calling thread of next(), and must outlive the pool.
  ParsePool(BlockReader& reader, std::size_t threads, std::size_t batch_records);
  ~ParsePool();  // stops the workers (a block being parsed is finished first)
  ParsePool(const ParsePool&) = delete;
  ParsePool& operator=(const ParsePool&) = delete;

  /// The batches of the next block, in file order; false once every block is done. Sets
  /// `error` when reading or parsing that block failed: `out` then holds the records before
  /// the failure.
  bool next(std::vector<ParsedBatch>& out, std::exception_ptr& error);

 private:
  struct Job {
    TextBlock block;
    std::vector<ParsedBatch> batches;
    std::exception_ptr error;
    bool done = false;
  };
  void fill();  // reads blocks until the window is full
  void work(std::size_t batch_records);

  BlockReader& reader_;
  const std::size_t window_;
  std::mutex mutex_;
  std::condition_variable work_ready_, job_done_;
  std::deque<std::shared_ptr<Job>> order_;  // every job not yet handed out, in file order
  std::deque<std::shared_ptr<Job>> todo_;   // jobs no worker has started
  bool input_ended_ = false, stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace graph_runner::plugins
