#include "stream_acker.hpp"

#include <cmath>
#include <limits>

namespace graph_runner::plugins::redis {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto gauge_interval = std::chrono::seconds(1);
constexpr std::size_t ids_per_xack = 512;

}  // namespace

StreamAcker::StreamAcker(Context& ctx, ServerSettings server, std::string stream, std::string group)
    : ctx_(ctx), client_(std::move(server), ""),
      stream_(std::move(stream)), group_(std::move(group)) {
  thread_ = std::thread([this] { loop(); });
}

StreamAcker::~StreamAcker() { close(); }

void StreamAcker::issued(std::uint64_t batch, std::vector<std::string> ids) {
  std::lock_guard lock(mutex_);
  issued_.emplace(batch, std::move(ids));
}

void StreamAcker::acknowledge(std::uint64_t batch) {
  {
    std::lock_guard lock(mutex_);
    auto it = issued_.find(batch);
    if (it == issued_.end()) return;  // a batch of claimed-then-deleted entries only: nothing to send
    if (queued_.empty()) queued_ = std::move(it->second);
    else queued_.insert(queued_.end(), std::make_move_iterator(it->second.begin()), std::make_move_iterator(it->second.end()));
    issued_.erase(it);
  }
  wake_.notify_one();
}

void StreamAcker::acknowledge_ids(std::vector<std::string> ids) {
  {
    std::lock_guard lock(mutex_);
    queued_.insert(queued_.end(), std::make_move_iterator(ids.begin()), std::make_move_iterator(ids.end()));
  }
  wake_.notify_one();
}

void StreamAcker::close() {
  {
    std::lock_guard lock(mutex_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

bool StreamAcker::send(std::vector<std::string>& ids) {
  try {
    if (!client_.connected()) client_.connect(client_.server().connect_timeout);
    std::size_t commands = 0;
    for (std::size_t first = 0; first < ids.size(); first += ids_per_xack, ++commands) {
      std::vector<std::string_view> args{"XACK", stream_, group_};
      for (std::size_t i = first; i < std::min(ids.size(), first + ids_per_xack); ++i) args.push_back(ids[i]);
      client_.append(args);
    }
    for (std::size_t i = 0; i < commands; ++i) {
      Reply r = client_.next_reply();
      if (r->type == REDIS_REPLY_INTEGER) acked_.fetch_add(static_cast<std::uint64_t>(r->integer), std::memory_order_relaxed);
      else  // NOGROUP after a server restart without persistence: nothing left to acknowledge
        ctx_.log(LogLevel::warn, client_.message("XACK failed: " + std::string(reply_text(*r))));
    }
    if (warned_down_) ctx_.log(LogLevel::info, client_.message("acknowledging again"));
    down_since_ = {};
    warned_down_ = false;
    ids.clear();
    return true;
  } catch (const std::exception& e) {  // the connection is down (a refused login counts too)
    client_.close();
    if (down_since_ == Clock::time_point{}) down_since_ = Clock::now();
    if (!warned_down_) ctx_.log(LogLevel::warn, std::string(e.what()) + "; acknowledgements wait for the server");
    warned_down_ = true;
    return false;
  }
}

void StreamAcker::publish_gauges() {
  try {
    if (!client_.connected()) client_.connect(client_.server().connect_timeout);
    Reply r = client_.command({"XINFO", "GROUPS", stream_});
    if (r->type != REDIS_REPLY_ARRAY) return;
    for (std::size_t g = 0; g < r->elements; ++g) {
      const redisReply& info = *r->element[g];
      if (info.type != REDIS_REPLY_ARRAY) continue;
      double pending = std::numeric_limits<double>::quiet_NaN(), lag = pending;
      bool ours = false;
      for (std::size_t k = 0; k + 1 < info.elements; k += 2) {
        const std::string_view key = reply_text(*info.element[k]);
        const redisReply& v = *info.element[k + 1];
        if (key == "name") ours = reply_text(v) == group_;
        else if (key == "pending" && v.type == REDIS_REPLY_INTEGER) pending = static_cast<double>(v.integer);
        else if (key == "lag" && v.type == REDIS_REPLY_INTEGER) lag = static_cast<double>(v.integer);  // nil: unknown
      }
      if (!ours) continue;
      ctx_.set_gauge("pending", pending);
      ctx_.set_gauge("lag", lag);
    }
  } catch (const RedisReplyError&) {  // no stream yet (ERR no such key): nothing to show
  } catch (const std::exception&) {
    client_.close();
  }
}

void StreamAcker::loop() {
  std::unique_lock lock(mutex_);
  auto next_gauges = Clock::now();
  for (;;) {
    wake_.wait_until(lock, next_gauges, [&] { return closing_ || !queued_.empty(); });
    std::vector<std::string> ids = std::move(queued_);
    queued_.clear();
    const bool closing = closing_;
    lock.unlock();
    bool sent = ids.empty() || send(ids);
    if (Clock::now() >= next_gauges) {
      publish_gauges();
      next_gauges = Clock::now() + gauge_interval;
    }
    if (!sent) {
      const bool given_up = closing && Clock::now() - down_since_ >= client_.server().reconnect_timeout;
      if (given_up) {
        ctx_.log(LogLevel::error, client_.message(std::to_string(ids.size()) +
                                                  " entries delivered but not acknowledged (the server is "
                                                  "unreachable): they stay pending and are delivered again"));
        ids.clear();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    lock.lock();
    if (!ids.empty()) queued_.insert(queued_.begin(), ids.begin(), ids.end());
    if (closing && queued_.empty()) {
      lock.unlock();
      publish_gauges();  // the figures after the last acknowledgement, for the run's final metrics
      return;
    }
  }
}

}  // namespace graph_runner::plugins::redis
