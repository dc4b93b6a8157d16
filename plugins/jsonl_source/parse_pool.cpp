#include "parse_pool.hpp"

#include <algorithm>

namespace graph_runner::plugins {

ParsePool::ParsePool(BlockReader& reader, std::size_t window, std::size_t batch_records)
    : reader_(reader), arena_(tbb::this_task_arena::max_concurrency()), max_window_(window < 1 ? 1 : window), window_(1),
      parsers_([batch_records] { return std::make_unique<JsonlParser>(batch_records); }) {}

ParsePool::~ParsePool() {
  arena_.execute([this] {
    for (auto& job : order_) job->parsed.cancel();
    for (auto& job : order_) job->parsed.wait();
  });
}

void ParsePool::fill() {
  while (!input_ended_ && order_.size() < window_) {
    auto job = std::make_unique<Job>();
    Job& j = *job;
    try {
      const auto status = reader_.next(j.block);
      if (status == BlockReader::Status::end) {
        input_ended_ = true;
        return;
      }
      if (status == BlockReader::Status::oversized) j.batches.push_back(oversized_batch(reader_.oversized()));
      else arena_.execute([this, &j] {
        j.parsed.run([this, &j] {
          try {
            auto parser = parsers_.acquire();
            parser->parse(j.block, j.batches);
          } catch (...) {
            j.error = std::current_exception();
          }
        });
      });
    } catch (...) {  // a read error: delivered in order, after the blocks before it
      j.error = std::current_exception();
      input_ended_ = true;
    }
    order_.push_back(std::move(job));
  }
}

bool ParsePool::next(std::vector<ParsedBatch>& out, std::exception_ptr& error, std::optional<FilePosition>& after) {
  // The jobs run in the pool's arena, where the run's cancellation does not reach by itself:
  // the caller's task group is asked, before and after waiting.
  auto cancelled = [this] {
    if (!tbb::is_current_task_group_canceling()) return false;
    arena_.execute([this] {
      for (auto& j : order_) j->parsed.cancel();  // waited for by the destructor
    });
    input_ended_ = true;
    return true;
  };
  if (cancelled()) return false;
  fill();
  if (order_.empty()) return false;
  std::unique_ptr<Job> job = std::move(order_.front());
  order_.pop_front();
  // Waited for in the pool's arena: this thread parses there or waits, and takes no task of
  // the graph meanwhile (see the header).
  arena_.execute([&] { job->parsed.wait(); });
  if (cancelled()) return false;
  std::size_t bytes = 0;
  for (const ParsedBatch& b : job->batches) bytes += b.bytes();
  window_ = std::clamp<std::size_t>(memory_budget / std::max<std::size_t>(bytes, 1), 1, max_window_);
  out = std::move(job->batches);
  error = job->error;
  after.reset();
  if (job->block.data && job->block.id.ino != 0) after = job->block.end_position();
  reader_.recycle(std::move(job->block));
  fill();  // keep the other threads busy while the caller hands out these records
  return true;
}

}  // namespace graph_runner::plugins
