#include "parse_pool.hpp"

#include "jsonl_parser.hpp"

namespace graph_runner::plugins {

ParsePool::ParsePool(BlockReader& reader, std::size_t threads, std::size_t batch_records)
    : reader_(reader), window_(2 * threads) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this, batch_records] { work(batch_records); });
}

ParsePool::~ParsePool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void ParsePool::fill() {
  while (!input_ended_) {
    {
      std::lock_guard lock(mutex_);
      if (order_.size() >= window_) return;
    }
    auto job = std::make_shared<Job>();
    try {
      if (reader_.next(job->block) == BlockReader::Status::end) {
        input_ended_ = true;
        return;
      }
    } catch (...) {  // a read error: delivered in order, after the blocks before it
      job->error = std::current_exception();
      job->done = true;
      input_ended_ = true;
    }
    {
      std::lock_guard lock(mutex_);
      order_.push_back(job);
      if (!job->done) todo_.push_back(job);
    }
    work_ready_.notify_one();
  }
}

bool ParsePool::next(std::vector<ParsedBatch>& out, std::exception_ptr& error) {
  fill();
  std::shared_ptr<Job> job;
  {
    std::unique_lock lock(mutex_);
    if (order_.empty()) return false;
    job = order_.front();
    job_done_.wait(lock, [&] { return job->done; });
    order_.pop_front();
  }
  out = std::move(job->batches);
  error = job->error;
  reader_.recycle(std::move(job->block));
  fill();  // keep the workers busy while the caller hands out these records
  return true;
}

void ParsePool::work(std::size_t batch_records) {
  JsonlParser parser(batch_records);
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !todo_.empty(); });
      if (stopping_) return;
      job = todo_.front();
      todo_.pop_front();
    }
    try {
      parser.parse(job->block, job->batches);
    } catch (...) {
      job->error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      job->done = true;
    }
    job_done_.notify_all();
  }
}

}  // namespace graph_runner::plugins
