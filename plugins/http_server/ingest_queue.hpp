#pragma once
// The books of the http_server source: requests waiting for room, records queued for
// read(), and which source batch holds which request's records, so that a request is
// answered once every one of its records is acknowledged (end_to_end) or read (on_receive).
//
// Batch numbers: the engine numbers a source's batches 0, 1, 2, ... in the order read()
// produced them, one per call that appended a record (calls that append nothing are
// folded into the next batch; this source never rejects input, which would also make one).
// So the n-th take() that appends records fills batch n.
//
// Memory: queued bodies are bounded by max_queued_bytes (one request larger than that is
// taken when the queue is empty); a request that does not fit waits up to queue_timeout,
// then is refused (503). The engine's max_in_flight bounds what read() has taken.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "body_parser.hpp"
#include "graph_runner/batch.hpp"

namespace graph_runner::plugins {

class IngestQueue {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    std::size_t max_queued_bytes = 16 << 20;
    std::chrono::milliseconds queue_timeout{1000};
    bool end_to_end = true;
    std::uint64_t max_requests = 0;  // 0: no limit; else read() ends after that many
  };
  // What to send to which connection; given out by the calls below, sent by the caller
  // after the queue's lock is released.
  struct Answer {
    std::uint64_t connection;
    int status;
    std::string body;    // JSON
    bool close = false;  // announce that the connection closes (the loop closes it after this answer)
  };
  using Answers = std::vector<Answer>;

  explicit IngestQueue(Options options) : options_(options) {}

  // A parsed request from `connection`, `bytes` long: answered now (pushed to `answers`)
  // or later. Nothing of it is taken unless all of it is. `close`: its answer is the last
  // on that connection.
  void offer(std::uint64_t connection, ParsedBody body, std::size_t bytes, Answers& answers, bool close = false);
  // Source::read: appends queued records (whole parts, from one or several requests, the
  // first part whatever its size) to `out`, waiting up to `wait` for some. False once the
  // queue is stopped, or max_requests have all been read.
  bool take(BatchBuilder& out, std::chrono::milliseconds wait, Answers& answers);
  void acknowledge(std::uint64_t batch, Answers& answers);
  // Refuses the requests waiting past their deadline; returns the next deadline (or max).
  Clock::time_point expire(Clock::time_point now, Answers& answers);
  // The run stops: nothing more is taken. Waiting and queued requests, and those partly
  // read, are refused (503); those read whole still wait for their acknowledgements.
  void stop(Answers& answers);
  // The run is over: every request not answered yet is answered 503 (its records were not
  // all acknowledged: the run was cancelled first, or it failed).
  void close(Answers& answers);

  std::size_t queued_bytes() const;
  std::size_t waiting_requests() const;

 private:
  struct Request {
    std::uint64_t connection = 0;
    bool close = false;
    std::deque<ParsedBatch> parts;  // not read yet
    std::size_t records = 0, acknowledged = 0, bytes = 0;
    Clock::time_point deadline;  // while waiting for room
  };
  bool room_for(std::size_t bytes) const { return queued_bytes_ == 0 || queued_bytes_ + bytes <= options_.max_queued_bytes; }
  bool taking_ended() const;
  void admit(std::uint64_t id, Answers& answers);
  void admit_waiting(Answers& answers);
  void answer_done(const Request& r, Answers& answers) const;

  const Options options_;
  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::unordered_map<std::uint64_t, Request> requests_;  // offered, not answered
  std::deque<std::uint64_t> waiting_, queue_;             // request ids, first come first served
  std::unordered_map<std::uint64_t, std::vector<std::pair<std::uint64_t, std::size_t>>> batches_;  // batch -> (request, records)
  std::size_t queued_bytes_ = 0;
  std::uint64_t next_request_ = 0, next_batch_ = 0, admitted_ = 0;
  bool stopped_ = false;
};

}  // namespace graph_runner::plugins
