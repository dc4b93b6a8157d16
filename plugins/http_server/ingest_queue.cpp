#include "ingest_queue.hpp"

namespace graph_runner::plugins {
namespace {

std::string refusal(const char* why) { return std::string("{\"error\":\"") + why + "\"}\n"; }

}  // namespace

void IngestQueue::offer(std::uint64_t connection, ParsedBody body, std::size_t bytes, Answers& answers, bool close) {
  std::lock_guard lock(mutex_);
  if (stopped_ || (options_.max_requests > 0 && admitted_ + waiting_.size() >= options_.max_requests)) {
    answers.push_back({connection, 503, refusal("the server is stopping; nothing of this request was taken"), close});
    return;
  }
  const std::uint64_t id = next_request_++;
  Request& r = requests_[id];
  r.connection = connection;
  r.close = close;
  r.records = body.records;
  r.bytes = bytes;
  for (auto& part : body.parts) r.parts.push_back(std::move(part));
  if (waiting_.empty() && room_for(bytes)) return admit(id, answers);
  r.deadline = Clock::now() + options_.queue_timeout;
  waiting_.push_back(id);
}

void IngestQueue::admit(std::uint64_t id, Answers& answers) {
  Request& r = requests_.at(id);
  ++admitted_;
  if (r.parts.empty()) {  // no records: nothing to wait for
    answer_done(r, answers);
    requests_.erase(id);
    queued_.notify_one();  // the last of max_requests may end the stream
    return;
  }
  queued_bytes_ += r.bytes;
  queue_.push_back(id);
  queued_.notify_one();
}

void IngestQueue::admit_waiting(Answers& answers) {
  while (!waiting_.empty() && room_for(requests_.at(waiting_.front()).bytes)) {
    const std::uint64_t id = waiting_.front();
    waiting_.pop_front();
    admit(id, answers);
  }
}

void IngestQueue::answer_done(const Request& r, Answers& answers) const {
  const std::string body = "{\"records\":" + std::to_string(r.records) + "}\n";
  answers.push_back({r.connection, options_.end_to_end ? 200 : 202, body, r.close});
}

bool IngestQueue::taking_ended() const {
  return stopped_ || (options_.max_requests > 0 && admitted_ >= options_.max_requests && queue_.empty() &&
                      waiting_.empty());
}

bool IngestQueue::take(BatchBuilder& out, std::chrono::milliseconds wait, Answers& answers) {
  std::unique_lock lock(mutex_);
  queued_.wait_for(lock, wait, [&] { return !queue_.empty() || taking_ended(); });
  if (stopped_) return false;
  std::vector<std::pair<std::uint64_t, std::size_t>> segments;
  std::size_t appended = 0;
  while (!queue_.empty()) {
    const std::uint64_t id = queue_.front();
    Request& r = requests_.at(id);
    ParsedBatch& part = r.parts.front();
    if (appended > 0 && appended + part.rows > out.capacity()) break;
    appended += part.rows;
    segments.emplace_back(id, part.rows);
    part.move_into(out);
    r.parts.pop_front();
    if (!r.parts.empty()) continue;
    queue_.pop_front();  // read whole: its room is free
    queued_bytes_ -= r.bytes;
    if (!options_.end_to_end) {  // on_receive: answered once all of it is in the graph
      answer_done(r, answers);
      requests_.erase(id);
    }
  }
  if (appended > 0) batches_[next_batch_++] = std::move(segments);
  admit_waiting(answers);
  return !taking_ended();
}

void IngestQueue::acknowledge(std::uint64_t batch, Answers& answers) {
  std::lock_guard lock(mutex_);
  const auto found = batches_.find(batch);
  if (found == batches_.end()) return;
  for (const auto& [id, records] : found->second) {
    const auto r = requests_.find(id);
    if (r == requests_.end()) continue;  // on_receive: answered already
    r->second.acknowledged += records;
    if (r->second.acknowledged == r->second.records && r->second.parts.empty()) {
      answer_done(r->second, answers);
      requests_.erase(r);
    }
  }
  batches_.erase(found);
}

IngestQueue::Clock::time_point IngestQueue::expire(Clock::time_point now, Answers& answers) {
  std::lock_guard lock(mutex_);
  while (!waiting_.empty() && requests_.at(waiting_.front()).deadline <= now) {
    const Request& r = requests_.at(waiting_.front());
    answers.push_back({r.connection, 503, refusal("the source is busy (its in-flight limit is full); retry later"), r.close});
    requests_.erase(waiting_.front());
    waiting_.pop_front();
  }
  return waiting_.empty() ? Clock::time_point::max() : requests_.at(waiting_.front()).deadline;
}

void IngestQueue::stop(Answers& answers) {
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  stopped_ = true;
  for (const auto* ids : {&waiting_, &queue_})
    for (const std::uint64_t id : *ids) {
      const Request& r = requests_.at(id);
      std::size_t unread = 0;
      for (const auto& part : r.parts) unread += part.rows;
      answers.push_back({r.connection, 503,
                         refusal(unread == r.records
                                     ? "the server is stopping; nothing of this request was taken"
                                     : "the server is stopping; part of this request was taken and may be "
                                       "delivered: a retry may deliver those records twice"),
                         true});
      requests_.erase(id);
    }
  waiting_.clear();
  queue_.clear();
  queued_bytes_ = 0;
  queued_.notify_all();
}

void IngestQueue::close(Answers& answers) {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  for (const auto& [id, r] : requests_)
    answers.push_back({r.connection, 503,
                       refusal("the run ended before every record of this request was acknowledged; some may "
                               "have been delivered"),
                       true});
  requests_.clear();
  waiting_.clear();
  queue_.clear();
  batches_.clear();
  queued_.notify_all();
}

std::size_t IngestQueue::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

std::size_t IngestQueue::waiting_requests() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace graph_runner::plugins
