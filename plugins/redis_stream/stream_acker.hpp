#pragma once
// The source's second connection, on a thread of its own: XACK and the group's gauges.
//
// Source::acknowledge() comes from any thread, out of order, while read() may be blocked in
// XREADGROUP on the reading connection; hiredis contexts are not thread-safe. So
// acknowledge() only moves the batch's entry ids to a queue (no I/O on the caller's thread,
// which is a sink's worker), and this thread sends them, pipelined, as soon as they arrive.
// Every `gauge_interval` it also asks XINFO GROUPS and publishes `lag` (entries of the
// stream not yet delivered to the group; Redis 7) and `pending` (delivered, not acknowledged,
// over every consumer) as gauges of the node (Context::set_gauge).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "redis_client.hpp"

namespace graph_runner::plugins::redis {

class StreamAcker {
 public:
  StreamAcker(Context& ctx, ServerSettings server, std::string stream, std::string group);
  ~StreamAcker();

  // The read thread, before read() returns the batch: the ids in source batch `batch`.
  void issued(std::uint64_t batch, std::vector<std::string> ids);
  // Any thread: every record of `batch` was delivered; its ids are acknowledged soon.
  void acknowledge(std::uint64_t batch);
  // Any thread: ids that belong to no batch (bad entries the node dropped), acknowledged soon.
  void acknowledge_ids(std::vector<std::string> ids);
  // Sends every acknowledgement still queued (retrying a lost connection up to the
  // reconnect timeout) and stops the thread. Ids that could not be sent are logged: they stay
  // pending in Redis and are delivered again (to this consumer after a restart, or claimed).
  void close();

  std::uint64_t acknowledged_entries() const noexcept { return acked_.load(std::memory_order_relaxed); }

 private:
  void loop();
  bool send(std::vector<std::string>& ids);  // false: the connection is down (ids kept)
  void publish_gauges();

  Context& ctx_;
  RedisClient client_;
  const std::string stream_, group_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::uint64_t, std::vector<std::string>> issued_;  // batch -> ids, not yet acknowledged
  std::vector<std::string> queued_;                                      // ids to XACK
  bool closing_ = false;
  std::atomic<std::uint64_t> acked_{0};
  std::chrono::steady_clock::time_point down_since_{};  // when the connection was lost (0: up)
  bool warned_down_ = false;
  std::thread thread_;
};

}  // namespace graph_runner::plugins::redis
