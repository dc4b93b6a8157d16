#include "parse_pool.hpp"

#include <algorithm>

namespace graph_runner::plugins {

ParsePool::ParsePool(BlockReader& reader, std::size_t window, std::size_t batch_records)
    : reader_(reader), max_window_(window < 1 ? 1 : window), window_(1),
      parsers_([batch_records] { return std::make_unique<JsonlParser>(batch_records); }) {}

ParsePool::~ParsePool() {
  // No task claims a block from here on: those not started yet end at once, those parsing
  // finish their block. Waited for in isolation: this thread runs none but them meanwhile.
  skip_queued();
  tasks_.cancel();
  tasks_.wait();
}

void ParsePool::fill() {
  while (!input_ended_ && order_.size() < window_) {
    auto job = std::make_shared<Job>();
    try {
      const auto status = reader_.next(job->block);
      if (status == BlockReader::Status::end) {
        input_ended_ = true;
        return;
      }
      if (status == BlockReader::Status::oversized) {
        job->batches.push_back(oversized_batch(reader_.oversized()));
        job->state.store(Job::done, std::memory_order_relaxed);
      } else {
        // The task holds the job: it may run after the job was handed out, and then only
        // finds it claimed.
        tasks_.run([this, job] {
          if (job->claim()) parse(*job);
        });
      }
    } catch (...) {  // a read error: delivered in order, after the blocks before it
      job->error = std::current_exception();
      job->state.store(Job::done, std::memory_order_relaxed);
      input_ended_ = true;
    }
    order_.push_back(std::move(job));
  }
}

void ParsePool::parse(Job& job) {
  try {
    auto parser = parsers_.acquire();
    parser->parse(job.block, job.batches);
  } catch (...) {
    job.error = std::current_exception();
  }
  job.state.store(Job::done, std::memory_order_release);
  job.state.notify_all();
}

void ParsePool::finish(Job& front) {
  if (front.claim()) return parse(front);
  // Another thread is parsing it: parse a later block meanwhile, else block until that
  // thread is done (short: it is running), taking no task (see the header).
  for (;;) {
    const int state = front.state.load(std::memory_order_acquire);
    if (state == Job::done) return;
    if (Job* later = claim_queued()) parse(*later);
    else front.state.wait(state, std::memory_order_acquire);
  }
}

ParsePool::Job* ParsePool::claim_queued() {
  for (auto& job : order_)
    if (job->claim()) return job.get();
  return nullptr;
}

void ParsePool::skip_queued() {
  for (auto& job : order_)
    if (job->claim()) job->state.store(Job::done, std::memory_order_release);
}

bool ParsePool::cancelled() {
  // The tasks have a context of their own: the run's cancellation is asked of the caller's.
  if (!tbb::is_current_task_group_canceling()) return false;
  skip_queued();  // the blocks being parsed are waited for by the destructor
  input_ended_ = true;
  return true;
}

bool ParsePool::next(std::vector<ParsedBatch>& out, std::exception_ptr& error, std::optional<FilePosition>& after) {
  if (cancelled()) return false;
  fill();
  if (order_.empty()) return false;
  std::shared_ptr<Job> job = std::move(order_.front());
  order_.pop_front();
  finish(*job);
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
